import { afterEach } from 'vitest';
import { startSmtpServer, type Received } from './smtp-server';

export { PASSWORD, USER, type Received } from './smtp-server';

/** Cleanups run after each test, newest first: servers started by a test close with it. */
export const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real SMTP server on 127.0.0.1 (no STARTTLS: loopback), with or without a login; closed after the test. */
export async function startSmtp(opts: { auth: boolean }): Promise<{ port: number; received: Received[] }> {
  const { port, received, close } = await startSmtpServer(opts);
  cleanups.push(close);
  return { port, received };
}
