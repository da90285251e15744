import { setTimeout as sleep } from 'node:timers/promises';
import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { retryAfterMs, sendToPlatform } from '../http';
import { PlatformError, type MediaUpload, type PlatformAdapter, type PlatformClient, isVideo } from '../types';

/**
 * X's API v2 (https://docs.x.com/x-api): `POST /2/tweets`, `DELETE /2/tweets/:id`, `GET /2/users/me`,
 * for images `POST /2/media/upload` (multipart, `media_category=tweet_image`) then
 * `POST /2/media/metadata` for alt text, and for a video the chunked upload
 * (https://docs.x.com/x-api/media/quickstart/media-upload-chunked): INIT, APPEND in chunks,
 * FINALIZE, then STATUS until its processing succeeds; only then may a post use it.
 *
 * After a crash, `GET /2/users/:id/tweets` (the account's own timeline) tells whether a publish went out.
 *
 * OAuth 2.0 scopes Postroom asks X for (the string itself lives in connections.ts):
 *   tweet.read tweet.write users.read media.write offline.access
 * `media.write` is what `POST /2/media/upload` and `POST /2/media/metadata` need; connections made
 * before it was asked for must be reconnected before they can post images.
 */
export const X_API_BASE = 'https://api.x.com';
/** The scope X's media endpoints need. */
export const X_MEDIA_SCOPE = 'media.write';

type Json = Record<string, unknown>;

async function xCall(
  client: PlatformClient,
  token: string | null,
  method: string,
  path: string,
  what: string,
  body?: { json?: unknown; form?: Record<string, string>; multipart?: FormData },
  basicAuth?: string,
): Promise<Json> {
  const headers = new Headers({ Accept: 'application/json' });
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (basicAuth) headers.set('Authorization', `Basic ${basicAuth}`);
  let payload: string | URLSearchParams | FormData | undefined;
  if (body?.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    payload = JSON.stringify(body.json);
  } else if (body?.form) payload = new URLSearchParams(body.form);
  // fetch sets the multipart Content-Type with its boundary.
  else if (body?.multipart) payload = body.multipart;
  const url = new URL(path, client.apiBaseUrl || X_API_BASE);
  const { res, text } = await sendToPlatform('X', what, url, { method, headers, body: payload });
  let data: Json = {};
  try {
    data = text ? (JSON.parse(text) as Json) : {};
  } catch {
    /* not JSON: keep the status */
  }
  if (res.ok) return data;
  const detail = errorDetail(data, res.statusText);
  if (res.status === 429)
    throw new PlatformError(
      `X is rate limiting requests (${detail})`,
      true,
      429,
      retryAfterMs(res.headers, null) ?? xRateLimitReset(res.headers),
    );
  if (res.status >= 500)
    throw new PlatformError(
      `X failed to ${what}: ${detail} (HTTP ${res.status})`,
      true,
      res.status,
      retryAfterMs(res.headers, null),
    );
  const reauth =
    res.status === 401 || (res.status === 400 && data.error === 'invalid_request' && path.includes('oauth2/token'));
  throw new PlatformError(`X refused to ${what}: ${detail} (HTTP ${res.status})`, false, res.status, null, reauth);
}

/**
 * X's own words: a problem's `detail` (or `title`), with the first of its `errors[]` messages when
 * that says more ("One or more parameters to your request was invalid." alone says little).
 */
