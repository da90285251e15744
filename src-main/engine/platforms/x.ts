import { PLATFORM_RULES } from '../../../src-shared/platform-rules';
import { retryAfterMs } from './mastodon';
import { PlatformError, type PlatformAccount, type PlatformAdapter, type PlatformClient, type PublishRequest, type PublishedPost, type TokenSet } from './types';

/** X's API v2 (https://docs.x.com/x-api): `POST /2/tweets`, `DELETE /2/tweets/:id`, `GET /2/users/me`. */
export const X_API_BASE = 'https://api.x.com';
const REQUEST_TIMEOUT_MS = 30_000;

type Json = Record<string, unknown>;

async function xCall(client: PlatformClient, token: string | null, method: string, path: string, what: string, body?: { json?: unknown; form?: Record<string, string> }, basicAuth?: string): Promise<Json> {
  const headers = new Headers({ Accept: 'application/json' });
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (basicAuth) headers.set('Authorization', `Basic ${basicAuth}`);
  let payload: string | URLSearchParams | undefined;
  if (body?.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    payload = JSON.stringify(body.json);
  } else if (body?.form) payload = new URLSearchParams(body.form);
  let res: Response;
  let text: string;
  try {
    res = await fetch(new URL(path, client.apiBaseUrl || X_API_BASE), { method, headers, body: payload, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    text = await res.text();
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    throw new PlatformError(`X could not be reached${code ? ` (${code})` : ''} while trying to ${what}`, true);
  }
  let data: Json = {};
  try {
    data = text ? (JSON.parse(text) as Json) : {};
  } catch {
    /* not JSON: keep the status */
  }
  if (res.ok) return data;
  const detail = String(data.detail ?? data.title ?? data.error_description ?? data.error ?? res.statusText).slice(0, 300);
  if (res.status === 429) throw new PlatformError(`X is rate limiting requests (${detail})`, true, 429, retryAfterMs(res.headers, false) ?? xRateLimitReset(res.headers));
  if (res.status >= 500) throw new PlatformError(`X failed to ${what}: ${detail} (HTTP ${res.status})`, true, res.status, retryAfterMs(res.headers, false));
  const reauth = res.status === 401 || (res.status === 400 && data.error === 'invalid_request' && path.includes('oauth2/token'));
  throw new PlatformError(`X refused to ${what}: ${detail} (HTTP ${res.status})`, false, res.status, null, reauth);
}

/** `x-rate-limit-reset` is a Unix time in seconds. */
function xRateLimitReset(headers: Headers): number | null {
  const reset = Number(headers.get('x-rate-limit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : null;
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

  async profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount> {
    const data = await xCall(client, tokens.accessToken, 'GET', '/2/users/me', 'read the account');
    const user = (data.data ?? {}) as Json;
    if (typeof user.id !== 'string') throw new PlatformError('X answered without an account id', false);
    return { accountId: user.id, handle: `@${String(user.username ?? user.id)}`, displayName: String(user.name ?? user.username ?? user.id) };
  },

  async refresh(client: PlatformClient, tokens: TokenSet): Promise<TokenSet> {
    if (!tokens.refreshToken) return tokens;
    const basic = client.clientSecret ? Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64') : undefined;
    const data = await xCall(client, null, 'POST', '/2/oauth2/token', 'refresh the sign-in', {
      form: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_id: client.clientId },
    }, basic);
    if (typeof data.access_token !== 'string') throw new PlatformError('X answered the refresh without an access token', false, null, null, true);
    return {
      accessToken: data.access_token,
      // X rotates refresh tokens; an answer without one keeps the one we had.
      refreshToken: typeof data.refresh_token === 'string' && data.refresh_token ? data.refresh_token : tokens.refreshToken,
      expiresAt: typeof data.expires_in === 'number' ? new Date(Date.now() + data.expires_in * 1000).toISOString() : null,
      scope: typeof data.scope === 'string' ? data.scope : tokens.scope,
    };
  },

  /** X accepts no idempotency key: the scheduler never repeats a call whose outcome it does not know. */
  async publish(client: PlatformClient, tokens: TokenSet, post: PublishRequest): Promise<PublishedPost> {
    if (post.media.length > 0) throw new PlatformError('images on X are not supported yet by Postroom', false);
    const data = await xCall(client, tokens.accessToken, 'POST', '/2/tweets', 'publish the post', { json: { text: post.text } });
    const tweet = (data.data ?? {}) as Json;
    if (typeof tweet.id !== 'string') throw new PlatformError('X answered without the post id', false);
    return { postId: tweet.id, url: `https://x.com/i/web/status/${tweet.id}` };
  },

  async remove(client: PlatformClient, tokens: TokenSet, postId: string): Promise<void> {
    await xCall(client, tokens.accessToken, 'DELETE', `/2/tweets/${encodeURIComponent(postId)}`, 'delete the post');
  },
};
