import {
  NodeOAuthClient,
  OAuthCallbackError,
  OAuthResponseError,
  atprotoLoopbackClientMetadata,
  requestLocalLock,
  type Jwk,
  type NodeSavedSession,
  type NodeSavedSessionStore,
  type NodeSavedState,
  type NodeSavedStateStore,
  type OAuthSession,
} from '@atproto/oauth-client-node';
import { REQUEST_TIMEOUT_MS } from '../http';
import type { TokenSet } from '../types';
import { BLUESKY_OAUTH_SCOPE, hostClientId, hostClientMetadata, hostOriginOf } from './client-metadata';

export { BLUESKY_OAUTH_SCOPE } from './client-metadata';

/*
 * AT Protocol OAuth for Postroom as a loopback native client (atproto OAuth spec, "localhost client
 * IDs") on a desk, or as a web client whose metadata document a team host serves on its public URL
 * (./client-metadata.ts), spoken by the official client library (@atproto/oauth-client-node's NodeOAuthClient): it
 * resolves the account (handle → DID → DID document → PDS → the PDS's authorization server), pushes
 * the authorization request (PAR) with PKCE S256 and a DPoP proof (ES256, with the server's nonces),
 * checks `state` and `iss` on the callback, exchanges the code, verifies that the token's `sub` is an
 * account of that authorization server, and refreshes DPoP-bound tokens.
 *
 * What stays here is Postroom's side of it:
 *   - the client_id: loopback on a desk (redirect URI and scope travel in the id itself, no metadata
 *     document), the host's metadata document on a team host;
 *   - the client's state store: a flow's state (PKCE verifier, DPoP private key) is handed back to the
 *     caller, which keeps it in memory with its pending flow (connections.ts), never on disk;
 *   - the client's session store: the session (tokens and the DPoP private JWK) becomes the
 *     connection's TokenSet, which the engine keeps in the OS keychain and nowhere else;
 *   - plain http only for loopback hosts (the test PDS), enforced on every request.
 */

export const DEFAULT_PLC_DIRECTORY = 'https://plc.directory';
/** Where handles are resolved (and app passwords sign in) when the integration names no server. */
export const DEFAULT_BLUESKY_SERVICE = 'https://bsky.social';

export type BlueskyFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A Bluesky connection's TokenSet as kept in the keychain. Besides the common fields: the account
 * (`did`, `handle`) and, for OAuth (`tokenType: 'DPoP'`), what the client library needs to restore
 * the session: the DPoP private JWK, the PDS (`pdsUrl`, the tokens' audience), the authorization
 * server (`oauthIssuer`), the loopback client id, and the PLC directory when it is not the default.
 */
export interface BlueskyTokens extends TokenSet {
  did?: string;
  handle?: string;
  oauthIssuer?: string;
  plcDirectoryUrl?: string;
}

/** Where accounts are looked up: the integration's settings. */
export interface BlueskyServers {
  /** Answers com.atproto.identity.resolveHandle: the integration's server (its `instanceUrl`), else bsky.social. */
  handleResolver: string;
  /** The PLC directory (the integration's `issuerUrl`), else plc.directory. */
  plcDirectoryUrl?: string;
  fetch?: BlueskyFetch;
}

/**
 * A problem with signing in: `invalid` (the account cannot sign in here), `forged` (the callback
 * failed its checks), `refused` (the authorization server said no), `account` (another account than
 * the one named signed in), `unreachable` (the network).
 */
export class BlueskyOAuthError extends Error {
  override name = 'BlueskyOAuthError';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'forged' | 'refused' | 'account' | 'unreachable' = 'invalid',
  ) {
    super(message);
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
export const isLoopbackHost = (url: URL) => LOOPBACK_HOSTS.has(url.hostname);
const isHttpLoopback = (href: string | undefined) => {
  if (!href) return false;
  try {
    const url = new URL(href);
    return url.protocol === 'http:' && isLoopbackHost(url);
  } catch {
    return false;
  }
};

/** A refused request: plain http to a host that is not this machine. */
export class InsecureRequestError extends Error {
  override name = 'InsecureRequestError';
}

/**
 * The fetch every Bluesky request goes through: https, or http to a loopback host only; and the
 * engine's time limit on every request.
 */
export function guardedFetch(fetchImpl?: BlueskyFetch): typeof fetch {
  const base: BlueskyFetch = fetchImpl ?? ((input, init) => fetch(input, init));
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url))) {
      throw new InsecureRequestError(
        `refused to call ${url.origin}: Bluesky servers must use https (plain http only on this machine)`,
      );
    }
    const given = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return base(input, { ...init, signal: given ? AbortSignal.any([given, timeout]) : timeout });
  }) as typeof fetch;
}

