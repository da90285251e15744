import { execFile } from 'node:child_process';
import { DateTime } from 'luxon';
import { systemClock } from '../src-main/engine/kernel/clock';
import { Engine } from '../src-main/engine/engine';
import { MemorySecretStore } from '../src-main/engine/secrets/memory-store';
import type { Agency } from './lib/dataset';
import { figure, quantile, round, sample, type Figure } from './lib/figures';

/*
 * The queue and the calendar as a person opens them, through the contract (`post.list`, what the
 * renderer calls): 50 rows of one client with a state filter; every client with a state filter;
 * the 200th page (by cursor where the contract has one); one client's month.
 */

interface Page {
  groups: unknown[];
  nextCursor?: string | null;
}

export const QUEUE_FIGURES = ['queue_page_client_state', 'queue_page_all_state', 'queue_page_deep', 'calendar_month'];

type AgencyRef = Pick<Agency, 'workspaceId' | 'userIds' | 'now'>;

/**
 * Each figure runs in a process of its own with a deadline: a query plan that scans a million
 * rows per row (as the first builds did) must give a figure, not hang the run.
 */
export async function queueFigures(dataDir: string, agency: Agency, quick: boolean): Promise<Figure[]> {
  const deadlineMs = quick ? 20_000 : 120_000;
  const ref = JSON.stringify({ workspaceId: agency.workspaceId, userIds: agency.userIds, now: agency.now });
  const figures: Figure[] = [];
  for (const name of QUEUE_FIGURES) {
    const t0 = performance.now();
    try {
      const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'bench/queue.ts', name, dataDir, ref, quick ? 'quick' : 'full'],
          { cwd: process.cwd(), maxBuffer: 1024 * 1024, timeout: deadlineMs, killSignal: 'SIGKILL' },
          (err, stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve({ stdout })),
        );
      });
      const lines = stdout.trim().split('\n');
      for (const line of lines.slice(0, -1)) console.log(line);
      figures.push(JSON.parse(lines.at(-1)!) as Figure);
    } catch (err) {
      const e = err as { killed?: boolean; stderr?: string; message: string };
      if (!e.killed) throw new Error(`${name} failed: ${e.stderr || e.message}`);
      const ms = performance.now() - t0;
      console.log(`  ${name}: no answer within ${deadlineMs / 1000} s`);
      figures.push(
        figure(
          {
            name,
            value: round(ms),
            unit: 'ms',
            target: name === 'queue_page_all_state' || name === 'calendar_month' ? 5 : 2,
            target_of: 'value',
            better: 'lower',
            p99_ms: null,
            p50_ms: null,
            timed_out: true,
            what: `not even one page within ${deadlineMs / 1000} s (the process was stopped)`,
          },
          quick,
        ),
      );
    }
  }
  return figures;
}

