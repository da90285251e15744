import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
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
} from './meta-graph-server';
import { listenOnLoopback } from './loopback';

/*
 * A local Instagram: the Instagram API with Instagram Login (Business Login for Instagram) for a
 * professional account, as Meta documents it. One origin stands for the four hosts the API uses:
 * www.instagram.com (the authorization window), api.instagram.com (the code exchange),
 * graph.instagram.com (tokens, the account, containers, publishing, media, comments); paths may
 * carry a version (`/v23.0/me`).
 *
 * Pages followed:
 *  - Business Login for Instagram (authorize with client_id, redirect_uri, response_type=code,
 *    comma-separated scope, state; the redirect carries `code` and a trailing `#_`; the code is
 *    good once, for an hour; the exchange is a form POST):
 *    https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
 *    The page shows the exchange's answer inside `data`; this server answers flat
 *    (`{access_token, user_id, permissions}`), which is what production clients read (Postiz's
 *    instagram.standalone.provider.ts), with `user_id` as a bare JSON number, as Instagram sends it
 *    (too large for a JavaScript number: read the account from `/me` instead). Its errors are the
 *    old Instagram shape `{"error_type","code","error_message"}`.
 *  - Long-lived tokens (ig_exchange_token, 60 days, `expires_in` 5183944; ig_refresh_token for an
 *    unexpired long-lived token): https://developers.facebook.com/docs/instagram-platform/reference/access_token
 *    and .../reference/refresh_access_token
 *  - Content publishing (containers for an image, a reel, a carousel of 2 to 10 items; media
 *    fetched from a public URL; JPEG only; `media_publish`; 100 API-published posts in a moving 24
 *    hours, a carousel counting once): https://developers.facebook.com/docs/instagram-platform/content-publishing/
 *  - IG User Media (the container parameters: image_url, video_url, media_type, caption,
 *    is_carousel_item, children, alt_text, share_to_feed, cover_url, thumb_offset; reading the
 *    account's media newest first, with since/until): .../instagram-graph-api/reference/ig-user/media
 *  - IG Container (status_code IN_PROGRESS, FINISHED, ERROR, EXPIRED after 24 hours, PUBLISHED;
 *    `status` carries the error subcode): .../instagram-graph-api/reference/ig-container
 *  - IG User Content Publishing Limit (`{"data":[{"quota_usage","config":{"quota_total","quota_duration"}}]}`,
 *    `since` no older than 24 hours): .../instagram-graph-api/reference/ig-user/content_publishing_limit
 *  - IG Media Comments (POST /<IG_MEDIA_ID>/comments?message=): .../reference/ig-media/comments
 *  - Error codes (HTTP 400 with code/subcode: -2/2207003 download timeout, -2/2207020 expired,
 *    -1/2207032 create failed, 9/2207042 publishing limit, 24/2207006 media not found,
 *    24/2207008 container missing or expired, 36000/2207004 image over 8 MiB, 36001/2207005 image
 *    format, 36003/2207009 aspect ratio, 352/2207026 video format, 9007/2207027 not ready,
 *    9004/2207052 media could not be fetched): .../instagram-graph-api/reference/error-codes
 *  - Reels specifications (MOV or MP4, 3 seconds to 15 minutes, at most 300 MB, aspect ratio
 *    0.01:1 to 10:1) and image specifications (JPEG, at most 8 MB, aspect ratio 4:5 to 1.91:1,
 *    width 320 to 1440, scaled): the specification tables of .../reference/ig-user/media
 *
 * Not from the documentation (marked where they happen): publishing a container twice (this
 * server answers code 100), and the error code of a caption over 2,200 characters (100/2207010).
 * Resumable video uploads (`upload_type=resumable` to rupload.facebook.com) are documented only
 * for Facebook Login for Business, so this Instagram Login server has none: a reel's video is
 * fetched from its public `video_url` like an image. Deleting media is not in the API either:
 * `DELETE /<IG_MEDIA_ID>` is an unsupported request, as on Instagram.
 */

