import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  GraphError,
  type GraphParams,
  type UploadedFile,
  dialogErrorPage,
  flag,
  graphErrors,
  graphTime,
  idMaker,
  pageOf,
  paramsOf,
  probeImage,
  probeVideo,
  selectFields,
  tokenOf,
} from './meta-graph';
import { LONG_LIVED_SECS, startMetaServerCore, type MetaServerControls } from './meta-graph-server';
import { listenOnLoopback } from './loopback';

/*
 * A local Facebook for Pages: Facebook Login (the manual flow), the member's Pages with their Page
 * access tokens, and the Pages API a scheduler uses, as Meta documents them. One origin stands for
 * www.facebook.com (the login dialog), graph.facebook.com and graph-video.facebook.com; paths
 * may carry a version (`/v23.0/...`).
 *
 * Pages followed:
 *  - Manually Build a Login Flow (dialog/oauth with client_id, redirect_uri, state, scope,
 *    response_type; the redirect carries `code` and `#_=_`; a denial carries error_reason=user_denied,
 *    error=access_denied; the code is exchanged at GET /oauth/access_token with client_id,
 *    redirect_uri, client_secret, code; `{access_token, token_type, expires_in}`):
 *    https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 *  - OIDC Code Flow with PKCE for manually built flows (code_challenge, code_challenge_method
 *    S256 or plain on the dialog, code_verifier on the exchange):
 *    https://developers.facebook.com/docs/facebook-login/guides/advanced/oidc-token
 *  - Long-lived tokens (grant_type=fb_exchange_token; a Page token from a long-lived user token has
 *    no expiry): https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
 *  - Pages API, Get started and Posts (GET /<USER_ID>/accounts gives each Page's id, name, category,
 *    tasks and a Page access token; POST /<PAGE_ID>/feed with message and link; photos; reading
 *    posts; deleting; comments as the Page): https://developers.facebook.com/docs/pages-api/getting-started
 *    and https://developers.facebook.com/docs/pages-api/posts
 *  - Page Feed reference (published, scheduled_publish_time, attached_media for several photos
 *    uploaded with published=false): https://developers.facebook.com/docs/graph-api/reference/page/feed
 *  - Page Photos reference (url or multipart `source`; `{id, post_id}`; unpublished photos):
 *    https://developers.facebook.com/docs/graph-api/reference/page/photos
 *  - Publish with the Video API and the Resumable Upload API (POST /<APP_ID>/uploads with
 *    file_name, file_length, file_type gives `upload:<SESSION_ID>`; POST /upload:<SESSION_ID> with
 *    `Authorization: OAuth <token>` and `file_offset` gives the file handle `h`; GET /upload:<ID>
 *    gives the `file_offset` to resume from; POST /<PAGE_ID>/videos with title, description and
 *    fbuploader_video_file_chunk=<handle>; a video's `status.video_status`):
 *    https://developers.facebook.com/docs/video-api/guides/publishing and
 *    https://developers.facebook.com/docs/graph-api/guides/upload
 *  - Error handling (506 duplicate post, 190 tokens, 200 permissions) and rate limits (Pages:
 *    Business Use Case limits for Page tokens, type `pages`): see meta-graph.ts.
 *
 * Not from the documentation: the answer to a partial upload (this server gives the session and
 * its `file_offset`, as the resume GET does, and the handle only once the file is whole), the
 * wording of a message over 63,206 characters, and the subcode of a photo over 4 MB (Postiz maps
 * 1366046 to "Photos should be smaller than 4 MB").
 */

export const FB_PERMISSIONS = [
  'public_profile',
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'pages_manage_engagement',
  'pages_read_user_content',
  'publish_video',
  'business_management',
] as const;

export const FB_LIMITS = {
  messageChars: 63_206,
  photoBytes: 4 * 1024 * 1024,
  videoBytes: 1024 * 1024 * 1024,
  /** Identical messages on one Page within this window are refused as duplicates (code 506). */
  duplicateWindowMs: 60 * 60 * 1000,
} as const;

/** A user token from the login lasts about 1.5 hours; the exchanged one the 60 days of every Meta long-lived token. */
const SHORT_LIVED_SECS = 5170;

