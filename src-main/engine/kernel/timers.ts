/** Timers, injected so tests can drive time by hand. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's own timers: what runs when a test injects none. */
export const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * A planner's one timer (the scheduler's next due delivery, the token keeper's next expiry):
 * setting it replaces the one before, so at most one is ever pending.
 */
export class SingleTimer {
  private handle: unknown = null;

  constructor(private readonly timers: Timers) {}

  /** Runs `fn` in `ms`, instead of whatever was set before. */
  set(fn: () => void, ms: number): void {
    this.clear();
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      fn();
    }, ms);
  }

  clear(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }
}
