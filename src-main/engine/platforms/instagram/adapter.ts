import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
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
  type PublishedPost,
  type PublishingLimit,
  type PublishRequest,
  type TokenSet,
} from '../types';

/*
 * Instagram professional accounts through the Instagram API with Instagram Login
 * (https://developers.facebook.com/docs/instagram-platform/content-publishing/): every post is a
 * media container made from media Instagram fetches from a public URL (an image, a reel, or a
 * carousel of 2 to 10 items made of item containers), waited for until its `status_code` is
 * FINISHED, then published with `media_publish`. Nothing is visible before `media_publish`, so a
 * container left behind by a crash is harmless (it expires after 24 hours). Instagram takes no
 * idempotency key: after a crash the account's own media (`GET /me/media`, newest first, since a
 * time) tell whether the post went out. The account's allowance (100 API posts in a moving
 * 24 hours) is read from `content_publishing_limit`. Apps cannot delete Instagram posts.
 */

export const INSTAGRAM_API_BASE = 'https://graph.instagram.com';
const VERSION = 'v23.0';
const PLATFORM = 'Instagram';
/** Image and video types Instagram publishes: JPEG only for images; MP4 or MOV for reels and carousel videos. */
const IMAGE_TYPES = ['image/jpeg'] as const;
const VIDEO_TYPES = ['video/mp4', 'video/quicktime'] as const;
const CAROUSEL_MAX = 10;
/** Media read per page when looking for a post after a crash, and pages read at most. */
const MEDIA_PAGE_SIZE = 50;
const MAX_MEDIA_PAGES = 10;

export const instagramLimits: PlatformLimits = Object.freeze({
  maxTextLength: PLATFORM_RULES.instagram.maxTextLength,
  maxImages: CAROUSEL_MAX,
  maxImageBytes: PLATFORM_RULES.instagram.maxImageBytes,
  imageTypes: IMAGE_TYPES,
  mediaRequired: true,
});

/** The error a post meets on a desk with no public address for its media. */
export const NEEDS_PUBLIC_MEDIA =
  'Instagram fetches every image and video from a public web address, and this desk has none; publish Instagram posts from a team host (it gives each file a private, expiring address)';

export interface InstagramAdapterOptions {
  /** Waits between container status reads (tests make them short). */
  containerPollDelaysMs?: readonly number[];
}

const api = (client: PlatformClient, path: string) =>
  graphUrl(PLATFORM, client.apiBaseUrl || INSTAGRAM_API_BASE, `/${VERSION}${path}`);

async function profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount> {
  const what = 'read the account';
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'GET',
    url: api(client, '/me'),
    what,
    token: tokens.accessToken,
    params: { fields: 'user_id,username,name,account_type' },
  });
  // `user_id` is the professional account's id, the one publishing calls take; `id` is app-scoped.
  const accountId = str(data, 'user_id');
  const username = str(data, 'username');
  if (!accountId || !username)
    throw new PlatformError(`${PLATFORM} gave an unexpected answer (no account id) while trying to ${what}`, false);
  return { accountId, handle: `@${username}`, displayName: str(data, 'name') ?? username };
}

async function refresh(client: PlatformClient, tokens: TokenSet): Promise<TokenSet> {
  if (tokens.expiresAt && Date.parse(tokens.expiresAt) <= Date.now())
    throw new PlatformError(
      "Instagram's sign-in has expired (a long-lived token lasts 60 days unless renewed); reconnect the account",
      false,
      null,
      null,
      true,
    );
  // A long-lived token renews itself: the same token, 60 more days (ig_refresh_token, unversioned).
  const what = "refresh the connection's token";
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'GET',
    url: graphUrl(PLATFORM, client.apiBaseUrl || INSTAGRAM_API_BASE, '/refresh_access_token'),
    what,
    params: { grant_type: 'ig_refresh_token', access_token: tokens.refreshToken ?? tokens.accessToken },
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

function kindOf(media: MediaUpload, index: number): 'image' | 'video' {
  if ((IMAGE_TYPES as readonly string[]).includes(media.mimeType)) return 'image';
  if ((VIDEO_TYPES as readonly string[]).includes(media.mimeType)) return 'video';
  throw new PlatformError(
    `${PLATFORM} does not take file ${index + 1} (${media.mimeType}): images must be JPEG, videos MP4 or MOV`,
    false,
  );
}

async function createContainer(client: PlatformClient, token: string, params: Record<string, string>, what: string) {
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'POST',
    url: api(client, '/me/media'),
    what,
    token,
    params,
  });
  const id = str(data, 'id');
  // Nothing is published yet: trying again is safe.
  if (!id)
    throw new PlatformError(`${PLATFORM} gave an unexpected answer (no container id) while trying to ${what}`, true);
  return id;
}

