import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src-main/server/rate-limit';

describe('the per-key rate limiter', () => {
  it('allows `max` requests per window per bucket, then says how long to wait; a new window starts afresh', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => limiter.hit('a'))).toEqual([
      { allowed: true, limit: 3, remaining: 2, resetSeconds: 60 },
      { allowed: true, limit: 3, remaining: 1, resetSeconds: 60 },
      { allowed: true, limit: 3, remaining: 0, resetSeconds: 60 },
    ]);
    now += 15_500;
    expect(limiter.hit('a')).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 45 });
    // Another bucket (another key) is not affected.
    expect(limiter.hit('b')).toMatchObject({ allowed: true, remaining: 2 });
    now += 44_499;
    expect(limiter.hit('a')).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 1 });
    now += 1;
    expect(limiter.hit('a')).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
  });

  it('keeps at most `maxBuckets`, dropping ended windows first, then the oldest', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1000, () => now, 2);
    limiter.hit('old');
    now = 500;
    limiter.hit('busy');
    now = 1200;
    // 'old' has ended, 'busy' has not: 'new' takes the place of 'old'.
    limiter.hit('new');
    expect(limiter.hit('busy')).toMatchObject({ allowed: false });
    // Both running: the oldest ('busy') goes.
    limiter.hit('newer');
    expect(limiter.hit('busy')).toMatchObject({ allowed: true });
  });
});
