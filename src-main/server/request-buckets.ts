import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyDigest } from '../engine/queries/api-keys';
import type { Engine } from '../engine/engine';
import { sendError, type RequestCheck } from './loopback-guard';
import { RateLimiter } from './rate-limit';
import { presentedApiKey } from './rest-auth';

/**
 * Which bucket a request is counted in (SPEC §6 rate limits; issue 9 items 2 and 3). Buckets are
 * never made from what a caller merely presents, so nobody can mint fresh buckets or push
 * someone else's out (request → bucket):
 *
 * - a client-facing page (connection link, OAuth callback, invitation, upgrade link) → its link token, OAuth `state`
 *   or invitation code
 * - a key that verifies → that key
 * - a key that does not verify → failed authentications of its source address
 * - nothing presented, sent by a browser from another site or port (`Sec-Fetch-Site`) → none: nothing shared is spent
 * - nothing presented, otherwise → the source address
 *
 * A page on another local port shares the anonymous caller's address, so before this it could
 * spend the shared bucket and shut the connection pages for everyone; it cannot name a link's
 * bucket without knowing the link.
 */
export type BucketKind = 'page' | 'key' | 'failedAuth' | 'anonymous';

/** Client-facing pages and where their bucket's name is read from. */
const PAGE_ROUTES: Record<string, (request: FastifyRequest) => unknown> = {
  '/connect/:token': (r) => (r.params as Record<string, unknown>).token,
  '/connect/:token/:platform': (r) => (r.params as Record<string, unknown>).token,
  '/connect/:token/bluesky': (r) => (r.params as Record<string, unknown>).token,
  '/connect/:token/bluesky/oauth': (r) => (r.params as Record<string, unknown>).token,
  '/oauth/callback': (r) => (r.query as Record<string, unknown>).state,
  '/invitations/:code': (r) => (r.params as Record<string, unknown>).code,
  '/upgrade/:token': (r) => (r.params as Record<string, unknown>).token,
};

/**
 * Browsers say where a request comes from;
 * `same-origin` and `none` (typed, bookmarked, opened by the OS) are first-party.
 */
const FIRST_PARTY_FETCH_SITES = new Set(['same-origin', 'none']);

export interface BucketLimits {
  /** Requests per minute of one verified key, and of one address's anonymous first-party requests. */
  perKey: number;
  /** Requests per minute to one link's (or OAuth state's, or invitation's) pages. */
  perPage: number;
  /** Failed authentications per minute from one address. */
  failedAuth: number;
}

export const DEFAULT_LIMITS: BucketLimits = { perKey: 600, perPage: 120, failedAuth: 60 };

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/** Reads `Authorization: Bearer <key>` (the install admin key's header). */
export function bearerKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** Names the request's bucket, verifying a presented key first; null when the request spends nothing shared. */
export function bucketOf(engine: Engine, request: FastifyRequest): { kind: BucketKind; name: string } | null {
  const page = PAGE_ROUTES[request.routeOptions.url ?? ''];
  const pageToken = page?.(request);
  if (typeof pageToken === 'string' && pageToken !== '') return { kind: 'page', name: digest(pageToken) };
  const key = presentedApiKey(request);
  if (key) {
    request.apiKeyDigest = apiKeyDigest(key);
    return engine.principalForKey(key, request.apiKeyDigest) !== null
      ? { kind: 'key', name: request.apiKeyDigest }
      : { kind: 'failedAuth', name: request.ip };
  }
  const bearer = bearerKey(request);
  if (bearer) {
    return engine.authenticateKey(bearer) !== null
      ? { kind: 'key', name: apiKeyDigest(bearer) }
      : { kind: 'failedAuth', name: request.ip };
  }
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && !FIRST_PARTY_FETCH_SITES.has(site)) return null;
  return { kind: 'anonymous', name: request.ip };
}

/**
 * The rate limit check run right after the Host/Origin guards. Answers carry `X-RateLimit-Limit`,
 * `-Remaining` and `-Reset`; past the limit, 429 `rate_limited` with `Retry-After`.
 */
export function rateLimitCheck(engine: Engine, limits: BucketLimits): RequestCheck {
  const limiters: Record<BucketKind, RateLimiter> = {
    key: new RateLimiter(limits.perKey),
    anonymous: new RateLimiter(limits.perKey),
    page: new RateLimiter(limits.perPage),
    failedAuth: new RateLimiter(limits.failedAuth),
  };
  return (request: FastifyRequest, reply: FastifyReply) => {
    // Unknown paths answer 404 without any work; only routes count.
    if (request.is404) return false;
    const bucket = bucketOf(engine, request);
    if (bucket === null) return false;
    const decision = limiters[bucket.kind].hit(bucket.name);
    reply
      .header('x-ratelimit-limit', decision.limit)
      .header('x-ratelimit-remaining', decision.remaining)
      .header('x-ratelimit-reset', decision.resetSeconds);
    if (decision.allowed) return false;
    reply.header('retry-after', decision.resetSeconds);
    sendError(reply, {
      code: 'rate_limited',
      message:
        bucket.kind === 'failedAuth'
          ? `too many requests with an invalid key; try again in ${decision.resetSeconds} s`
          : `too many requests; try again in ${decision.resetSeconds} s`,
      details: { limit: decision.limit, retryAfterSeconds: decision.resetSeconds },
    });
    return true;
  };
}
