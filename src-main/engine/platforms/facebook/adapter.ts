import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { unexpectedAnswer } from '../http';
import { metaAccount } from '../meta-account';
import { asRecord, graphCall, graphUrl, nextPage, str, type Json, type MetaSignIn } from '../meta-graph';
import { expiresAtOf } from '../token-answer';
import {
  PlatformError,
  type MediaUpload,
  type OrganizationPage,
  type PlatformAccount,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
  type TokenSet,
} from '../types';

/*
 * Facebook Pages through the Pages API (https://developers.facebook.com/docs/pages-api/posts):
 * the connection holds the member's long-lived user token; the Page to post as is chosen from the
 * Pages the member may create content on (`GET /me/accounts`), and each call as the Page takes the
 * Page's own token, read fresh with the user token (`GET /<PAGE_ID>?fields=access_token`). Text
 * (and links) go to `/<PAGE_ID>/feed`; one photo is uploaded as `source` to `/<PAGE_ID>/photos`;
 * several are uploaded unpublished and attached to one feed post (`attached_media`); a video goes
 * through the Resumable Upload API (`/<APP_ID>/uploads`, resumed from `file_offset` when cut off)
 * and `/<PAGE_ID>/videos` (https://developers.facebook.com/docs/video-api/guides/publishing).
 * Facebook takes no idempotency key; after a crash the Page's published posts since a time tell
 * whether the post went out.
 */

export const FACEBOOK_API_BASE = 'https://graph.facebook.com';
/** Videos are published on graph-video.facebook.com; an overridden API base (tests) serves them itself. */
const FACEBOOK_VIDEO_BASE = 'https://graph-video.facebook.com';
const VERSION = 'v23.0';
const PLATFORM = 'Facebook';
/** The Page photos reference: JPEG, PNG, GIF (and a few more) under 4 MB. */
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/gif'] as const;
const PHOTO_BYTES = 4 * 1024 * 1024;
const VIDEO_TYPES = ['video/mp4', 'video/quicktime'] as const;
const MAX_PHOTOS = PLATFORM_RULES.facebook.maxImages;
const MAX_ACCOUNT_PAGES = 20;
/** Tries of one resumable upload before giving up for this attempt (each resumes from Facebook's offset). */
const UPLOAD_TRIES = 3;

export const facebookLimits: PlatformLimits = Object.freeze({
  maxTextLength: PLATFORM_RULES.facebook.maxTextLength,
  maxImages: MAX_PHOTOS,
  maxImageBytes: PHOTO_BYTES,
  imageTypes: PHOTO_TYPES,
  mediaRequired: false,
});

const graph = metaAccount(PLATFORM, FACEBOOK_API_BASE, VERSION);
const { base, url: api } = graph;
const videoApi = (client: PlatformClient, path: string) =>
  graphUrl(PLATFORM, base(client) === FACEBOOK_API_BASE ? FACEBOOK_VIDEO_BASE : base(client), `/${VERSION}${path}`);

async function profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount> {
  const what = 'read the account';
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'GET',
    url: api(client, '/me'),
    what,
    token: tokens.accessToken,
    params: { fields: 'id,name' },
  });
  const id = str(data, 'id');
  if (!id) throw unexpectedAnswer(PLATFORM, what, 'account id', 'refuse');
  const name = str(data, 'name') ?? id;
  return { accountId: id, handle: name, displayName: name };
}

/** The Pages the member may post on (task CREATE_CONTENT), every page of `/me/accounts` followed, as `page:<id>`. */
async function pages(client: PlatformClient, tokens: TokenSet): Promise<OrganizationPage[]> {
  const what = 'list the Pages';
  const first = api(client, '/me/accounts');
  let url: URL | null = first;
  let params: Record<string, string> | undefined = { fields: 'id,name,tasks', limit: '100' };
  const out: OrganizationPage[] = [];
  for (let round = 0; url && round < MAX_ACCOUNT_PAGES; round++) {
    const { data }: { data: Json } = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url,
      what,
      token: tokens.accessToken,
      params,
    });
    for (const page of Array.isArray(data.data) ? data.data.map(asRecord) : []) {
      const id = str(page, 'id');
      const tasks = Array.isArray(page?.tasks) ? page.tasks : null;
      if (id && (tasks === null || tasks.includes('CREATE_CONTENT')) && !out.some((p) => p.id === `page:${id}`))
        out.push({ id: `page:${id}`, name: str(page, 'name') ?? `Page ${id}` });
    }
    url = nextPage(data, first);
    params = undefined;
  }
  return out;
}

