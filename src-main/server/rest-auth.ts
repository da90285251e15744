import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { validationError } from '../../src-shared/errors';
import type { Principal } from '../engine/kernel/access';
import type { Engine } from '../engine/engine';
import { AppError } from '../engine/kernel/errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** `apiKeyDigest` of the request's `x-publora-key`, computed once (rate limit, then authentication). */
    apiKeyDigest: string | null;
  }
}

/** The request's `x-publora-key`, trimmed; empty when there is none. */
export function presentedApiKey(request: FastifyRequest): string {
  const header = request.headers['x-publora-key'];
  return typeof header === 'string' ? header.trim() : '';
}

/** Seed 000: `x-publora-key` carries a workspace key or a per-client key. */
export function principalFrom(engine: Engine, request: FastifyRequest): Principal {
  const presented = presentedApiKey(request);
  if (!presented) throw new AppError('unauthorized', 'x-publora-key header is required');
  // The rate limiter hashed the key already (`apiKeyDigest`); the engine hashes it when it did not.
  const principal = engine.principalForKey(presented, request.apiKeyDigest ?? undefined);
  if (!principal) throw new AppError('unauthorized', 'invalid API key');
  return principal;
}

/** Validates a body, query or path value with the route's schema; a failure is `validation_failed`. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const error = validationError(parsed.error.issues);
    throw new AppError(error.code, error.message, error.details);
  }
  return parsed.data;
}
