import { countText, PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import {
  CONTAINER_POLL_DELAYS_MS,
  expiresAtOf,
  type MetaSignIn,
  asRecord,
  graphCall,
  graphTimeMs,
  graphUrl,
  nextPage,
  sleep,
  str,
  type Json,
} from '../meta-graph';
import {
  PlatformError,
  type FindPublishedRequest,
  type MediaUpload,
  type PlatformAccount,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
  type PublicMediaHost,
  type PublishedPost,
  type PublishingLimit,
  type PublishRequest,
  type TokenSet,
} from '../types';

/*
 * Threads through Meta's Threads API (https://developers.facebook.com/docs/threads/posts): a
 * media container (TEXT, IMAGE, VIDEO, or a CAROUSEL of 2 to 20 item containers) waited for
 * until its `status` is FINISHED, then `threads_publish`. Images and videos are fetched by Threads
 * from a public URL. A reply chain is a container with `reply_to_id` per part
 * (https://developers.facebook.com/docs/threads/retrieve-and-manage-replies/create-replies).
 * Threads takes no idempotency key: after a crash the account's posts (`/me/threads`) and replies
 * (`/me/replies`) since a time tell whether a part went out. Text counts 500 characters, an emoji
 * counting its UTF-8 bytes.
 */

export const THREADS_API_BASE = 'https://graph.threads.net';
const VERSION = 'v1.0';
const PLATFORM = 'Threads';
const IMAGE_TYPES = ['image/jpeg', 'image/png'] as const;
const VIDEO_TYPES = ['video/mp4', 'video/quicktime'] as const;
const CAROUSEL_MAX = 20;
const TEXT_MAX = PLATFORM_RULES.threads.maxTextLength;
const PAGE_SIZE = 50;
const MAX_PAGES = 10;

export const threadsLimits: PlatformLimits = Object.freeze({
  maxTextLength: TEXT_MAX,
  maxImages: CAROUSEL_MAX,
  maxImageBytes: PLATFORM_RULES.threads.maxImageBytes,
  imageTypes: IMAGE_TYPES,
  mediaRequired: false,
});

export const NEEDS_PUBLIC_MEDIA =
  'Threads fetches every image and video from a public web address, and this desk has none; post text only, or publish from a team host (it gives each file a private, expiring address)';

/** A text's length as Threads counts it: characters, an emoji counting its UTF-8 bytes (the shared posting rule). */
export const threadsTextLength = (text: string): number => countText('threads', text);

export interface ThreadsAdapterOptions {
  containerPollDelaysMs?: readonly number[];
}

/** One part of a reply chain. */
export interface ThreadsPart {
  text: string;
  media: MediaUpload[];
}

const api = (client: PlatformClient, path: string) =>
  graphUrl(PLATFORM, client.apiBaseUrl || THREADS_API_BASE, `/${VERSION}${path}`);

async function profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount> {
  const what = 'read the account';
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'GET',
    url: api(client, '/me'),
    what,
    token: tokens.accessToken,
    params: { fields: 'id,username,name' },
  });
  const id = str(data, 'id');
  const username = str(data, 'username');
  if (!id || !username)
    throw new PlatformError(`${PLATFORM} gave an unexpected answer (no account id) while trying to ${what}`, false);
  return { accountId: id, handle: `@${username}`, displayName: str(data, 'name') ?? username };
}

async function refresh(client: PlatformClient, tokens: TokenSet): Promise<TokenSet> {
  if (tokens.expiresAt && Date.parse(tokens.expiresAt) <= Date.now())
    throw new PlatformError("Threads' sign-in has expired; reconnect the account", false, null, null, true);
  const what = "refresh the connection's token";
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'GET',
    url: graphUrl(PLATFORM, client.apiBaseUrl || THREADS_API_BASE, '/refresh_access_token'),
    what,
    params: { grant_type: 'th_refresh_token', access_token: tokens.refreshToken ?? tokens.accessToken },
  });
  const accessToken = str(data, 'access_token');
  if (!accessToken)
    throw new PlatformError(
      `${PLATFORM} gave an unexpected answer (no token) while trying to ${what}`,
      false,
      null,
      null,
      true,
    );
  const expiresIn = data.expires_in;
  return {
    ...tokens,
    accessToken,
    // The long-lived token renews itself: it is its own refresh token.
    refreshToken: accessToken,
    expiresAt:
      typeof expiresIn === 'number' && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
  };
}

