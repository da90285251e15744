import { PlatformError } from './types';

/** Every call to a platform gives up after this long (a timeout is retryable, like a network error). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** A platform's body as JSON, or null when it is empty or not JSON (its status still tells). */
export function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A call that never got an answer: a timeout or an unreachable host, both worth retrying. */
export function networkError(platformName: string, err: unknown, what: string): PlatformError {
  if (err instanceof PlatformError) return err;
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new PlatformError(
      `${platformName} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s while trying to ${what}`,
      true,
    );
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return new PlatformError(`${platformName} could not be reached${code} while trying to ${what}`, true);
}

/**
 * One call to a platform as every adapter sends it: no redirect followed, REQUEST_TIMEOUT_MS at
 * most; the answer and its text. A call that gets no answer throws networkError.
 */
export async function sendToPlatform(
  platformName: string,
  what: string,
  url: string | URL,
  init: Pick<RequestInit, 'method' | 'headers' | 'body'>,
  fetchImpl: (input: string | URL, init: RequestInit) => Promise<Response> = fetch,
): Promise<{ res: Response; text: string }> {
  try {
    const res = await fetchImpl(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { res, text: await res.text() };
  } catch (err) {
    throw networkError(platformName, err, what);
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A URL a platform hands back for a post (issue 9 item 7): kept only when it is https (http only
 * on this machine, for the local platforms of the tests). Anything else (`javascript:`, `data:`,
 * plain http elsewhere) is dropped: the UI and the REST API would otherwise pass it on as a link.
 */
export function safePostUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.username || parsed.password) return null;
  if (parsed.protocol === 'https:') return parsed.href;
  return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname) ? parsed.href : null;
}

/**
 * Where a platform says when its rate limit resets, read when `Retry-After` is absent: Mastodon's
 * `X-RateLimit-Reset` (an ISO time; epoch seconds accepted too), Bluesky's `RateLimit-Reset`
 * (epoch seconds, the IETF draft header the PDS sends).
 */
export const RATE_LIMIT_RESET = {
  mastodon: { header: 'x-ratelimit-reset', isoTime: true },
  bluesky: { header: 'ratelimit-reset', isoTime: false },
} as const;
export type RateLimitReset = (typeof RATE_LIMIT_RESET)[keyof typeof RATE_LIMIT_RESET];

/**
 * How long the platform asked us to wait: `Retry-After` (seconds or an HTTP date), else the
 * platform's reset header (`reset`; null where it has none or it does not apply). Null when neither says.
 */
export function retryAfterMs(headers: Headers, reset: RateLimitReset | null, now = Date.now()): number | null {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const resetAt = reset ? headers.get(reset.header)?.trim() : undefined;
  if (resetAt) {
    const at = /^\d+(\.\d+)?$/.test(resetAt) ? Number(resetAt) * 1000 : reset?.isoTime ? Date.parse(resetAt) : NaN;
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil(at - now));
  }
  return null;
}

/** A platform's own words in an error are cut at this length (an HTML error page can be long). */
const MAX_ERROR_TEXT = 300;

/** The platform's words as an error message shows them: at most MAX_ERROR_TEXT characters. */
export const clipErrorText = (text: string): string =>
  text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;

/**
 * A platform's answer that is not a success, as the REST adapters (LinkedIn, Mastodon, Bluesky)
 * word and classify it: 429 is a rate limit and 5xx a failure on the platform's side, both retried
 * after the wait the platform asked for (a rate limit also reads the platform's `reset` header); a
 * connection the platform no longer accepts (`deadConnection`: each platform's own signs) asks
 * staff to reconnect and is not retried; the rest is a refusal, not retried.
 */
export function answerError(
  platformName: string,
  what: string,
  answer: { status: number; headers: Headers; text: string; deadConnection: boolean },
  reset: RateLimitReset | null,
): PlatformError {
  const { status, text } = answer;
  if (status === 429)
    return new PlatformError(
      `${platformName} is rate limiting requests (${text}); could not ${what}`,
      true,
      status,
      retryAfterMs(answer.headers, reset),
    );
  if (status >= 500)
    return new PlatformError(
      `${platformName} failed to ${what}: ${text} (HTTP ${status})`,
      true,
      status,
      retryAfterMs(answer.headers, null),
    );
  if (answer.deadConnection)
    return new PlatformError(
      `${platformName} no longer accepts this connection (${text}); reconnect the account to ${what}`,
      false,
      status,
      null,
      true,
    );
  return new PlatformError(`${platformName} refused to ${what}: ${text} (HTTP ${status})`, false, status);
}

/**
 * What a success answer that lacks what the platform documents leads to, by the call: a write may
 * have landed, so it is only retried (`retry`); a read is refused (`refuse`); a token renewal
 * without a token needs the account reconnected (`reconnect`).
 */
const AFTER_UNEXPECTED = {
  retry: { retryable: true, needsReauth: false },
  refuse: { retryable: false, needsReauth: false },
  reconnect: { retryable: false, needsReauth: true },
} as const;

/** A success answer without the `missing` part the platform documents (an id, a token, an upload address). */
export function unexpectedAnswer(
  platformName: string,
  what: string,
  missing: string,
  then: keyof typeof AFTER_UNEXPECTED,
): PlatformError {
  const { retryable, needsReauth } = AFTER_UNEXPECTED[then];
  return new PlatformError(
    `${platformName} gave an unexpected answer (no ${missing}) while trying to ${what}`,
    retryable,
    null,
    null,
    needsReauth,
  );
}

/**
 * `base` + `path` as a URL (the base's trailing slashes dropped first; `base` alone when there is no
 * path), refusing a base that is not an http(s) URL: an integration's typo, not worth a retry.
 * `address` is how the error names it ("the Mastodon instance address").
 */
export function platformUrl(address: string, base: string, path?: string): URL {
  let url: URL;
  try {
    url = new URL(path === undefined ? base : base.replace(/\/+$/, '') + path);
  } catch {
    throw new PlatformError(`${address} "${base}" is not a valid URL`, false);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new PlatformError(`${address} "${base}" is not an http(s) URL`, false);
  return url;
}
