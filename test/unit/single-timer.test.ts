import { describe, expect, it } from 'vitest';
import { SingleTimer, type Timers } from '../../src-main/engine/kernel/timers';

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
