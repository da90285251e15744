/** Time is injected so rules that depend on it (expiry, schedules) are testable with a fake. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