export interface FacebookPageSpec {
  id: string;
  name: string;
  category?: string;
}

export interface FacebookPost {
  id: string;
  pageId: string;
  message: string;
  link: string | null;
  published: boolean;
  createdAt: number;
  photos: { id: string; data: Buffer; mimeType: string }[];
  videoId: string | null;
  comments: { id: string; message: string; createdAt: number }[];
  viaApi: boolean;
}

interface Photo {
  id: string;
  pageId: string;
  data: Buffer;
  mimeType: string;
  published: boolean;
  attachedTo: string | null;
}

interface Video {
  id: string;
  pageId: string;
  title: string;
  description: string;
  ok: boolean;
  pollsLeft: number;
  postId: string | null;
}

interface Token {
  kind: 'user-short' | 'user-long' | 'page';
  scopes: string[];
  expiresAt: number | null;
  pageId: string | null;
  revoked: boolean;
}

export interface FacebookServerOptions {
  member?: { id: string; name: string };
  pages?: FacebookPageSpec[];
  /** Exact redirect URIs of the app's Valid OAuth Redirect URIs; unset, any http(s) URI is taken. */
  redirectUris?: string[];
  /** How many Pages one page of /me/accounts gives at most, whatever `limit` asks. Default 25. */
  accountsPageSize?: number;
  /** Status reads a video answers `processing` before `ready`. Default 1. */
  videoProcessingPolls?: number;
  refusePrivateUrls?: boolean;
}

export interface FacebookServer extends MetaServerControls {
  readonly url: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly member: { id: string; name: string };
  readonly pages: FacebookPageSpec[];
  /** A user token as if the login had run (long-lived unless said otherwise). */
  issueUserToken(options?: { longLived?: boolean; scopes?: readonly string[] }): string;
  /** The Page's access token, as /me/accounts would give it for a long-lived user token. */
  issuePageToken(pageId: string, scopes?: readonly string[]): string;
  /** Posts of a Page (published and not), newest first. */
  posts(pageId?: string): FacebookPost[];
  /** A post made on facebook.com (not through the API). */
  addPost(pageId: string, message: string, createdAt?: number): string;
  denyNextAuthorization(): void;
  /** The member changed their password: every token so far answers 190/460. */
  invalidateSessions(): void;
  /** The next feed/photos/videos post is made, then answers this error anyway. */
  postButFailNext(error?: GraphError): void;
  /** The next resumable upload request keeps only this many bytes, then its connection is cut. */
  cutNextUploadAfter(bytes: number): void;
}

