import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { systemClock } from '../src-main/engine/kernel/clock';
import { Engine } from '../src-main/engine/engine';
import { mastodonAdapter } from '../src-main/engine/platforms/mastodon/adapter';
import { Scheduler } from '../src-main/engine/posts/scheduler';
import { buildAgency, type Agency } from './lib/dataset';
import { figure, quantile, round, type Figure } from './lib/figures';
import { startPlatformServer, startRedis, type Service } from './lib/services';

/*
 * `dispatch` and `lateness`: Postroom's scheduler (SQLite, leases, the real Mastodon adapter)
 * against BullMQ on a local redis-server doing the same work (the same adapter call) at the same
 * concurrency, both publishing to one local Mastodon-speaking server that answers in a few ms.
 */

export const CONCURRENCY = 8;
export const PLATFORM_DELAY_MS = 5;
export const TOKEN = 'bench-token';

const mastodonClient = (url: string) => ({ clientId: 'bench-app', clientSecret: 'bench-secret', apiBaseUrl: url });
const tokens = { accessToken: TOKEN, refreshToken: null, expiresAt: null, scope: null };

async function arrivals(platform: Service): Promise<Record<string, number>> {
  return (await (await fetch(`${platform.url}/bench/arrivals`)).json()) as Record<string, number>;
}

