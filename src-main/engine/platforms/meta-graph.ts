import { clipErrorText, parseJson, platformUrl, sendToPlatform } from './http';
import { PlatformError } from './types';

/*
 * Calls to Meta's Graph APIs (Facebook Pages, Instagram with Instagram Login, Threads), shared by
 * their adapters: one request with a 30 s timeout, and every failure classified from Graph's error
 * body `{"error":{message,type,code,error_subcode,is_transient,error_user_msg}}`
 * (https://developers.facebook.com/docs/graph-api/guides/error-handling) and its rate-limit headers
 * (https://developers.facebook.com/docs/graph-api/overview/rate-limiting/): throttles and transient
 * errors are retryable, after the Business Use Case header's `estimated_time_to_regain_access`
 * when it gives one; an invalid, expired or revoked token (190, 102) or a missing permission
 * (10, 200-299) needs a person to reconnect; anything else is refused for a person to read.
 */

export type Json = Record<string, unknown>;

/** Graph's throttling codes: app, user, page, custom, Business Use Case (Pages, Instagram). */
const THROTTLE_CODES = new Set([4, 17, 32, 613, 80001, 80002]);
/**
 * Codes Meta's tables mark "temporary, try again": unknown (1) and service (2) errors, unless they
 * are OAuth errors (a wrong client secret is code 1 too), and Instagram's -1/-2 and 9007 (not ready yet).
 */
const TRANSIENT_CODES = new Set([-1, -2, 9007]);
const SERVICE_CODES = new Set([1, 2]);
/** A token that is invalid, expired, revoked or of a changed password. */
const TOKEN_CODES = new Set([102, 190]);

