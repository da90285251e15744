import { afterEach } from 'vitest';
// Registered first, so a temp folder is removed only after what was using it has closed.
import './temp';

const closers: (() => unknown)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Closes servers, browsers, engines and schedulers after the test, the last one given first. */
export function closeAfterTest(...close: (() => unknown)[]): void {
  closers.push(...close);
}

/** The server (or anything with close) given, closed after the test. */
export function closedAfterTest<T extends { close(): unknown }>(thing: T): T {
  closeAfterTest(() => thing.close());
  return thing;
}
