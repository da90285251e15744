import { webcrypto } from 'node:crypto';
import * as oauth from 'oauth4webapi';

/*
 * AT Protocol OAuth for Postroom as a loopback native client (atproto OAuth spec, "localhost client
 * IDs"): no client metadata document, a public client (token_endpoint_auth_method none), PAR with
 * PKCE S256, DPoP-bound tokens (ES256). The flow:
 *
 *   resolveAuthorizationServer(handle, pds)   handle → DID → DID document → PDS → its protected
 *                                             resource metadata → authorization server metadata
 *   startBlueskyAuthorization(...)            PAR (+ DPoP nonce retry) → the URL to open in a browser
 *   completeBlueskyAuthorization(...)         callback (state + iss checks) → code exchange with the
 *                                             PKCE verifier and a DPoP proof → tokens, checked `sub`
 *   dpopCall(...)                             an XRPC call with `Authorization: DPoP <token>` and a
 *                                             DPoP proof carrying `ath` (+ nonce retry)
 *
 * The DPoP key pair is generated extractable: exportDpopKeyPair() gives its private JWK (which holds
 * the public part too) for the keychain, importDpopKeyPair() turns it back into a key pair. Tokens
 * are bound to that key (cnf.jkt), so it must be stored with them.
 *
 * Plain http is allowed only for loopback hosts (the test PDS); everything else must be https.
 */

export const BLUESKY_OAUTH_SCOPE = 'atproto transition:generic';
const DEFAULT_PLC_DIRECTORY = 'https://plc.directory';
const REQUEST_TIMEOUT_MS = 30_000;

/** The DPoP key pair (a WebCrypto ES256 pair) and its JWK form for the keychain. */
export type DpopKeyPair = oauth.CryptoKeyPair;
export type DpopJwk = webcrypto.JsonWebKey;

type FetchFn = typeof fetch;

export interface BlueskyOAuthOptions {
  fetch?: FetchFn;
}

export interface BlueskyAuthorizationServer {
  did: string;
  /** The handle the account was looked up by, when it was (verified against the DID document). */
  handle: string | null;
  /** The account's PDS, from its DID document: the resource server for the tokens. */
  pdsUrl: string;
  issuer: string;
  metadata: oauth.AuthorizationServer;
}

export interface PendingBlueskyAuthorization {
  authorizationUrl: string;
  codeVerifier: string;
  state: string;
  dpopKeyPair: DpopKeyPair;
  clientId: string;
  redirectUri: string;
}

export interface BlueskyOAuthTokens {
  did: string;
  accessToken: string;
  refreshToken: string | null;
  /** Milliseconds since the epoch, or null when the server gave no expires_in. */
  expiresAt: number | null;
  scope: string;
  tokenType: 'DPoP';
}

export class BlueskyOAuthError extends Error {
  override name = 'BlueskyOAuthError';
}

const isLoopbackHost = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

function requestOptions(url: URL, options: BlueskyOAuthOptions) {
  return {
    [oauth.allowInsecureRequests]: url.protocol === 'http:' && isLoopbackHost(url),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
  };
}

function checkedUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BlueskyOAuthError(`${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url))) {
    throw new BlueskyOAuthError(`${what} must use https: ${value}`);
  }
  return url;
}

async function getJson(url: URL, options: BlueskyOAuthOptions): Promise<unknown> {
  const res = await (options.fetch ?? fetch)(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new BlueskyOAuthError(`GET ${url.href} answered ${res.status}`);
  return res.json();
}

/** The loopback client_id of the atproto spec: the redirect URI and scope travel in the id itself. */
export function loopbackClientId(redirectUri: string, scope = BLUESKY_OAUTH_SCOPE): string {
  const redirect = new URL(redirectUri);
  if (redirect.protocol !== 'http:' || !['127.0.0.1', '[::1]'].includes(redirect.hostname)) {
    throw new BlueskyOAuthError(`a loopback redirect URI must be http://127.0.0.1:<port>/… or http://[::1]:<port>/…, not ${redirectUri}`);
  }
  return `http://localhost?redirect_uri=${encodeURIComponent(redirectUri)}&scope=${encodeURIComponent(scope)}`;
}

interface DidDocument {
  id?: string;
  alsoKnownAs?: string[];
  service?: { id?: string; type?: string; serviceEndpoint?: unknown }[];
}