/** Reads a container's status until FINISHED; ERROR is the media's fault, EXPIRED or too long a wait may pass. */
async function waitFinished(
  client: PlatformClient,
  token: string,
  id: string,
  what: string,
  delays: readonly number[],
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const { data } = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url: api(client, `/${id}`),
      what,
      token,
      params: { fields: 'status_code,status' },
    });
    const code = str(data, 'status_code');
    if (code === 'FINISHED' || code === 'PUBLISHED') return;
    if (code === 'ERROR')
      throw new PlatformError(
        `${PLATFORM} could not process the media to ${what}: ${str(data, 'status') ?? 'no reason given'}`,
        false,
      );
    if (code === 'EXPIRED')
      throw new PlatformError(`${PLATFORM} let the media expire before it was published; it will be sent again`, true);
    const delay = delays[attempt];
    if (delay === undefined)
      throw new PlatformError(`${PLATFORM} is still processing the media; publishing will be tried again`, true);
    await sleep(delay);
  }
}

export function createInstagramAdapter(options: InstagramAdapterOptions = {}): PlatformAdapter {
  const delays = options.containerPollDelaysMs ?? CONTAINER_POLL_DELAYS_MS;

  return {
    platform: 'instagram',
    limits: instagramLimits,
    profile,
    refresh,

    async publish(client: PlatformClient, tokens: TokenSet, post: PublishRequest): Promise<PublishedPost> {
      if (post.media.length === 0) throw new PlatformError(`${PLATFORM} posts need at least one image or video`, false);
      if (post.media.length > CAROUSEL_MAX)
        throw new PlatformError(`${PLATFORM} takes at most ${CAROUSEL_MAX} images and videos in a post`, false);
      if ([...post.text].length > instagramLimits.maxTextLength)
        throw new PlatformError(`${PLATFORM} captions have at most ${instagramLimits.maxTextLength} characters`, false);
      const kinds = post.media.map(kindOf);
      if (!post.publicMedia) throw new PlatformError(NEEDS_PUBLIC_MEDIA, false);
      const token = tokens.accessToken;
      const urls: string[] = [];
      for (const [i, media] of post.media.entries()) urls.push(await post.publicMedia.urlFor(media, i));

      let containerId: string;
      if (post.media.length === 1) {
        const [media] = post.media as [MediaUpload];
        containerId = await createContainer(
          client,
          token,
          kinds[0] === 'image'
            ? {
                image_url: urls[0] as string,
                caption: post.text,
                ...(media.altText ? { alt_text: media.altText } : {}),
              }
            : { media_type: 'REELS', video_url: urls[0] as string, caption: post.text, share_to_feed: 'true' },
          'prepare the post',
        );
      } else {
        const children: string[] = [];
        for (const [i, media] of post.media.entries()) {
          const what = `prepare item ${i + 1} of the carousel`;
          children.push(
            await createContainer(
              client,
              token,
              kinds[i] === 'image'
                ? {
                    image_url: urls[i] as string,
                    is_carousel_item: 'true',
                    ...(media.altText ? { alt_text: media.altText } : {}),
                  }
                : { media_type: 'VIDEO', video_url: urls[i] as string, is_carousel_item: 'true' },
              what,
            ),
          );
        }
        for (const [i, child] of children.entries())
          await waitFinished(client, token, child, `prepare item ${i + 1} of the carousel`, delays);
        containerId = await createContainer(
          client,
          token,
          { media_type: 'CAROUSEL', children: children.join(','), caption: post.text },
          'prepare the carousel',
        );
      }
      await waitFinished(client, token, containerId, 'prepare the post', delays);

      const what = 'publish the post';
      const { data, status } = await graphCall({
        platform: PLATFORM,
        method: 'POST',
        url: api(client, '/me/media_publish'),
        what,
        token,
        params: { creation_id: containerId },
      });
      const mediaId = str(data, 'id');
      if (!mediaId)
        throw new PlatformError(
          `${PLATFORM} published the post but did not say its id; check the account before posting again`,
          false,
          status,
        );
      return { postId: mediaId, url: await permalink(client, token, mediaId) };
    },

    /**
     * The account's post whose caption is exactly this text, made since `since`: `GET /me/media`,
     * newest first, `since` in Unix seconds, followed page by page.
     */
    async findPublished(
      client: PlatformClient,
      tokens: TokenSet,
      request: FindPublishedRequest,
    ): Promise<PublishedPost | null> {
      if (request.text.trim() === '')
        throw new PlatformError(
          `${PLATFORM} posts without a caption cannot be told apart; check the account by hand`,
          false,
        );
      const what = 'check whether the post went out';
      let url: URL | null = api(client, '/me/media');
      const first = url;
      let params: Record<string, string> | undefined = {
        fields: 'id,caption,timestamp,permalink',
        since: String(Math.floor(request.since.getTime() / 1000)),
        limit: String(MEDIA_PAGE_SIZE),
      };
      for (let page = 0; url && page < MAX_MEDIA_PAGES; page++) {
        const { data }: { data: Json } = await graphCall({
          platform: PLATFORM,
          method: 'GET',
          url,
          what,
          token: tokens.accessToken,
          params,
        });
        const items = Array.isArray(data.data) ? data.data.map(asRecord) : [];
        for (const item of items) {
          const at = graphTimeMs(item?.timestamp);
          if (at !== null && at < request.since.getTime()) continue;
          const id = str(item, 'id');
          if (id && (item?.caption ?? '') === request.text)
            return { postId: id, url: str(item, 'permalink') ?? `https://www.instagram.com/` };
        }
        url = nextPage(data, first);
        params = undefined;
      }
      if (url)
        throw new PlatformError(
          `${PLATFORM} shows too many posts since this one was attempted; check by hand whether it went out`,
          false,
        );
      return null;
    },

    async publishingLimit(client: PlatformClient, tokens: TokenSet): Promise<PublishingLimit> {
      const what = "read the account's publishing limit";
      const { data } = await graphCall({
        platform: PLATFORM,
        method: 'GET',
        url: api(client, '/me/content_publishing_limit'),
        what,
        token: tokens.accessToken,
        params: { fields: 'quota_usage,config' },
      });
      const row = asRecord(Array.isArray(data.data) ? data.data[0] : null);
      const config = asRecord(row?.config);
      const used = row?.quota_usage;
      const total = config?.quota_total;
      const duration = config?.quota_duration;
      if (typeof used !== 'number' || typeof total !== 'number')
        throw new PlatformError(`${PLATFORM} gave an unexpected answer while trying to ${what}`, true);
      return { used, total, windowHours: typeof duration === 'number' ? duration / 3600 : 24 };
    },

    async remove(): Promise<void> {
      throw new PlatformError(
        'Instagram does not let apps delete posts; delete it in the Instagram app, then cancel it here',
        false,
      );
    },
  };
}

