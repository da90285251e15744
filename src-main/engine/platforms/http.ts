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
