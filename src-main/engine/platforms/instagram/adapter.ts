import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { metaAccount, type MediaTypes } from '../meta-account';
import { CONTAINER_POLL_DELAYS_MS, str, type MetaSignIn } from '../meta-graph';
import {
  PlatformError,
  type MediaUpload,
  type PlatformAccount,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
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
const MEDIA_TYPES: MediaTypes = { image: IMAGE_TYPES, video: VIDEO_TYPES };
const CAROUSEL_MAX = 10;

export const instagramLimits: PlatformLimits = Object.freeze({
  maxTextLength: PLATFORM_RULES.instagram.maxTextLength,
  maxImages: CAROUSEL_MAX,
  maxImageBytes: PLATFORM_RULES.instagram.maxImageBytes,
  imageTypes: IMAGE_TYPES,
  mediaRequired: true,
});

/** The error a post meets on a desk with no public address for its media. */
export const NEEDS_PUBLIC_MEDIA =
  'Instagram fetches every image and video from a public web address, and this desk has none; ' +
  'publish Instagram posts from a team host (it gives each file a private, expiring address)';

export interface InstagramAdapterOptions {
  /** Waits between container status reads (tests make them short). */
  containerPollDelaysMs?: readonly number[];
}

const graph = metaAccount(PLATFORM, INSTAGRAM_API_BASE, VERSION);
/** Instagram names a container's state `status_code` and its reason `status`. */
const STATUS_FIELDS = { status: 'status_code', reason: 'status' } as const;
const FALLBACK_URL = 'https://www.instagram.com/';

async function profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount> {
  const what = 'read the account';
  const { data } = await graph.call(client, 'GET', '/me', what, tokens.accessToken, {
    fields: 'user_id,username,name,account_type',
  });
  // `user_id` is the professional account's id, the one publishing calls take; `id` is app-scoped.
  const accountId = str(data, 'user_id');
  const username = str(data, 'username');
  if (!accountId || !username)
    throw new PlatformError(`${PLATFORM} gave an unexpected answer (no account id) while trying to ${what}`, false);
  return { accountId, handle: `@${username}`, displayName: str(data, 'name') ?? username };
}

const refresh = (client: PlatformClient, tokens: TokenSet): Promise<TokenSet> =>
  graph.renewLongLivedToken(
    client,
    tokens,
    'ig_refresh_token',
    "Instagram's sign-in has expired (a long-lived token lasts 60 days unless renewed); reconnect the account",
  );

const kindOf = (media: MediaUpload, index: number) =>
  graph.mediaKind(media, index, MEDIA_TYPES, 'images must be JPEG, videos MP4 or MOV');

export function createInstagramAdapter(options: InstagramAdapterOptions = {}): PlatformAdapter {
  const delays = options.containerPollDelaysMs ?? CONTAINER_POLL_DELAYS_MS;

  return {
    platform: 'instagram',
    limits: instagramLimits,
    profile,
    refresh,

    async publish(client, tokens, post) {
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
        containerId = await graph.createContainer(
          client,
          token,
          '/me/media',
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
            await graph.createContainer(
              client,
              token,
              '/me/media',
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
          await graph.waitFinished(
            client,
            token,
            child,
            `prepare item ${i + 1} of the carousel`,
            delays,
            STATUS_FIELDS,
          );
        containerId = await graph.createContainer(
          client,
          token,
          '/me/media',
          { media_type: 'CAROUSEL', children: children.join(','), caption: post.text },
          'prepare the carousel',
        );
      }
      await graph.waitFinished(client, token, containerId, 'prepare the post', delays, STATUS_FIELDS);
      const mediaId = await graph.publishContainer(client, token, '/me/media_publish', containerId);
      return { postId: mediaId, url: await graph.permalink(client, token, mediaId, FALLBACK_URL) };
    },

    /**
     * The account's post whose caption is exactly this text, made since `since`: `GET /me/media`,
     * newest first, `since` in Unix seconds, followed page by page.
     */
    async findPublished(client, tokens, request) {
      if (request.text.trim() === '')
        throw new PlatformError(
          `${PLATFORM} posts without a caption cannot be told apart; check the account by hand`,
          false,
        );
      const found = await graph.findOwnPost(client, tokens.accessToken, request, {
        path: '/me/media',
        fields: 'id,caption,timestamp,permalink',
        textField: 'caption',
        timeField: 'timestamp',
        toPost: (item, id) => ({ postId: id, url: str(item, 'permalink') ?? FALLBACK_URL }),
      });
      if (found === undefined) throw graph.tooManyPosts();
      return found;
    },

    publishingLimit: (client, tokens) => graph.publishingLimit(client, tokens, '/me/content_publishing_limit'),

    /** The first comment (`POST /<IG_MEDIA_ID>/comments`); its link is the post's, where it shows. */
    async comment(client, tokens, request) {
      const id = await graph.comment(client, tokens.accessToken, request.postId, request.text);
      return { postId: id, url: await graph.permalink(client, tokens.accessToken, request.postId, FALLBACK_URL) };
    },

    findComment: (client, tokens, request) =>
      graph.findOwnComment(
        client,
        tokens.accessToken,
        request.postId,
        request,
        { text: 'text', time: 'timestamp' },
        () => FALLBACK_URL,
      ),

    async remove() {
      throw new PlatformError(
        'Instagram does not let apps delete posts; delete it in the Instagram app, then cancel it here',
        false,
      );
    },
  };
}

/** A first comment under a published post (`POST /<IG_MEDIA_ID>/comments`); its id. */
export const instagramComment = (client: PlatformClient, tokens: TokenSet, mediaId: string, text: string) =>
  graph.comment(client, tokens.accessToken, mediaId, text);

/**
 * Business Login for Instagram: the window on www.instagram.com, the code exchanged on
 * api.instagram.com (a form POST answering `{access_token, user_id, permissions}`), then
 * `ig_exchange_token` for the 60-day token. An overridden API base (tests) serves all three.
 */
export const instagramSignIn: MetaSignIn = {
  authorizationEndpoint: graph.signInWindow('https://www.instagram.com/oauth/authorize', '/oauth/authorize'),
  scope: 'instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments',
  async exchange(client, code, redirectUri) {
    const { accessToken, expiresAt, short } = await graph.exchangeForLongLived(
      client,
      code,
      redirectUri,
      'ig_exchange_token',
      'https://api.instagram.com/oauth/access_token',
    );
    const permissions = short.permissions;
    return {
      accessToken,
      refreshToken: accessToken,
      expiresAt,
      scope: Array.isArray(permissions) ? permissions.join(',') : typeof permissions === 'string' ? permissions : null,
    };
  },
};

export const instagramAdapter = createInstagramAdapter();
