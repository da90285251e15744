import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/* The processes a benchmark starts and always stops: the fake platform server and redis-server. */

export interface Service {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess, after?: () => void): () => Promise<void> {
  return () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        after?.();
        return done();
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        after?.();
        done();
      });
      child.kill('SIGTERM');
    });
}

/** The fake Mastodon instance, in its own process so it never shares an event loop with what is measured. */
export function startPlatformServer(delayMs: number): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'platform-server.ts'), String(delayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const early = (code: number | null) => reject(new Error(`the platform server exited (${code})`));
    child.once('exit', early);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const port = /listening (\d+)/.exec(out)?.[1];
      if (port) {
        child.off('exit', early);
        resolve({ url: `http://127.0.0.1:${port}`, port: Number(port), stop: stopper(child) });
      }
    });
  });
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/**
 * Debian's redis-server on a free loopback port, in a temporary folder, with the append-only file
 * written every second: the same promise as Postroom's WAL with synchronous=NORMAL (a crash of the
 * process loses nothing; a power cut may lose the last moment).
 */
export async function startRedis(): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'postroom-bench-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.once('error', (err) =>
      reject(new Error(`redis-server could not start (apt-get install redis-server): ${err.message}`)),
    );
    const early = (code: number | null) => reject(new Error(`redis-server exited (${code}):\n${out}`));
    child.once('exit', early);
    const read = (chunk: string) => {
      out += chunk;
      if (/Ready to accept connections/.test(out)) {
        child.off('exit', early);
        resolve();
      }
    };
    child.stdout!.setEncoding('utf8').on('data', read);
    child.stderr!.setEncoding('utf8').on('data', read);
  });
  return { url: `redis://127.0.0.1:${port}`, port, stop: stopper(child, cleanup) };
}
