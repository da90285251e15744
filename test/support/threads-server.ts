import { randomBytes } from 'node:crypto';
import {
  GraphError,
  type GraphParams,
  flag,
  graphErrors,
  graphTime,
  idMaker,
  pageOf,
  paramsOf,
  probeImage,
  probeVideo,
  selectFields,
} from './meta-graph';
import {
  newestFirst,
  shortcodeOf,
  startContainerServerCore,
  type ContainerServerControls,
  type MetaContainer,
  type MetaToken,
} from './meta-graph-server';
import { listenOnLoopback } from './loopback';

/*
 * A local Threads: the Threads API as Meta documents it. One origin stands for threads.net (the
 * authorization window) and graph.threads.net; paths may carry a version (`/v1.0/...`).
 *
 * Pages followed:
 *  - Get access tokens and permissions (authorize with client_id, redirect_uri, scope,
 *    response_type=code, state; POST /oauth/access_token with client_id, client_secret, code,
 *    grant_type=authorization_code, redirect_uri gives `{access_token, user_id}`):
 *    https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
 *  - Long-lived tokens (th_exchange_token; th_refresh_token; 60 days, `expires_in` 5183944):
 *    https://developers.facebook.com/docs/threads/get-started/long-lived-tokens
 *  - Threads Posts (containers with media_type TEXT, IMAGE, VIDEO, CAROUSEL; text of at most 500
 *    characters, "emojis counted as the number of UTF-8 bytes"; image_url and video_url fetched
 *    from a public server; carousels of 2 to 20 items made with is_carousel_item and children;
 *    threads_publish with creation_id; media specifications: images JPEG or PNG up to 8 MB, video
 *    MOV or MP4 up to 1 GB and 5 minutes, aspect ratio 0.01:1 to 10:1):
 *    https://developers.facebook.com/docs/threads/posts
 *  - Create replies (reply_to_id on the container, then threads_publish):
 *    https://developers.facebook.com/docs/threads/retrieve-and-manage-replies/create-replies
 *  - Troubleshooting (container `status` IN_PROGRESS, FINISHED, ERROR, EXPIRED after 24 hours,
 *    PUBLISHED; `error_message` FAILED_DOWNLOADING_VIDEO, FAILED_PROCESSING_VIDEO,
 *    INVALID_ASPEC_RATIO, INVALID_DURATION, UNKNOWN, …): https://developers.facebook.com/docs/threads/troubleshooting
 *  - Overview, rate limiting (250 API-published posts and 1,000 replies in a moving 24 hours, a
 *    carousel counting once; threads_publishing_limit with quota_usage, config, reply_quota_usage,
 *    reply_config): https://developers.facebook.com/docs/threads/overview
 *  - Retrieve posts (GET /{threads-user-id}/threads newest first with fields, since, until, limit,
 *    cursors; media_type TEXT_POST, IMAGE, VIDEO, CAROUSEL_ALBUM) and replies:
 *    https://developers.facebook.com/docs/threads/retrieve-and-discover-posts/retrieve-posts
 *  - Delete posts (DELETE /{threads-media-id} with threads_delete, `{success, deleted_id}`, 100 a day):
 *    https://developers.facebook.com/docs/threads/posts/delete-posts
 *
 * Not from the documentation (Meta gives no code for these): the error codes of a text over 500
 * characters (100), of publishing a container still in progress (9007, as Instagram), of the
 * 24-hour limits (9/2207042, as Instagram) and of a second publish of one container (100). Meta's
 * crawler failures on images answer as Instagram's (9004/2207052). Usage comes in `X-App-Usage`.
 */

export const THREADS_SCOPES = [
  'threads_basic',
  'threads_content_publish',
  'threads_manage_replies',
  'threads_read_replies',
  'threads_manage_insights',
  'threads_delete',
] as const;