/** The Page's own token, read with the member's token: Facebook publishes as a Page only with it. */
async function pageToken(client: PlatformClient, tokens: TokenSet, pageId: string): Promise<string> {
  const what = 'act as the Page';
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'GET',
    url: api(client, `/${encodeURIComponent(pageId)}`),
    what,
    token: tokens.accessToken,
    params: { fields: 'access_token' },
  });
  const token = str(data, 'access_token');
  if (!token)
    throw new PlatformError(
      `${PLATFORM} does not let this account post on the Page ${pageId}; choose a Page it manages, or reconnect`,
      false,
      null,
      null,
      true,
    );
  return token;
}

/** The Page id of "post as" (`page:<id>`, as the connection stores it; a bare id is taken too). */
function requirePage(postAs: string | undefined): string {
  const id = /^(?:page:)?(\d{1,30})$/.exec(postAs ?? '')?.[1];
  if (!id)
    throw new PlatformError(
      `${PLATFORM} posts go out as a Page: choose the Page to post as for this connection`,
      false,
    );
  return id;
}

function kindOf(media: MediaUpload, index: number): 'photo' | 'video' {
  if ((PHOTO_TYPES as readonly string[]).includes(media.mimeType)) {
    if (media.data.length > PHOTO_BYTES)
      throw new PlatformError(`${PLATFORM} photos must be under 4 MB (photo ${index + 1} is not)`, false);
    return 'photo';
  }
  if ((VIDEO_TYPES as readonly string[]).includes(media.mimeType)) return 'video';
  throw new PlatformError(`${PLATFORM} does not take file ${index + 1} (${media.mimeType})`, false);
}

async function uploadPhoto(
  client: PlatformClient,
  token: string,
  pageId: string,
  media: MediaUpload,
  fields: Record<string, string>,
  what: string,
): Promise<Json> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set(
    'source',
    new Blob([new Uint8Array(media.data)], { type: media.mimeType }),
    `photo.${media.mimeType.split('/')[1]}`,
  );
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'POST',
    url: api(client, `/${pageId}/photos`),
    what,
    token,
    form,
  });
  return data;
}

/**
 * The Resumable Upload API: a session for the file, then its bytes from `file_offset`; a transfer
 * cut off resumes from the offset Facebook reports. Gives the file handle.
 */
async function uploadVideoFile(client: PlatformClient, userToken: string, media: MediaUpload): Promise<string> {
  const what = 'upload the video';
  const session = await graphCall({
    platform: PLATFORM,
    method: 'POST',
    url: api(client, `/${encodeURIComponent(client.clientId)}/uploads`),
    what,
    token: userToken,
    params: { file_name: 'video.mp4', file_length: String(media.data.length), file_type: 'video/mp4' },
  });
  const id = str(session.data, 'id');
  if (!id?.startsWith('upload:')) throw unexpectedAnswer(PLATFORM, what, 'upload session', 'retry');
  const sessionUrl = api(client, `/${id}`);
  let offset = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const { data } = await graphCall({
        platform: PLATFORM,
        method: 'POST',
        url: sessionUrl,
        what,
        token: userToken,
        bytes: media.data.subarray(offset),
        headers: { file_offset: String(offset) },
      });
      const handle = str(data, 'h');
      if (handle) return handle;
      const next = data.file_offset;
      if (typeof next !== 'number' || next <= offset)
        throw new PlatformError(`${PLATFORM} did not take the video's bytes`, true);
      offset = next;
    } catch (err) {
      if (!(err instanceof PlatformError) || !err.retryable || attempt >= UPLOAD_TRIES) throw err;
      const { data } = await graphCall({ platform: PLATFORM, method: 'GET', url: sessionUrl, what, token: userToken });
      offset = typeof data.file_offset === 'number' ? data.file_offset : 0;
    }
  }
}