export const IG_SCOPES = [
  'instagram_business_basic',
  'instagram_business_content_publish',
  'instagram_business_manage_comments',
  'instagram_business_manage_messages',
  'instagram_business_manage_insights',
] as const;

/** Image and reel limits of the IG User Media specification tables. */
export const IG_LIMITS = {
  imageBytes: 8 * 1024 * 1024,
  imageMinRatio: 4 / 5,
  imageMaxRatio: 1.91,
  videoBytes: 300 * 1024 * 1024,
  reelMinSecs: 3,
  reelMaxSecs: 15 * 60,
  videoMinRatio: 0.01,
  videoMaxRatio: 10,
  captionChars: 2200,
  carouselMin: 2,
  carouselMax: 10,
  publishesPerDay: 100,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The publishing errors of Meta's Instagram error-code table, as data. */
const IG_ERRORS = {
  downloadTimeout: () =>
    new GraphError(400, -2, 'It takes too long to download the media.', {
      subcode: 2207003,
      transient: false,
      userTitle: 'Media download timed out',
      userMessage: 'It takes too long to download the media.',
    }),
  expired: () =>
    new GraphError(400, -2, 'The media you are trying to access has expired. Please try to upload again.', {
      subcode: 2207020,
      transient: false,
      userTitle: 'Media expired',
      userMessage: 'The media you are trying to access has expired. Please try to upload again.',
    }),
  createFailed: () =>
    new GraphError(400, -1, 'Create media fail, please try to re-create media', {
      subcode: 2207032,
      transient: false,
      userTitle: 'Create media failed',
      userMessage: 'Create media fail, please try to re-create media',
    }),
  limitReached: () =>
    new GraphError(400, 9, 'Application request limit reached', {
      subcode: 2207042,
      transient: false,
      userTitle: 'Max requests limit reached',
      userMessage: 'You reached maximum number of posts that is allowed to be published by Content Publishing API.',
    }),
  mediaNotFound: (id: string) =>
    new GraphError(400, 24, `The media with ${id} cannot be found.`, { subcode: 2207006, transient: false }),
  builderMissing: (id: string) =>
    new GraphError(400, 24, `The media builder with creation id = ${id} does not exist or has been expired.`, {
      subcode: 2207008,
      transient: false,
    }),
  imageTooLarge: () =>
    new GraphError(400, 36000, 'The image size is too large.', {
      subcode: 2207004,
      transient: false,
      userTitle: 'Image size too large',
      userMessage: 'The image is too large to download. It should be less than 8 MiB.',
    }),
  imageFormat: () =>
    new GraphError(400, 36001, 'The image format is not supported.', {
      subcode: 2207005,
      transient: false,
      userTitle: 'Unsupported image format',
      userMessage: 'The image format is not supported. Supported formats are: JPEG',
    }),
  aspectRatio: (ratio: string) =>
    new GraphError(
      400,
      36003,
      `The submitted image with aspect ratio ('${ratio}') cannot be published. ` +
        'Please submit an image with a valid aspect ratio.',
      { subcode: 2207009, transient: false, userTitle: 'Invalid aspect ratio' },
    ),
  fetchFailed: (uri: string) =>
    new GraphError(400, 9004, 'Only photo or video can be accepted as media type.', {
      subcode: 2207052,
      transient: false,
      userTitle: 'Media download has failed.',
      userMessage: `The media could not be fetched from this uri: ${uri}`,
    }),
  notReady: () =>
    new GraphError(400, 9007, 'Media ID is not available', {
      subcode: 2207027,
      transient: false,
      userTitle: 'Media not ready for publishing',
      userMessage: 'The media is not ready for publishing, please wait for a moment',
    }),
  carousel: () =>
    new GraphError(400, 100, 'Invalid parameter', {
      subcode: 2207028,
      transient: false,
      userTitle: 'Carousel validation failed',
      userMessage:
        "Your post won't be shared as a carousel. " +
        'Carousels need at least 2 photos/videos and no more than 10 photos/videos.',
    }),
  // Not in Meta's table: the code of a caption over 2,200 characters is assumed to be 100.
  caption: () =>
    new GraphError(400, 100, 'The caption is too long.', {
      subcode: 2207010,
      transient: false,
      userTitle: 'Caption too long',
      userMessage: 'The caption can have at most 2,200 characters, 30 hashtags and 20 @ tags.',
    }),
} as const;

/** What a container failed with, as its `status` field gives it. */
const VIDEO_FORMAT_SUBCODE = 2207026;

type ContainerKind = 'IMAGE' | 'VIDEO' | 'REELS' | 'CAROUSEL';

export interface InstagramContainer extends MetaContainer {
  kind: ContainerKind;
  caption: string;
  altText: string | null;
  mediaUrl: string | null;
  outcome: { ok: true; data: Buffer; durationSecs: number | null } | { ok: false; subcode: number } | null;
}

export interface InstagramMedia {
  id: string;
  containerId: string;
  caption: string;
  mediaType: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  productType: 'FEED' | 'REELS';
  shortcode: string;
  timestamp: number;
  altText: string | null;
  children: { id: string; mediaType: 'IMAGE' | 'VIDEO'; data: Buffer | null }[];
  data: Buffer | null;
  comments: { id: string; text: string; timestamp: number }[];
  /** Published through the API (counts against the 24-hour limit), or made in the Instagram app. */
  viaApi: boolean;
}

export interface InstagramServerOptions {
  username?: string;
  name?: string;
  accountType?: 'BUSINESS' | 'MEDIA_CREATOR';
  /** Exact redirect URIs registered for the app; unset, any http(s) URI is taken. */
  redirectUris?: string[];
  /** Status reads a video container answers IN_PROGRESS once its media is in. Default 2. */
  videoProcessingPolls?: number;
  /** The account's 24-hour publishing allowance (`config.quota_total`). Default 100. */
  quotaTotal?: number;
  /** Refuse media URLs on loopback or private addresses, as Meta's crawler cannot reach them. Default false. */
  refusePrivateUrls?: boolean;
}

export interface InstagramServer extends ContainerServerControls<InstagramContainer> {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The professional account's id (`user_id` on /me): the <IG_ID> of publishing calls. */
  readonly igUserId: string;
  /** The app-scoped id (`id` on /me). */
  readonly appScopedId: string;
  readonly username: string;
  /** Published media, newest first. */
  media(): InstagramMedia[];
  /** A post made in the Instagram app (not through the API): its id. */
  addMedia(caption: string, timestamp?: number): string;
  /** The next video container's processing ends in ERROR with this subcode (default 2207026, video format). */
  failNextProcessing(subcode?: number): void;
}

/** Instagram's old OAuth error shape on api.instagram.com. */
function oauthError(reply: FastifyReply, message: string, type = 'OAuthException') {
  return reply.code(400).send({ error_type: type, code: 400, error_message: message });
}

export async function startInstagramServer(options: InstagramServerOptions = {}): Promise<InstagramServer> {
  const username = options.username ?? 'client.studio';
  const name = options.name ?? 'Client Studio';
  const accountType = options.accountType ?? 'BUSINESS';
  const videoPolls = options.videoProcessingPolls ?? 2;
  const quotaTotal = options.quotaTotal ?? IG_LIMITS.publishesPerDay;
  const clientId = '990602627938098';
  const clientSecret = randomBytes(16).toString('hex');
  const igUserId = '17841405822304914';
  const appScopedId = '7101234567890123';

  const core = await startContainerServerCore<InstagramContainer>({
    bodyLimit: 16 * 1024 * 1024,
    useCase: 'instagram',
    throttle: { kind: 'instagramBusinessUseCase', objectId: igUserId },
    refusePrivateUrls: options.refusePrivateUrls,
    countedOn: igUserId,
    clientId,
    clientSecret,
    redirectUris: options.redirectUris,
    knownScopes: IG_SCOPES,
    defaultScopes: IG_SCOPES.slice(0, 3),
    prefix: 'IGAA',
    grant: 'ig',
    badSecret: () => graphErrors.param('Error validating client secret.', { subcode: 1 }),
    noPermission: () =>
      new GraphError(403, 10, '(#10) Application does not have permission for this action', {
        type: 'OAuthException',
      }),
    carouselExpiresWithItem: true,
    publishWording: { required: '(#100) The parameter creation_id is required', unknown: IG_ERRORS.builderMissing },
  });
  const { app, now, fetcher, login, tokens, containers } = core;
  const processingFailures: number[] = [];
  const media = new Map<string, InstagramMedia>();
  const nextContainerId = idMaker(17_889_455_560_051_444n);
  const nextMediaId = idMaker(18_027_939_643_230_671n);
  const nextCommentId = idMaker(17_858_893_269_000_001n);

  // --- Business Login for Instagram (the dialog and the token's renewal: the core) ---------------

  app.post('/oauth/access_token', async (request, reply) => {
    const { params } = await paramsOf(request);
    if (params.client_id !== clientId) return oauthError(reply, 'Invalid platform app');
    if (params.client_secret !== clientSecret) return oauthError(reply, 'Error validating client secret.');
    if (params.grant_type !== 'authorization_code')
      return oauthError(reply, 'Invalid grant_type: only authorization_code is supported', 'OAuthException');
    const code = (params.code ?? '').replace(/#_$/, '');
    const grant = login.codes.get(code);
    if (!grant || grant.used || grant.expiresAt <= now())
      return oauthError(reply, 'Matching code was not found or was already used');
    if (grant.redirectUri !== params.redirect_uri)
      return oauthError(
        reply,
        'Error validating verification code. Please make sure your redirect_uri is identical ' +
          'to the one you used in the OAuth dialog request',
      );
    grant.used = true;
    const token = tokens.issue('short', grant.scopes);
    // user_id is a bare number too large for JavaScript: written by hand, as Instagram sends it.
    return reply
      .type('application/json')
      .send(
        `{"access_token":${JSON.stringify(token)},"user_id":${appScopedId},` +
          `"permissions":${JSON.stringify(grant.scopes)}}`,
      );
  });

  // --- The Graph API ----------------------------------------------------------------------------

  const isMe = (id: string) => id === 'me' || id === igUserId || id === appScopedId;

  const userNode = () => ({
    id: appScopedId,
    user_id: igUserId,
    username,
    name,
    account_type: accountType,
    profile_picture_url: `https://scontent.cdninstagram.com/v/t51.2885-19/${igUserId}.jpg`,
    followers_count: 1200,
    follows_count: 180,
    media_count: media.size,
    biography: '',
    website: '',
  });

  const containerNode = (c: InstagramContainer, read: boolean) => {
    const status = core.status(c, read);
    const sub = status === 'ERROR' ? (core.failure(c)?.subcode ?? null) : null;
    return {
      id: c.id,
      status_code: status,
      status:
        status === 'ERROR'
          ? `Error: Media upload has failed with error code ${sub ?? VIDEO_FORMAT_SUBCODE}`
          : status === 'FINISHED'
            ? 'Finished: Media has been uploaded and it is ready to be published.'
            : status === 'IN_PROGRESS'
              ? 'In Progress: Media is still being processed.'
              : status === 'PUBLISHED'
                ? 'Published: Media has been successfully published.'
                : 'Expired: Media was not published within 24 hours.',
      copyright_check_status:
        c.kind === 'REELS' || c.kind === 'VIDEO' ? { status: 'completed', matches_found: false } : undefined,
    };
  };

  const mediaNode = (m: InstagramMedia) => ({
    id: m.id,
    caption: m.caption === '' ? undefined : m.caption,
    media_type: m.mediaType,
    media_product_type: m.productType,
    media_url: m.mediaType === 'CAROUSEL_ALBUM' ? undefined : `https://scontent.cdninstagram.com/v/${m.id}`,
    thumbnail_url: m.mediaType === 'VIDEO' ? `https://scontent.cdninstagram.com/v/${m.id}/thumb.jpg` : undefined,
    permalink: `https://www.instagram.com/${m.productType === 'REELS' ? 'reel' : 'p'}/${m.shortcode}/`,
    shortcode: m.shortcode,
    timestamp: graphTime(m.timestamp),
    username,
    owner: { id: igUserId },
    is_comment_enabled: true,
    comments_count: m.comments.length,
    like_count: 0,
    alt_text: m.altText ?? undefined,
  });

  const published24h = (since = now() - DAY_MS) =>
    [...media.values()].filter((m) => m.viaApi && m.timestamp > Math.max(since, now() - DAY_MS)).length;

  /** Fetches and checks a container's media, as Meta's crawler and processing do. */
  const ingest = async (c: InstagramContainer): Promise<void> => {
    const video = c.kind === 'REELS' || c.kind === 'VIDEO';
    const got = await fetcher.fetch(c.mediaUrl ?? '', video ? IG_LIMITS.videoBytes : IG_LIMITS.imageBytes);
    if (!got.ok) {
      if (!video && got.reason === 'too_large') throw IG_ERRORS.imageTooLarge();
      if (!video)
        throw got.reason === 'timeout' ? IG_ERRORS.downloadTimeout() : IG_ERRORS.fetchFailed(c.mediaUrl ?? '');
      c.outcome = { ok: false, subcode: got.reason === 'timeout' ? 2207003 : 2207052 };
      return;
    }
    if (!video) {
      const image = probeImage(got.data);
      if (!image) throw IG_ERRORS.fetchFailed(c.mediaUrl ?? '');
      if (image.type !== 'jpg') throw IG_ERRORS.imageFormat();
      const ratio = image.width / image.height;
      if (ratio < IG_LIMITS.imageMinRatio - 1e-3 || ratio > IG_LIMITS.imageMaxRatio + 1e-3)
        throw IG_ERRORS.aspectRatio(`${image.width}:${image.height}`);
      c.outcome = { ok: true, data: got.data, durationSecs: null };
      return;
    }
    const forced = processingFailures.shift();
    const probe = probeVideo(got.data);
    const ratio = probe ? probe.width / probe.height : 0;
    const tooShortOrLong =
      probe &&
      c.kind === 'REELS' &&
      (probe.durationSecs < IG_LIMITS.reelMinSecs || probe.durationSecs > IG_LIMITS.reelMaxSecs);
    if (forced !== undefined) c.outcome = { ok: false, subcode: forced };
    else if (!probe || ratio < IG_LIMITS.videoMinRatio || ratio > IG_LIMITS.videoMaxRatio || tooShortOrLong)
      c.outcome = { ok: false, subcode: VIDEO_FORMAT_SUBCODE };
    else c.outcome = { ok: true, data: got.data, durationSecs: probe.durationSecs };
  };

  const createContainer = async (params: GraphParams): Promise<InstagramContainer> => {
    const requested = params.media_type?.toUpperCase();
    const isCarouselItem = flag(params.is_carousel_item);
    const caption = params.caption ?? '';
    if ([...caption].length > IG_LIMITS.captionChars) throw IG_ERRORS.caption();
    let kind: ContainerKind;
    if (requested === 'CAROUSEL') kind = 'CAROUSEL';
    else if (requested === 'REELS') kind = 'REELS';
    else if (requested === 'VIDEO') {
      // Since July 2023 a single feed video is a reel: VIDEO is only a carousel item.
      if (!isCarouselItem)
        throw graphErrors.param(
          'The parameter media_type=VIDEO is only supported for carousel items. Use REELS instead.',
        );
      kind = 'VIDEO';
    } else if (requested === undefined || requested === 'IMAGE') kind = 'IMAGE';
    else if (requested === 'STORIES') throw graphErrors.param('(#100) Stories are not supported by this local server');
    else throw graphErrors.param(`The media type ${requested} is unknown.`, { subcode: 2207023 });

    if ((kind === 'IMAGE' && !params.image_url) || ((kind === 'REELS' || kind === 'VIDEO') && !params.video_url))
      throw graphErrors.param(`(#100) The parameter ${kind === 'IMAGE' ? 'image_url' : 'video_url'} is required`);
    if (kind === 'REELS' && isCarouselItem) throw graphErrors.param('(#100) A reel cannot be a carousel item');

    const container: InstagramContainer = {
      id: nextContainerId(),
      kind,
      isCarouselItem,
      caption: isCarouselItem ? '' : caption,
      altText: kind === 'IMAGE' ? (params.alt_text ?? null) : null,
      children: [],
      mediaUrl: kind === 'IMAGE' ? (params.image_url ?? null) : kind === 'CAROUSEL' ? null : (params.video_url ?? null),
      createdAt: now(),
      outcome: null,
      pollsLeft: kind === 'REELS' || kind === 'VIDEO' ? videoPolls : 0,
      publishedId: null,
    };

    if (kind === 'CAROUSEL') {
      const children = (params.children ?? '')
        .replace(/^\[|\]$/g, '')
        .split(',')
        .map((s) => s.trim().replace(/^"|"$/g, ''))
        .filter(Boolean);
      if (children.length < IG_LIMITS.carouselMin || children.length > IG_LIMITS.carouselMax)
        throw IG_ERRORS.carousel();
      for (const id of children) {
        const child = containers.get(id);
        if (!child) throw IG_ERRORS.mediaNotFound(id);
        if (!child.isCarouselItem || child.publishedId) throw IG_ERRORS.carousel();
      }
      container.children = children;
    } else if (kind === 'IMAGE') {
      // Images are fetched during the call: a bad URL or image fails it.
      await ingest(container);
    } else {
      // Videos are fetched and processed in the background: the container answers IN_PROGRESS meanwhile.
      void ingest(container).catch(() => {
        container.outcome = { ok: false, subcode: 2207053 };
      });
    }
    containers.set(container.id, container);
    return container;
  };

  const publish = (params: GraphParams): InstagramMedia => {
    const c = core.toPublish(params);
    const status = core.status(c);
    if (status === 'EXPIRED') throw IG_ERRORS.expired();
    if (status === 'IN_PROGRESS') throw IG_ERRORS.notReady();
    if (status === 'ERROR') throw IG_ERRORS.createFailed();
    if (published24h() >= quotaTotal) throw IG_ERRORS.limitReached();
    const mediaId = nextMediaId();
    const childMedia = c.children.map((childId) => {
      const child = containers.get(childId) as InstagramContainer;
      child.publishedId = nextMediaId();
      return {
        id: child.publishedId,
        mediaType: child.kind === 'IMAGE' ? ('IMAGE' as const) : ('VIDEO' as const),
        data: child.outcome?.ok ? child.outcome.data : null,
      };
    });
    const m: InstagramMedia = {
      id: mediaId,
      containerId: c.id,
      caption: c.caption,
      mediaType: c.kind === 'CAROUSEL' ? 'CAROUSEL_ALBUM' : c.kind === 'IMAGE' ? 'IMAGE' : 'VIDEO',
      productType: c.kind === 'REELS' ? 'REELS' : 'FEED',
      shortcode: shortcodeOf(mediaId),
      timestamp: now(),
      altText: c.altText,
      children: childMedia,
      data: c.outcome?.ok ? c.outcome.data : null,
      comments: [],
      viaApi: true,
    };
    c.publishedId = mediaId;
    media.set(mediaId, m);
    return m;
  };

  app.get('/:id', async (request, reply) => {
    const { params } = await core.call(request, reply);
    const id = (request.params as { id: string }).id;
    if (isMe(id)) return selectFields(userNode(), params, 'User', ['id']);
    const c = containers.get(id);
    if (c) return selectFields(containerNode(c, true), params, 'ShadowIGMediaBuilder', ['id']);
    const m = media.get(id);
    if (m) return selectFields(mediaNode(m), params, 'IGMedia', ['id']);
    throw graphErrors.unsupported('get', id);
  });

  app.get('/:id/:edge', async (request, reply) => {
    const { params } = await core.call(request, reply);
    const { id, edge } = request.params as { id: string; edge: string };
    if (isMe(id) && edge === 'media') {
      return pageOf(
        newestFirst(media.values()),
        params,
        (m) => selectFields(mediaNode(m), params, 'IGMedia', ['id']),
        (m) => m.timestamp,
        `${baseUrl}/${igUserId}/media`,
      );
    }
    if (isMe(id) && edge === 'content_publishing_limit') {
      const since = params.since === undefined ? undefined : Number(params.since) * 1000;
      if (since !== undefined && (Number.isNaN(since) || since < now() - DAY_MS - 60_000))
        throw graphErrors.param('(#100) The parameter since must be a Unix timestamp no older than 24 hours');
      const row = { quota_usage: published24h(since), config: { quota_total: quotaTotal, quota_duration: 86_400 } };
      return { data: [selectFields(row, params, 'ShadowIGUserContentPublishingLimit', ['quota_usage'])] };
    }
    const m = media.get(id);
    if (m && edge === 'children') {
      return {
        data: m.children.map((child) => ({
          id: child.id,
          media_type: child.mediaType,
          timestamp: graphTime(m.timestamp),
        })),
      };
    }
    if (m && edge === 'comments') {
      return pageOf(
        [...m.comments].reverse(),
        params,
        (cm) => ({ id: cm.id, text: cm.text, timestamp: graphTime(cm.timestamp), username }),
        (cm) => cm.timestamp,
        `${baseUrl}/${m.id}/comments`,
      );
    }
    throw graphErrors.unsupported('get', `${id}/${edge}`);
  });

  app.post('/:id/:edge', async (request, reply) => {
    const { params } = await core.graphCall(request, reply, igUserId);
    const { id, edge } = request.params as { id: string; edge: string };
    if (isMe(id) && edge === 'media') {
      tokens.authenticate(request, params, 'instagram_business_content_publish');
      const c = await createContainer(params);
      return { id: c.id };
    }
    if (isMe(id) && edge === 'media_publish') {
      tokens.authenticate(request, params, 'instagram_business_content_publish');
      const m = publish(params);
      core.failAfterPublish();
      return { id: m.id };
    }
    const m = media.get(id);
    if (m && edge === 'comments') {
      tokens.authenticate(request, params, 'instagram_business_manage_comments');
      const message = params.message ?? '';
      if (message.trim() === '') throw graphErrors.param('(#100) The parameter message is required');
      if ([...message].length > IG_LIMITS.captionChars)
        throw graphErrors.param('(#100) The comment can have at most 2,200 characters');
      const comment = { id: nextCommentId(), text: message, timestamp: now() };
      m.comments.push(comment);
      return { id: comment.id };
    }
    tokens.authenticate(request, params);
    throw graphErrors.unsupported('post', `${id}/${edge}`);
  });

  app.delete('/:id', async (request, reply) => {
    await core.call(request, reply);
    throw graphErrors.unsupported('delete', (request.params as { id: string }).id);
  });

  const baseUrl = await listenOnLoopback(app);

  return {
    url: baseUrl,
    clientId,
    clientSecret,
    igUserId,
    appScopedId,
    username,
    media: () =>
      newestFirst(media.values()).map((m) => ({ ...m, comments: [...m.comments], children: [...m.children] })),
    addMedia: (caption, timestamp) => {
      const id = nextMediaId();
      media.set(id, {
        id,
        containerId: '',
        caption,
        mediaType: 'IMAGE',
        productType: 'FEED',
        shortcode: shortcodeOf(id),
        timestamp: timestamp ?? now(),
        altText: null,
        children: [],
        data: null,
        comments: [],
        viaApi: false,
      });
      return id;
    },
    ...core.controls,
    failNextProcessing: (subcode = VIDEO_FORMAT_SUBCODE) => void processingFailures.push(subcode),
  };
}
