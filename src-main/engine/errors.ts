import type { ErrorAction, ErrorCode, ErrorObject } from '../../src-shared/errors';

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
  return { code: 'internal', message: 'something went wrong inside Postroom; nothing was changed' };
}