/** `<PAGE_ID>_<POST_ID>` for posts, `<PAGE_ID>/videos/<VIDEO_ID>` for videos: the Page is in the id. */
function pageOfPostId(postId: string): { pageId: string; objectId: string } {
  const video = /^(\d+)\/videos\/(\d+)$/.exec(postId);
  if (video) return { pageId: video[1] as string, objectId: video[2] as string };
  const post = /^(\d+)_\d+$/.exec(postId);
  if (post) return { pageId: post[1] as string, objectId: postId };
  throw new PlatformError(`"${postId}" is not a Facebook Page post id`, false);
}

const postUrl = (postId: string) => {
  const { pageId, objectId } = pageOfPostId(postId);
  return objectId === postId
    ? `https://www.facebook.com/${pageId}/posts/${postId.split('_')[1]}`
    : `https://www.facebook.com/${pageId}/videos/${objectId}`;
};

export const facebookAdapter: PlatformAdapter = {
  platform: 'facebook',
  limits: facebookLimits,
  profile,
  pages,

  /**
   * A long-lived user token lasts 60 days and is renewed only by signing in again;
   * Page tokens from it never expire.
   */
  async refresh(_client, tokens) {
    if (tokens.expiresAt && Date.parse(tokens.expiresAt) <= Date.now())
      throw new PlatformError("Facebook's sign-in has expired; reconnect the account", false, null, null, true);
    return tokens;
  },

  async publish(client, tokens, post) {
    const pageId = requirePage(post.postAs);
    if ([...post.text].length > facebookLimits.maxTextLength)
      throw new PlatformError(`${PLATFORM} posts have at most ${facebookLimits.maxTextLength} characters`, false);
    const kinds = post.media.map(kindOf);
    if (kinds.includes('video') && post.media.length > 1)
      throw new PlatformError(`${PLATFORM} posts take one video, or photos, not both`, false);
    if (post.media.length > MAX_PHOTOS)
      throw new PlatformError(`${PLATFORM} posts take at most ${MAX_PHOTOS} photos`, false);
    if (post.text.trim() === '' && post.media.length === 0)
      throw new PlatformError(`${PLATFORM} posts need text or media`, false);
    const token = await pageToken(client, tokens, pageId);
    const what = 'publish the post';

    if (kinds[0] === 'video') {
      const handle = await uploadVideoFile(client, tokens.accessToken, post.media[0] as MediaUpload);
      const { data } = await graphCall({
        platform: PLATFORM,
        method: 'POST',
        url: videoApi(client, `/${pageId}/videos`),
        what,
        token,
        params: { description: post.text, fbuploader_video_file_chunk: handle },
      });
      const videoId = str(data, 'id');
      if (!videoId)
        throw new PlatformError(
          `${PLATFORM} took the video but did not say its id; check the Page before posting again`,
          false,
        );
      const postId = `${pageId}/videos/${videoId}`;
      return { postId, url: postUrl(postId) };
    }

    let postId: string | null;
    if (post.media.length === 1) {
      const media = post.media[0] as MediaUpload;
      const data = await uploadPhoto(
        client,
        token,
        pageId,
        media,
        { caption: post.text, ...(media.altText ? { alt_text_custom: media.altText } : {}) },
        what,
      );
      postId = str(data, 'post_id');
    } else {
      const attached: { media_fbid: string }[] = [];
      for (const [i, media] of post.media.entries()) {
        const data = await uploadPhoto(
          client,
          token,
          pageId,
          media,
          { published: 'false', ...(media.altText ? { alt_text_custom: media.altText } : {}) },
          `upload photo ${i + 1}`,
        );
        const id = str(data, 'id');
        // Unpublished photos are invisible: trying again is safe.
        if (!id) throw unexpectedAnswer(PLATFORM, `upload photo ${i + 1}`, 'photo id', 'retry');
        attached.push({ media_fbid: id });
      }
      const { data } = await graphCall({
        platform: PLATFORM,
        method: 'POST',
        url: api(client, `/${pageId}/feed`),
        what,
        token,
        params: { message: post.text, ...(attached.length > 0 ? { attached_media: JSON.stringify(attached) } : {}) },
      });
      postId = str(data, 'id');
    }
    if (!postId)
      throw new PlatformError(
        `${PLATFORM} published the post but did not say its id; check the Page before posting again`,
        false,
      );
    return { postId, url: postUrl(postId) };
  },

  /** The Page's published post whose message is exactly this text, made since `since`. */
  async findPublished(client, tokens, request) {
    const pageId = requirePage(request.postAs);
    if (request.text.trim() === '')
      throw new PlatformError(`${PLATFORM} posts without text cannot be told apart; check the Page by hand`, false);
    const found = await graph.findOwnPost(client, await pageToken(client, tokens, pageId), request, {
      path: `/${pageId}/published_posts`,
      fields: 'id,message,created_time,permalink_url,attachments',
      textField: 'message',
      timeField: 'created_time',
      toPost(item, id) {
        // A video post is recorded as the video (its own id, which deletes it), the rest as the post.
        const attachments = asRecord(item.attachments)?.data;
        const attachment = asRecord(Array.isArray(attachments) ? attachments[0] : null);
        const videoId = str(asRecord(attachment?.target), 'id');
        const postId = str(attachment, 'type')?.startsWith('video') && videoId ? `${pageId}/videos/${videoId}` : id;
        return { postId, url: str(item, 'permalink_url') ?? postUrl(postId) };
      },
    });
    if (found === undefined) throw graph.tooManyPosts();
    return found;
  },

  async remove(client, tokens, postId) {
    const { pageId, objectId } = pageOfPostId(postId);
    await graph.remove(client, await pageToken(client, tokens, pageId), objectId);
  },

  /** The first comment, as the Page (`POST /<POST_ID>/comments` with the Page token). */
  async comment(client, tokens, request) {
    const id = await facebookComment(client, tokens, request.postId, request.text);
    return { postId: id, url: commentUrl(request.postId, id) };
  },

  async findComment(client, tokens, request) {
    const { pageId, objectId } = pageOfPostId(request.postId);
    return graph.findOwnComment(
      client,
      await pageToken(client, tokens, pageId),
      objectId,
      request,
      { text: 'message', time: 'created_time' },
      (id) => commentUrl(request.postId, id),
    );
  },
};

