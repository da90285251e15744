import { createHash } from 'node:crypto';
import {
  Agent,
  AppBskyRichtextFacet,
  AtpAgent,
  RichText,
  XRPCError,
  type AppBskyFeedPost,
  type AtpSessionData,
} from '@atproto/api';
import {
  OAuthResponseError,
  TokenInvalidError,
  TokenRefreshError,
  TokenRevokedError,
} from '@atproto/oauth-client-node';
import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import {
  causeChain,
  guardedFetch,
  IncompleteSessionError,
  InsecureRequestError,
  isNetworkFailure,
  jwtClaims,
  restoreBlueskySession,
  type BlueskyFetch,
  type BlueskyTokens,
} from './atproto-oauth';
import {
  answerError,
  clipErrorText,
  networkError,
  RATE_LIMIT_RESET,
  platformUrl,
  retryAfterMs,
  unexpectedAnswer,
} from '../http';
import {
  PlatformError,
  type MediaUpload,
  type PlatformAccount,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
  type PublishedPost,
  type TokenSet,
  isVideo,
  mediaName,
} from '../types';

/*
 * Bluesky (AT Protocol) through the official client, @atproto/api: an `Agent` reads the account,
 * uploads blobs and writes records, whichever way the connection signed in:
 *
 *   - AT Protocol OAuth (bluesky-oauth.ts, @atproto/oauth-client-node): the TokenSet carries
 *     `tokenType: 'DPoP'` and the DPoP key; the library restores the session and every call goes to
 *     the account's PDS with a DPoP proof (`new Agent(oauthSession)`);
 *   - an app password (the fallback): `AtpAgent.login` signs in, `AtpAgent.resumeSession` renews the
 *     session (its `persistSession` hands the new one back, for the keychain), and calls go to the
 *     integration's server (`PlatformClient.apiBaseUrl`) with the session's access token.
 *
 * Sessions are renewed only by `refresh` (the TokenKeeper and the scheduler write its result to the
 * keychain); posting and reading never renew them. Every call has a 30 s timeout, plain http only to
 * this machine, and every failure becomes a classified PlatformError.
 */

const POST_COLLECTION = 'app.bsky.feed.post';
const PROFILE_COLLECTION = 'app.bsky.actor.profile';

export const blueskyLimits: PlatformLimits = Object.freeze({
  maxTextLength: PLATFORM_RULES.bluesky.maxTextLength,
  maxImages: PLATFORM_RULES.bluesky.maxImages,
  maxImageBytes: PLATFORM_RULES.bluesky.maxImageBytes,
  imageTypes: PLATFORM_RULES.bluesky.imageTypes,
  mediaRequired: false,
});

export interface BlueskyAdapterOptions {
  fetch?: BlueskyFetch;
  /** The post's `createdAt`; tests pin it. */
  now?: () => Date;
}

type Json = Record<string, unknown>;

// ---- errors -------------------------------------------------------------------------------------

/** The session is dead (expired, revoked or never valid): a person must sign in again. */
const DEAD_SESSION_ERRORS = new Set(['ExpiredToken', 'InvalidToken', 'AuthMissing', 'AuthenticationRequired']);

/** A PlatformError that keeps the XRPC error name (`RecordNotFound`, `ExpiredToken`…). */
class XrpcPlatformError extends PlatformError {
  constructor(
    readonly xrpcError: string | null,
    ...args: ConstructorParameters<typeof PlatformError>
  ) {
    super(...args);
  }
}

function errorText(err: XRPCError): string {
  const name = err.error && !/^\d+$/.test(err.error) ? err.error : null;
  const message = err.message && err.message !== name ? err.message : null;
  return clipErrorText(name && message ? `${name}: ${message}` : (name ?? message ?? 'no reason given'));
}

const reconnect = (reason: string, what: string) =>
  new PlatformError(
    `Bluesky no longer accepts this connection (${clipErrorText(reason)}); reconnect the account to ${what}`,
    false,
    null,
    null,
    true,
  );

