import { join } from 'node:path';
import type { BrowserContext } from '@playwright/test';

/*
 * Issue 10 item 5, "the UI speaks human": no screen shows a raw id (`user_…`, `pg_…`, `dlv_…`,
 * a platform id such as `x-2244994945`) or an ISO timestamp. Every page of a test's browser
 * context runs human-text.browser.js, which reports what it finds on each screen the test visits.
 */

export interface RawText {
  origin: string;
  /** The screen it was on: the open dialog's heading, else the page's h1. */
  screen: string;
  /** The raw text with some of what surrounds it. */
  text: string;
  /** "an internal id", "a platform id", "an ISO timestamp". */
  kind: string;
}

/** Watches every page of `context` from now on; returns a function giving what was found so far. */
export async function watchForRawText(context: BrowserContext): Promise<() => RawText[]> {
  const found: RawText[] = [];
  await context.exposeBinding('__postroomRawText', (_source, raw: RawText) => void found.push(raw));
  await context.addInitScript({ path: join(__dirname, 'human-text.browser.js') });
  return () => [...found];
}