async function runQueueFigure(name: string, dataDir: string, agency: AgencyRef, quick: boolean): Promise<Figure> {
  const engine = await Engine.open({ dataDir, secrets: new MemorySecretStore(), clock: systemClock });
  // The integrity check reads the whole file in a worker thread after the open (cold_start's
  // business): pages are timed once it is done, not beside it.
  await engine.ctx.integrity.passed;
  const list = (request: Record<string, unknown>) =>
    engine.call('post.list', { workspaceId: agency.workspaceId, ...request }) as Promise<Page>;
  const count = quick ? 100 : 1000;
  const budgetMs = quick ? 2000 : 20_000;
  const figures: Figure[] = [];
  const pageFigure = async (
    name: string,
    target: number,
    what: string,
    request: () => Record<string, unknown>,
    expectRows: number,
    read: (request: Record<string, unknown>) => Promise<Page> = list,
  ) => {
    const t0 = performance.now();
    const first = await read(request());
    // A page that takes seconds gets a few samples, not a thousand.
    const slow = performance.now() - t0 > 1000;
    // Quick mode's smaller folder may hold fewer than a page.
    if (first.groups.length < (quick ? 1 : expectRows))
      throw new Error(`${name}: expected at least ${expectRows} rows, got ${first.groups.length}`);
    const samples = await sample(() => read(request()), {
      count,
      budgetMs,
      warmup: slow ? 0 : 5,
      minCount: slow ? 1 : 5,
    });
    const p99 = quantile(samples, 0.99);
    figures.push(
      figure(
        {
          name,
          value: round(p99),
          unit: 'ms',
          target,
          target_of: 'value',
          better: 'lower',
          p99_ms: round(p99),
          p50_ms: round(quantile(samples, 0.5)),
          samples: samples.length,
          rows: first.groups.length,
          what,
        },
        quick,
      ),
    );
    console.log(`  ${name}: p50 ${round(quantile(samples, 0.5))} ms, p99 ${round(p99)} ms (${samples.length} pages)`);
  };
  try {
    const userId = agency.userIds[7]!;
    if (name === 'queue_page_client_state')
      await pageFigure(
        'queue_page_client_state',
        2,
        'one client, state scheduled, 50 rows in time order',
        () => ({ userId, query: { state: 'scheduled', perPage: 50 } }),
        50,
      );
    if (name === 'queue_page_all_state')
      await pageFigure(
        'queue_page_all_state',
        5,
        'all clients, state scheduled, 50 rows in time order',
        () => ({ query: { state: 'scheduled', perPage: 50 } }),
        50,
      );

    // The 200th page: walked to once by cursor (or asked for by number where there is no cursor yet).
    if (name === 'queue_page_deep') {
      const deepPage = quick ? 20 : 200;
      const deepQuery = { state: 'published', perPage: 50 };
      let deepRequest: Record<string, unknown> = { query: { ...deepQuery, page: deepPage } };
      let method = 'page number (OFFSET)';
      const probe = await list({ query: deepQuery });
      if (probe.nextCursor !== undefined) {
        let cursor = probe.nextCursor;
        for (let page = 2; page < deepPage && cursor; page++)
          cursor = (await list({ query: { ...deepQuery, cursor } })).nextCursor ?? null;
        if (!cursor) throw new Error('queue_page_deep: the list ended before the deep page');
        deepRequest = { query: { ...deepQuery, cursor } };
        method = 'cursor';
      }
      await pageFigure(
        'queue_page_deep',
        2,
        `all clients, state published, page ${deepPage} of 50 rows, by ${method}`,
        () => deepRequest,
        50,
      );
    }

    if (name === 'calendar_month') {
      const month = DateTime.fromJSDate(agency.now, { zone: 'Europe/Paris' }).minus({ months: 3 }).startOf('month');
      // What the calendar's month shows (post.calendar, D104): the weeks around the month, each
      // day's count and its first four posts, in the workspace's zone.
      const from = month.startOf('week');
      const to = month.plus({ months: 1 }).minus({ days: 1 }).endOf('week').plus({ days: 1 }).startOf('day');
      const calendar = async (request: Record<string, unknown>): Promise<Page> => {
        const page = (await engine.call('post.calendar', {
          workspaceId: agency.workspaceId,
          ...request,
        } as never)) as { days: { total: number; posts: unknown[] }[] };
        return { groups: page.days.flatMap((d) => d.posts) };
      };
      await pageFigure(
        'calendar_month',
        5,
        `one client's month (${month.toFormat('yyyy-LL')}) as the calendar shows it: ` +
          `${from.toISODate()} to ${to.toISODate()}, each day's count and first 4 posts (post.calendar)`,
        () => ({ userId, query: { from: from.toISODate()!, to: to.toISODate()!, zone: 'Europe/Paris', perDay: 4 } }),
        quick ? 1 : 100,
        calendar,
      );
    }
  } finally {
    engine.close();
  }
  if (figures.length !== 1) throw new Error(`unknown queue figure ${name}`);
  return figures[0]!;
}

if (process.argv[1]?.endsWith('queue.ts') && process.argv.length >= 6) {
  const [name, dataDir, ref, mode] = process.argv.slice(2) as [string, string, string, string];
  const agency = JSON.parse(ref) as AgencyRef & { now: string };
  runQueueFigure(name, dataDir, { ...agency, now: new Date(agency.now) }, mode === 'quick').then(
    (f) => process.stdout.write(JSON.stringify(f) + '\n'),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