export const THREADS_LIMITS = {
  textChars: 500,
  imageBytes: 8 * 1024 * 1024,
  videoBytes: 1024 * 1024 * 1024,
  videoMaxSecs: 300,
  minRatio: 0.01,
  maxRatio: 10,
  carouselMin: 2,
  carouselMax: 20,
  postsPerDay: 250,
  repliesPerDay: 1000,
  deletesPerDay: 100,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A text's length as Threads counts it: characters, an emoji counting its UTF-8 bytes. */
export function threadsTextLength(text: string): number {
  let length = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    length += /\p{Extended_Pictographic}/u.test(segment) ? Buffer.byteLength(segment) : [...segment].length;
  }
  return length;
}

type Kind = 'TEXT' | 'IMAGE' | 'VIDEO' | 'CAROUSEL';
type ErrorMessage =
  'FAILED_DOWNLOADING_VIDEO' | 'FAILED_PROCESSING_VIDEO' | 'INVALID_ASPEC_RATIO' | 'INVALID_DURATION' | 'UNKNOWN';

export interface ThreadsContainer extends MetaContainer {
  kind: Kind;
  text: string;
  replyToId: string | null;
  altText: string | null;
  mediaUrl: string | null;
  outcome: { ok: true; data: Buffer | null } | { ok: false; message: ErrorMessage } | null;
}

export interface ThreadsPost {
  id: string;
  containerId: string;
  text: string;
  mediaType: 'TEXT_POST' | 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  shortcode: string;
  timestamp: number;
  replyToId: string | null;
  rootId: string;
  children: { id: string; mediaType: 'IMAGE' | 'VIDEO'; data: Buffer | null }[];
  data: Buffer | null;
  altText: string | null;
  viaApi: boolean;
}

export interface ThreadsServerOptions {
  username?: string;
  redirectUris?: string[];
  /** Status reads a video container answers IN_PROGRESS once its media is in. Default 2. */
  videoProcessingPolls?: number;
  postsPerDay?: number;
  repliesPerDay?: number;
  refusePrivateUrls?: boolean;
}

export interface ThreadsServer extends ContainerServerControls<ThreadsContainer> {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly userId: string;
  readonly username: string;
  /** Published posts and replies, newest first. */
  posts(): ThreadsPost[];
  /** A post made in the Threads app: its id. */
  addPost(text: string, timestamp?: number): string;
  /** The next video container ends in ERROR with this error_message. */
  failNextProcessing(message?: ErrorMessage): void;
}

const fetchFailed = (uri: string) =>
  new GraphError(400, 9004, 'Only photo or video can be accepted as media type.', {
    subcode: 2207052,
    transient: false,
    userTitle: 'Media download has failed.',
    userMessage: `The media could not be fetched from this URI: ${uri}`,
  });