/** A comment's link: the post's, with `comment_id` (as Facebook links a comment). */
const commentUrl = (postId: string, commentId: string) =>
  `${postUrl(postId)}?comment_id=${encodeURIComponent(commentId.split('_').at(-1) ?? commentId)}`;

/** A first comment under a Page post, as the Page (`POST /<POST_ID>/comments`); its id. */
export async function facebookComment(
  client: PlatformClient,
  tokens: TokenSet,
  postId: string,
  text: string,
): Promise<string> {
  const { pageId, objectId } = pageOfPostId(postId);
  return graph.comment(client, await pageToken(client, tokens, pageId), objectId, text);
}

/** What the sign-in asks for, comma-separated as Meta takes it. */
const SIGN_IN_SCOPE = 'pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement';

/**
 * Facebook Login's manual flow with PKCE: the dialog on www.facebook.com, the code (and the PKCE
 * verifier) exchanged at `/oauth/access_token`, then `fb_exchange_token` for the 60-day user
 * token, whose Page tokens never expire.
 */
export const facebookSignIn: MetaSignIn = {
  authorizationEndpoint: graph.signInWindow(
    `https://www.facebook.com/${VERSION}/dialog/oauth`,
    `/${VERSION}/dialog/oauth`,
  ),
  scope: SIGN_IN_SCOPE,
  async exchange(client, code, redirectUri, codeVerifier) {
    const what = 'finish the sign-in';
    const short = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url: api(client as PlatformClient, '/oauth/access_token'),
      what,
      params: {
        client_id: client.clientId,
        client_secret: client.clientSecret ?? '',
        redirect_uri: redirectUri,
        code,
        code_verifier: codeVerifier,
      },
    });
    const shortToken = str(short.data, 'access_token');
    if (!shortToken) throw new PlatformError(`${PLATFORM} gave no token while trying to ${what}`, false);
    const long = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url: api(client as PlatformClient, '/oauth/access_token'),
      what,
      params: {
        grant_type: 'fb_exchange_token',
        client_id: client.clientId,
        client_secret: client.clientSecret ?? '',
        fb_exchange_token: shortToken,
      },
    });
    const accessToken = str(long.data, 'access_token');
    if (!accessToken) throw new PlatformError(`${PLATFORM} gave no long-lived token while trying to ${what}`, false);
    return { accessToken, refreshToken: null, expiresAt: expiresAtOf(long.data), scope: SIGN_IN_SCOPE };
  },
};