function kindOf(media: MediaUpload, index: number): 'IMAGE' | 'VIDEO' {
  if ((IMAGE_TYPES as readonly string[]).includes(media.mimeType)) return 'IMAGE';
  if ((VIDEO_TYPES as readonly string[]).includes(media.mimeType)) return 'VIDEO';
  throw new PlatformError(
    `${PLATFORM} does not take file ${index + 1} (${media.mimeType}): images JPEG or PNG, videos MP4 or MOV`,
    false,
  );
}

/** Everything a part breaks, before any call. */
function check(part: ThreadsPart, publicMedia: PublicMediaHost | undefined): void {
  if (threadsTextLength(part.text) > TEXT_MAX)
    throw new PlatformError(
      `${PLATFORM} posts have at most ${TEXT_MAX} characters (an emoji counts as several)`,
      false,
    );
  if (part.text.trim() === '' && part.media.length === 0)
    throw new PlatformError(`${PLATFORM} posts need text or media`, false);
  if (part.media.length > CAROUSEL_MAX)
    throw new PlatformError(`${PLATFORM} takes at most ${CAROUSEL_MAX} images and videos in a post`, false);
  part.media.forEach(kindOf);
  if (part.media.length > 0 && !publicMedia) throw new PlatformError(NEEDS_PUBLIC_MEDIA, false);
}