export interface GraphCall {
  /** `Instagram`, `Facebook`, `Threads`: how errors name the platform. */
  platform: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  /** What Postroom was doing, for the error message ("publish the post"). */
  what: string;
  token?: string;
  /** Form fields (the body of a POST, the query of a GET). */
  params?: Record<string, string>;
  /** A multipart body instead (a photo's `source`). */
  form?: FormData;
  /** Raw bytes (the Resumable Upload API) and the headers that go with them. */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export interface GraphAnswer {
  status: number;
  headers: Headers;
  data: Json;
}

export function asRecord(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

export function str(rec: Json | null | undefined, key: string): string | null {
  const v = rec?.[key];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return typeof v === 'string' && v !== '' ? v : null;
}

/** `base` + `path`, refusing a base that is not an http(s) URL (an integration typo, not a retry). */
export function graphUrl(platform: string, base: string, path: string): URL {
  return platformUrl(`the ${platform} API address`, base, path);
}

/**
 * The wait the Business Use Case header asks for (its largest `estimated_time_to_regain_access`,
 * in minutes), or `Retry-After` in seconds; null when neither says.
 */
export function graphRetryAfterMs(headers: Headers): number | null {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const buc = headers.get('x-business-use-case-usage');
  if (!buc) return null;
  const usage = asRecord(parseJson(buc));
  let minutes = 0;
  for (const rows of Object.values(usage ?? {})) {
    for (const row of Array.isArray(rows) ? rows : []) {
      const m = asRecord(row)?.estimated_time_to_regain_access;
      if (typeof m === 'number' && m > minutes) minutes = m;
    }
  }
  return minutes > 0 ? minutes * 60_000 : null;
}

/** Graph's error as a classified PlatformError. */
export function graphError(
  platform: string,
  what: string,
  status: number,
  headers: Headers,
  data: Json,
): PlatformError {
  const error = asRecord(data.error);
  const code = typeof error?.code === 'number' ? error.code : null;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : null;
  // The page's own words for people first (error_user_msg), then Graph's message.
  const raw = str(error, 'error_user_msg') ?? str(error, 'message') ?? str(data, 'error_message') ?? `HTTP ${status}`;
  const text = clipErrorText(raw);
  const codes = code === null ? '' : ` (code ${code}${subcode === null ? '' : `/${subcode}`})`;
  if (code !== null && THROTTLE_CODES.has(code))
    return new PlatformError(
      `${platform} is rate limiting this account (${text}); could not ${what}${codes}`,
      true,
      status,
      graphRetryAfterMs(headers),
    );
  if (code !== null && TOKEN_CODES.has(code))
    return new PlatformError(
      `${platform} no longer accepts this connection (${text}); reconnect the account to ${what}${codes}`,
      false,
      status,
      null,
      true,
    );
  if (code === 10 || (code !== null && code >= 200 && code <= 299))
    return new PlatformError(
      `${platform} did not give Postroom the permission to ${what} (${text}); ` +
        `reconnect the account and allow it${codes}`,
      false,
      status,
      null,
      true,
    );
  const service = code !== null && SERVICE_CODES.has(code) && error?.type !== 'OAuthException';
  if (status >= 500 || error?.is_transient === true || service || (code !== null && TRANSIENT_CODES.has(code)))
    return new PlatformError(
      `${platform} failed to ${what}: ${text}${codes}`,
      true,
      status,
      graphRetryAfterMs(headers),
    );
  if (status === 429)
    return new PlatformError(
      `${platform} is rate limiting requests; could not ${what}`,
      true,
      status,
      graphRetryAfterMs(headers),
    );
  return new PlatformError(`${platform} refused to ${what}: ${text}${codes}`, false, status);
}

/** One Graph call; a non-2xx answer or no answer at all becomes a classified PlatformError. */
export async function graphCall(c: GraphCall): Promise<GraphAnswer> {
  const headers = new Headers({ Accept: 'application/json', ...c.headers });
  if (c.token) headers.set('Authorization', `${c.bytes ? 'OAuth' : 'Bearer'} ${c.token}`);
  const url = new URL(c.url);
  let body: RequestInit['body'];
  if (c.form) body = c.form;
  else if (c.bytes) {
    headers.set('Content-Type', 'application/octet-stream');
    body = new Uint8Array(c.bytes);
  } else if (c.params && c.method === 'POST') body = new URLSearchParams(c.params);
  else if (c.params) for (const [k, v] of Object.entries(c.params)) url.searchParams.set(k, v);
  const { res, text } = await sendToPlatform(c.platform, c.what, url, { method: c.method, headers, body });
  const data = asRecord(parseJson(text)) ?? {};
  if (res.status >= 200 && res.status < 300 && !data.error) return { status: res.status, headers: res.headers, data };
  throw graphError(c.platform, c.what, res.status, res.headers, data);
}

/**
 * Waits between status reads of a media container: quick first, then about a minute apart (Meta's advice),
 * ~6 minutes in all.
 */
export const CONTAINER_POLL_DELAYS_MS = [
  1000, 2000, 3000, 5000, 10_000, 20_000, 30_000, 60_000, 60_000, 60_000, 60_000, 60_000,
] as const;

/** Graph's `paging.next`, only when it stays on the API's own host (it carries the token). */
export function nextPage(data: Json, api: URL): URL | null {
  const next = str(asRecord(data.paging), 'next');
  if (!next || !URL.canParse(next)) return null;
  const url = new URL(next);
  return url.origin === api.origin ? url : null;
}

/** A Graph timestamp (`2017-08-31T18:10:00+0000`) in milliseconds, or null. */
export function graphTimeMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The sign-in side of a Meta platform, for the connection flow: where the authorization window is,
 * what it asks for (Meta separates scopes with commas), and the code exchange, which on every Meta
 * platform ends with a long-lived (60-day) token: Meta's token answers are not plain OAuth 2.0
 * (Instagram and Threads send no `token_type`, and the first token lasts an hour). Instagram's and
 * Threads' long-lived token renews itself, so it doubles as the refresh token (the token keeper
 * renews what has one); Facebook's user token cannot be renewed, only signed in again.
 */
export interface MetaSignIn {
  authorizationEndpoint(client: { apiBaseUrl: string }): string;
  scope: string;
  exchange(
    client: { clientId: string; clientSecret: string | null; apiBaseUrl: string },
    code: string,
    redirectUri: string,
    codeVerifier: string,
  ): Promise<{ accessToken: string; refreshToken: string | null; expiresAt: string | null; scope: string | null }>;
}