async function resolveDidDocument(did: string, plcDirectoryUrl: string, options: BlueskyOAuthOptions): Promise<DidDocument> {
  let url: URL;
  if (did.startsWith('did:plc:')) url = new URL(`/${encodeURIComponent(did)}`, checkedUrl(plcDirectoryUrl, 'the PLC directory'));
  else if (did.startsWith('did:web:')) url = new URL(`https://${decodeURIComponent(did.slice('did:web:'.length))}/.well-known/did.json`);
  else throw new BlueskyOAuthError(`unsupported DID method: ${did}`);
  const doc = (await getJson(url, options)) as DidDocument;
  if (doc.id !== did) throw new BlueskyOAuthError(`the DID document of ${did} names another DID (${String(doc.id)})`);
  return doc;
}

/**
 * Resolves an account (handle or DID) to its PDS and the PDS's authorization server.
 * `pdsUrl` answers com.atproto.identity.resolveHandle (any PDS or the AppView does; the account's
 * own PDS does for its handles). The handle must be confirmed by the DID document (alsoKnownAs).
 */
export async function resolveAuthorizationServer(
  handleOrDid: string,
  pdsUrl: string,
  options: BlueskyOAuthOptions & { plcDirectoryUrl?: string } = {},
): Promise<BlueskyAuthorizationServer> {
  const input = handleOrDid.trim().replace(/^@/, '').toLowerCase();
  let did = input;
  let handle: string | null = null;
  if (!input.startsWith('did:')) {
    handle = input;
    const url = new URL('/xrpc/com.atproto.identity.resolveHandle', checkedUrl(pdsUrl, 'the PDS URL'));
    url.searchParams.set('handle', handle);
    const resolved = (await getJson(url, options)) as { did?: unknown };
    if (typeof resolved.did !== 'string' || !resolved.did.startsWith('did:')) {
      throw new BlueskyOAuthError(`the handle ${handle} did not resolve to a DID`);
    }
    did = resolved.did;
  }

  const doc = await resolveDidDocument(did, options.plcDirectoryUrl ?? DEFAULT_PLC_DIRECTORY, options);
  if (handle && !(doc.alsoKnownAs ?? []).includes(`at://${handle}`)) {
    throw new BlueskyOAuthError(`the DID document of ${did} does not claim the handle ${handle}`);
  }
  const service = (doc.service ?? []).find(
    (s) => (s.id === '#atproto_pds' || s.id === `${did}#atproto_pds`) && s.type === 'AtprotoPersonalDataServer',
  );
  if (typeof service?.serviceEndpoint !== 'string') throw new BlueskyOAuthError(`the DID document of ${did} names no PDS`);
  const pds = checkedUrl(service.serviceEndpoint, 'the PDS endpoint');

  const resourceRes = await oauth.resourceDiscoveryRequest(pds, requestOptions(pds, options));
  const resource = await oauth.processResourceDiscoveryResponse(pds, resourceRes);
  const issuerHref = resource.authorization_servers?.[0];
  if (!issuerHref) throw new BlueskyOAuthError(`the PDS ${pds.origin} names no authorization server`);
  const issuer = checkedUrl(issuerHref, 'the authorization server');

  const discoveryRes = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...requestOptions(issuer, options) });
  const metadata = await oauth.processDiscoveryResponse(issuer, discoveryRes);
  if (!metadata.pushed_authorization_request_endpoint || !metadata.token_endpoint || !metadata.authorization_endpoint) {
    throw new BlueskyOAuthError(`the authorization server ${issuer.origin} lacks PAR, token or authorization endpoints`);
  }
  if (!(metadata.dpop_signing_alg_values_supported ?? []).includes('ES256')) {
    throw new BlueskyOAuthError(`the authorization server ${issuer.origin} does not accept ES256 DPoP proofs`);
  }
  return { did, handle, pdsUrl: pds.origin, issuer: metadata.issuer, metadata };
}

// One DPoP handle per key pair, so server nonces are remembered between calls.
const dpopHandles = new WeakMap<DpopKeyPair, oauth.DPoPHandle>();
function dpopHandle(keyPair: DpopKeyPair): oauth.DPoPHandle {
  let handle = dpopHandles.get(keyPair);
  if (!handle) {
    handle = oauth.DPoP({}, keyPair);
    dpopHandles.set(keyPair, handle);
  }
  return handle;
}

/** Runs `attempt`, and once more when the server asked for a (fresh) DPoP nonce. */
async function withNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!oauth.isDPoPNonceError(err)) throw err;
    return attempt();
  }
}

