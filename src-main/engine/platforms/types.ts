import type { webcrypto } from 'node:crypto';
import type { Platform } from '../../../src-shared/contract';

/** OAuth tokens of one connection; kept only in the keychain. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** ISO time, or null when the platform gave no expiry. */
  expiresAt: string | null;
  scope: string | null;
  /** `DPoP` for Bluesky OAuth tokens (bound to `dpopJwk`); absent for bearer tokens. */
  tokenType?: 'DPoP';
  /** Bluesky OAuth: the private JWK of the DPoP key the tokens are bound to (keychain only, like the tokens). */
  dpopJwk?: webcrypto.JsonWebKey;
  /**
   * Bluesky OAuth: the account's PDS (the resource server the tokens are for) and the OAuth client id,
   * for calls and refreshes.
   */
  pdsUrl?: string;
  oauthClientId?: string;
}

/** The social account behind a set of tokens. */
export interface PlatformAccount {
  /** Stable id on the platform (DID, user id, URN id); the connection is `<platform>-<accountId>`. */
  accountId: string;
  handle: string;
  displayName: string;
}

/** A platform app's credentials and endpoints, from the workspace's integration. */
export interface PlatformClient {
  clientId: string;
  clientSecret: string | null;
  /** Base URL of the platform's API (Mastodon instance, or a local server in tests). */
  apiBaseUrl: string;
}

export interface MediaUpload {
  mimeType: string;
  data: Buffer;
  altText?: string;
  /** Pixel size where the library probed it (a video's aspect ratio for Bluesky's player). */
  width?: number;
  height?: number;
  /** The library's name for the bytes (their SHA-256), where they come from the library. */
  sha256?: string;
}

/** Whether a file of a post is a video (the library gives video/mp4 or video/quicktime). */
export const isVideo = (media: Pick<MediaUpload, 'mimeType'>): boolean => media.mimeType.startsWith('video/');

/** How errors name a file of a post: "image 2", "video 1". */
export const mediaName = (media: Pick<MediaUpload, 'mimeType'>, index: number): string =>
  `${isVideo(media) ? 'video' : 'image'} ${index + 1}`;

/**
 * Where a platform that fetches media from the web (Instagram, Threads) can find a post's media:
 * a public, unguessable, expiring URL for each file. A team host provides one; a single desk has
 * none (SPEC §12, issue 14 item 5).
 */
export interface PublicMediaHost {
  urlFor(media: MediaUpload, index: number): Promise<string>;
}

/** A platform's own publishing allowance, as its API reports it (Instagram: 100 posts in a moving 24 hours). */
export interface PublishingLimit {
  used: number;
  total: number;
  windowHours: number;
}

export interface PublishRequest {
  text: string;
  media: MediaUpload[];
  /** Stable per delivery: platforms that accept one get it, so a retried call cannot post twice. */
  idempotencyKey: string;
  /**
   * Who the post is published as, when not the connected account itself (SPEC §3, credential
   * mode): on LinkedIn an organisation page the member administers (`urn:li:organization:<id>`).
   */
  postAs?: string;
  /** Public URLs for the media, where the platform fetches them itself; absent on a single desk. */
  publicMedia?: PublicMediaHost;
  /**
   * A part of a thread after the first (issue 14 item 4): the post is a reply to `parentId` (the
   * part before) in the thread that `rootId` (the first part) began. Only adapters with
   * `takesReplies` are given one.
   */
  replyTo?: ReplyTarget;
  /** A poll on the post (X, Mastodon): its options and how long it runs. */
  poll?: { options: string[]; durationMinutes: number };
}

/** Where a reply goes: its parent, and the thread's first post (Bluesky's `reply.root`). */
export interface ReplyTarget {
  parentId: string;
  rootId: string;
}

/** A first comment under a published post, as the account (or the page it posts as). */
export interface CommentRequest {
  postId: string;
  text: string;
  postAs?: string;
  /** Stable per delivery and part, for platforms that take one. */
  idempotencyKey: string;
}

/** What to look for when a first comment's outcome is unknown after a crash. */
export interface FindCommentRequest {
  postId: string;
  text: string;
  postAs?: string;
  since: Date;
}

/** An organisation page a member administers, to post as (LinkedIn: `urn:li:organization:<id>`). */
export interface OrganizationPage {
  /** What "post as" stores: the page's URN. */
  id: string;
  /** The page's name as the platform shows it. */
  name: string;
}

export interface PublishedPost {
  postId: string;
  url: string;
}

/** What to look for on the platform: a post Postroom may have published before it was stopped. */
export interface FindPublishedRequest {
  /** The text exactly as Postroom gave it to `publish`. */
  text: string;
  /** As in PublishRequest: the page the post went out as. */
  postAs?: string;
  /** Only posts made at or after this moment count (the caller leaves room for clock skew). */
  since: Date;
  /** A part of a thread: only a reply to `replyTo.parentId` counts; without it, replies do not. */
  replyTo?: ReplyTarget;
}

/**
 * A platform's failure, classified: `retryable` errors (network, 5xx, 429) may be tried again,
 * after `retryAfterMs` when the platform said so; the others need a person.
 */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    readonly needsReauth = false,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

/** The limits a post must respect on a platform, as data (SPEC §4). */
export interface PlatformLimits {
  maxTextLength: number;
  maxImages: number;
  maxImageBytes: number;
  imageTypes: readonly string[];
  mediaRequired: boolean;
}

/** What every platform adapter does, whatever its API looks like. */
export interface PlatformAdapter {
  readonly platform: Platform;
  readonly limits: PlatformLimits;
  /** The account the tokens belong to. */
  profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount>;
  /** New tokens from a refresh token. Never returns an empty refresh token in place of a real one. */
  refresh(client: PlatformClient, tokens: TokenSet): Promise<TokenSet>;
  publish(client: PlatformClient, tokens: TokenSet, post: PublishRequest): Promise<PublishedPost>;
  remove(client: PlatformClient, tokens: TokenSet, postId: string): Promise<void>;
  /** `publish` takes `replyTo` (X, Bluesky, Mastodon, Threads): a thread's parts are replies. */
  readonly takesReplies?: true;
  /** A first comment under a post it published (LinkedIn, Instagram, Facebook). */
  comment?(client: PlatformClient, tokens: TokenSet, request: CommentRequest): Promise<PublishedPost>;
  /**
   * The account's comment with exactly this text under the post, made since `request.since`, or
   * null: how a first comment cut short by a crash is found instead of sent twice.
   */
  findComment?(client: PlatformClient, tokens: TokenSet, request: FindCommentRequest): Promise<PublishedPost | null>;
  /**
   * The organisation pages the member behind the tokens administers, for "post as"; only
   * platforms that can post as a page have it (LinkedIn, Facebook).
   */
  pages?(client: PlatformClient, tokens: TokenSet): Promise<OrganizationPage[]>;
  /** The account's publishing allowance as the platform reports it, for the composer (Instagram, Threads). */
  publishingLimit?(client: PlatformClient, tokens: TokenSet): Promise<PublishingLimit>;
  /**
   * The account's post with exactly this text made since `since`, or null when there is none:
   * how the scheduler learns whether a publish cut short by a crash went out, on platforms that
   * take no idempotency key (X, LinkedIn). Read-only; failures are classified PlatformErrors.
   */
  findPublished?(
    client: PlatformClient,
    tokens: TokenSet,
    request: FindPublishedRequest,
  ): Promise<PublishedPost | null>;
}
