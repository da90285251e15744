import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { PLATFORM_RULES } from '../../../src-shared/platform-rules';
import { BlueskyOAuthError, dpopCall, importDpopKeyPair, refreshBlueskyTokens, type DpopJwk, type DpopKeyPair } from './bluesky-oauth';
import { networkError, parseJson, REQUEST_TIMEOUT_MS } from './http';
import type { FetchLike } from './mastodon';
import {
  PlatformError,
  type MediaUpload,
  type PlatformAccount,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
  type PublishedPost,
  type PublishRequest,
  type TokenSet,
} from './types';

/*
 * Bluesky (AT Protocol) spoken as plain XRPC over Node's own fetch, against the account's PDS
 * (`PlatformClient.apiBaseUrl`, e.g. https://bsky.social). The official @atproto/api client is not
 * used: it requires Node 22 (`engines: >=22`) and Postroom runs on Node 20.
 *
 * Sign-in is by app password (com.atproto.server.createSession): the TokenSet holds the session's
 * accessJwt (accessToken, with its expiry) and refreshJwt (refreshToken), sent as Bearer tokens. Or by
 * AT Protocol OAuth (bluesky-oauth.ts): the TokenSet then carries `tokenType: 'DPoP'`, the DPoP key
 * (`dpopJwk`) and the account's PDS (`pdsUrl`), and every call goes to that PDS with a DPoP proof.
 * Every call has a 30 s timeout; every failure becomes a classified PlatformError.
 */

const MAX_ERROR_TEXT = 300;
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
  fetch?: FetchLike;
  /** The post's `createdAt`; tests pin it. */
  now?: () => Date;
}

type Json = Record<string, unknown>;

interface Call {
  method: 'GET' | 'POST';
  /** The XRPC method, e.g. `com.atproto.repo.createRecord`. */
  nsid: string;
  /** What Postroom was doing, for the error message ("publish the post"). */
  what: string;
  token?: string;
  /** The key `token` is bound to (OAuth): the call is sent as `Authorization: DPoP` with a proof. */
  dpop?: DpopKeyPair;
  query?: Record<string, string>;
  json?: unknown;
  body?: Uint8Array;
  contentType?: string;
  /** createSession: a refusal means the handle or app password is wrong, not that a session died. */
  signIn?: boolean;
}

function endpoint(baseUrl: string, nsid: string, query?: Record<string, string>): URL {
  let url: URL;
  try {
    url = new URL(`${baseUrl.replace(/\/+$/, '')}/xrpc/${nsid}`);
  } catch {
    throw new PlatformError(`the Bluesky server address "${baseUrl}" is not a valid URL`, false);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PlatformError(`the Bluesky server address "${baseUrl}" is not an http(s) URL`, false);
  }
  if (query) url.search = new URLSearchParams(query).toString();
  return url;
}