/** The loopback client_id of the atproto spec: the redirect URI and scope travel in the id itself. */
export function loopbackClientId(redirectUri: string, scope = BLUESKY_OAUTH_SCOPE): string {
  let redirect: URL;
  try {
    redirect = new URL(redirectUri);
  } catch {
    throw new BlueskyOAuthError(`the redirect URI is not a URL: ${redirectUri}`);
  }
  if (redirect.protocol !== 'http:' || !['127.0.0.1', '[::1]'].includes(redirect.hostname)) {
    throw new BlueskyOAuthError(
      `a loopback redirect URI must be http://127.0.0.1:<port>/… or http://[::1]:<port>/…, not ${redirectUri}`,
    );
  }
  return `http://localhost?redirect_uri=${encodeURIComponent(redirectUri)}&scope=${encodeURIComponent(scope)}`;
}

/**
 * The client_id for a flow coming back to `redirectUri`: the loopback id on a desk (http on
 * 127.0.0.1), the host's metadata document when the redirect is a team host's public https URL.
 */
export function blueskyClientId(redirectUri: string): string {
  let redirect: URL;
  try {
    redirect = new URL(redirectUri);
  } catch {
    throw new BlueskyOAuthError(`the redirect URI is not a URL: ${redirectUri}`);
  }
  return redirect.protocol === 'https:' ? hostClientId(redirect.origin) : loopbackClientId(redirectUri);
}

/** What the library is told about this client: the loopback metadata, or the host's own document. */
function clientMetadataOf(clientId: string) {
  const hostOrigin = hostOriginOf(clientId);
  if (hostOrigin) return hostClientMetadata(hostOrigin);
  try {
    return atprotoLoopbackClientMetadata(clientId);
  } catch (err) {
    throw new BlueskyOAuthError(
      `neither a loopback client id nor a team host's (${err instanceof Error ? err.message : 'invalid'})`,
    );
  }
}

/** A store of one flow or one session, in memory for the length of one call. */
class OneValueStore<V> {
  constructor(private entry: { key: string; value: V } | null = null) {}
  async get(key: string): Promise<V | undefined> {
    return this.entry?.key === key ? this.entry.value : undefined;
  }
  async set(key: string, value: V): Promise<void> {
    this.entry = { key, value };
  }
  async del(key: string): Promise<void> {
    if (this.entry?.key === key) this.entry = null;
  }
  current(): { key: string; value: V } | null {
    return this.entry;
  }
}

function oauthClient(
  clientId: string,
  servers: BlueskyServers,
  stores: { stateStore: NodeSavedStateStore; sessionStore: NodeSavedSessionStore },
  alsoLoopback: (string | undefined)[] = [],
) {
  return new NodeOAuthClient({
    clientMetadata: clientMetadataOf(clientId),
    responseMode: 'query',
    handleResolver: servers.handleResolver,
    plcDirectoryUrl: servers.plcDirectoryUrl ?? DEFAULT_PLC_DIRECTORY,
    // The library refuses http PDSs and authorization servers unless told otherwise: only when the
    // configured servers are on this machine (the test PDS). guardedFetch refuses http elsewhere anyway.
    allowHttp: [servers.handleResolver, servers.plcDirectoryUrl, ...alsoLoopback].some(isHttpLoopback),
    fetch: guardedFetch(servers.fetch),
    requestLock: requestLocalLock,
    ...stores,
  });
}

