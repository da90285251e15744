import { describe, expect, it } from 'vitest';
import { Planner, SingleTimer, type PlannedWork, type Timers } from '../../src-main/engine/kernel/timers';

/** Timers driven by hand: `fire()` runs whatever is still pending. */
function handTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (fn) => {
      pending.set(++next, fn);
      return next;
    },
    clearTimeout: (h) => pending.delete(h as number),
  };
  const fire = () => {
    for (const [handle, fn] of [...pending]) {
      pending.delete(handle);
      fn();
    }
  };
  return { timers, pending, fire };
}

describe("a planner's single timer", () => {
  it('keeps only the last one set: planning again replaces the timer before', () => {
    const { timers, pending, fire } = handTimers();
    const timer = new SingleTimer(timers);
    const ran: string[] = [];
    timer.set(() => ran.push('first'), 1000);
    timer.set(() => ran.push('second'), 500);
    expect(pending.size).toBe(1);
    fire();
    expect(ran).toEqual(['second']);
  });

  it('cleared, nothing runs; cleared after it ran, nothing is cancelled by mistake', () => {
    const { timers, pending, fire } = handTimers();
    const timer = new SingleTimer(timers);
    const ran: string[] = [];
    timer.set(() => ran.push('planned'), 1000);
    timer.clear();
    expect(pending.size).toBe(0);
    fire();
    expect(ran).toEqual([]);
    timer.set(() => ran.push('again'), 10);
    fire();
    timer.clear();
    expect(ran).toEqual(['again']);
  });
});

/** Work whose runs wait until the test lets each one end; it counts runs and how many ran at once. */
function heldWork(dueInMs: () => number | null) {
  const held: (() => void)[] = [];
  const seen = { runs: 0, atOnce: 0, most: 0, fail: false };
  const work: PlannedWork = {
    nextDueInMs: dueInMs,
    runDue: async () => {
      seen.runs++;
      seen.most = Math.max(seen.most, ++seen.atOnce);
      await new Promise<void>((end) => held.push(end));
      seen.atOnce--;
      if (seen.fail) throw new Error('the run failed');
    },
  };
  /** Ends the run under way, then lets the planner take its next step. */
  const endRun = async () => {
    held.shift()?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { work, seen, endRun };
}

describe('a planner', () => {
  it('sets no timer while nothing is due, one to when work is due, and plans again after the run', async () => {
    const { timers, pending, fire } = handTimers();
    let due: number | null = null;
    const { work, seen, endRun } = heldWork(() => due);
    const planner = new Planner(work, { timers });
    planner.plan();
    expect(pending.size).toBe(0);
    due = 1000;
    planner.plan();
    planner.plan();
    expect(pending.size).toBe(1);
    fire();
    expect(seen.runs).toBe(1);
    due = 500;
    await endRun();
    expect(pending.size).toBe(1);
  });

  it('turns kicks during a run into one more round of that run, never two runs at once', async () => {
    const { timers } = handTimers();
    const { work, seen, endRun } = heldWork(() => null);
    const planner = new Planner(work, { timers });
    planner.kick();
    planner.kick();
    planner.kick();
    expect(seen.runs).toBe(1);
    await endRun();
    expect(seen.runs).toBe(2);
    await endRun();
    expect(seen).toMatchObject({ runs: 2, most: 1, atOnce: 0 });
  });

  it('reports a run that failed and goes on planning', async () => {
    const { timers, pending } = handTimers();
    const errors: unknown[] = [];
    const { work, seen, endRun } = heldWork(() => 60_000);
    const planner = new Planner(work, { timers, onError: (err) => errors.push(err) });
    seen.fail = true;
    planner.kick();
    await endRun();
    expect(errors).toEqual([new Error('the run failed')]);
    expect(pending.size).toBe(1);
  });

  it('on stop, waits for the run under way, then plans and runs nothing more', async () => {
    const { timers, pending } = handTimers();
    const { work, seen, endRun } = heldWork(() => 0);
    const planner = new Planner(work, { timers });
    planner.kick();
    let stopped = false;
    const stopping = planner.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    await endRun();
    await stopping;
    expect(stopped).toBe(true);
    planner.kick();
    planner.plan();
    expect(pending.size).toBe(0);
    expect(seen.runs).toBe(1);
  });
});
