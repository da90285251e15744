import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../src-main/engine/db/database';
import { EncryptedFileSecretStore, readKeyMaterial } from '../src-main/engine/secrets/encrypted-file-store';
import { DeskSocket, deskSignIn, startHostProcess } from '../test/support/team-host-process';
import { PLATFORM_DELAY_MS, postroomDispatch, TOKEN, waitForArrivals } from './dispatch';
import { buildAgency, timedPostRequest } from './lib/dataset';
import { figure, quantile, round, type Figure } from './lib/figures';
import { startPlatformServer, type Service } from './lib/services';

/*
 * `host_dispatch` and `host_lateness` (issue 12 item 7): the real `postroom host` command (a child
 * process, on TLS with a certificate made here, its secrets sealed by a key file) as the
 * workspace's only scheduler, publishing due deliveries to one local Mastodon-speaking server.
 * Deliveries per second are counted from the first publish call the platform received to the
 * last (the host's start and integrity check are not deliveries); the baseline is the same
 * scheduler in this process at the host's own concurrency, on a data folder built the same way.
 * Lateness: with the backlog gone, a desk (signed in over HTTPS, on the contract socket) schedules
 * timed posts 50 ms apart, and the platform notes when each arrived.
 */

/** The scheduler's default pool, which `postroom host` runs with (src-main/app.ts passes none). */
const HOST_CONCURRENCY = 4;
const OWNER = { email: 'owner@bench.test', password: 'bench password' };

async function reset(platform: Service): Promise<void> {
  await fetch(`${platform.url}/bench/reset`, { method: 'POST' });
}

/** A data folder with `deliveries` due deliveries, its tokens sealed with a key file the host is given. */
async function hostFolder(platform: Service, deliveries: number, scratch: (name: string) => string) {
  const dataDir = scratch('host-data');
  const keyFile = join(scratch('host-key'), 'secrets.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const secrets = EncryptedFileSecretStore.open(dataDir, readKeyMaterial({ kind: 'file', path: keyFile }));
  const agency = await buildAgency({
    dataDir,
    deliveries,
    // Four times the clients of the in-process folder: 10,000 due deliveries over 50 clients would
    // fill each one's daily limit (100 deliveries) twice over, leaving no room for the timed posts
    // measured after them; over 200, each keeps room for half its limit.
    clients: 200,
    shape: 'due',
    mastodonUrl: platform.url,
    mastodonToken: TOKEN,
    secrets,
  });
  return { dataDir, keyFile, agency };
}

export async function hostFigures(quick: boolean): Promise<Figure[]> {
  const deliveries = quick ? 1000 : 10_000;
  const timed = quick ? 40 : 200;
  const leadMs = quick ? 3000 : 5000;
  const gapMs = 50;
  const folders: string[] = [];
  const scratch = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `postroom-bench-${name}-`));
    folders.push(dir);
    return dir;
  };
  const platform = await startPlatformServer(PLATFORM_DELAY_MS);
  try {
    const inProcessPerS = await postroomDispatch(platform, deliveries, HOST_CONCURRENCY);
    await reset(platform);

    const { dataDir, keyFile, agency } = await hostFolder(platform, deliveries, scratch);
    const host = await startHostProcess({ dataDir, keyFile, makeDir: scratch });
    try {
      const seen = await waitForArrivals(platform, deliveries, 30 * 60_000);
      const times = Object.values(seen);
      const spanMs = Math.max(...times) - Math.min(...times);
      const hostPerS = ((deliveries - 1) / Math.max(spanMs, 1)) * 1000;
      console.log(
        `  host dispatch: ${round(hostPerS)}/s through postroom host, ${round(inProcessPerS)}/s in process ` +
          `(${deliveries} deliveries, concurrency ${HOST_CONCURRENCY})`,
      );
      await reset(platform);

      // A desk schedules timed posts through the host, as a person's desk does.
      const session = await deskSignIn(host.url, host.tls.ca, OWNER);
      if (session.status !== 200) throw new Error(`host lateness: sign-in refused: ${session.text}`);
      const desk = await DeskSocket.open(host.url, host.tls.ca, session.body.sessionToken);
      const late: number[] = [];
      try {
        const start = Date.now() + leadMs;
        const due = new Map<string, number>();
        for (let i = 0; i < timed / 2; i++) {
          const at = start + i * gapMs;
          const made = await desk.change<{ deliveries: { id: string }[] }>(
            'post.create',
            timedPostRequest(agency, i, at, `Timed host post ${i}`),
          );
          if (!made.ok) throw new Error(`host lateness: post.create refused: ${JSON.stringify(made.error)}`);
          for (const d of made.data.deliveries) due.set(d.id, at);
        }
        if (Date.now() > start) throw new Error('host lateness: creating the posts took longer than the lead time');
        const arrived = await waitForArrivals(platform, due.size, leadMs + (timed / 2) * gapMs + 60_000);
        // The platform notes arrivals by the delivery's idempotency key, which the host's database keeps.
        const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
        try {
          const keyOf = db.prepare<[string], { idempotency_key: string }>(
            `SELECT idempotency_key FROM deliveries WHERE id = ?`,
          );
          for (const [id, at] of due) late.push(Math.max(0, arrived[keyOf.get(id)!.idempotency_key]! - at));
        } finally {
          db.close();
        }
      } finally {
        desk.close();
      }
      if (late.length !== timed || late.some((l) => !Number.isFinite(l)))
        throw new Error(`host lateness: ${late.length} of ${timed} timed deliveries matched an arrival`);
      const p99 = quantile(late, 0.99);
      console.log(
        `  host lateness: p99 ${round(p99)} ms, p50 ${round(quantile(late, 0.5))} ms (${timed} timed deliveries)`,
      );
      return [
        figure(
          {
            name: 'host_dispatch',
            value: round(hostPerS),
            unit: 'deliveries/s',
            baseline: round(inProcessPerS),
            ratio: hostPerS / inProcessPerS,
            target: 0.8,
            target_of: 'ratio',
            better: 'higher',
            deliveries,
            concurrency: HOST_CONCURRENCY,
            platform_delay_ms: PLATFORM_DELAY_MS,
            what:
              'due deliveries published by the real `postroom host` process (TLS, sealed secrets) to one local ' +
              'Mastodon-speaking server, first to last publish call; baseline: the same scheduler in process at the ' +
              'same concurrency',
          },
          quick,
        ),
        figure(
          {
            name: 'host_lateness',
            value: round(p99),
            unit: 'ms',
            target: 50,
            target_of: 'value',
            better: 'lower',
            p99_ms: round(p99),
            p50_ms: round(quantile(late, 0.5)),
            deliveries: timed,
            what:
              `how late each timed delivery (${gapMs} ms apart, scheduled from a desk over the contract socket) ` +
              'reached the platform from postroom host',
          },
          quick,
        ),
      ];
    } finally {
      await host.stop();
    }
  } finally {
    await platform.stop();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  }
}
