import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UserId } from '../../src-shared/clients';
import { AppError } from '../engine/kernel/errors';

/*
 * Ids in a REST path. A path segment that cannot be an id names nothing: the answer is 404, as for
 * an unknown id (seed 000's routes), not a validation error.
 */

/** Ids Postroom makes are short; a platform's own id (a connection's platformId) may be longer. */
export const ID_MAX = { postroom: 64, platform: 300 } as const;

/** The path segment `name` as an id of at most `max` characters, or 404. */
export function pathId(request: FastifyRequest, name: string, max: number = ID_MAX.postroom): string {
  const parsed = z
    .string()
    .min(1)
    .max(max)
    .safeParse((request.params as Record<string, unknown>)[name]);
  if (!parsed.success) throw new AppError('not_found', `no such ${name}`);
  return parsed.data;
}

/** The client in the path (`:userId`), or 404. */
export function userIdParam(request: FastifyRequest): string {
  const parsed = UserId.safeParse((request.params as { userId?: unknown }).userId);
  if (!parsed.success) throw new AppError('not_found', 'user not found');
  return parsed.data;
}
