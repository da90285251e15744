import type { Timers } from '../../src-main/engine/kernel/timers';
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