export function createThreadsAdapter(options: ThreadsAdapterOptions = {}) {
  const delays = options.containerPollDelaysMs ?? CONTAINER_POLL_DELAYS_MS;

  const container = async (client: PlatformClient, token: string, params: Record<string, string>, what: string) => {
    const { data } = await graphCall({
      platform: PLATFORM,
      method: 'POST',
      url: api(client, '/me/threads'),
      what,
      token,
      params,
    });
    const id = str(data, 'id');
    if (!id)
      throw new PlatformError(`${PLATFORM} gave an unexpected answer (no container id) while trying to ${what}`, true);
    return id;
  };

  const waitFinished = async (client: PlatformClient, token: string, id: string, what: string) => {
    for (let attempt = 0; ; attempt++) {
      const { data } = await graphCall({
        platform: PLATFORM,
        method: 'GET',
        url: api(client, `/${id}`),
        what,
        token,
        params: { fields: 'status,error_message' },
      });
      const status = str(data, 'status');
      if (status === 'FINISHED' || status === 'PUBLISHED') return;
      if (status === 'ERROR')
        throw new PlatformError(
          `${PLATFORM} could not process the media to ${what}: ${str(data, 'error_message') ?? 'UNKNOWN'}`,
          false,
        );
      if (status === 'EXPIRED')
        throw new PlatformError(
          `${PLATFORM} let the media expire before it was published; it will be sent again`,
          true,
        );
      const delay = delays[attempt];
      if (delay === undefined)
        throw new PlatformError(`${PLATFORM} is still processing the media; publishing will be tried again`, true);
      await sleep(delay);
    }
  };

  /** One part: its container (a carousel made of its items), waited for, then published. */
  const publishPart = async (
    client: PlatformClient,
    tokens: TokenSet,
    part: ThreadsPart,
    publicMedia: PublicMediaHost | undefined,
    replyToId: string | null,
  ): Promise<PublishedPost> => {
    const token = tokens.accessToken;
    const reply: Record<string, string> = replyToId ? { reply_to_id: replyToId } : {};
    const kinds = part.media.map(kindOf);
    const urls: string[] = [];
    for (const [i, media] of part.media.entries()) urls.push(await (publicMedia as PublicMediaHost).urlFor(media, i));
    const item = (i: number, extra: Record<string, string>) => {
      const media = part.media[i] as MediaUpload;
      return {
        media_type: kinds[i] as string,
        [kinds[i] === 'IMAGE' ? 'image_url' : 'video_url']: urls[i] as string,
        ...(media.altText ? { alt_text: media.altText } : {}),
        ...extra,
      };
    };
    let id: string;
    if (part.media.length === 0)
      id = await container(client, token, { media_type: 'TEXT', text: part.text, ...reply }, 'prepare the post');
    else if (part.media.length === 1)
      id = await container(client, token, item(0, { text: part.text, ...reply }), 'prepare the post');
    else {
      const children: string[] = [];
      for (let i = 0; i < part.media.length; i++)
        children.push(
          await container(
            client,
            token,
            item(i, { is_carousel_item: 'true' }),
            `prepare item ${i + 1} of the carousel`,
          ),
        );
      for (const [i, child] of children.entries())
        await waitFinished(client, token, child, `prepare item ${i + 1} of the carousel`);
      id = await container(
        client,
        token,
        { media_type: 'CAROUSEL', children: children.join(','), text: part.text, ...reply },
        'prepare the carousel',
      );
    }
    await waitFinished(client, token, id, 'prepare the post');
    const what = 'publish the post';
    const { data, status } = await graphCall({
      platform: PLATFORM,
      method: 'POST',
      url: api(client, '/me/threads_publish'),
      what,
      token,
      params: { creation_id: id },
    });
    const postId = str(data, 'id');
    if (!postId)
      throw new PlatformError(
        `${PLATFORM} published the post but did not say its id; check the account before posting again`,
        false,
        status,
      );
    return { postId, url: await permalink(client, token, postId) };
  };

  const adapter: PlatformAdapter & {
    /** A reply chain: each part a reply to the one before (to `replyToId` for the first, when given). */
    publishChain(
      client: PlatformClient,
      tokens: TokenSet,
      parts: ThreadsPart[],
      publicMedia?: PublicMediaHost,
      replyToId?: string,
    ): Promise<PublishedPost[]>;
  } = {
    platform: 'threads',
    limits: threadsLimits,
    profile,
    refresh,

    async publish(client: PlatformClient, tokens: TokenSet, post: PublishRequest): Promise<PublishedPost> {
      const part = { text: post.text, media: post.media };
      check(part, post.publicMedia);
      return publishPart(client, tokens, part, post.publicMedia, null);
    },

    async publishChain(client, tokens, parts, publicMedia, replyToId) {
      for (const part of parts) check(part, publicMedia);
      const out: PublishedPost[] = [];
      let previous = replyToId ?? null;
      for (const part of parts) {
        const published = await publishPart(client, tokens, part, publicMedia, previous);
        out.push(published);
        previous = published.postId;
      }
      return out;
    },

    /** The account's post or reply whose text is exactly this, made since `since` (`/me/threads`, then `/me/replies`). */
    async findPublished(
      client: PlatformClient,
      tokens: TokenSet,
      request: FindPublishedRequest,
    ): Promise<PublishedPost | null> {
      if (request.text.trim() === '')
        throw new PlatformError(
          `${PLATFORM} posts without text cannot be told apart; check the account by hand`,
          false,
        );
      const what = 'check whether the post went out';
      for (const edge of ['threads', 'replies'] as const) {
        const first = api(client, `/me/${edge}`);
        let url: URL | null = first;
        let params: Record<string, string> | undefined = {
          fields: 'id,text,timestamp,permalink',
          since: String(Math.floor(request.since.getTime() / 1000)),
          limit: String(PAGE_SIZE),
        };
        for (let round = 0; url && round < MAX_PAGES; round++) {
          let data: Json;
          try {
            ({ data } = await graphCall({
              platform: PLATFORM,
              method: 'GET',
              url,
              what,
              token: tokens.accessToken,
              params,
            }));
          } catch (err) {
            // Replies take threads_read_replies; without it only top-level posts can be checked.
            if (edge === 'replies' && err instanceof PlatformError && err.needsReauth && /permission/.test(err.message))
              return null;
            throw err;
          }
          for (const item of Array.isArray(data.data) ? data.data.map(asRecord) : []) {
            const at = graphTimeMs(item?.timestamp);
            if (at !== null && at < request.since.getTime()) continue;
            const id = str(item, 'id');
            if (id && (item?.text ?? '') === request.text)
              return { postId: id, url: str(item, 'permalink') ?? 'https://www.threads.com/' };
          }
          url = nextPage(data, first);
          params = undefined;
        }
        if (url)
          throw new PlatformError(
            `${PLATFORM} shows too many posts since this one was attempted; check by hand whether it went out`,
            false,
          );
      }
      return null;
    },

    async publishingLimit(client: PlatformClient, tokens: TokenSet): Promise<PublishingLimit> {
      const what = "read the account's publishing limit";
      const { data } = await graphCall({
        platform: PLATFORM,
        method: 'GET',
        url: api(client, '/me/threads_publishing_limit'),
        what,
        token: tokens.accessToken,
        params: { fields: 'quota_usage,config' },
      });
      const row = asRecord(Array.isArray(data.data) ? data.data[0] : null);
      const config = asRecord(row?.config);
      if (typeof row?.quota_usage !== 'number' || typeof config?.quota_total !== 'number')
        throw new PlatformError(`${PLATFORM} gave an unexpected answer while trying to ${what}`, true);
      return {
        used: row.quota_usage,
        total: config.quota_total,
        windowHours: typeof config.quota_duration === 'number' ? config.quota_duration / 3600 : 24,
      };
    },

    async remove(client: PlatformClient, tokens: TokenSet, postId: string): Promise<void> {
      try {
        await graphCall({
          platform: PLATFORM,
          method: 'DELETE',
          url: api(client, `/${postId}`),
          what: 'delete the post',
          token: tokens.accessToken,
        });
      } catch (err) {
        // Already gone: Graph answers an unsupported request for an id that no longer exists.
        if (err instanceof PlatformError && !err.retryable && !err.needsReauth && /code 100\/33/.test(err.message))
          return;
        throw err;
      }
    },
  };
  return adapter;
}