/** An answer of the server (an XRPC error with its status and headers), classified. */
function classifyAnswer(err: XRPCError, what: string, signIn: boolean): PlatformError {
  const status = err.status;
  const name = err.error ?? null;
  const text = errorText(err);
  const headers = new Headers(
    Object.entries(err.headers ?? {}).filter((h): h is [string, string] => typeof h[1] === 'string'),
  );
  const deadConnection = status === 401 || (name !== null && DEAD_SESSION_ERRORS.has(name));
  const refusedSignIn = signIn && status !== 429 && status < 500 ? signInRefusal(status, name, text) : null;
  const e =
    refusedSignIn ?? answerError('Bluesky', what, { status, headers, text, deadConnection }, RATE_LIMIT_RESET.bluesky);
  return new XrpcPlatformError(name, e.message, e.retryable, e.status, e.retryAfterMs, e.needsReauth);
}

/** Why Bluesky refused a sign-in with a handle and password, in words staff can act on; null for other refusals. */
function signInRefusal(status: number, name: string | null, text: string): PlatformError | null {
  if (status === 401 || name === 'AuthenticationRequired')
    return new PlatformError(`Bluesky did not accept this handle and app password (${text})`, false, status);
  if (name === 'AuthFactorTokenRequired')
    return new PlatformError(
      'Bluesky asks for an email code: sign in with an app password ' +
        '(Settings → Privacy and security → App passwords), not the account password',
      false,
      status,
    );
  return null;
}

/** An XRPC error that is an answer of the server (not a network failure wrapped by the client). */
const isAnswer = (e: unknown): e is XRPCError => e instanceof XRPCError && e.headers !== undefined && e.status >= 100;

/**
 * Any failure of the libraries as a PlatformError: the server's answers by status and XRPC error;
 * a session the library cannot use or renew needs a reconnect; network failures and timeouts are
 * retryable; anything else is permanent. Messages carry no tokens.
 */
function toPlatformError(err: unknown, what: string, signIn = false): PlatformError {
  const chain = causeChain(err);
  const known = chain.find((e): e is PlatformError => e instanceof PlatformError);
  if (known) return known;
  const answer = chain.find(isAnswer);
  if (answer) return classifyAnswer(answer, what, signIn);
  const insecure = chain.find((e): e is InsecureRequestError => e instanceof InsecureRequestError);
  if (insecure) return new PlatformError(`could not ${what}: ${insecure.message}`, false);
  const incomplete = chain.find((e): e is IncompleteSessionError => e instanceof IncompleteSessionError);
  if (incomplete) return reconnect(incomplete.message, what);
  const dead = chain.find(
    (e): e is Error =>
      e instanceof TokenRefreshError || e instanceof TokenInvalidError || e instanceof TokenRevokedError,
  );
  if (dead) return reconnect(dead.message, what);
  const refusal = chain.find((e): e is OAuthResponseError => e instanceof OAuthResponseError);
  if (refusal && (refusal.status >= 500 || refusal.status === 429)) {
    return new PlatformError(
      `Bluesky's sign-in server failed while trying to ${what} (HTTP ${refusal.status})`,
      true,
      refusal.status,
      retryAfterMs(refusal.headers, refusal.status === 429 ? RATE_LIMIT_RESET.bluesky : null),
    );
  }
  if (refusal)
    return reconnect(
      `${refusal.error ?? `HTTP ${refusal.status}`}${refusal.errorDescription ? `: ${refusal.errorDescription}` : ''}`,
      what,
    );
  if (isNetworkFailure(err)) {
    const cause =
      chain.find((e) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) ??
      chain.find((e) => e instanceof TypeError && e.message === 'fetch failed') ??
      err;
    return networkError('Bluesky', cause, what);
  }
  // The session is for another account, or its account moved to another authorization server.
  const moved = chain.find(
    (e): e is Error =>
      (e instanceof XRPCError && e.error === 'InvalidDID') ||
      (e instanceof TypeError && /issuer mismatch|sub mismatch|does not match the expected sub/i.test(e.message)),
  );
  if (moved) return reconnect(moved.message, what);
  if (chain.some((e) => e instanceof XRPCError)) return unexpected(what, 'valid answer');
  return new PlatformError(
    `could not ${what}: ${clipErrorText(err instanceof Error ? err.message : 'unknown error')}`,
    false,
  );
}

/** Runs one library call; its failure comes back classified. */
async function attempt<T>(what: string, call: () => Promise<T>, signIn = false): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toPlatformError(err, what, signIn);
  }
}