export async function startFacebookServer(options: FacebookServerOptions = {}): Promise<FacebookServer> {
  const member = options.member ?? { id: '10160000000000001', name: 'Casey Client' };
  const pages = options.pages ?? [
    { id: '104000000000001', name: 'Casey Bakery', category: 'Bakery' },
    { id: '104000000000002', name: 'Casey Catering', category: 'Caterer' },
  ];
  const pageSize = options.accountsPageSize ?? 25;
  const videoPolls = options.videoProcessingPolls ?? 1;
  const appId = '442224939723604';
  const appSecret = randomBytes(16).toString('hex');

  const core = await startMetaServerCore({
    bodyLimit: 64 * 1024 * 1024,
    useCase: 'pages',
    throttle: { kind: 'pagesBusinessUseCase' },
    refusePrivateUrls: options.refusePrivateUrls,
  });
  const { app, now, fetcher, limiter } = core;
  let denyNext = false;
  let sessionsValidAfter = 0;
  const postFailures: GraphError[] = [];
  const uploadCuts: number[] = [];
  const codes = new Map<
    string,
    {
      redirectUri: string;
      scopes: string[];
      challenge: string | null;
      method: string;
      expiresAt: number;
      used: boolean;
    }
  >();
  const tokens = new Map<string, Token & { issuedAt: number }>();
  const posts = new Map<string, FacebookPost>();
  const photos = new Map<string, Photo>();
  const videos = new Map<string, Video>();
  const uploads = new Map<string, { fileLength: number; fileType: string; data: Buffer; handle: string | null }>();
  const handles = new Map<string, Buffer>();
  const nextObjectId = idMaker(122_100_000_000_000_001n);
  const nextPostNumber = idMaker(122_200_000_000_000_001n);

  const newToken = (kind: Token['kind'], scopes: readonly string[], pageId: string | null = null): string => {
    const token = `EAAG${randomBytes(30).toString('base64url')}`;
    const expiresAt =
      kind === 'user-short'
        ? now() + SHORT_LIVED_SECS * 1000
        : kind === 'user-long'
          ? now() + LONG_LIVED_SECS * 1000
          : null;
    tokens.set(token, { kind, scopes: [...scopes], expiresAt, pageId, revoked: false, issuedAt: now() });
    return token;
  };

  // --- Facebook Login -----------------------------------------------------------------------------

  app.get('/dialog/oauth', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.client_id !== appId)
      return dialogErrorPage(reply, 'Invalid App ID: The provided app ID does not look like a valid app ID.');
    const redirectUri = q.redirect_uri ?? '';
    const registered = options.redirectUris
      ? options.redirectUris.includes(redirectUri)
      : /^https?:\/\//.test(redirectUri);
    if (!URL.canParse(redirectUri) || !registered)
      return dialogErrorPage(
        reply,
        'URL Blocked: This redirect failed because the redirect URI is not whitelisted ' +
          "in the app's Client OAuth Settings.",
      );
    const scopes = ['public_profile', ...(q.scope ?? '').split(/[,\s]+/).filter(Boolean)];
    const unknown = scopes.filter((s) => !(FB_PERMISSIONS as readonly string[]).includes(s));
    if (unknown.length > 0) return dialogErrorPage(reply, `Invalid Scopes: ${unknown.join(', ')}`);
    const method = q.code_challenge_method ?? (q.code_challenge ? 'plain' : '');
    if (q.code_challenge && method !== 'S256' && method !== 'plain')
      return dialogErrorPage(reply, 'Invalid code_challenge_method');
    const back = new URL(redirectUri);
    if (denyNext) {
      denyNext = false;
      back.searchParams.set('error_code', '200');
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'Permissions error');
      back.searchParams.set('error_reason', 'user_denied');
    } else {
      const code = `AQ${randomBytes(64).toString('base64url')}`;
      codes.set(code, {
        redirectUri,
        scopes: [...new Set(scopes)],
        challenge: q.code_challenge ?? null,
        method,
        expiresAt: now() + 10 * 60_000,
        used: false,
      });
      back.searchParams.set('code', code);
    }
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    back.hash = '_=_';
    return reply.redirect(back.href, 302);
  });

  // The docs show GET; OAuth 2.0 clients (passport-facebook, oauth4webapi) POST the same form, which Graph takes too.
  app.route({
    method: ['GET', 'POST'],
    url: '/oauth/access_token',
    handler: async (request) => {
      const { params } = await paramsOf(request);
      if (params.client_id !== appId)
        throw graphErrors.param('Error validating application. Invalid application ID.', { subcode: 1 });
      if (params.client_secret !== appSecret) throw new GraphError(400, 1, 'Error validating client secret.');
      if (params.grant_type === 'fb_exchange_token') {
        const old = tokens.get(params.fb_exchange_token ?? '');
        if (!old || old.revoked || old.kind === 'page' || (old.expiresAt !== null && old.expiresAt <= now()))
          throw graphErrors.invalidToken();
        return { access_token: newToken('user-long', old.scopes), token_type: 'bearer', expires_in: LONG_LIVED_SECS };
      }
      const grant = codes.get(params.code ?? '');
      if (!grant || grant.expiresAt <= now())
        throw graphErrors.param('Invalid verification code format.', { subcode: 36009 });
      if (grant.used) throw graphErrors.param('This authorization code has been used.', { subcode: 36009 });
      if (grant.redirectUri !== params.redirect_uri)
        throw graphErrors.param(
          'Error validating verification code. Please make sure your redirect_uri is identical ' +
            'to the one you used in the OAuth dialog request',
          { subcode: 36008 },
        );
      if (grant.challenge !== null) {
        const verifier = params.code_verifier ?? '';
        const derived = grant.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
        if (derived !== grant.challenge) throw graphErrors.param('Invalid code verifier.');
      }
      grant.used = true;
      return { access_token: newToken('user-short', grant.scopes), token_type: 'bearer', expires_in: SHORT_LIVED_SECS };
    },
  });

  // --- Graph API ----------------------------------------------------------------------------------

  const authenticate = (request: FastifyRequest, params: GraphParams): Token & { raw: string } => {
    const raw = tokenOf(request, params);
    if (!raw) throw graphErrors.noToken();
    const token = tokens.get(raw);
    if (!token || token.revoked) throw graphErrors.invalidToken();
    if (token.issuedAt < sessionsValidAfter) throw graphErrors.sessionInvalidated();
    if (token.expiresAt !== null && token.expiresAt <= now())
      throw graphErrors.expiredToken(new Date(token.expiresAt), new Date(now()));
    return { ...token, raw };
  };
  const need = (token: Token, permission: string) => {
    if (!token.scopes.includes(permission)) throw graphErrors.permission(permission);
  };
  /** A Page's own token: publishing as a Page takes one (a user token is refused, as on Facebook). */
  const asPage = (token: Token, pageId: string, permission: string) => {
    if (token.kind !== 'page')
      throw new GraphError(
        403,
        200,
        '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts ' +
          'as an admin with sufficient administrative permission',
      );
    if (token.pageId !== pageId) throw graphErrors.unsupported('post', pageId);
    need(token, permission);
  };

  const graphCall = async (request: FastifyRequest, reply: FastifyReply, objectId: string | null) => {
    core.failIfSet();
    const { params, files } = await paramsOf(request);
    const raw = tokenOf(request, params);
    const pageToken = raw ? tokens.get(raw) : undefined;
    reply.headers(limiter.count(pageToken?.kind === 'page' ? pageToken.pageId : objectId));
    return { params, files };
  };

  const pageById = (id: string) => pages.find((p) => p.id === id);
  /** A Page token from a user token: without expiry from a long-lived one, for an hour from a short-lived one. */
  const pageTokenFor = (token: Token, pageId: string): string => {
    const raw = newToken('page', token.scopes, pageId);
    const made = tokens.get(raw) as Token;
    made.expiresAt = token.kind === 'user-short' ? token.expiresAt : null;
    return raw;
  };
  const pageNode = (p: FacebookPageSpec, token: Token, params: GraphParams) => ({
    id: p.id,
    name: p.name,
    category: p.category ?? 'Local business',
    category_list: [{ id: '2500', name: p.category ?? 'Local business' }],
    link: `https://www.facebook.com/${p.id}`,
    username: p.name.toLowerCase().replace(/[^a-z0-9]/g, ''),
    tasks: ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'],
    // Only a user token gives Page tokens, and only when they are asked for.
    access_token:
      token.kind !== 'page' && (params.fields ?? '').split(',').some((f) => f.trim() === 'access_token')
        ? pageTokenFor(token, p.id)
        : undefined,
    picture: { data: { url: `https://scontent.xx.fbcdn.net/v/${p.id}.jpg`, is_silhouette: false } },
  });

  const postNode = (p: FacebookPost) => ({
    id: p.id,
    message: p.message === '' ? undefined : p.message,
    created_time: graphTime(p.createdAt),
    updated_time: graphTime(p.createdAt),
    permalink_url: `https://www.facebook.com/${p.pageId}/posts/${p.id.split('_')[1]}`,
    is_published: p.published,
    from: { id: p.pageId, name: pageById(p.pageId)?.name },
    attachments:
      p.photos.length > 0 || p.link || p.videoId
        ? {
            data: p.videoId
              ? [{ type: 'video_inline', target: { id: p.videoId } }]
              : p.photos.length > 0
                ? [
                    {
                      type: p.photos.length > 1 ? 'album' : 'photo',
                      subattachments: { data: p.photos.map((ph) => ({ target: { id: ph.id } })) },
                    },
                  ]
                : [{ type: 'share', url: p.link }],
          }
        : undefined,
  });

  const newestPosts = (pageId: string) =>
    [...posts.values()]
      .filter((p) => p.pageId === pageId)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));

  const makePost = (pageId: string, fields: Partial<FacebookPost>): FacebookPost => {
    const post: FacebookPost = {
      id: `${pageId}_${nextPostNumber()}`,
      pageId,
      message: '',
      link: null,
      published: true,
      createdAt: now(),
      photos: [],
      videoId: null,
      comments: [],
      viaApi: true,
      ...fields,
    };
    posts.set(post.id, post);
    return post;
  };

  const checkMessage = (pageId: string, message: string, hasAttachment: boolean) => {
    if ([...message].length > FB_LIMITS.messageChars)
      throw graphErrors.param(`(#100) Param message must be at most ${FB_LIMITS.messageChars} characters long`);
    if (message !== '' && !hasAttachment) {
      const duplicate = newestPosts(pageId).find(
        (p) => p.message === message && p.viaApi && now() - p.createdAt < FB_LIMITS.duplicateWindowMs,
      );
      if (duplicate) throw new GraphError(400, 506, '(#506) Duplicate status message');
    }
  };

  /** A photo's bytes: fetched from `url`, or the multipart `source` file. */
  const photoBytes = async (
    params: GraphParams,
    files: Map<string, UploadedFile>,
  ): Promise<{ data: Buffer; mimeType: string }> => {
    const file = files.get('source');
    let data: Buffer;
    if (file) data = file.data;
    else if (params.url) {
      const got = await fetcher.fetch(params.url, FB_LIMITS.photoBytes);
      if (!got.ok) {
        if (got.reason === 'too_large')
          throw graphErrors.param('(#100) Photos should be smaller than 4 MB', { subcode: 1366046 });
        throw graphErrors.param(`(#100) url should represent a valid URL`, {
          subcode: 2069019,
          userMessage: `Could not fetch ${params.url}`,
        });
      }
      data = got.data;
    } else throw graphErrors.param('(#100) Requires one of the params: url, source');
    if (data.length > FB_LIMITS.photoBytes)
      throw graphErrors.param('(#100) Photos should be smaller than 4 MB', { subcode: 1366046 });
    const image = probeImage(data);
    const mimeType = {
      jpg: 'image/jpeg',
      png: 'image/png',
      gif: 'image/gif',
      bmp: 'image/bmp',
      tiff: 'image/tiff',
      webp: 'image/webp',
      heif: 'image/heif',
    }[image?.type ?? ''];
    if (!image || !mimeType)
      throw new GraphError(400, 324, '(#324) Requires upload file', { subcode: 2069019, userTitle: 'Invalid file' });
    return { data, mimeType };
  };

  /** A processed video becomes a post on the Page. */
  const settleVideos = () => {
    for (const video of videos.values()) {
      if (video.ok && video.pollsLeft <= 0 && video.postId === null)
        video.postId = makePost(video.pageId, { message: video.description, videoId: video.id }).id;
    }
  };

  const afterPosting = () => {
    const after = postFailures.shift();
    if (after) throw after;
  };

  const videoBytes = async (params: GraphParams, files: Map<string, UploadedFile>): Promise<Buffer> => {
    if (params.fbuploader_video_file_chunk) {
      const data = handles.get(params.fbuploader_video_file_chunk);
      if (!data) throw graphErrors.param('(#100) Invalid file handle');
      return data;
    }
    const file = files.get('source');
    if (file) return file.data;
    if (params.file_url) {
      const got = await fetcher.fetch(params.file_url, FB_LIMITS.videoBytes);
      if (!got.ok)
        throw new GraphError(400, 351, '(#351) Sorry, there was a problem with your video file', { subcode: 1363019 });
      return got.data;
    }
    throw graphErrors.param('(#100) Requires one of the params: fbuploader_video_file_chunk, source, file_url');
  };

  app.get('/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const { params } = await graphCall(request, reply, id);
    if (id.startsWith('upload:')) {
      authenticate(request, params);
      const upload = uploads.get(id);
      if (!upload) throw graphErrors.unsupported('get', id);
      return { id, file_offset: upload.data.length };
    }
    const token = authenticate(request, params);
    if (id === 'me' || id === member.id) {
      if (token.kind === 'page') {
        const page = pageById(token.pageId ?? '') as FacebookPageSpec;
        return selectFields(pageNode(page, token, params), params, 'Page', ['id', 'name']);
      }
      return selectFields(
        {
          id: member.id,
          name: member.name,
          picture: { data: { url: `https://scontent.xx.fbcdn.net/v/${member.id}.jpg` } },
          email: undefined,
        },
        params,
        'User',
        ['id', 'name'],
      );
    }
    const page = pageById(id);
    if (page) return selectFields(pageNode(page, token, params), params, 'Page', ['id', 'name']);
    const post = posts.get(id);
    if (post) return selectFields(postNode(post), params, 'Post', ['id', 'created_time', 'message']);
    const video = videos.get(id);
    if (video) {
      const ready = video.ok && video.pollsLeft <= 0;
      const status = !video.ok ? 'error' : ready ? 'ready' : 'processing';
      if (ready) settleVideos();
      else if (video.ok) video.pollsLeft--;
      return selectFields(
        {
          id: video.id,
          title: video.title,
          description: video.description,
          status: {
            video_status: status,
            uploading_phase: { status: 'complete' },
            processing_phase: {
              status: status === 'processing' ? 'in_progress' : status === 'error' ? 'error' : 'complete',
            },
            publishing_phase: { status: ready ? 'complete' : 'not_started' },
          },
          permalink_url: `/${video.pageId}/videos/${video.id}/`,
          post_id: video.postId ?? undefined,
        },
        params,
        'Video',
        ['id', 'title', 'description'],
      );
    }
    const photo = photos.get(id);
    if (photo)
      return selectFields({ id: photo.id, page_story_id: photo.attachedTo ?? undefined }, params, 'Photo', ['id']);
    throw graphErrors.unsupported('get', id);
  });

  app.get('/:id/:edge', async (request, reply) => {
    const { id, edge } = request.params as { id: string; edge: string };
    const { params } = await graphCall(request, reply, id);
    const token = authenticate(request, params);
    if ((id === 'me' || id === member.id) && token.kind !== 'page' && edge === 'accounts') {
      need(token, 'pages_show_list');
      const size = Math.min(pageSize, Number(params.limit ?? pageSize));
      return pageOf(
        pages,
        { ...params, limit: String(size) },
        (p) =>
          selectFields(
            pageNode(p, token, {
              ...params,
              fields: params.fields ?? 'id,name,access_token,category,category_list,tasks',
            }),
            params,
            'Page',
            ['id', 'name', 'access_token', 'category', 'category_list', 'tasks'],
          ),
        () => now(),
        `${baseUrl}/${member.id}/accounts`,
      );
    }
    if ((id === 'me' || id === member.id) && edge === 'permissions') {
      return {
        data: FB_PERMISSIONS.filter((p) => p !== 'business_management' || token.scopes.includes(p)).map(
          (permission) => ({
            permission,
            status: token.scopes.includes(permission) ? 'granted' : 'declined',
          }),
        ),
      };
    }
    const page = pageById(id === 'me' && token.kind === 'page' ? (token.pageId ?? '') : id);
    if (page && (edge === 'feed' || edge === 'posts' || edge === 'published_posts')) {
      need(token, 'pages_read_engagement');
      settleVideos();
      const list = newestPosts(page.id).filter((p) => p.published);
      return pageOf(
        list,
        params,
        (p) => selectFields(postNode(p), params, 'Post', ['id', 'created_time', 'message']),
        (p) => p.createdAt,
        `${baseUrl}/${page.id}/${edge}`,
      );
    }
    const post = posts.get(id);
    if (post && edge === 'comments') {
      return pageOf(
        [...post.comments].reverse(),
        params,
        (c) => ({
          id: c.id,
          message: c.message,
          created_time: graphTime(c.createdAt),
          from: { id: post.pageId, name: pageById(post.pageId)?.name },
        }),
        (c) => c.createdAt,
        `${baseUrl}/${post.id}/comments`,
      );
    }
    throw graphErrors.unsupported('get', `${id}/${edge}`);
  });

  app.post('/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!id.startsWith('upload:')) {
      const { params } = await graphCall(request, reply, id);
      authenticate(request, params);
      throw graphErrors.unsupported('post', id);
    }
    // Resumable Upload API, step 2: the bytes, from `file_offset`, with the user token in Authorization.
    core.failIfSet();
    const token = authenticate(request, {});
    if (token.kind === 'page') throw graphErrors.invalidToken();
    const upload = uploads.get(id);
    if (!upload) throw graphErrors.unsupported('post', id);
    const offset = Number(request.headers.file_offset ?? request.headers['file-offset'] ?? NaN);
    if (!Number.isInteger(offset) || offset !== upload.data.length)
      throw graphErrors.param(`(#100) file_offset must be ${upload.data.length}`, {
        userMessage: 'The file offset does not match the upload session.',
      });
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const cut = uploadCuts.shift();
    if (cut !== undefined) {
      upload.data = Buffer.concat([upload.data, body.subarray(0, cut)]);
      request.raw.socket.destroy();
      return reply;
    }
    upload.data = Buffer.concat([upload.data, body]);
    if (upload.data.length > upload.fileLength) throw graphErrors.param('(#100) More bytes than file_length were sent');
    if (upload.data.length < upload.fileLength) return { id, file_offset: upload.data.length };
    upload.handle ??= `4:${Buffer.from(`${id}:${randomBytes(6).toString('hex')}`).toString('base64')}`;
    handles.set(upload.handle, upload.data);
    return { h: upload.handle };
  });

  app.post('/:id/:edge', async (request, reply) => {
    const { id, edge } = request.params as { id: string; edge: string };
    const { params, files } = await graphCall(request, reply, id);
    const token = authenticate(request, params);

    // Resumable Upload API, step 1: a session for a file of this size and type.
    if (id === appId && edge === 'uploads') {
      if (token.kind === 'page') throw graphErrors.param('(#100) An upload session takes a user access token');
      const fileLength = Number(params.file_length);
      const fileType = params.file_type ?? '';
      if (!params.file_name || !Number.isInteger(fileLength) || fileLength <= 0)
        throw graphErrors.param('(#100) The parameters file_name and file_length are required');
      if (!['application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'video/mp4'].includes(fileType))
        throw graphErrors.param(
          `(#100) file_type must be one of application/pdf, image/jpeg, image/jpg, image/png, video/mp4`,
        );
      const signedId = `${nextObjectId()}?sig=${randomBytes(8).toString('hex')}`;
      const session = `upload:${Buffer.from(signedId).toString('base64url')}`;
      uploads.set(session, { fileLength, fileType, data: Buffer.alloc(0), handle: null });
      return { id: session };
    }

    const page = pageById(id);
    if (page && edge === 'feed') {
      asPage(token, page.id, 'pages_manage_posts');
      const message = params.message ?? '';
      const link = params.link ?? null;
      let attached: string[] = [];
      if (params.attached_media) {
        try {
          attached = (JSON.parse(params.attached_media) as { media_fbid: string }[]).map((m) => String(m.media_fbid));
        } catch {
          throw graphErrors.param('(#100) param attached_media must be an array of {"media_fbid": id}');
        }
      }
      // attached_media[0]={"media_fbid":"…"}, as the docs' curl examples send it.
      for (const [k, v] of Object.entries(params)) {
        const m = /^attached_media\[(\d+)\]$/.exec(k);
        if (m) attached[Number(m[1])] = String((JSON.parse(v) as { media_fbid: string }).media_fbid);
      }
      if (link !== null && !/^https?:\/\/\S+$/.test(link))
        throw graphErrors.param('(#100) link URL is not properly formatted', { subcode: 1609005 });
      if (message.trim() === '' && link === null && attached.length === 0)
        throw graphErrors.param('(#100) Missing message or attachment');
      const attachedPhotos = attached.map((fbid, i) => {
        const photo = photos.get(fbid);
        if (!photo || photo.pageId !== page.id || photo.published || photo.attachedTo)
          throw graphErrors.param(`(#100) param attached_media[${i}] must be a valid unpublished photo of this Page`);
        return photo;
      });
      checkMessage(page.id, message, attachedPhotos.length > 0 || link !== null);
      const published = params.published === undefined ? true : flag(params.published);
      const post = makePost(page.id, {
        message,
        link,
        published: published && params.scheduled_publish_time === undefined,
        photos: attachedPhotos.map((p) => ({ id: p.id, data: p.data, mimeType: p.mimeType })),
      });
      for (const photo of attachedPhotos) photo.attachedTo = post.id;
      afterPosting();
      return { id: post.id };
    }
    if (page && edge === 'photos') {
      asPage(token, page.id, 'pages_manage_posts');
      const { data, mimeType } = await photoBytes(params, files);
      const published = params.published === undefined ? true : flag(params.published);
      const photo: Photo = { id: nextObjectId(), pageId: page.id, data, mimeType, published, attachedTo: null };
      photos.set(photo.id, photo);
      if (!published) return { id: photo.id };
      const caption = params.caption ?? params.message ?? '';
      checkMessage(page.id, caption, true);
      const post = makePost(page.id, { message: caption, photos: [{ id: photo.id, data, mimeType }] });
      photo.attachedTo = post.id;
      afterPosting();
      return { id: photo.id, post_id: post.id };
    }
    if (page && edge === 'videos') {
      asPage(token, page.id, 'pages_manage_posts');
      const data = await videoBytes(params, files);
      const probe = probeVideo(data);
      const video: Video = {
        id: nextObjectId(),
        pageId: page.id,
        title: params.title ?? '',
        description: params.description ?? '',
        ok: probe !== null,
        pollsLeft: videoPolls,
        postId: null,
      };
      videos.set(video.id, video);
      afterPosting();
      return { id: video.id };
    }
    const post = posts.get(id);
    if (post && edge === 'comments') {
      asPage(token, post.pageId, 'pages_manage_engagement');
      const message = params.message ?? '';
      if (message.trim() === '' && !params.attachment_url)
        throw graphErrors.param('(#100) Missing message or attachment');
      const comment = { id: `${post.id.split('_')[1]}_${nextObjectId()}`, message, createdAt: now() };
      post.comments.push(comment);
      return { id: comment.id };
    }
    throw graphErrors.unsupported('post', `${id}/${edge}`);
  });

  app.delete('/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const { params } = await graphCall(request, reply, id);
    const token = authenticate(request, params);
    // A video (DELETE /<VIDEO_ID>) goes with the post it made.
    const video = videos.get(id);
    if (video) {
      asPage(token, video.pageId, 'pages_manage_posts');
      videos.delete(id);
      if (video.postId) posts.delete(video.postId);
      return { success: true };
    }
    const post = posts.get(id);
    if (!post) throw graphErrors.unsupported('delete', id);
    asPage(token, post.pageId, 'pages_manage_posts');
    posts.delete(id);
    return { success: true };
  });

  const baseUrl = await listenOnLoopback(app);
  const defaultScopes = [
    'public_profile',
    'pages_show_list',
    'pages_read_engagement',
    'pages_manage_posts',
    'pages_manage_engagement',
  ];

  return {
    url: baseUrl,
    appId,
    appSecret,
    member,
    pages,
    issueUserToken: (o = {}) => newToken(o.longLived === false ? 'user-short' : 'user-long', o.scopes ?? defaultScopes),
    issuePageToken: (pageId, scopes = defaultScopes) => newToken('page', scopes, pageId),
    posts: (pageId) =>
      [...posts.values()]
        .filter((p) => pageId === undefined || p.pageId === pageId)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .map((p) => ({ ...p, photos: [...p.photos], comments: [...p.comments] })),
    addPost: (pageId, message, createdAt) =>
      makePost(pageId, { message, createdAt: createdAt ?? now(), viaApi: false }).id,
    ...core.controls,
    denyNextAuthorization: () => void (denyNext = true),
    invalidateSessions: () => void (sessionsValidAfter = now() + 1),
    postButFailNext: (error) => void postFailures.push(error ?? graphErrors.unexpected()),
    cutNextUploadAfter: (bytes) => void uploadCuts.push(bytes),
  };
}