async function permalink(client: PlatformClient, token: string, postId: string): Promise<string> {
  try {
    const { data } = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url: api(client, `/${postId}`),
      what: 'read the post’s address',
      token,
      params: { fields: 'permalink' },
    });
    return str(data, 'permalink') ?? 'https://www.threads.com/';
  } catch {
    return 'https://www.threads.com/';
  }
}

/** What the sign-in asks for, comma-separated as Meta takes it. */
const SIGN_IN_SCOPE =
  'threads_basic,threads_content_publish,threads_manage_replies,threads_read_replies,threads_delete';

/**
 * Threads' authorization window (threads.net), the code exchanged at graph.threads.net
 * (`{access_token, user_id}`), then `th_exchange_token` for the 60-day token.
 */
export const threadsSignIn: MetaSignIn = {
  authorizationEndpoint: (client) =>
    (client.apiBaseUrl || THREADS_API_BASE) === THREADS_API_BASE
      ? 'https://threads.net/oauth/authorize'
      : `${client.apiBaseUrl.replace(/\/+$/, '')}/oauth/authorize`,
  scope: SIGN_IN_SCOPE,
  async exchange(client, code, redirectUri) {
    const base = client.apiBaseUrl || THREADS_API_BASE;
    const what = 'finish the sign-in';
    const short = await graphCall({
      platform: PLATFORM,
      method: 'POST',
      url: graphUrl(PLATFORM, base, '/oauth/access_token'),
      what,
      params: {
        client_id: client.clientId,
        client_secret: client.clientSecret ?? '',
        grant_type: 'authorization_code',
        redirect_uri: redirectUri,
        code,
      },
    });
    const shortToken = str(short.data, 'access_token');
    if (!shortToken) throw new PlatformError(`${PLATFORM} gave no token while trying to ${what}`, false);
    const long = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url: graphUrl(PLATFORM, base, '/access_token'),
      what,
      params: { grant_type: 'th_exchange_token', client_secret: client.clientSecret ?? '', access_token: shortToken },
    });
    const accessToken = str(long.data, 'access_token');
    if (!accessToken) throw new PlatformError(`${PLATFORM} gave no long-lived token while trying to ${what}`, false);
    return { accessToken, refreshToken: accessToken, expiresAt: expiresAtOf(long.data), scope: SIGN_IN_SCOPE };
  },
};

export const threadsAdapter = createThreadsAdapter();
