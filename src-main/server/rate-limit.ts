/**
 * Per-key rate limits (SPEC §6): at most `max` requests in a fixed window of `windowMs` per
 * bucket, the window starting at a bucket's first request (the behaviour, headers and numbers of
 * `@fastify/rate-limit`'s default store, which this replaces: that plugin ran two promises and a
 * key generator per request, a large share of the API's time). Synchronous: one Map lookup.
 *
 * Buckets are named by the caller: the API names a key's bucket by the key's SHA-256, so no key
 * sits in memory longer than a request.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends (at least 1): `X-RateLimit-Reset`, and `Retry-After` on a 429. */
  resetSeconds: number;
}

interface Bucket {
  count: number;
  windowStart: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly max: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    /** How many buckets are kept; past it, ended windows go first, then the oldest buckets. */
    private readonly maxBuckets = 5000,
  ) {}

  /** Counts a request against `bucket`. */
  hit(bucket: string): RateDecision {
    const now = this.now();
    let entry = this.buckets.get(bucket);
    if (entry === undefined) {
      if (this.buckets.size >= this.maxBuckets) this.evict(now);
      entry = { count: 0, windowStart: now };
      this.buckets.set(bucket, entry);
    } else if (entry.windowStart + this.windowMs <= now) {
      entry.count = 0;
      entry.windowStart = now;
    }
    entry.count++;
    const allowed = entry.count <= this.max;
    return {
      allowed,
      limit: this.max,
      remaining: allowed ? this.max - entry.count : 0,
      resetSeconds: Math.max(1, Math.ceil((entry.windowStart + this.windowMs - now) / 1000)),
    };
  }

  private evict(now: number): void {
    for (const [name, entry] of this.buckets) {
      if (entry.windowStart + this.windowMs <= now) this.buckets.delete(name);
    }
    // Every window still running: drop the oldest buckets (a Map iterates in insertion order).
    for (const name of this.buckets.keys()) {
      if (this.buckets.size < this.maxBuckets) break;
      this.buckets.delete(name);
    }
  }
}