export async function startThreadsServer(options: ThreadsServerOptions = {}): Promise<ThreadsServer> {
  const username = options.username ?? 'clientstudio';
  const videoPolls = options.videoProcessingPolls ?? 2;
  const postsPerDay = options.postsPerDay ?? THREADS_LIMITS.postsPerDay;
  const repliesPerDay = options.repliesPerDay ?? THREADS_LIMITS.repliesPerDay;
  const clientId = '1234567890123456';
  const clientSecret = randomBytes(16).toString('hex');
  const userId = '25811234567890123';

  const noPermission = () => new GraphError(403, 10, '(#10) Application does not have permission for this action');
  const core = await startContainerServerCore<ThreadsContainer>({
    bodyLimit: 16 * 1024 * 1024,
    useCase: null,
    throttle: { kind: 'user' },
    refusePrivateUrls: options.refusePrivateUrls,
    countedOn: null,
    clientId,
    clientSecret,
    redirectUris: options.redirectUris,
    knownScopes: THREADS_SCOPES,
    requiredScope: 'threads_basic',
    defaultScopes: THREADS_SCOPES,
    prefix: 'THAA',
    grant: 'th',
    badSecret: () => new GraphError(400, 1, 'Error validating client secret.'),
    noPermission,
    carouselExpiresWithItem: false,
    publishWording: {
      required: '(#100) Param creation_id is required',
      unknown: (id) =>
        graphErrors.param(`(#100) Param creation_id (${id}) is not a valid media container`, { subcode: 4279009 }),
    },
  });
  const { app, now, fetcher, login, tokens, containers } = core;
  const processingFailures: ErrorMessage[] = [];
  const deletes: number[] = [];
  const posts = new Map<string, ThreadsPost>();
  const nextContainerId = idMaker(17_889_615_691_921_648n);
  const nextPostId = idMaker(18_050_206_876_707_110n);

  // --- Authorization (the dialog and the token's renewal: the core) -------------------------------

  app.post('/oauth/access_token', async (request, reply) => {
    const { params } = await paramsOf(request);
    if (params.client_id !== clientId) throw graphErrors.param('Error validating application. Invalid application ID.');
    if (params.client_secret !== clientSecret) throw new GraphError(400, 1, 'Error validating client secret.');
    if (params.grant_type !== 'authorization_code')
      throw graphErrors.param('(#100) grant_type must be authorization_code');
    const grant = login.codes.get((params.code ?? '').replace(/#_$/, ''));
    if (!grant || grant.used || grant.expiresAt <= now())
      throw graphErrors.param('Invalid verification code format.', { subcode: 36009 });
    if (grant.redirectUri !== params.redirect_uri)
      throw graphErrors.param(
        'Error validating verification code. Please make sure your redirect_uri is identical ' +
          'to the one you used in the OAuth dialog request',
        { subcode: 36008 },
      );
    grant.used = true;
    // user_id is a bare JSON number, as in the documentation's example.
    return reply
      .type('application/json')
      .send(`{"access_token":${JSON.stringify(tokens.issue('short', grant.scopes))},"user_id":${userId}}`);
  });

  // --- Graph --------------------------------------------------------------------------------------

  const isMe = (id: string) => id === 'me' || id === userId;

  const postNode = (p: ThreadsPost) => ({
    id: p.id,
    media_product_type: 'THREADS',
    media_type: p.mediaType,
    media_url:
      p.mediaType === 'IMAGE' || p.mediaType === 'VIDEO' ? `https://scontent.cdninstagram.com/t/${p.id}` : undefined,
    permalink: `https://www.threads.com/@${username}/post/${p.shortcode}`,
    owner: { id: userId },
    username,
    text: p.text === '' ? undefined : p.text,
    timestamp: graphTime(p.timestamp),
    shortcode: p.shortcode,
    thumbnail_url: p.mediaType === 'VIDEO' ? `https://scontent.cdninstagram.com/t/${p.id}/thumb.jpg` : undefined,
    children: p.children.length > 0 ? { data: p.children.map((c) => ({ id: c.id })) } : undefined,
    is_quote_post: false,
    is_reply: p.replyToId !== null,
    root_post: p.replyToId !== null ? { id: p.rootId } : undefined,
    replied_to: p.replyToId !== null ? { id: p.replyToId } : undefined,
    hide_status: p.replyToId !== null ? 'NOT_HUSHED' : undefined,
    alt_text: p.altText ?? undefined,
  });

  const newest = () => newestFirst(posts.values());
  const published24h = (replies: boolean, since = now() - DAY_MS) =>
    [...posts.values()].filter(
      (p) => p.viaApi && (p.replyToId !== null) === replies && p.timestamp > Math.max(since, now() - DAY_MS),
    ).length;

  const ingest = async (c: ThreadsContainer): Promise<void> => {
    const video = c.kind === 'VIDEO';
    const got = await fetcher.fetch(c.mediaUrl ?? '', video ? THREADS_LIMITS.videoBytes : THREADS_LIMITS.imageBytes);
    if (!video) {
      if (!got.ok) {
        if (got.reason === 'too_large')
          throw graphErrors.param('(#100) The image size is too large. It should be less than 8 MB.', {
            subcode: 2207004,
          });
        throw fetchFailed(c.mediaUrl ?? '');
      }
      const image = probeImage(got.data);
      if (!image) throw fetchFailed(c.mediaUrl ?? '');
      if (image.type !== 'jpg' && image.type !== 'png')
        throw new GraphError(400, 36001, 'The image format is not supported.', {
          subcode: 2207005,
          userMessage: 'Supported formats are: JPEG, PNG',
        });
      const ratio = image.width / image.height;
      if (ratio < THREADS_LIMITS.minRatio || ratio > THREADS_LIMITS.maxRatio)
        throw new GraphError(
          400,
          36003,
          `The submitted image with aspect ratio ('${image.width}:${image.height}') cannot be published.`,
          { subcode: 2207009 },
        );
      c.outcome = { ok: true, data: got.data };
      return;
    }
    if (!got.ok) {
      c.outcome = { ok: false, message: 'FAILED_DOWNLOADING_VIDEO' };
      return;
    }
    const forced = processingFailures.shift();
    const probe = probeVideo(got.data);
    if (forced) c.outcome = { ok: false, message: forced };
    else if (!probe) c.outcome = { ok: false, message: 'FAILED_PROCESSING_VIDEO' };
    else if (probe.durationSecs > THREADS_LIMITS.videoMaxSecs || probe.durationSecs <= 0)
      c.outcome = { ok: false, message: 'INVALID_DURATION' };
    else if (
      probe.width / probe.height < THREADS_LIMITS.minRatio ||
      probe.width / probe.height > THREADS_LIMITS.maxRatio
    )
      c.outcome = { ok: false, message: 'INVALID_ASPEC_RATIO' };
    else c.outcome = { ok: true, data: got.data };
  };

  const createContainer = async (params: GraphParams, token: MetaToken): Promise<ThreadsContainer> => {
    const kind = (params.media_type ?? '').toUpperCase() as Kind;
    if (!['TEXT', 'IMAGE', 'VIDEO', 'CAROUSEL'].includes(kind))
      throw graphErrors.param('(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}');
    const isCarouselItem = flag(params.is_carousel_item);
    const text = params.text ?? '';
    if (threadsTextLength(text) > THREADS_LIMITS.textChars)
      throw graphErrors.param(`Param text must be at most ${THREADS_LIMITS.textChars} characters long.`);
    if (kind === 'TEXT' && text.trim() === '')
      throw graphErrors.param('(#100) Param text is required for media_type=TEXT');
    if (kind === 'IMAGE' && !params.image_url)
      throw graphErrors.param('(#100) Param image_url is required for media_type=IMAGE');
    if (kind === 'VIDEO' && !params.video_url)
      throw graphErrors.param('(#100) Param video_url is required for media_type=VIDEO');
    if (isCarouselItem && kind !== 'IMAGE' && kind !== 'VIDEO')
      throw graphErrors.param('(#100) Only images and videos can be carousel items');
    const replyToId = params.reply_to_id ?? null;
    if (replyToId !== null) {
      if (!token.scopes.includes('threads_manage_replies')) throw noPermission();
      if (!posts.has(replyToId))
        throw graphErrors.param(`(#100) Param reply_to_id (${replyToId}) is not a post you can reply to`);
    }
    const c: ThreadsContainer = {
      id: nextContainerId(),
      kind,
      text: isCarouselItem ? '' : text,
      isCarouselItem,
      children: [],
      replyToId: isCarouselItem ? null : replyToId,
      altText: kind === 'IMAGE' || kind === 'VIDEO' ? (params.alt_text ?? null) : null,
      mediaUrl: kind === 'IMAGE' ? (params.image_url ?? null) : kind === 'VIDEO' ? (params.video_url ?? null) : null,
      createdAt: now(),
      outcome: kind === 'TEXT' || kind === 'CAROUSEL' ? { ok: true, data: null } : null,
      pollsLeft: kind === 'VIDEO' ? videoPolls : 0,
      publishedId: null,
    };
    if (kind === 'CAROUSEL') {
      const children = (params.children ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (children.length < THREADS_LIMITS.carouselMin || children.length > THREADS_LIMITS.carouselMax)
        throw graphErrors.param(
          `(#100) Param children must have between ${THREADS_LIMITS.carouselMin} ` +
            `and ${THREADS_LIMITS.carouselMax} items`,
        );
      for (const id of children) {
        const child = containers.get(id);
        if (!child || !child.isCarouselItem || child.publishedId)
          throw graphErrors.param(`(#100) Param children contains an invalid item: ${id}`);
      }
      c.children = children;
    } else if (kind === 'IMAGE') await ingest(c);
    else if (kind === 'VIDEO')
      void ingest(c).catch(() => {
        c.outcome = { ok: false, message: 'UNKNOWN' };
      });
    containers.set(c.id, c);
    return c;
  };

  const publish = (params: GraphParams): ThreadsPost => {
    const c = core.toPublish(params);
    const s = core.status(c);
    if (s === 'EXPIRED') throw graphErrors.param('(#100) The media container has expired', { subcode: 2207020 });
    if (s === 'IN_PROGRESS')
      throw new GraphError(400, 9007, 'The media is not ready to be published. Please wait a moment.');
    if (s === 'ERROR')
      throw new GraphError(400, -1, 'Create media fail, please try to re-create media', { subcode: 2207032 });
    const isReply = c.replyToId !== null;
    if (published24h(isReply) >= (isReply ? repliesPerDay : postsPerDay))
      throw new GraphError(400, 9, 'Application request limit reached', {
        subcode: 2207042,
        userMessage:
          `You reached the maximum number of ${isReply ? 'replies' : 'posts'} ` +
          'that can be published through the API in 24 hours.',
      });
    const postId = nextPostId();
    const parent = c.replyToId ? posts.get(c.replyToId) : undefined;
    const p: ThreadsPost = {
      id: postId,
      containerId: c.id,
      text: c.text,
      mediaType: c.kind === 'TEXT' ? 'TEXT_POST' : c.kind === 'CAROUSEL' ? 'CAROUSEL_ALBUM' : c.kind,
      shortcode: shortcodeOf(postId),
      timestamp: now(),
      replyToId: c.replyToId,
      rootId: parent ? parent.rootId : postId,
      children: c.children.map((childId) => {
        const child = containers.get(childId) as ThreadsContainer;
        child.publishedId = nextPostId();
        return {
          id: child.publishedId,
          mediaType: child.kind as 'IMAGE' | 'VIDEO',
          data: child.outcome?.ok ? child.outcome.data : null,
        };
      }),
      data: c.outcome?.ok ? c.outcome.data : null,
      altText: c.altText,
      viaApi: true,
    };
    c.publishedId = postId;
    posts.set(postId, p);
    return p;
  };

  app.get('/:id', async (request, reply) => {
    const { params } = await core.call(request, reply);
    const id = (request.params as { id: string }).id;
    if (isMe(id))
      return selectFields(
        {
          id: userId,
          username,
          name: 'Client Studio',
          threads_profile_picture_url: `https://scontent.cdninstagram.com/t/${userId}.jpg`,
          threads_biography: '',
        },
        params,
        'ThreadsUser',
        ['id'],
      );
    const c = containers.get(id);
    if (c) {
      const s = core.status(c, true);
      return selectFields(
        {
          id: c.id,
          status: s,
          error_message: s === 'ERROR' ? core.failure(c)?.message : undefined,
        },
        params,
        'ThreadsMediaContainer',
        ['id'],
      );
    }
    const p = posts.get(id);
    if (p) return selectFields(postNode(p), params, 'ThreadsMedia', ['id']);
    throw graphErrors.unsupported('get', id);
  });

  app.get('/:id/:edge', async (request, reply) => {
    const { params, token } = await core.call(request, reply);
    const { id, edge } = request.params as { id: string; edge: string };
    const render = (p: ThreadsPost) => selectFields(postNode(p), params, 'ThreadsMedia', ['id']);
    if (isMe(id) && edge === 'threads')
      return pageOf(
        newest().filter((p) => p.replyToId === null),
        params,
        render,
        (p) => p.timestamp,
        `${baseUrl}/${userId}/threads`,
      );
    if (isMe(id) && edge === 'replies') {
      if (!token.scopes.includes('threads_read_replies')) throw noPermission();
      return pageOf(
        newest().filter((p) => p.replyToId !== null),
        params,
        render,
        (p) => p.timestamp,
        `${baseUrl}/${userId}/replies`,
      );
    }
    if (isMe(id) && edge === 'threads_publishing_limit') {
      const since = params.since === undefined ? undefined : Number(params.since) * 1000;
      const row = {
        quota_usage: published24h(false, since),
        config: { quota_total: postsPerDay, quota_duration: 86_400 },
        reply_quota_usage: published24h(true, since),
        reply_config: { quota_total: repliesPerDay, quota_duration: 86_400 },
      };
      return { data: [selectFields(row, params, 'ThreadsPublishingLimit', ['quota_usage'])] };
    }
    const p = posts.get(id);
    if (p && (edge === 'replies' || edge === 'conversation')) {
      const list = newest()
        .reverse()
        .filter((r) =>
          edge === 'replies' ? r.replyToId === p.id : r.rootId === p.rootId && r.id !== p.id && r.replyToId !== null,
        );
      return pageOf(list, params, render, (r) => r.timestamp, `${baseUrl}/${p.id}/${edge}`);
    }
    if (p && edge === 'children') return { data: p.children.map((c) => ({ id: c.id, media_type: c.mediaType })) };
    throw graphErrors.unsupported('get', `${id}/${edge}`);
  });

  app.post('/:id/:edge', async (request, reply) => {
    const { params } = await core.graphCall(request, reply, null);
    const { id, edge } = request.params as { id: string; edge: string };
    if (isMe(id) && edge === 'threads') {
      const token = tokens.authenticate(request, params, 'threads_content_publish');
      const c = await createContainer(params, token);
      if (c.kind === 'TEXT' && flag(params.auto_publish_text)) return { id: publish({ creation_id: c.id }).id };
      return { id: c.id };
    }
    if (isMe(id) && edge === 'threads_publish') {
      tokens.authenticate(request, params, 'threads_content_publish');
      const p = publish(params);
      core.failAfterPublish();
      return { id: p.id };
    }
    tokens.authenticate(request, params);
    throw graphErrors.unsupported('post', `${id}/${edge}`);
  });

  app.delete('/:id', async (request, reply) => {
    await core.call(request, reply, 'threads_delete');
    const id = (request.params as { id: string }).id;
    const p = posts.get(id);
    if (!p) throw graphErrors.unsupported('delete', id);
    const today = deletes.filter((t) => t > now() - DAY_MS);
    if (today.length >= THREADS_LIMITS.deletesPerDay)
      throw new GraphError(400, 9, 'Application request limit reached', {
        userMessage: 'You can delete 100 posts a day.',
      });
    deletes.push(now());
    posts.delete(id);
    return { success: true, deleted_id: id };
  });

  const baseUrl = await listenOnLoopback(app);

  return {
    url: baseUrl,
    clientId,
    clientSecret,
    userId,
    username,
    posts: () => newest().map((p) => ({ ...p, children: [...p.children] })),
    addPost: (text, timestamp) => {
      const id = nextPostId();
      posts.set(id, {
        id,
        containerId: '',
        text,
        mediaType: 'TEXT_POST',
        shortcode: shortcodeOf(id),
        timestamp: timestamp ?? now(),
        replyToId: null,
        rootId: id,
        children: [],
        data: null,
        altText: null,
        viaApi: false,
      });
      return id;
    },
    ...core.controls,
    failNextProcessing: (message = 'FAILED_PROCESSING_VIDEO') => void processingFailures.push(message),
  };
}