export async function waitForArrivals(
  platform: Service,
  count: number,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const seen = await arrivals(platform);
    if (Object.keys(seen).length >= count) return seen;
    if (Date.now() > until) throw new Error(`only ${Object.keys(seen).length} of ${count} posts arrived`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/**
 * An agency of 50 clients posting to the local Mastodon, with `deliveries` due deliveries, opened by
 * the engine in a fresh folder once its integrity check passed (not timed: the scheduler starts
 * after it); `use` runs on it, then the engine is closed and the folder removed.
 */
async function withAgency<T>(
  folder: string,
  platform: Service,
  deliveries: number,
  use: (engine: Engine, agency: Agency) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `postroom-bench-${folder}-`));
  try {
    const agency = await buildAgency({
      dataDir,
      deliveries,
      clients: 50,
      shape: 'due',
      mastodonUrl: platform.url,
      mastodonToken: TOKEN,
    });
    const engine = await Engine.open({ dataDir, secrets: agency.secrets, clock: systemClock });
    try {
      await engine.ctx.integrity.passed;
      return await use(engine, agency);
    } finally {
      engine.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Postroom's scheduler in this process publishing `deliveries` due deliveries; deliveries per second. */
export async function postroomDispatch(
  platform: Service,
  deliveries: number,
  concurrency = CONCURRENCY,
): Promise<number> {
  return withAgency('dispatch', platform, deliveries, async (engine) => {
    const scheduler = new Scheduler({ ctx: engine.ctx, concurrency });
    scheduler.recover();
    const t0 = performance.now();
    await scheduler.runDue();
    const ms = performance.now() - t0;
    await scheduler.stop();
    const published = (
      engine.ctx.db.prepare(`SELECT count(*) AS n FROM deliveries WHERE state = 'published'`).get() as { n: number }
    ).n;
    if (published !== deliveries) throw new Error(`dispatch: Postroom published ${published} of ${deliveries}`);
    return (deliveries / ms) * 1000;
  });
}

function bullmqWorker(redis: Service, queueName: string, platform: Service, onDone: () => void): Worker {
  const client = mastodonClient(platform.url);
  const worker = new Worker(
    queueName,
    async (job) => {
      const data = job.data as { text: string; idempotencyKey: string };
      return mastodonAdapter.publish(client, tokens, {
        text: data.text,
        media: [],
        idempotencyKey: data.idempotencyKey,
      });
    },
    { connection: { host: '127.0.0.1', port: redis.port }, concurrency: CONCURRENCY, autorun: false },
  );
  worker.on('completed', onDone);
  worker.on('failed', (job, err) => console.error(`  BullMQ job ${job?.id} failed: ${err.message}`));
  return worker;
}

async function bullmqDispatch(redis: Service, platform: Service, deliveries: number): Promise<number> {
  const connection = { host: '127.0.0.1', port: redis.port };
  const queue = new Queue('dispatch', { connection });
  try {
    for (let i = 0; i < deliveries; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, deliveries - i) }, (_, j) => ({
          name: 'publish',
          data: {
            text: `Post ${i + j}: news, offers and a link https://example.com/${i + j}`,
            idempotencyKey: `bullmq-dispatch-${i + j}`,
          },
        })),
      );
    }
    let done = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const worker = bullmqWorker(redis, 'dispatch', platform, () => ++done === deliveries && finish());
    const t0 = performance.now();
    void worker.run();
    await finished;
    const ms = performance.now() - t0;
    await worker.close();
    return (deliveries / ms) * 1000;
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

/** Timed deliveries, `gapMs` apart from `leadMs` on: how late each publish call reached the platform. */
async function postroomLateness(platform: Service, count: number, leadMs: number, gapMs: number): Promise<number[]> {
  return withAgency('lateness', platform, 0, async (engine, agency) => {
    const scheduler = new Scheduler({ ctx: engine.ctx, concurrency: CONCURRENCY });
    engine.onPostsChanged(() => scheduler.wake());
    scheduler.start();
    try {
      const start = Date.now() + leadMs;
      const due = new Map<string, number>();
      for (let i = 0; i < count / 2; i++) {
        const k = i % agency.userIds.length;
        const at = start + i * gapMs;
        const group = await engine.call('post.create', {
          workspaceId: agency.workspaceId,
          userId: agency.userIds[k],
          post: {
            text: `Timed post ${i}`,
            platformIds: agency.platformIds[k],
            scheduledTime: new Date(at).toISOString(),
          },
        });
        for (const d of group.deliveries) {
          const key = engine.ctx.db
            .prepare<[string], { idempotency_key: string }>(`SELECT idempotency_key FROM deliveries WHERE id = ?`)
            .get(d.id)!.idempotency_key;
          due.set(key, at);
        }
      }
      if (Date.now() > start) throw new Error('lateness: creating the posts took longer than the lead time');
      const seen = await waitForArrivals(platform, due.size, leadMs + (count / 2) * gapMs + 60_000);
      return [...due].map(([key, at]) => Math.max(0, seen[key]! - at));
    } finally {
      await scheduler.stop();
    }
  });
}

async function bullmqLateness(
  redis: Service,
  platform: Service,
  count: number,
  leadMs: number,
  gapMs: number,
): Promise<number[]> {
  const connection = { host: '127.0.0.1', port: redis.port };
  const queue = new Queue('lateness', { connection });
  const worker = bullmqWorker(redis, 'lateness', platform, () => {});
  void worker.run();
  try {
    const start = Date.now() + leadMs;
    const due = new Map<string, number>();
    for (let i = 0; i < count / 2; i++) {
      const at = start + i * gapMs;
      for (const slot of [0, 1]) {
        const key = `bullmq-lateness-${i}-${slot}`;
        due.set(key, at);
        await queue.add('publish', { text: `Timed post ${i}`, idempotencyKey: key }, { delay: at - Date.now() });
      }
    }
    const seen = await waitForArrivals(platform, due.size, leadMs + (count / 2) * gapMs + 60_000);
    return [...due].map(([key, at]) => Math.max(0, seen[key]! - at));
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

export async function dispatchFigures(quick: boolean): Promise<Figure[]> {
  const deliveries = quick ? 1000 : 10_000;
  const platform = await startPlatformServer(PLATFORM_DELAY_MS);
  let redis: Service | null = null;
  try {
    redis = await startRedis();
    // Side by side in the order BullMQ, Postroom, Postroom, BullMQ: a machine that gets busier or
    // quieter during the run weighs on both alike, and each rate is the mean of its two runs.
    const rates: Record<'bullmq' | 'postroom', number[]> = { bullmq: [], postroom: [] };
    for (const system of ['bullmq', 'postroom', 'postroom', 'bullmq'] as const) {
      rates[system].push(
        system === 'bullmq'
          ? await bullmqDispatch(redis, platform, deliveries)
          : await postroomDispatch(platform, deliveries),
      );
      await fetch(`${platform.url}/bench/reset`, { method: 'POST' });
    }
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const bullmqPerS = mean(rates.bullmq);
    const postroomPerS = mean(rates.postroom);
    console.log(
      `  dispatch: Postroom ${round(postroomPerS)}/s (${rates.postroom.map((r) => round(r)).join(', ')}), ` +
        `BullMQ ${round(bullmqPerS)}/s (${rates.bullmq.map((r) => round(r)).join(', ')}) ` +
        `(${deliveries} deliveries, concurrency ${CONCURRENCY})`,
    );

    const timed = quick ? 40 : 200;
    const leadMs = quick ? 3000 : 5000;
    const gapMs = 50;
    const postroomLate = await postroomLateness(platform, timed, leadMs, gapMs);
    await fetch(`${platform.url}/bench/reset`, { method: 'POST' });
    const bullmqLate = await bullmqLateness(redis, platform, timed, leadMs, gapMs);
    const p99 = quantile(postroomLate, 0.99);
    const bullP99 = quantile(bullmqLate, 0.99);
    console.log(
      `  lateness: Postroom p99 ${round(p99)} ms, BullMQ p99 ${round(bullP99)} ms (${timed} timed deliveries)`,
    );
    return [
      figure(
        {
          name: 'dispatch',
          value: round(postroomPerS),
          unit: 'deliveries/s',
          baseline: round(bullmqPerS),
          ratio: postroomPerS / bullmqPerS,
          target: 1.0,
          target_of: 'ratio',
          better: 'higher',
          postroom_per_s: round(postroomPerS),
          bullmq_per_s: round(bullmqPerS),
          postroom_runs_per_s: rates.postroom.map((r) => round(r)),
          bullmq_runs_per_s: rates.bullmq.map((r) => round(r)),
          deliveries,
          concurrency: CONCURRENCY,
          platform_delay_ms: PLATFORM_DELAY_MS,
          what:
            'due deliveries published to one local Mastodon-speaking server: Postroom scheduler (SQLite) vs BullMQ ' +
            'workers on redis-server (AOF everysec), same adapter call, same concurrency; each the mean of two runs, ' +
            'in the order BullMQ, Postroom, Postroom, BullMQ',
        },
        quick,
      ),
      figure(
        {
          name: 'lateness',
          value: round(p99),
          unit: 'ms',
          baseline: round(bullP99),
          ratio: null,
          target: 50,
          target_of: 'value',
          better: 'lower',
          p99_ms: round(p99),
          p50_ms: round(quantile(postroomLate, 0.5)),
          bullmq_p99_ms: round(bullP99),
          bullmq_p50_ms: round(quantile(bullmqLate, 0.5)),
          deliveries: timed,
          what:
            `how late each timed delivery (${gapMs} ms apart) reached the platform after its time; ` +
            'baseline: BullMQ delayed jobs',
        },
        quick,
      ),
    ];
  } finally {
    await redis?.stop();
    await platform.stop();
  }
}
