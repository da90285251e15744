import { countText, PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { metaAccount, type MediaTypes } from '../meta-account';
import { CONTAINER_POLL_DELAYS_MS, str, type Json, type MetaSignIn } from '../meta-graph';
import {
  PlatformError,
  type MediaUpload,
  type PlatformAccount,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
  type PublicMediaHost,
  type PublishedPost,
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
const MEDIA_TYPES: MediaTypes = { image: IMAGE_TYPES, video: VIDEO_TYPES };
const CAROUSEL_MAX = 20;
const TEXT_MAX = PLATFORM_RULES.threads.maxTextLength;

export const threadsLimits: PlatformLimits = Object.freeze({
  maxTextLength: TEXT_MAX,
  maxImages: CAROUSEL_MAX,
  maxImageBytes: PLATFORM_RULES.threads.maxImageBytes,
  imageTypes: IMAGE_TYPES,
  mediaRequired: false,
});

export const NEEDS_PUBLIC_MEDIA =
  'Threads fetches every image and video from a public web address, and this desk has none; ' +
  'post text only, or publish from a team host (it gives each file a private, expiring address)';

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

const graph = metaAccount(PLATFORM, THREADS_API_BASE, VERSION);
/** Threads names a container's state `status` and its reason `error_message`. */
const STATUS_FIELDS = { status: 'status', reason: 'error_message' } as const;
const FALLBACK_URL = 'https://www.threads.com/';

async function profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount> {
  const what = 'read the account';
  const { data } = await graph.call(client, 'GET', '/me', what, tokens.accessToken, { fields: 'id,username,name' });
  const id = str(data, 'id');
  const username = str(data, 'username');
  if (!id || !username)
    throw new PlatformError(`${PLATFORM} gave an unexpected answer (no account id) while trying to ${what}`, false);
  return { accountId: id, handle: `@${username}`, displayName: str(data, 'name') ?? username };
}

const refresh = (client: PlatformClient, tokens: TokenSet): Promise<TokenSet> =>
  graph.renewLongLivedToken(client, tokens, 'th_refresh_token', "Threads' sign-in has expired; reconnect the account");

const kindOf = (media: MediaUpload, index: number) =>
  graph.mediaKind(media, index, MEDIA_TYPES, 'images JPEG or PNG, videos MP4 or MOV');

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

  const container = (client: PlatformClient, token: string, params: Record<string, string>, what: string) =>
    graph.createContainer(client, token, '/me/threads', params, what);
  const waitFinished = (client: PlatformClient, token: string, id: string, what: string) =>
    graph.waitFinished(client, token, id, what, delays, STATUS_FIELDS);

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
        media_type: kinds[i] === 'image' ? 'IMAGE' : 'VIDEO',
        [kinds[i] === 'image' ? 'image_url' : 'video_url']: urls[i] as string,
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
    const postId = await graph.publishContainer(client, token, '/me/threads_publish', id);
    return { postId, url: await graph.permalink(client, token, postId, FALLBACK_URL) };
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
    takesReplies: true,
    profile,
    refresh,

    async publish(client, tokens, post) {
      const part = { text: post.text, media: post.media };
      check(part, post.publicMedia);
      // A part of a thread: a reply to the part before (`reply_to_id`).
      return publishPart(client, tokens, part, post.publicMedia, post.replyTo?.parentId ?? null);
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

    /**
     * The account's post or reply whose text is exactly this, made since `since`
     * (`/me/threads`, then `/me/replies`).
     */
    async findPublished(client, tokens, request) {
      if (request.text.trim() === '')
        throw new PlatformError(
          `${PLATFORM} posts without text cannot be told apart; check the account by hand`,
          false,
        );
      // A thread's part is a reply to its parent, found among the replies (`replied_to`).
      const parentId = request.replyTo?.parentId;
      for (const edge of parentId ? (['replies'] as const) : (['threads', 'replies'] as const)) {
        let found: PublishedPost | null | undefined;
        try {
          found = await graph.findOwnPost(client, tokens.accessToken, request, {
            path: `/me/${edge}`,
            fields: parentId ? 'id,text,timestamp,permalink,replied_to' : 'id,text,timestamp,permalink',
            textField: 'text',
            timeField: 'timestamp',
            toPost: (item: Json, id: string) => ({ postId: id, url: str(item, 'permalink') ?? FALLBACK_URL }),
            ...(parentId
              ? { matches: (item: Json) => str(item.replied_to as Json | undefined, 'id') === parentId }
              : {}),
          });
        } catch (err) {
          // Replies take threads_read_replies; without it only top-level posts can be checked.
          if (edge === 'replies' && err instanceof PlatformError && err.needsReauth && /permission/.test(err.message))
            return null;
          throw err;
        }
        if (found === undefined) throw graph.tooManyPosts();
        if (found) return found;
      }
      return null;
    },

    publishingLimit: (client, tokens) => graph.publishingLimit(client, tokens, '/me/threads_publishing_limit'),

    remove: (client, tokens, postId) => graph.remove(client, tokens.accessToken, postId),
  };
  return adapter;
}

/** What the sign-in asks for, comma-separated as Meta takes it. */
const SIGN_IN_SCOPE =
  'threads_basic,threads_content_publish,threads_manage_replies,threads_read_replies,threads_delete';

/**
 * Threads' authorization window (threads.net), the code exchanged at graph.threads.net
 * (`{access_token, user_id}`), then `th_exchange_token` for the 60-day token.
 */
export const threadsSignIn: MetaSignIn = {
  authorizationEndpoint: graph.signInWindow('https://threads.net/oauth/authorize', '/oauth/authorize'),
  scope: SIGN_IN_SCOPE,
  async exchange(client, code, redirectUri) {
    const { accessToken, expiresAt } = await graph.exchangeForLongLived(client, code, redirectUri, 'th_exchange_token');
    return { accessToken, refreshToken: accessToken, expiresAt, scope: SIGN_IN_SCOPE };
  },
};

export const threadsAdapter = createThreadsAdapter();