/** Every error in a chain of causes, outermost first. */
export function causeChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, i = 0; e !== undefined && e !== null && i < 10; e = (e as { cause?: unknown }).cause, i++)
    out.push(e);
  return out;
}

/** The request never got an answer (a network failure or a timeout). */
export function isNetworkFailure(err: unknown): boolean {
  return causeChain(err).some((e) => {
    if (!(e instanceof Error) && (typeof e !== 'object' || e === null)) return false;
    const { name, message, code } = e as { name?: unknown; message?: unknown; code?: unknown };
    return (
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      (name === 'TypeError' && message === 'fetch failed') ||
      (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_\w+)$/.test(code))
    );
  });
}

/** A short, secret-free description of a library error and its causes (no parameters, no tokens). */
function describe(err: unknown): string {
  const messages: string[] = [];
  for (const e of causeChain(err)) {
    if (e instanceof Error && e.message && !messages.some((m) => m.includes(e.message))) messages.push(e.message);
  }
  const text = messages.join(': ') || 'unknown error';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function startError(err: unknown): BlueskyOAuthError {
  if (err instanceof BlueskyOAuthError) return err;
  if (err instanceof InsecureRequestError || causeChain(err).some((e) => e instanceof InsecureRequestError))
    return new BlueskyOAuthError(describe(err));
  if (isNetworkFailure(err))
    return new BlueskyOAuthError(`Bluesky could not be reached (${describe(err)})`, 'unreachable');
  return new BlueskyOAuthError(describe(err));
}

const normaliseAccount = (handleOrDid: string) => {
  const input = handleOrDid.trim().replace(/^@/, '');
  return input.startsWith('did:') ? input : input.toLowerCase();
};

/** A flow between the authorization request and the callback; held in memory only. */
export interface PendingBlueskyAuthorization {
  /** The OAuth `state` the library chose for the request (the callback must bring it back). */
  state: string;
  /** What the library needs to finish: the PKCE verifier, the DPoP private JWK, the issuer. Memory only. */
  savedState: NodeSavedState;
  clientId: string;
  redirectUri: string;
  /** The account that was named (a handle, resolved, or the DID of a connection being renewed). */
  did: string;
  /** Its handle, when the DID document and the handle agree. */
  handle: string | null;
  pdsUrl: string;
  issuer: string;
  servers: Omit<BlueskyServers, 'fetch'>;
}

/**
 * Resolves the account, pushes the authorization request (PAR with PKCE and DPoP) and returns the
 * URL of the account's authorization page, with the flow to keep until the callback.
 */
export async function beginBlueskyAuthorization(params: {
  handleOrDid: string;
  redirectUri: string;
  servers: BlueskyServers;
}): Promise<{ authorizationUrl: string; pending: PendingBlueskyAuthorization }> {
  const { redirectUri, servers } = params;
  const clientId = blueskyClientId(redirectUri);
  const stateStore = new OneValueStore<NodeSavedState>();
  const client = oauthClient(clientId, servers, { stateStore, sessionStore: new OneValueStore<NodeSavedSession>() });
  const input = normaliseAccount(params.handleOrDid);
  try {
    // Resolved first to know the account (its DID is what the tokens must be for); authorize() then
    // finds the same answers in the client's caches.
    const { identityInfo, metadata, pds } = await client.oauthResolver.resolveFromIdentity(input);
    const url = await client.authorize(identityInfo.did, { redirect_uri: redirectUri as `http://127.0.0.1:${string}` });
    const saved = stateStore.current();
    if (!saved) throw new BlueskyOAuthError('the sign-in could not be prepared');
    return {
      authorizationUrl: url.href,
      pending: {
        state: saved.key,
        savedState: saved.value,
        clientId,
        redirectUri,
        did: identityInfo.did,
        handle: identityInfo.handle === 'handle.invalid' ? null : identityInfo.handle,
        pdsUrl: pds.origin,
        issuer: metadata.issuer,
        servers: {
          handleResolver: servers.handleResolver,
          ...(servers.plcDirectoryUrl ? { plcDirectoryUrl: servers.plcDirectoryUrl } : {}),
        },
      },
    };
  } catch (err) {
    throw startError(err);
  }
}

/** The keychain form of a session of the library (tokens + DPoP private JWK), and back. */
function tokensOf(
  saved: NodeSavedSession,
  extra: { clientId: string; plcDirectoryUrl?: string; handle?: string },
  previous?: BlueskyTokens,
): BlueskyTokens {
  const { tokenSet } = saved;
  return {
    ...previous,
    accessToken: tokenSet.access_token,
    // A refresh that brings no refresh token keeps the one we had (never overwrite with empty).
    refreshToken: tokenSet.refresh_token || previous?.refreshToken || null,
    expiresAt: tokenSet.expires_at ?? null,
    scope: tokenSet.scope,
    tokenType: 'DPoP',
    dpopJwk: saved.dpopJwk as TokenSet['dpopJwk'],
    pdsUrl: tokenSet.aud,
    oauthClientId: extra.clientId,
    oauthIssuer: tokenSet.iss,
    did: tokenSet.sub,
    ...(extra.handle ? { handle: extra.handle } : {}),
    ...(extra.plcDirectoryUrl ? { plcDirectoryUrl: extra.plcDirectoryUrl } : {}),
  };
}

/**
 * The callback: the library checks `state` and `iss` (before the code is spent), exchanges the code
 * with the PKCE verifier and a DPoP proof, and verifies the token's `sub`; the tokens must be for the
 * account that was named. Returns the TokenSet for the keychain.
 */
export async function completeBlueskyAuthorization(params: {
  pending: PendingBlueskyAuthorization;
  /** The full URL the browser was sent to (http://127.0.0.1:<port>/oauth/callback?code=…&state=…&iss=…). */
  callbackUrl: string | URL;
  fetch?: BlueskyFetch;
}): Promise<BlueskyTokens> {
  const { pending } = params;
  const callback = new URL(params.callbackUrl);
  const redirect = new URL(pending.redirectUri);
  if (callback.origin + callback.pathname !== redirect.origin + redirect.pathname) {
    throw new BlueskyOAuthError(
      `the callback ${callback.origin}${callback.pathname} is not the redirect URI ${pending.redirectUri}`,
      'forged',
    );
  }
  if (callback.searchParams.get('state') !== pending.state)
    throw new BlueskyOAuthError('the state of the callback is not the state of this sign-in', 'forged');
  // The flow's state is served from memory for this one call; single use is the caller's map.
  const sessionStore = new OneValueStore<NodeSavedSession>();
  const client = oauthClient(
    pending.clientId,
    { ...pending.servers, fetch: params.fetch },
    { stateStore: new OneValueStore({ key: pending.state, value: pending.savedState }), sessionStore },
    [pending.issuer, pending.pdsUrl],
  );
  let session: OAuthSession;
  try {
    ({ session } = await client.callback(callback.searchParams, {
      redirect_uri: pending.redirectUri as `http://127.0.0.1:${string}`,
    }));
  } catch (err) {
    const chain = causeChain(err);
    const refusal = chain.find((e): e is OAuthResponseError => e instanceof OAuthResponseError);
    if (refusal)
      throw new BlueskyOAuthError(
        `Bluesky did not accept the sign-in (${refusal.error ?? refusal.status}` +
          `${refusal.errorDescription ? `: ${refusal.errorDescription}` : ''})`,
        'refused',
      );
    if (isNetworkFailure(err))
      throw new BlueskyOAuthError(
        `Bluesky could not be reached to finish the sign-in (${describe(err)})`,
        'unreachable',
      );
    // OAuthCallbackError: the response failed its checks (iss missing or wrong, no code, …).
    const kind = err instanceof OAuthCallbackError && err.cause === undefined ? 'forged' : 'refused';
    throw new BlueskyOAuthError(`the sign-in response failed its checks (${describe(err)})`, kind);
  }
  const saved = sessionStore.current()?.value;
  if (!saved) throw new BlueskyOAuthError('the sign-in gave no session', 'refused');
  if (session.did !== pending.did) {
    await session.signOut().catch(() => undefined);
    throw new BlueskyOAuthError(
      `Bluesky signed in ${session.did}, not the account ${pending.handle ?? pending.did} this sign-in was for`,
      'account',
    );
  }
  if (!saved.tokenSet.scope.split(' ').includes('atproto'))
    throw new BlueskyOAuthError(`the granted scope lacks atproto: ${saved.tokenSet.scope}`, 'refused');
  return tokensOf(saved, {
    clientId: pending.clientId,
    plcDirectoryUrl: pending.servers.plcDirectoryUrl,
    handle: pending.handle ?? undefined,
  });
}

/** The claims of a JWT (read, not verified: only the PDS can verify it), or null. */
export function jwtClaims(jwt: string): Record<string, unknown> | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** A connection's TokenSet lacks what the library needs to restore its session. */
export class IncompleteSessionError extends Error {
  override name = 'IncompleteSessionError';
}

/**
 * The library's session for a connection's OAuth tokens, restored from the TokenSet.
 *
 * `refresh: false` (posting, reading): the session is restored WITHOUT its refresh token, so the
 * library can never renew it in the middle of a call. Bluesky's refresh tokens are single use: a
 * renewal whose result is not written back to the keychain would leave the connection with a spent
 * refresh token. Renewals happen only through `refresh: true`, whose new TokenSet the caller (the
 * TokenKeeper, the scheduler) writes to the keychain.
 */
export async function restoreBlueskySession(
  tokens: BlueskyTokens,
  options: { handleResolver: string; fetch?: BlueskyFetch; refresh: boolean },
): Promise<{ session: OAuthSession; tokens: BlueskyTokens }> {
  const { dpopJwk, pdsUrl, oauthClientId } = tokens;
  const did = tokens.did ?? jwtClaims(tokens.accessToken)?.sub;
  if (!dpopJwk || !pdsUrl || !oauthClientId || typeof did !== 'string' || !did.startsWith('did:')) {
    throw new IncompleteSessionError("this connection's Bluesky sign-in lacks its DPoP key or account");
  }
  const servers: BlueskyServers = {
    handleResolver: options.handleResolver,
    plcDirectoryUrl: tokens.plcDirectoryUrl,
    fetch: options.fetch,
  };
  const sessionStore = new OneValueStore<NodeSavedSession>();
  const client = oauthClient(
    oauthClientId,
    servers,
    { stateStore: new OneValueStore<NodeSavedState>(), sessionStore },
    [pdsUrl, tokens.oauthIssuer],
  );
  // Tokens saved before the issuer was kept: the PDS names its authorization server.
  const issuer = tokens.oauthIssuer ?? (await client.oauthResolver.getResourceServerMetadata(pdsUrl)).issuer;
  const refreshToken = options.refresh ? tokens.refreshToken : null;
  await sessionStore.set(did, {
    dpopJwk: dpopJwk as Jwk,
    authMethod: { method: 'none' },
    tokenSet: {
      iss: issuer,
      sub: did as `did:plc:${string}`,
      aud: pdsUrl,
      scope: (tokens.scope ?? 'atproto') as NodeSavedSession['tokenSet']['scope'],
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      access_token: tokens.accessToken,
      token_type: 'DPoP',
      ...(tokens.expiresAt ? { expires_at: tokens.expiresAt } : {}),
    },
  });
  const session = await client.restore(did, options.refresh);
  const saved = sessionStore.current()?.value;
  if (!saved) throw new IncompleteSessionError('the Bluesky session was dropped');
  return {
    session,
    tokens: tokensOf(saved, { clientId: oauthClientId, plcDirectoryUrl: tokens.plcDirectoryUrl }, tokens),
  };
}
