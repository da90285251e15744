import type { Platform } from '../../src-shared/contract';
import type { Timers } from '../../src-main/engine/kernel/timers';
import { defaultAdapters, type AdapterLookup } from '../../src-main/engine/platforms/registry';
import type { PlatformAdapter } from '../../src-main/engine/platforms/types';
import { Scheduler, type SchedulerOptions } from '../../src-main/engine/posts/scheduler';
import type { TestEngine } from './engine';

/** Timers that never fire: the test runs the scheduler's work itself (`runDue`) as its clock moves. */
export class NoTimers implements Timers {
  setTimeout() {
    return null;
  }
  clearTimeout() {}
}

/**
 * A scheduler on a test engine's clock that runs only when the test calls it, with one retry a
 * second later; `options` replace any of these. The caller stops it.
 */
export function manualScheduler(t: TestEngine, options: Partial<Omit<SchedulerOptions, 'ctx'>> = {}): Scheduler {
  return new Scheduler({
    ctx: t.engine.ctx,
    timers: new NoTimers(),
    monotonicNow: () => t.clock.monotonic(),
    backoffMs: [1000],
    ...options,
  });
}

type Publish = PlatformAdapter['publish'];

/**
 * The real adapters, with one platform's `publish` wrapped: `wrap` gets the real one and returns
 * what the scheduler calls instead (to see when a call goes out, or to change its answer).
 */
export function adaptersWithPublish(platform: Platform, wrap: (publish: Publish) => Publish): AdapterLookup {
  return (p) => {
    const entry = defaultAdapters(p);
    if (!entry || p !== platform) return entry;
    const { adapter } = entry;
    return { ...entry, adapter: { ...adapter, publish: wrap((...args) => adapter.publish(...args)) } };
  };
}
