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

/** What a planner runs: when work is next due, and the work. */
export interface PlannedWork {
  /** Milliseconds until work is next due (0 when it is due now); null when nothing is due at all. */
  nextDueInMs(): number | null;
  /** Does everything that is due now; returns when it has all finished. */
  runDue(): Promise<void>;
}

/**
 * A planner's loop (the scheduler's deliveries, SPEC §4; the token keeper's renewals, SPEC §5):
 * one timer to when work is next due, the work, then planning again. A kick during a run makes
 * that run go round once more instead of starting a second beside it, so due work is never done
 * twice at once. A run that fails is reported and planning goes on. A stop clears the timer and
 * waits for the run under way; nothing is planned or run after it.
 */
export class Planner {
  private readonly timer: SingleTimer;
  private running: Promise<void> | null = null;
  private rerun = false;
  private halted = false;

  constructor(
    private readonly work: PlannedWork,
    private readonly options: { timers?: Timers; onError?: (err: unknown) => void } = {},
  ) {
    this.timer = new SingleTimer(options.timers ?? nodeTimers);
  }

  /** True once stopped (or halted): nothing more is planned or run. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Sets the one timer to when work is next due; none at all when nothing is. */
  plan(): void {
    if (this.halted) return;
    this.timer.clear();
    const delay = this.work.nextDueInMs();
    if (delay !== null) this.timer.set(() => this.kick(), delay);
  }

  /** Runs due work now; during a run, that run goes round once more. */
  kick(): void {
    if (this.halted) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        await this.work.runDue();
      } while (this.rerun && !this.halted);
    })()
      .catch((err: unknown) => this.options.onError?.(err))
      .finally(() => {
        this.running = null;
        this.plan();
      });
  }

  /** Nothing more is planned or run; the run under way (if any) goes on to its end. */
  halt(): void {
    this.halted = true;
    this.timer.clear();
  }

  /** Halts, then waits for the run under way. */
  async stop(): Promise<void> {
    this.halt();
    await this.running;
  }
}