const publicClient = (clientId: string): oauth.Client => ({ client_id: clientId, token_endpoint_auth_method: 'none' });

/** A new extractable ES256 key pair for DPoP. */
export function generateDpopKeyPair(): Promise<DpopKeyPair> {
  return oauth.generateKeyPair('ES256', { extractable: true });
}

/** The private JWK of a DPoP key pair (it includes x and y): what goes to the keychain. */
export async function exportDpopKeyPair(keyPair: DpopKeyPair): Promise<DpopJwk> {
  return webcrypto.subtle.exportKey('jwk', keyPair.privateKey);
}

/** The key pair back from exportDpopKeyPair()'s JWK (the private key is not extractable again). */
export async function importDpopKeyPair(jwk: DpopJwk): Promise<DpopKeyPair> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new BlueskyOAuthError('a DPoP key must be a private P-256 JWK');
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await webcrypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
  const { kty, crv, x, y } = jwk;
  const publicKey = await webcrypto.subtle.importKey('jwk', { kty, crv, x, y }, algorithm, true, ['verify']);
  return { privateKey, publicKey };
}

/** PAR (PKCE S256, state, login_hint, DPoP) and the authorization URL to open in the browser. */
export async function startBlueskyAuthorization(params: {
  server: BlueskyAuthorizationServer;
  redirectUri: string;
  scope?: string;
  loginHint?: string;
  dpopKeyPair?: DpopKeyPair;
  options?: BlueskyOAuthOptions;
}): Promise<PendingBlueskyAuthorization> {
  const { server, redirectUri, options = {} } = params;
  const scope = params.scope ?? BLUESKY_OAUTH_SCOPE;
  const clientId = loopbackClientId(redirectUri, scope);
  const client = publicClient(clientId);
  const dpopKeyPair = params.dpopKeyPair ?? (await generateDpopKeyPair());
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const body: Record<string, string> = {
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  const loginHint = params.loginHint ?? server.handle ?? server.did;
  if (loginHint) body.login_hint = loginHint;

  const endpoint = new URL(server.metadata.pushed_authorization_request_endpoint ?? server.issuer);
  const par = await withNonceRetry(async () => {
    const res = await oauth.pushedAuthorizationRequest(server.metadata, client, oauth.None(), body, {
      DPoP: dpopHandle(dpopKeyPair),
      ...requestOptions(endpoint, options),
    });
    return oauth.processPushedAuthorizationResponse(server.metadata, client, res);
  });

  const authorizationUrl = new URL(server.metadata.authorization_endpoint ?? server.issuer);
  authorizationUrl.searchParams.set('client_id', clientId);
  authorizationUrl.searchParams.set('request_uri', par.request_uri);
  return { authorizationUrl: authorizationUrl.href, codeVerifier, state, dpopKeyPair, clientId, redirectUri };
}

/**
 * The callback: checks state and iss, exchanges the code (PKCE verifier + DPoP proof), and checks that
 * the token's `sub` is the account that was resolved (and its scope includes atproto).
 */
export async function completeBlueskyAuthorization(params: {
  server: BlueskyAuthorizationServer;
  pending: PendingBlueskyAuthorization;
  /** The full URL the browser was sent to (http://127.0.0.1:<port>/oauth/callback?code=…&state=…&iss=…). */
  callbackUrl: string;
  options?: BlueskyOAuthOptions;
}): Promise<BlueskyOAuthTokens> {
  const { server, pending, options = {} } = params;
  const client = publicClient(pending.clientId);
  const callback = new URL(params.callbackUrl);
  if (callback.origin + callback.pathname !== new URL(pending.redirectUri).origin + new URL(pending.redirectUri).pathname) {
    throw new BlueskyOAuthError(`the callback ${callback.origin}${callback.pathname} is not the redirect URI ${pending.redirectUri}`);
  }
  // Throws on a state or iss mismatch (the server advertises authorization_response_iss_parameter_supported,
  // so a missing iss fails too) and on error=… answers.
  const callbackParams = oauth.validateAuthResponse(server.metadata, client, callback, pending.state);

  const endpoint = new URL(server.metadata.token_endpoint ?? server.issuer);
  const tokens = await withNonceRetry(async () => {
    const res = await oauth.authorizationCodeGrantRequest(
      server.metadata,
      client,
      oauth.None(),
      callbackParams,
      pending.redirectUri,
      pending.codeVerifier,
      { DPoP: dpopHandle(pending.dpopKeyPair), ...requestOptions(endpoint, options) },
    );
    return oauth.processAuthorizationCodeResponse(server.metadata, client, res);
  });

  const sub = tokens.sub;
  if (typeof sub !== 'string' || sub !== server.did) {
    throw new BlueskyOAuthError(`the token is for ${String(sub)}, not for the account ${server.did}`);
  }
  if (tokens.token_type.toLowerCase() !== 'dpop') throw new BlueskyOAuthError(`expected a DPoP token, got ${tokens.token_type}`);
  const scope = tokens.scope ?? '';
  if (!scope.split(' ').includes('atproto')) throw new BlueskyOAuthError(`the granted scope lacks atproto: ${scope}`);
  return {
    did: sub,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    expiresAt: typeof tokens.expires_in === 'number' ? Date.now() + tokens.expires_in * 1000 : null,
    scope,
    tokenType: 'DPoP',
  };
}

/**
 * One call to the PDS with a DPoP-bound access token: `Authorization: DPoP <token>` and a DPoP proof
 * (htm, htu, ath, the server's nonce; retried once when the server asks for a new nonce).
 * Returns the raw Response (any status); JSON bodies are sent as strings with their content-type.
 */
export async function dpopCall(params: {
  accessToken: string;
  dpopKeyPair: DpopKeyPair;
  method: 'GET' | 'POST';
  url: string;
  json?: unknown;
  /** A raw body (an uploaded blob), sent with `contentType`. */
  body?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  options?: BlueskyOAuthOptions;
}): Promise<Response> {
  const { accessToken, dpopKeyPair, method, options = {} } = params;
  const url = checkedUrl(params.url, 'the XRPC URL');
  return withNonceRetry(async () => {
    const headers = new Headers(params.headers);
    headers.set('accept', 'application/json');
    let body: string | Uint8Array | undefined;
    if (params.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(params.json);
    } else if (params.body) {
      headers.set('content-type', params.contentType ?? 'application/octet-stream');
      body = params.body;
    }
    return oauth.protectedResourceRequest(accessToken, method, url, headers, body, {
      DPoP: dpopHandle(dpopKeyPair),
      ...requestOptions(url, options),
    });
  });
}

/**
 * New DPoP-bound tokens from a refresh token: the authorization server is found again from the PDS
 * (its protected resource metadata), the refresh is DPoP-bound to the same key, and `sub` must stay
 * the same account. A refresh that brings no refresh token keeps the old one.
 */
export async function refreshBlueskyTokens(params: {
  pdsUrl: string;
  clientId: string;
  /** The account the tokens must stay for (checked against the answer's `sub`), when known. */
  did?: string;
  refreshToken: string;
  dpopKeyPair: DpopKeyPair;
  options?: BlueskyOAuthOptions;
}): Promise<BlueskyOAuthTokens> {
  const { clientId, dpopKeyPair, options = {} } = params;
  const pds = checkedUrl(params.pdsUrl, 'the PDS URL');
  const resourceRes = await oauth.resourceDiscoveryRequest(pds, requestOptions(pds, options));
  const resource = await oauth.processResourceDiscoveryResponse(pds, resourceRes);
  const issuerHref = resource.authorization_servers?.[0];
  if (!issuerHref) throw new BlueskyOAuthError(`the PDS ${pds.origin} names no authorization server`);
  const issuer = checkedUrl(issuerHref, 'the authorization server');
  const metadata = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...requestOptions(issuer, options) }));
  const client = publicClient(clientId);
  const endpoint = new URL(metadata.token_endpoint ?? issuer);
  const tokens = await withNonceRetry(async () => {
    const res = await oauth.refreshTokenGrantRequest(metadata, client, oauth.None(), params.refreshToken, {
      DPoP: dpopHandle(dpopKeyPair),
      ...requestOptions(endpoint, options),
    });
    return oauth.processRefreshTokenResponse(metadata, client, res);
  });
  const sub = tokens.sub;
  if (typeof sub !== 'string' || (params.did !== undefined && sub !== params.did)) {
    throw new BlueskyOAuthError(`the refreshed token is for ${String(sub)}, not for ${params.did ?? 'an account'}`);
  }
  return {
    did: sub,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? params.refreshToken,
    expiresAt: typeof tokens.expires_in === 'number' ? Date.now() + tokens.expires_in * 1000 : null,
    scope: tokens.scope ?? '',
    tokenType: 'DPoP',
  };
}