/** The post's permalink; the post is out whatever this read does, so a failure only costs the link. */
async function permalink(client: PlatformClient, token: string, mediaId: string): Promise<string> {
  try {
    const { data } = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url: api(client, `/${mediaId}`),
      what: 'read the post’s address',
      token,
      params: { fields: 'permalink' },
    });
    return str(data, 'permalink') ?? 'https://www.instagram.com/';
  } catch {
    return 'https://www.instagram.com/';
  }
}

/** A first comment under a published post (`POST /<IG_MEDIA_ID>/comments`); its id. */
export async function instagramComment(
  client: PlatformClient,
  tokens: TokenSet,
  mediaId: string,
  text: string,
): Promise<string> {
  const what = 'add the first comment';
  const { data } = await graphCall({
    platform: PLATFORM,
    method: 'POST',
    url: api(client, `/${mediaId}/comments`),
    what,
    token: tokens.accessToken,
    params: { message: text },
  });
  const id = str(data, 'id');
  if (!id) throw new PlatformError(`${PLATFORM} added the comment but did not say its id`, false);
  return id;
}

/**
 * Business Login for Instagram: the window on www.instagram.com, the code exchanged on
 * api.instagram.com (a form POST answering `{access_token, user_id, permissions}`), then
 * `ig_exchange_token` for the 60-day token. An overridden API base (tests) serves all three.
 */
export const instagramSignIn: MetaSignIn = {
  authorizationEndpoint: (client) =>
    (client.apiBaseUrl || INSTAGRAM_API_BASE) === INSTAGRAM_API_BASE
      ? 'https://www.instagram.com/oauth/authorize'
      : `${client.apiBaseUrl.replace(/\/+$/, '')}/oauth/authorize`,
  scope: 'instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments',
  async exchange(client, code, redirectUri) {
    const base = client.apiBaseUrl || INSTAGRAM_API_BASE;
    const what = 'finish the sign-in';
    const short = await graphCall({
      platform: PLATFORM,
      method: 'POST',
      url:
        base === INSTAGRAM_API_BASE
          ? new URL('https://api.instagram.com/oauth/access_token')
          : graphUrl(PLATFORM, base, '/oauth/access_token'),
      what,
      params: {
        client_id: client.clientId,
        client_secret: client.clientSecret ?? '',
        grant_type: 'authorization_code',
        redirect_uri: redirectUri,
        code,
      },
    });
    // The documentation shows the answer inside `data`; Instagram sends it flat. Either is read.
    const first = asRecord(Array.isArray(short.data.data) ? short.data.data[0] : null) ?? short.data;
    const shortToken = str(first, 'access_token');
    if (!shortToken) throw new PlatformError(`${PLATFORM} gave no token while trying to ${what}`, false);
    const permissions = first.permissions;
    const long = await graphCall({
      platform: PLATFORM,
      method: 'GET',
      url: graphUrl(PLATFORM, base, '/access_token'),
      what,
      params: { grant_type: 'ig_exchange_token', client_secret: client.clientSecret ?? '', access_token: shortToken },
    });
    const accessToken = str(long.data, 'access_token');
    if (!accessToken) throw new PlatformError(`${PLATFORM} gave no long-lived token while trying to ${what}`, false);
    return {
      accessToken,
      refreshToken: accessToken,
      expiresAt: expiresAtOf(long.data),
      scope: Array.isArray(permissions) ? permissions.join(',') : typeof permissions === 'string' ? permissions : null,
    };
  },
};

export const instagramAdapter = createInstagramAdapter();