/** A 2xx answer that is not what a PDS sends: the call may have landed, so it is safe only to retry. */
function unexpected(what: string, field: string): PlatformError {
  return unexpectedAnswer('Bluesky', what, field, 'retry');
}

function serviceUrl(baseUrl: string): URL {
  return platformUrl('the Bluesky server address', baseUrl);
}

// ---- app-password sessions -----------------------------------------------------------------------

/** The `exp` of a JWT as an ISO time, or null: the scheduler refreshes shortly before it. */
function jwtExpiry(jwt: string): string | null {
  const exp = jwtClaims(jwt)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : null;
}

/** An AtpAgent session as the TokenSet the keychain keeps. */
function tokensFromSession(session: AtpSessionData, previous?: BlueskyTokens): BlueskyTokens {
  const scope = jwtClaims(session.accessJwt)?.scope;
  return {
    ...previous,
    accessToken: session.accessJwt,
    refreshToken: session.refreshJwt || previous?.refreshToken || null,
    expiresAt: jwtExpiry(session.accessJwt),
    scope: typeof scope === 'string' ? scope : (previous?.scope ?? null),
    did: session.did,
    handle: session.handle,
  };
}

// ---- idempotent record keys ----------------------------------------------------------------------

/*
 * Idempotency. Bluesky has no idempotency key, but com.atproto.repo.createRecord takes a
 * caller-chosen record key (`rkey`), and a repository holds at most one record per key. The rkey
 * of a post is derived from the delivery's idempotency key, so every attempt of one delivery
 * writes the same at-uri: before posting, the adapter looks the record up and, if it is there
 * (an earlier attempt landed and its answer was lost), returns it instead of posting again; and a
 * createRecord that fails (a PDS answers a duplicate key with an error, which could also be a real
 * failure) is followed by the same lookup, so two racing attempts still make one post. This holds
 * for as long as the record exists, hence the long window in the registry.
 *
 * `app.bsky.feed.post` keys must be TIDs: 13 base32-sortable characters of a 64-bit number (top
 * bit 0, 53 bits of microseconds since 1970, 10 bits of clock id). The derived TID takes 54 bits
 * of SHA-256(idempotency key) as an offset of at most ~203 days from 2023-01-01 plus the clock id:
 * a valid TID that sorts in the past, never among (nor colliding with) the TIDs a PDS generates
 * for new records now. Nothing reads post times from rkeys (clients use `createdAt`).
 */
const TID_ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';
const TID_BASE_MICROS = BigInt(Date.UTC(2023, 0, 1)) * 1000n;

