import type { ErrorAction, ErrorCode, ErrorObject } from '../../../src-shared/errors';
import type { PlatformError } from '../platforms/types';

/**
 * An expected failure of a domain rule. Thrown inside the engine, turned into data
 * (the SPEC §7 error object) at every boundary: contract, REST, CLI.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly action?: ErrorAction,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toObject(): ErrorObject {
    return {
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
      ...(this.action ? { action: this.action } : {}),
    };
  }
}

/**
 * Any thrown value as a SPEC §7 error. Unknown failures never leak their message, which could
 * carry a path, a query or a secret; the caller logs the original where appropriate.
 */
export function toErrorObject(err: unknown): ErrorObject {
  if (err instanceof AppError) return err.toObject();
  if (isDiskFull(err)) return DISK_FULL;
  return { code: 'internal', message: 'something went wrong inside Postroom; nothing was changed' };
}

/**
 * SQLite could not grow the database: the disk is full (ENOSPC), or the file reached its size
 * limit. Its transaction was rolled back, so nothing of the change was written (issue 9 item 10).
 */
export function isDiskFull(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_FULL';
}

export const DISK_FULL: ErrorObject = {
  code: 'disk_full',
  message:
    'The disk is full, so Postroom could not save this change; nothing of it was written. ' +
    'Free some space on the disk that holds the Postroom data folder, then try again.',
};

/**
 * A platform's classified failure as the engine answers it, for calls a person waits on (the
 * scheduler keeps PlatformError itself, to retry). The message is the adapter's own, which names
 * the platform and what failed and never carries a token:
 * - 429 → `rate_limited`; other retryable failures (5xx, unreachable) → `platform_unavailable`;
 * - a sign-in the platform no longer accepts → `conflict`, `details.reconnect`;
 * - the platform refusing the account (403) → `forbidden`; any other refusal → `conflict`.
 */
export function fromPlatformError(err: PlatformError): AppError {
  const details: Record<string, unknown> = {
    retryable: err.retryable,
    ...(err.status !== null ? { platformStatus: err.status } : {}),
    ...(err.retryAfterMs !== null ? { retryAfterMs: err.retryAfterMs } : {}),
    ...(err.needsReauth ? { reconnect: true } : {}),
  };
  if (err.status === 429) return new AppError('rate_limited', err.message, details);
  if (err.retryable) return new AppError('platform_unavailable', err.message, details);
  if (err.needsReauth) return new AppError('conflict', err.message, details);
  if (err.status === 403) return new AppError('forbidden', err.message, details);
  return new AppError('conflict', err.message, details);
}