function errorDetail(data: Json, statusText: string): string {
  const first = Array.isArray(data.errors) ? ((data.errors[0] ?? {}) as Json) : {};
  const specific =
    typeof first.message === 'string' ? first.message : typeof first.detail === 'string' ? first.detail : null;
  const general = data.detail ?? data.title ?? data.error_description ?? data.error;
  const text =
    general === undefined
      ? (specific ?? statusText)
      : specific && specific !== general
        ? `${String(general)} ${specific}`
        : String(general);
  return text.slice(0, 300);
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** One image through `POST /2/media/upload`, its alt text through `POST /2/media/metadata`; the media id. */
async function uploadImage(client: PlatformClient, token: string, media: MediaUpload, index: number): Promise<string> {
  const what = `upload image ${index + 1}`;
  const form = new FormData();
  form.append(
    'media',
    new Blob([new Uint8Array(media.data)], { type: media.mimeType }),
    `image-${index + 1}.${EXTENSIONS[media.mimeType] ?? 'bin'}`,
  );
  form.append('media_category', 'tweet_image');
  form.append('media_type', media.mimeType);
  const data = await xCall(client, token, 'POST', '/2/media/upload', what, { multipart: form });
  const uploaded = (data.data ?? {}) as Json;
  // A 2xx without an id: the upload may have landed, but unattached media expires, so retrying is safe.
  if (typeof uploaded.id !== 'string' || !uploaded.id)
    throw new PlatformError(`X answered without a media id while trying to ${what}`, true);
  if (media.altText) {
    await xCall(client, token, 'POST', '/2/media/metadata', `describe image ${index + 1}`, {
      json: { id: uploaded.id, metadata: { alt_text: { text: media.altText.slice(0, 1000) } } },
    });
  }
  return uploaded.id;
}

/** APPEND chunks: X takes at most 5 MB a chunk; 4 MiB leaves room for the multipart envelope. */
const VIDEO_CHUNK_BYTES = 4 * 1024 * 1024;
/** STATUS reads at most while X processes a video, each after the `check_after_secs` X asks for (capped). */
const MAX_STATUS_READS = 60;
const MAX_CHECK_AFTER_MS = 30_000;

/**
 * One video through the chunked upload; the media id once X has processed it. An upload cut off
 * anywhere is started again from INIT on the next attempt: media never attached to a post
 * expires, so nothing is posted twice. A video X cannot process is refused for a person to read.
 */
async function uploadVideo(client: PlatformClient, token: string, media: MediaUpload, index: number): Promise<string> {
  const what = `upload video ${index + 1}`;
  const init = await xCall(client, token, 'POST', '/2/media/upload/initialize', what, {
    json: { media_type: media.mimeType, total_bytes: media.data.length, media_category: 'tweet_video' },
  });
  const id = ((init.data ?? {}) as Json).id;
  if (typeof id !== 'string' || !id)
    throw new PlatformError(`X answered without a media id while trying to ${what}`, true);
  const path = `/2/media/upload/${encodeURIComponent(id)}`;
  for (let offset = 0, segment = 0; offset < media.data.length; offset += VIDEO_CHUNK_BYTES, segment++) {
    const form = new FormData();
    form.append('segment_index', String(segment));
    const chunk = media.data.subarray(offset, offset + VIDEO_CHUNK_BYTES);
    form.append('media', new Blob([new Uint8Array(chunk)], { type: 'application/octet-stream' }), 'chunk');
    await xCall(client, token, 'POST', `${path}/append`, what, { multipart: form });
  }
  let info = processingInfo(await xCall(client, token, 'POST', `${path}/finalize`, what));
  for (let reads = 0; info && (info.state === 'pending' || info.state === 'in_progress'); reads++) {
    if (reads >= MAX_STATUS_READS)
      throw new PlatformError(`X is still processing video ${index + 1}; publishing will be tried again`, true);
    await sleep(Math.min(MAX_CHECK_AFTER_MS, Math.max(0, info.checkAfterSecs) * 1000));
    const query = new URLSearchParams({ command: 'STATUS', media_id: id });
    info = processingInfo(await xCall(client, token, 'GET', `/2/media/upload?${query}`, what));
  }
  if (info?.state === 'failed')
    throw new PlatformError(`X could not process video ${index + 1}: ${info.error ?? 'no reason given'}`, false);
  return id;
}

/** FINALIZE's or STATUS's `processing_info` (absent when nothing is left to process). */
function processingInfo(data: Json): { state: string; checkAfterSecs: number; error: string | null } | null {
  const info = (((data.data ?? {}) as Json).processing_info ?? null) as Json | null;
  if (!info || typeof info.state !== 'string') return null;
  const error = (info.error ?? null) as Json | null;
  return {
    state: info.state,
    checkAfterSecs: typeof info.check_after_secs === 'number' ? info.check_after_secs : 1,
    error: typeof error?.message === 'string' ? error.message : null,
  };
}

/** Tweets per page of `GET /2/users/:id/tweets` (X allows 5 to 100). */
const TIMELINE_PAGE_SIZE = 100;
/** Pages followed at most: 1,000 posts since a crash is far beyond any client; more is refused, not guessed. */
const MAX_TIMELINE_PAGES = 10;

const tweetUrl = (id: string) => `https://x.com/i/web/status/${id}`;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** X's `text` escapes `&`, `<` and `>` as HTML entities. */
function unescapeXText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Whether a post X returns is the text Postroom sent. X gives the text back with every link
 * (`https://…` and bare domains alike) replaced by a `https://t.co/…` link, `&<>` as entities, and,
 * for a post with images, a t.co link to the media at the end. So: entities undone, the media
 * links removed, and each remaining t.co link may stand for exactly one run of non-space
 * characters in what was sent; everything else must be equal (Unicode NFC, ends trimmed).
 */
export function sameXText(sent: string, tweet: Json): boolean {
  const note = (tweet.note_tweet ?? null) as Json | null;
  let shown = unescapeXText(
    typeof note?.text === 'string' ? note.text : typeof tweet.text === 'string' ? tweet.text : '',
  );
  const urls = (((tweet.entities ?? {}) as Json).urls ?? []) as Json[];
  const links = new Set<string>();
  for (const u of Array.isArray(urls) ? urls : []) {
    if (typeof u.url !== 'string') continue;
    if (typeof u.media_key === 'string') shown = shown.split(u.url).join('');
    else links.add(u.url);
  }
  const hasMedia = Array.isArray(((tweet.attachments ?? {}) as Json).media_keys);
  if (hasMedia) shown = shown.replace(/\s*https:\/\/t\.co\/\w+\s*$/u, '');
  shown = shown.normalize('NFC').trim();
  const want = sent.normalize('NFC').trim();
  const tco = /https:\/\/t\.co\/\w+/gu;
  const parts = shown.split(tco);
  const found = shown.match(tco) ?? [];
  // Only the t.co links X listed as links may stand for something else (a literal t.co link in
  // the text without an entity stays literal).
  let pattern = '';
  parts.forEach((part, i) => {
    pattern += escapeRegExp(part);
    const link = found[i];
    if (link !== undefined) pattern += links.size === 0 || links.has(link) ? '\\S+' : escapeRegExp(link);
  });
  return new RegExp(`^${pattern}$`, 'u').test(want);
}

/** `x-rate-limit-reset` is a Unix time in seconds. */
function xRateLimitReset(headers: Headers): number | null {
  const reset = Number(headers.get('x-rate-limit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : null;
}

/** The post a post replies to (`referenced_tweets` of type `replied_to`), or null. */
function repliedTo(tweet: Json): string | null {
  const refs = Array.isArray(tweet.referenced_tweets) ? (tweet.referenced_tweets as Json[]) : [];
  const ref = refs.find((r) => r.type === 'replied_to');
  return typeof ref?.id === 'string' ? ref.id : null;
}

export const xAdapter: PlatformAdapter = {
  platform: 'x',
  limits: {
    maxTextLength: PLATFORM_RULES.x.maxTextLength,
    maxImages: PLATFORM_RULES.x.maxImages,
    maxImageBytes: PLATFORM_RULES.x.maxImageBytes,
    imageTypes: PLATFORM_RULES.x.imageTypes,
    mediaRequired: false,
  },

  async profile(client, tokens) {
    const data = await xCall(client, tokens.accessToken, 'GET', '/2/users/me', 'read the account');
    const user = (data.data ?? {}) as Json;
    if (typeof user.id !== 'string') throw new PlatformError('X answered without an account id', false);
    return {
      accountId: user.id,
      handle: `@${String(user.username ?? user.id)}`,
      displayName: String(user.name ?? user.username ?? user.id),
    };
  },

  async refresh(client, tokens) {
    if (!tokens.refreshToken) return tokens;
    const basic = client.clientSecret
      ? Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')
      : undefined;
    const data = await xCall(
      client,
      null,
      'POST',
      '/2/oauth2/token',
      'refresh the sign-in',
      {
        form: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: client.clientId },
      },
      basic,
    );
    if (typeof data.access_token !== 'string')
      throw new PlatformError('X answered the refresh without an access token', false, null, null, true);
    return {
      accessToken: data.access_token,
      // X rotates refresh tokens; an answer without one keeps the one we had.
      refreshToken:
        typeof data.refresh_token === 'string' && data.refresh_token ? data.refresh_token : tokens.refreshToken,
      expiresAt:
        typeof data.expires_in === 'number' ? new Date(Date.now() + data.expires_in * 1000).toISOString() : null,
      scope: typeof data.scope === 'string' ? data.scope : tokens.scope,
    };
  },

  /**
   * X accepts no idempotency key: the scheduler never repeats a call whose outcome it does not know.
   * A retried publish uploads its images and video again; harmless, as media never attached to a post expires.
   */
  takesReplies: true,
  async publish(client, tokens, post) {
    if (post.media.length > 0 && tokens.scope && !tokens.scope.split(/\s+/).includes(X_MEDIA_SCOPE)) {
      throw new PlatformError(
        `X did not grant Postroom the ${X_MEDIA_SCOPE} permission images and videos need; reconnect the account`,
        false,
        null,
        null,
        true,
      );
    }
    const mediaIds: string[] = [];
    for (const [index, media] of post.media.entries())
      mediaIds.push(await (isVideo(media) ? uploadVideo : uploadImage)(client, tokens.accessToken, media, index));
    // X takes a post with images and no text; an empty `text` it refuses.
    const json = {
      ...(post.text !== '' || mediaIds.length === 0 ? { text: post.text } : {}),
      ...(mediaIds.length > 0 ? { media: { media_ids: mediaIds } } : {}),
      // A part of a thread (POST /2/tweets `reply.in_reply_to_tweet_id`): a reply to the part before.
      ...(post.replyTo ? { reply: { in_reply_to_tweet_id: post.replyTo.parentId } } : {}),
      // A poll (POST /2/tweets `poll`): its options and duration in minutes.
      ...(post.poll ? { poll: { options: post.poll.options, duration_minutes: post.poll.durationMinutes } } : {}),
    };
    const data = await xCall(client, tokens.accessToken, 'POST', '/2/tweets', 'publish the post', { json });
    const tweet = (data.data ?? {}) as Json;
    if (typeof tweet.id !== 'string') throw new PlatformError('X answered without the post id', false);
    return { postId: tweet.id, url: tweetUrl(tweet.id) };
  },

  /**
   * The account's post with this text made since `since`: `GET /2/users/me`, then its timeline
   * (`GET /2/users/:id/tweets`, `start_time` to the second, 100 a page, `pagination_token` from
   * `meta.next_token`), compared by `sameXText`. Read-only, so a failure may simply be tried again.
   */
  async findPublished(client, tokens, request) {
    const me = await xCall(client, tokens.accessToken, 'GET', '/2/users/me', 'read the account');
    const userId = ((me.data ?? {}) as Json).id;
    if (typeof userId !== 'string') throw new PlatformError('X answered without an account id', false);
    const since = new Date(Math.floor(request.since.getTime() / 1000) * 1000);
    let token: string | null = null;
    for (let page = 0; page < MAX_TIMELINE_PAGES; page++) {
      const query = new URLSearchParams({
        start_time: since.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        max_results: String(TIMELINE_PAGE_SIZE),
        'tweet.fields': 'created_at,text,entities,attachments,note_tweet,referenced_tweets',
      });
      if (token) query.set('pagination_token', token);
      const data = await xCall(
        client,
        tokens.accessToken,
        'GET',
        `/2/users/${encodeURIComponent(userId)}/tweets?${query}`,
        'check whether the post went out',
      );
      for (const tweet of (Array.isArray(data.data) ? data.data : []) as Json[]) {
        if (typeof tweet.id !== 'string') continue;
        const at = typeof tweet.created_at === 'string' ? Date.parse(tweet.created_at) : NaN;
        if (Number.isFinite(at) && at < since.getTime()) continue;
        // A thread's part is the reply to its parent; a post is no reply at all.
        if (repliedTo(tweet) !== (request.replyTo?.parentId ?? null)) continue;
        if (sameXText(request.text, tweet)) return { postId: tweet.id, url: tweetUrl(tweet.id) };
      }
      const next = ((data.meta ?? {}) as Json).next_token;
      if (typeof next !== 'string' || !next) return null;
      token = next;
    }
    throw new PlatformError(
      `X shows more than ${MAX_TIMELINE_PAGES * TIMELINE_PAGE_SIZE} posts since this one was attempted; ` +
        'check by hand whether it went out',
      false,
    );
  },

  async remove(client, tokens, postId) {
    await xCall(client, tokens.accessToken, 'DELETE', `/2/tweets/${encodeURIComponent(postId)}`, 'delete the post');
  },
};