export function tidFromIdempotencyKey(idempotencyKey: string): string {
  const digest = createHash('sha256').update(`postroom-bluesky-post:${idempotencyKey}`).digest();
  const bits = digest.readBigUInt64BE(0);
  const offset = bits >> 20n; // 44 bits of microseconds: about 203 days
  const clockId = bits & 0x3ffn; // 10 bits
  let value = ((TID_BASE_MICROS + offset) << 10n) | clockId;
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = TID_ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** `at://did/collection/rkey` → its parts; anything else is not a Bluesky post id. */
export function parseAtUri(uri: string): { repo: string; collection: string; rkey: string } | null {
  const m = /^at:\/\/([^/]+)\/([^/]+)\/([^/?#]+)$/.exec(uri);
  return m ? { repo: m[1]!, collection: m[2]!, rkey: m[3]! } : null;
}

/** The bsky.app address of a post (the handle when valid, else the DID). */
export function postUrl(handleOrDid: string, rkey: string): string {
  return `https://bsky.app/profile/${encodeURIComponent(handleOrDid).replace(/%3A/gi, ':')}/post/${encodeURIComponent(rkey)}`;
}

// ---- rich text -----------------------------------------------------------------------------------

export type Facet = AppBskyRichtextFacet.Main;

/**
 * Links, #tags and $cashtags as facets (UTF-8 byte offsets), and the @mentions whose handles are
 * still to be resolved: the official client's RichText detection.
 */
export function detectFacets(text: string): {
  facets: Facet[];
  mentions: { handle: string; index: Facet['index']; facet: Facet }[];
} {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  const facets: Facet[] = [];
  const mentions: { handle: string; index: Facet['index']; facet: Facet }[] = [];
  for (const facet of rt.facets ?? []) {
    const mention = facet.features.find((f) => AppBskyRichtextFacet.isMention(f)) as
      AppBskyRichtextFacet.Mention | undefined;
    if (mention) mentions.push({ handle: mention.did.toLowerCase(), index: facet.index, facet });
    else facets.push(facet);
  }
  return { facets, mentions };
}

// ---- the adapter ---------------------------------------------------------------------------------

/**
 * Renewals in progress, by the refresh token they spend. Refresh tokens are single use: two renewals
 * of one session at once (the TokenKeeper and the scheduler) share one answer instead of the second
 * spending a refresh token the first already spent, which the server would take for a replay.
 */
const renewals = new Map<string, Promise<TokenSet>>();

function renewOnce(refreshToken: string, renew: () => Promise<TokenSet>): Promise<TokenSet> {
  const key = createHash('sha256').update(refreshToken).digest('base64url');
  let running = renewals.get(key);
  if (!running) {
    running = renew().finally(() => renewals.delete(key));
    renewals.set(key, running);
  }
  return running;
}

export function createBlueskyAdapter(options: BlueskyAdapterOptions = {}): PlatformAdapter {
  const fetchImpl = guardedFetch(options.fetch);
  const now = options.now ?? (() => new Date());

  /** The agent for a connection: its OAuth session (DPoP, at its PDS), or its app-password session. */
  async function agentFor(client: PlatformClient, tokenSet: TokenSet, what: string): Promise<Agent> {
    const tokens = tokenSet as BlueskyTokens;
    if (tokens.tokenType === 'DPoP') {
      const { session } = await attempt(what, () =>
        restoreBlueskySession(tokens, { handleResolver: client.apiBaseUrl, fetch: options.fetch, refresh: false }),
      );
      return new Agent(session);
    }
    // No session manager: the access token as it is, never renewed in the middle of a call.
    return new Agent({
      service: serviceUrl(client.apiBaseUrl),
      headers: { authorization: `Bearer ${tokens.accessToken}` },
      fetch: fetchImpl,
    });
  }

  async function account(agent: Agent, what: string): Promise<{ did: string; handle: string }> {
    const { data } = await attempt(what, () => agent.com.atproto.server.getSession());
    if (!data.did) throw unexpected(what, 'account DID');
    return { did: data.did, handle: data.handle || data.did };
  }

  async function getRecord(
    agent: Agent,
    repo: string,
    collection: string,
    rkey: string,
    what: string,
  ): Promise<{ uri: string; value: Json } | null> {
    try {
      const { data } = await attempt(what, () => agent.com.atproto.repo.getRecord({ repo, collection, rkey }));
      return { uri: data.uri, value: data.value as Json };
    } catch (err) {
      if (err instanceof XrpcPlatformError && (err.status === 404 || err.xrpcError === 'RecordNotFound')) return null;
      throw err;
    }
  }

  /**
   * A post's strong reference (its URI and the CID of its record), what a reply names as its root
   * and parent (app.bsky.feed.post `reply`, https://docs.bsky.app/docs/advanced-guides/posts#replies).
   */
  async function strongRef(agent: Agent, uri: string, what: string): Promise<{ uri: string; cid: string }> {
    const at = parseAtUri(uri);
    if (!at) throw new PlatformError(`"${uri}" is not a Bluesky post id (an at:// URI)`, false);
    const { data } = await attempt(what, () =>
      agent.com.atproto.repo.getRecord({ repo: at.repo, collection: at.collection, rkey: at.rkey }),
    );
    if (!data.cid) throw unexpected(what, 'record CID');
    return { uri: data.uri, cid: data.cid };
  }

  async function uploadBlob(agent: Agent, media: MediaUpload, index: number) {
    const what = `upload ${mediaName(media, index)}`;
    const { data } = await attempt(what, () =>
      agent.uploadBlob(new Uint8Array(media.data), { encoding: media.mimeType }),
    );
    if (!data?.blob) throw unexpected(what, 'blob reference');
    return data.blob;
  }

  /** Mentions become facets only when their handle resolves; the text stays as written either way. */
  async function facetsFor(agent: Agent, text: string): Promise<Facet[]> {
    const { facets, mentions } = detectFacets(text);
    for (const { handle, facet } of mentions) {
      try {
        const { data } = await attempt(`resolve @${handle}`, () =>
          agent.com.atproto.identity.resolveHandle({ handle }),
        );
        facets.push({ ...facet, features: [{ $type: 'app.bsky.richtext.facet#mention', did: data.did }] });
      } catch (err) {
        // Unknown handle: no link. A platform outage, though, is worth a retry of the whole post.
        if (err instanceof PlatformError && err.retryable) throw err;
      }
    }
    return facets.sort((a, b) => a.index.byteStart - b.index.byteStart);
  }

  function published(record: { uri: string; value: Json }, handle: string, rkey: string, text: string): PublishedPost {
    const existingText = record.value.text;
    if (typeof existingText === 'string' && existingText !== text) {
      throw new PlatformError(
        `a different Bluesky post already has this delivery's record key (${record.uri}); ` +
          'check the account before retrying',
        false,
      );
    }
    return { postId: record.uri, url: postUrl(handle, rkey) };
  }

  /** OAuth tokens renewed by the library at the PDS's authorization server, DPoP-bound to the same key. */
  async function refreshOAuth(client: PlatformClient, tokens: BlueskyTokens, what: string): Promise<TokenSet> {
    const { tokens: fresh } = await attempt(what, () =>
      restoreBlueskySession(tokens, { handleResolver: client.apiBaseUrl, fetch: options.fetch, refresh: true }),
    );
    if (fresh.accessToken === tokens.accessToken) throw unexpected(what, 'new access token');
    return fresh;
  }

  /** An app-password session renewed by AtpAgent.resumeSession; persistSession hands the new one back. */
  async function refreshAppPassword(
    client: PlatformClient,
    tokens: BlueskyTokens,
    refreshJwt: string,
    what: string,
  ): Promise<TokenSet> {
    let renewed: AtpSessionData | undefined;
    const agent = new AtpAgent({
      service: serviceUrl(client.apiBaseUrl),
      fetch: fetchImpl,
      persistSession: (event, session) => {
        if (event === 'update') renewed = session;
      },
    });
    const claims = jwtClaims(tokens.accessToken) ?? jwtClaims(refreshJwt);
    const did = tokens.did ?? (typeof claims?.sub === 'string' ? claims.sub : '');
    await attempt(what, () =>
      agent.resumeSession({
        did,
        handle: tokens.handle ?? did,
        accessJwt: tokens.accessToken,
        refreshJwt,
        active: true,
      }),
    );
    if (!renewed) throw unexpected(what, 'session');
    return tokensFromSession(renewed, tokens);
  }

  return {
    platform: 'bluesky',
    limits: blueskyLimits,

    async profile(client, tokens) {
      const what = 'read the account';
      const agent = await agentFor(client, tokens, what);
      const { did, handle } = await account(agent, what);
      const profile = await getRecord(agent, did, PROFILE_COLLECTION, 'self', what);
      const displayName = profile?.value.displayName;
      return {
        accountId: did,
        handle,
        displayName: typeof displayName === 'string' && displayName !== '' ? displayName : handle,
      };
    },

    async refresh(client, tokens) {
      if (!tokens.refreshToken) return tokens;
      const what = "refresh the connection's session";
      const t = tokens as BlueskyTokens;
      const refreshToken = tokens.refreshToken;
      return renewOnce(refreshToken, () =>
        t.tokenType === 'DPoP' ? refreshOAuth(client, t, what) : refreshAppPassword(client, t, refreshToken, what),
      );
    },

    takesReplies: true,
    async publish(client, tokens, post) {
      const what = 'publish the post';
      const agent = await agentFor(client, tokens, what);
      const { did, handle } = await account(agent, what);
      const urlHandle = handle === 'handle.invalid' ? did : handle;
      const rkey = tidFromIdempotencyKey(post.idempotencyKey);

      // An earlier attempt of this delivery landed: that post is the answer (no second post).
      const earlier = await getRecord(agent, did, POST_COLLECTION, rkey, what);
      if (earlier) return published(earlier, urlHandle, rkey, post.text);

      const video = post.media.find(isVideo);
      if (video && post.media.length > 1)
        throw new PlatformError('Bluesky posts take one video, or images, not both', false);
      const images: { alt: string; image: Awaited<ReturnType<typeof uploadBlob>> }[] = [];
      for (const [index, media] of video ? [] : post.media.entries()) {
        images.push({ alt: media.altText ?? '', image: await uploadBlob(agent, media, index) });
      }
      const record: AppBskyFeedPost.Record = {
        $type: POST_COLLECTION,
        text: post.text,
        createdAt: now().toISOString(),
      };
      const facets = await facetsFor(agent, post.text);
      if (facets.length > 0) record.facets = facets;
      // A part of a thread: a reply naming the thread's first post and the part before.
      if (post.replyTo) {
        const answered = 'find the post this part replies to';
        record.reply = {
          root: await strongRef(agent, post.replyTo.rootId, answered),
          parent: await strongRef(agent, post.replyTo.parentId, answered),
        };
      }
      if (images.length > 0) record.embed = { $type: 'app.bsky.embed.images', images };
      // The documented simple method (https://docs.bsky.app/docs/tutorials/video): the video as a blob
      // on the PDS, referenced by app.bsky.embed.video; Bluesky's video service processes it once posted.
      if (video)
        record.embed = {
          $type: 'app.bsky.embed.video',
          video: await uploadBlob(agent, video, 0),
          ...(video.altText ? { alt: video.altText } : {}),
          ...(video.width && video.height ? { aspectRatio: { width: video.width, height: video.height } } : {}),
        };

      let uri: string;
      try {
        ({
          data: { uri },
        } = await attempt(what, () =>
          agent.com.atproto.repo.createRecord({ repo: did, collection: POST_COLLECTION, rkey, validate: true, record }),
        ));
      } catch (err) {
        // A duplicate key (a racing attempt won) comes back as an error: the record is the answer.
        if (err instanceof PlatformError && !err.needsReauth) {
          const existing = await getRecord(agent, did, POST_COLLECTION, rkey, what).catch(() => null);
          if (existing) return published(existing, urlHandle, rkey, post.text);
        }
        throw err;
      }
      if (!uri) throw unexpected(what, 'record URI');
      return { postId: uri, url: postUrl(urlHandle, parseAtUri(uri)?.rkey ?? rkey) };
    },

    async remove(client, tokens, postId) {
      const parts = parseAtUri(postId);
      if (!parts) throw new PlatformError(`"${postId}" is not a Bluesky post id (an at:// URI)`, false);
      const what = 'delete the post';
      const agent = await agentFor(client, tokens, what);
      // Deleting a record that is already gone succeeds: removing is idempotent.
      await attempt(what, () => agent.com.atproto.repo.deleteRecord(parts));
    },
  };
}

export const blueskyAdapter: PlatformAdapter = createBlueskyAdapter();

/**
 * The app-password connection path: AtpAgent signs in at the PDS (or the bsky.social entryway) with a
 * handle or DID and an app password. The account password is refused: its session can do everything
 * the owner can (change the password, delete the account), which Postroom must never hold.
 */
export async function signInWithAppPassword(
  pdsUrl: string,
  identifier: string,
  appPassword: string,
  fetchImpl?: BlueskyFetch,
): Promise<{ tokens: TokenSet; account: PlatformAccount }> {
  const what = 'sign in';
  let session: AtpSessionData | undefined;
  const agent = new AtpAgent({
    service: serviceUrl(pdsUrl),
    fetch: guardedFetch(fetchImpl),
    persistSession: (event, s) => {
      if (event === 'create') session = s;
    },
  });
  await attempt(
    what,
    () => agent.login({ identifier: identifier.trim().replace(/^@/, ''), password: appPassword }),
    true,
  );
  if (!session) throw unexpected(what, 'session');
  const tokens = tokensFromSession(session);
  if (tokens.scope !== null && !tokens.scope.startsWith('com.atproto.appPass')) {
    // Revoke the session just made (best effort), and say what to do instead.
    await agent.logout().catch(() => undefined);
    throw new PlatformError(
      'this is the account password: create an app password in Bluesky ' +
        '(Settings → Privacy and security → App passwords) and use that',
      false,
    );
  }
  const account = await createBlueskyAdapter({ fetch: fetchImpl }).profile(
    { clientId: '', clientSecret: null, apiBaseUrl: pdsUrl },
    tokens,
  );
  return { tokens, account };
}