async function call(fetchImpl: FetchLike, baseUrl: string, c: Call): Promise<Json> {
  const url = endpoint(baseUrl, c.nsid, c.query);
  if (c.dpop && c.token) return dpopXrpc(fetchImpl, url, c, c.token, c.dpop);
  const headers = new Headers({ Accept: 'application/json' });
  if (c.token) headers.set('Authorization', `Bearer ${c.token}`);
  let body: RequestInit['body'];
  if (c.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(c.json);
  } else if (c.body) {
    headers.set('Content-Type', c.contentType ?? 'application/octet-stream');
    body = c.body;
  }
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(url, { method: c.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    text = await res.text();
  } catch (err) {
    throw networkError('Bluesky', err, c.what);
  }
  const data = parseJson(text);
  if (res.status >= 200 && res.status < 300) return asRecord(data) ?? {};
  throw httpError(res, data, c);
}

async function dpopXrpc(fetchImpl: FetchLike, url: URL, c: Call, token: string, dpopKeyPair: DpopKeyPair): Promise<Json> {
  let res: Response;
  let text: string;
  try {
    try {
      res = await dpopCall({
        accessToken: token,
        dpopKeyPair,
        method: c.method,
        url: url.href,
        json: c.json,
        body: c.body,
        contentType: c.contentType,
        options: { fetch: ((input: string | URL, init?: RequestInit) => fetchImpl(input, init)) as typeof fetch },
      });
    } catch (err) {
      // A refused token comes back as a WWW-Authenticate challenge (401): classified like any answer.
      if (!(err instanceof oauth.WWWAuthenticateChallengeError)) throw err;
      res = err.response;
    }
    text = await res.text();
  } catch (err) {
    if (err instanceof BlueskyOAuthError) throw new PlatformError(`could not ${c.what}: ${err.message}`, false);
    throw networkError('Bluesky', err, c.what);
  }
  const data = parseJson(text);
  if (res.status >= 200 && res.status < 300) return asRecord(data) ?? {};
  throw httpError(res, data, c);
}

/** Where and how an adapter call is sent (see authFor). */
interface Auth {
  baseUrl: string;
  token: string;
  dpop?: DpopKeyPair;
}

/** XRPC errors are `{"error": "Name", "message": "…"}`. */
function xrpcErrorName(data: unknown): string | null {
  return str(asRecord(data), 'error');
}

function errorText(data: unknown, res: Response): string {
  const rec = asRecord(data);
  const error = str(rec, 'error');
  const message = str(rec, 'message');
  const text = error && message ? `${error}: ${message}` : (error ?? message ?? (res.statusText || 'no reason given'));
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

/** The session is dead (expired, revoked or never valid): a person must sign in again. */
const DEAD_SESSION_ERRORS = new Set(['ExpiredToken', 'InvalidToken', 'AuthMissing', 'AuthenticationRequired']);

/** A PlatformError that keeps the XRPC error name (`RecordNotFound`, `ExpiredToken`…). */
class XrpcError extends PlatformError {
  constructor(
    readonly xrpcError: string | null,
    ...args: ConstructorParameters<typeof PlatformError>
  ) {
    super(...args);
  }
}

function httpError(res: Response, data: unknown, c: Call): PlatformError {
  const name = xrpcErrorName(data);
  const e = classify(res, data, c, name);
  return new XrpcError(name, e.message, e.retryable, e.status, e.retryAfterMs, e.needsReauth);
}

function classify(res: Response, data: unknown, c: Call, name: string | null): PlatformError {
  const status = res.status;
  const text = errorText(data, res);
  if (status === 429) {
    return new PlatformError(`Bluesky is rate limiting requests (${text}); could not ${c.what}`, true, status, blueskyRetryAfterMs(res.headers));
  }
  if (status >= 500) {
    return new PlatformError(`Bluesky failed to ${c.what}: ${text} (HTTP ${status})`, true, status, blueskyRetryAfterMs(res.headers, false));
  }
  if (c.signIn && (status === 401 || name === 'AuthenticationRequired')) {
    return new PlatformError(`Bluesky did not accept this handle and app password (${text})`, false, status);
  }
  if (c.signIn && name === 'AuthFactorTokenRequired') {
    return new PlatformError('Bluesky asks for an email code: sign in with an app password (Settings → Privacy and security → App passwords), not the account password', false, status);
  }
  if (status === 401 || (name !== null && DEAD_SESSION_ERRORS.has(name))) {
    return new PlatformError(`Bluesky no longer accepts this connection (${text}); reconnect the account to ${c.what}`, false, status, null, true);
  }
  return new PlatformError(`Bluesky refused to ${c.what}: ${text} (HTTP ${status})`, false, status);
}

/**
 * How long Bluesky asked us to wait: `Retry-After` (seconds or an HTTP date), else its
 * `RateLimit-Reset` (epoch seconds, the IETF draft header the PDS sends). Null when neither says.
 */
export function blueskyRetryAfterMs(headers: Headers, useRateLimitReset = true, now = Date.now()): number | null {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = useRateLimitReset ? headers.get('ratelimit-reset')?.trim() : undefined;
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.max(0, Math.ceil(Number(reset) * 1000 - now));
  return null;
}

function asRecord(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

function str(rec: Json | null, key: string): string | null {
  const v = rec?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

/** A 2xx answer that is not what a PDS sends: the call may have landed, so it is safe only to retry. */
function unexpected(what: string, field: string): PlatformError {
  return new PlatformError(`Bluesky gave an unexpected answer (no ${field}) while trying to ${what}`, true);
}

/** The claims of a JWT (read, not verified: only the PDS can verify it), or null. */
function jwtClaims(jwt: string): Json | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    return asRecord(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
}

/** The `exp` of a JWT as an ISO time, or null: the scheduler refreshes shortly before it. */
function jwtExpiry(jwt: string): string | null {
  const exp = jwtClaims(jwt)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : null;
}

function tokensFromSession(session: Json, what: string, previous?: TokenSet): TokenSet {
  const accessToken = str(session, 'accessJwt');
  if (!accessToken) throw unexpected(what, 'access token');
  return {
    accessToken,
    refreshToken: str(session, 'refreshJwt') ?? previous?.refreshToken ?? null,
    expiresAt: jwtExpiry(accessToken),
    scope: str(jwtClaims(accessToken), 'scope') ?? previous?.scope ?? null,
  };
}

/*
 * Idempotency. Bluesky has no idempotency key, but com.atproto.repo.createRecord takes a
 * caller-chosen record key (`rkey`), and a repository holds at most one record per key. The rkey
 * of a post is derived from the delivery's idempotency key, so every attempt of one delivery
 * writes the same at-uri: before posting, the adapter looks the record up and, if it is there
 * (an earlier attempt landed and its answer was lost), returns it instead of posting again; and a
 * createRecord that fails (a PDS answers a duplicate key with HTTP 500, which could also be a real
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

// ---------------------------------------------------------------------------------------------
// Rich text: facets for links, #tags and @mentions, with UTF-8 byte offsets (as the official
// client's RichText.detectFacets does).

export interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: Json[];
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function byteRange(text: string, start: number, end: number): Facet['index'] {
  const byteStart = utf8(text.slice(0, start));
  return { byteStart, byteEnd: byteStart + utf8(text.slice(start, end)) };
}

/** Links (http/https), hashtags, and the handles of mentions still to be resolved to DIDs. */
export function detectFacets(text: string): { facets: Facet[]; mentions: { handle: string; index: Facet['index'] }[] } {
  const facets: Facet[] = [];
  const mentions: { handle: string; index: Facet['index'] }[] = [];

  for (const m of text.matchAll(/(^|[\s(])(https?:\/\/[^\s]+)/gi)) {
    let uri = m[2]!;
    // Trailing punctuation belongs to the sentence, an unbalanced ")" to the parenthesis.
    if (/[.,;:!?"']$/.test(uri)) uri = uri.slice(0, -1);
    if (uri.endsWith(')') && !uri.includes('(')) uri = uri.slice(0, -1);
    try {
      new URL(uri);
    } catch {
      continue;
    }
    const start = m.index + m[1]!.length;
    facets.push({ index: byteRange(text, start, start + uri.length), features: [{ $type: 'app.bsky.richtext.facet#link', uri }] });
  }

  for (const m of text.matchAll(/(^|\s)[#＃]([^\s#＃]+)/gu)) {
    const tag = m[2]!.replace(/\p{P}+$/u, '');
    if (!tag || /^\d+$/.test(tag) || tag.length > 64 || /^\u{fe0f}/u.test(tag)) continue;
    const start = m.index + m[1]!.length;
    facets.push({ index: byteRange(text, start, start + 1 + tag.length), features: [{ $type: 'app.bsky.richtext.facet#tag', tag }] });
  }

  for (const m of text.matchAll(/(^|[\s(])@([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)/g)) {
    const handle = m[2]!.replace(/[.-]+$/, '');
    if (!/\.[a-zA-Z][a-zA-Z0-9-]*$/.test(handle)) continue;
    const start = m.index + m[1]!.length;
    mentions.push({ handle: handle.toLowerCase(), index: byteRange(text, start, start + 1 + handle.length) });
  }
  return { facets, mentions };
}

// ---------------------------------------------------------------------------------------------

export function createBlueskyAdapter(options: BlueskyAdapterOptions = {}): PlatformAdapter {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? (() => new Date());
  // Imported DPoP keys, by their public part: one key pair per key, so server nonces are remembered.
  const dpopKeys = new Map<string, Promise<DpopKeyPair>>();

  /** Where and how to call: the integration's server with a bearer token, or the account's PDS with DPoP. */
  async function authFor(client: PlatformClient, tokens: TokenSet): Promise<Auth> {
    if (!tokens.dpopJwk) return { baseUrl: client.apiBaseUrl, token: tokens.accessToken };
    const jwk = tokens.dpopJwk;
    const id = `${String(jwk.x)}.${String(jwk.y)}`;
    let keyPair = dpopKeys.get(id);
    if (!keyPair) {
      keyPair = importDpopKeyPair(jwk as DpopJwk);
      dpopKeys.set(id, keyPair);
      keyPair.catch(() => dpopKeys.delete(id));
    }
    try {
      return { baseUrl: tokens.pdsUrl ?? client.apiBaseUrl, token: tokens.accessToken, dpop: await keyPair };
    } catch {
      throw new PlatformError("the connection's DPoP key in the keychain is not usable; reconnect the account", false, null, null, true);
    }
  }

  async function session(auth: Auth, what: string): Promise<{ did: string; handle: string }> {
    const data = await call(fetchImpl, auth.baseUrl, { method: 'GET', nsid: 'com.atproto.server.getSession', what, token: auth.token, dpop: auth.dpop });
    const did = str(data, 'did');
    if (!did) throw unexpected(what, 'account DID');
    return { did, handle: str(data, 'handle') ?? did };
  }

  async function getRecord(auth: Auth, repo: string, collection: string, rkey: string, what: string): Promise<Json | null> {
    try {
      return await call(fetchImpl, auth.baseUrl, {
        method: 'GET',
        nsid: 'com.atproto.repo.getRecord',
        what,
        token: auth.token,
        dpop: auth.dpop,
        query: { repo, collection, rkey },
      });
    } catch (err) {
      if (err instanceof XrpcError && (err.status === 404 || err.xrpcError === 'RecordNotFound')) return null;
      throw err;
    }
  }

  async function uploadBlob(auth: Auth, media: MediaUpload, index: number): Promise<Json> {
    const what = `upload image ${index + 1}`;
    const data = await call(fetchImpl, auth.baseUrl, {
      method: 'POST',
      nsid: 'com.atproto.repo.uploadBlob',
      what,
      token: auth.token,
      dpop: auth.dpop,
      body: new Uint8Array(media.data),
      contentType: media.mimeType,
    });
    const blob = asRecord(data.blob);
    if (!blob || !asRecord(blob.ref)) throw unexpected(what, 'blob reference');
    return blob;
  }

  /** Mentions become facets only when their handle resolves; the text stays as written either way. */
  async function facetsFor(auth: Auth, text: string): Promise<Facet[]> {
    const { facets, mentions } = detectFacets(text);
    for (const mention of mentions) {
      try {
        const data = await call(fetchImpl, auth.baseUrl, {
          method: 'GET',
          nsid: 'com.atproto.identity.resolveHandle',
          what: `resolve @${mention.handle}`,
          query: { handle: mention.handle },
        });
        const did = str(data, 'did');
        if (did) facets.push({ index: mention.index, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] });
      } catch (err) {
        // Unknown handle: no link. A platform outage, though, is worth a retry of the whole post.
        if (err instanceof PlatformError && err.retryable) throw err;
      }
    }
    return facets.sort((a, b) => a.index.byteStart - b.index.byteStart);
  }

  /** OAuth tokens renewed at the PDS's authorization server, DPoP-bound to the same key. */
  async function refreshOAuth(client: PlatformClient, tokens: TokenSet, refreshToken: string, what: string): Promise<TokenSet> {
    const auth = await authFor(client, tokens);
    if (!auth.dpop || !tokens.oauthClientId) {
      throw new PlatformError("this connection's sign-in lacks what a renewal needs; reconnect the account", false, null, null, true);
    }
    const sub = str(jwtClaims(tokens.accessToken), 'sub');
    try {
      const fresh = await refreshBlueskyTokens({
        pdsUrl: auth.baseUrl,
        clientId: tokens.oauthClientId,
        ...(sub ? { did: sub } : {}),
        refreshToken,
        dpopKeyPair: auth.dpop,
        options: { fetch: ((input: string | URL, init?: RequestInit) => fetchImpl(input, init)) as typeof fetch },
      });
      return {
        ...tokens,
        accessToken: fresh.accessToken,
        refreshToken: fresh.refreshToken ?? refreshToken,
        expiresAt: fresh.expiresAt === null ? null : new Date(fresh.expiresAt).toISOString(),
        scope: fresh.scope || tokens.scope,
      };
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError || err instanceof BlueskyOAuthError) {
        throw new PlatformError(`Bluesky no longer accepts this connection (${err.message}); reconnect the account to ${what}`, false, null, null, true);
      }
      throw networkError('Bluesky', err, what);
    }
  }

  function published(record: Json, handle: string, rkey: string, text: string, what: string): PublishedPost {
    const uri = str(record, 'uri');
    if (!uri) throw unexpected(what, 'record URI');
    const existingText = asRecord(record.value)?.text;
    if (typeof existingText === 'string' && existingText !== text) {
      throw new PlatformError(`a different Bluesky post already has this delivery's record key (${uri}); check the account before retrying`, false);
    }
    return { postId: uri, url: postUrl(handle, rkey) };
  }

  return {
    platform: 'bluesky',
    limits: blueskyLimits,

    async profile(client, tokens): Promise<PlatformAccount> {
      const what = 'read the account';
      const auth = await authFor(client, tokens);
      const { did, handle } = await session(auth, what);
      const profile = await getRecord(auth, did, PROFILE_COLLECTION, 'self', what);
      const displayName = str(asRecord(profile?.value), 'displayName');
      return { accountId: did, handle, displayName: displayName ?? handle };
    },

    async refresh(client, tokens): Promise<TokenSet> {
      if (!tokens.refreshToken) return tokens;
      const what = "refresh the connection's session";
      if (tokens.dpopJwk) return refreshOAuth(client, tokens, tokens.refreshToken, what);
      const data = await call(fetchImpl, client.apiBaseUrl, {
        method: 'POST',
        nsid: 'com.atproto.server.refreshSession',
        what,
        token: tokens.refreshToken,
      });
      return tokensFromSession(data, what, tokens);
    },

    async publish(client, tokens, post: PublishRequest): Promise<PublishedPost> {
      const what = 'publish the post';
      const auth = await authFor(client, tokens);
      const { did, handle } = await session(auth, what);
      const urlHandle = handle === 'handle.invalid' ? did : handle;
      const rkey = tidFromIdempotencyKey(post.idempotencyKey);

      // An earlier attempt of this delivery landed: that post is the answer (no second post).
      const earlier = await getRecord(auth, did, POST_COLLECTION, rkey, what);
      if (earlier) return published(earlier, urlHandle, rkey, post.text, what);

      const images: Json[] = [];
      for (const [index, media] of post.media.entries()) {
        images.push({ alt: media.altText ?? '', image: await uploadBlob(auth, media, index) });
      }
      const record: Json = { $type: POST_COLLECTION, text: post.text, createdAt: now().toISOString() };
      const facets = await facetsFor(auth, post.text);
      if (facets.length > 0) record.facets = facets;
      if (images.length > 0) record.embed = { $type: 'app.bsky.embed.images', images };

      let created: Json;
      try {
        created = await call(fetchImpl, auth.baseUrl, {
          method: 'POST',
          nsid: 'com.atproto.repo.createRecord',
          what,
          token: auth.token,
          dpop: auth.dpop,
          json: { repo: did, collection: POST_COLLECTION, rkey, validate: true, record },
        });
      } catch (err) {
        // A duplicate key (a racing attempt won) comes back as an error: the record is the answer.
        if (err instanceof PlatformError && !err.needsReauth) {
          const existing = await getRecord(auth, did, POST_COLLECTION, rkey, what).catch(() => null);
          if (existing) return published(existing, urlHandle, rkey, post.text, what);
        }
        throw err;
      }
      const uri = str(created, 'uri');
      if (!uri) throw unexpected(what, 'record URI');
      return { postId: uri, url: postUrl(urlHandle, parseAtUri(uri)?.rkey ?? rkey) };
    },

    async remove(client, tokens, postId): Promise<void> {
      const parts = parseAtUri(postId);
      if (!parts) throw new PlatformError(`"${postId}" is not a Bluesky post id (an at:// URI)`, false);
      // Deleting a record that is already gone succeeds: removing is idempotent.
      const auth = await authFor(client, tokens);
      await call(fetchImpl, auth.baseUrl, {
        method: 'POST',
        nsid: 'com.atproto.repo.deleteRecord',
        what: 'delete the post',
        token: auth.token,
        dpop: auth.dpop,
        json: parts,
      });
    },
  };
}

export const blueskyAdapter: PlatformAdapter = createBlueskyAdapter();

/**
 * The app-password connection path: signs in at the PDS (or the bsky.social entryway) with a handle
 * or DID and an app password. The account password is refused: its session can do everything the
 * owner can (change the password, delete the account), which Postroom must never hold.
 */
export async function signInWithAppPassword(
  pdsUrl: string,
  identifier: string,
  appPassword: string,
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
): Promise<{ tokens: TokenSet; account: PlatformAccount }> {
  const what = 'sign in';
  const data = await call(fetchImpl, pdsUrl, {
    method: 'POST',
    nsid: 'com.atproto.server.createSession',
    what,
    json: { identifier: identifier.trim().replace(/^@/, ''), password: appPassword },
    signIn: true,
  });
  const tokens = tokensFromSession(data, what);
  if (tokens.scope !== null && !tokens.scope.startsWith('com.atproto.appPass')) {
    // Revoke the session just made (best effort), and say what to do instead.
    if (tokens.refreshToken) {
      await call(fetchImpl, pdsUrl, { method: 'POST', nsid: 'com.atproto.server.deleteSession', what: 'sign out', token: tokens.refreshToken }).catch(() => undefined);
    }
    throw new PlatformError('this is the account password: create an app password in Bluesky (Settings → Privacy and security → App passwords) and use that', false);
  }
  const account = await createBlueskyAdapter({ fetch: fetchImpl }).profile({ clientId: '', clientSecret: null, apiBaseUrl: pdsUrl }, tokens);
  return { tokens, account };
}
