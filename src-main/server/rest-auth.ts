import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { validationError } from '../../src-shared/errors';
import type { Principal } from '../engine/access';
import type { Engine } from '../engine/engine';
import { AppError } from '../engine/errors';

/** Seed 000: `x-publora-key` carries a workspace key or a per-client key. */
export function principalFrom(engine: Engine, request: FastifyRequest): Principal {
  const header = request.headers['x-publora-key'];
  const presented = typeof header === 'string' ? header.trim() : '';
  if (!presented) throw new AppError('unauthorized', 'x-publora-key header is required');
  const principal = engine.principalForKey(presented);
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
