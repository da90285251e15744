/*
 * `npm run bench -- [--out FILE] [--quick] [--only a,b] [--no-build]`: every figure of issue 11,
 * each beside a baseline measured in the same run, as a JSON array (--out) and a table.
 *
 *   --quick     50,000 deliveries and short runs (CI): proves every benchmark works; no target is
 *               judged, so a noisy machine never fails it, but a broken benchmark does.
 *   --only      a comma-separated list of groups: queue, cold_start, write_path, idle_cpu,
 *               dispatch, ui, rest, host.
 *   --no-build  use the renderer already built in out/ (the full run builds it first).
 *
 * Everything it starts (data folders, the platform server, redis-server, Chromium, servers) is
 * stopped and removed before it exits.
 *
 * It runs from a fixed copy of the tree (bench/lib/fixed-tree.ts): the benchmarks start child
 * processes for many minutes, and each must load the code the run started with, whatever happens
 * to the checkout meanwhile (a rebase once sent a newer migration into half of a run).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FIXED_TREE_ENV, runFromFixedCopy } from './lib/fixed-tree';
import { coldStartFigure } from './cold-start';
import { dispatchFigures } from './dispatch';
import { hostFigures } from './host';
import { idleCpuFigure } from './idle-cpu';
import { buildAgency } from './lib/dataset';
import { round, table, type Figure } from './lib/figures';
import { queueFigures } from './queue';
import { restUsersFigure } from './rest-users';
import { uiQueueFigures } from './ui-queue';
import { writePathFigure } from './write-path';

const GROUPS = ['queue', 'cold_start', 'write_path', 'idle_cpu', 'dispatch', 'ui', 'rest', 'host'] as const;

async function main(): Promise<void> {
  if (!process.env[FIXED_TREE_ENV]) {
    process.exitCode = await runFromFixedCopy(process.cwd(), absoluteOut(process.argv.slice(2)));
    return;
  }
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick!;
  const only = new Set(values.only ? values.only.split(',') : GROUPS);
  for (const g of only)
    if (!(GROUPS as readonly string[]).includes(g)) throw new Error(`unknown group ${g}; one of ${GROUPS.join(', ')}`);
  const deliveries = quick ? 50_000 : 1_000_000;
  const clients = 50;
  const figures: Figure[] = [];
  const started = performance.now();
  const cpu = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}`;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const machine = `${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${load}`;
  console.log(`Postroom benchmarks${quick ? ' (quick)' : ''} on ${machine}\n`);
  const step = async <T>(title: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    console.log(`${title}…`);
    const result = await run();
    console.log(`  (${round((performance.now() - t0) / 1000)} s)`);
    return result;
  };

  const folders: string[] = [];
  const folder = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `postroom-bench-${name}-`));
    folders.push(dir);
    return dir;
  };
  const cleanUp = () => {
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      cleanUp();
      process.exit(130);
    });

  try {
    if (only.has('queue') || only.has('cold_start') || only.has('write_path')) {
      const dir = folder('history');
      const agency = await step(`building ${deliveries.toLocaleString('en')} deliveries over ${clients} clients`, () =>
        buildAgency({ dataDir: dir, deliveries, clients, shape: 'history' }),
      );
      if (only.has('queue')) figures.push(...(await step('queue pages', () => queueFigures(dir, agency, quick))));
      if (only.has('cold_start')) figures.push(await step('cold start', () => coldStartFigure(dir, agency, quick)));
      // Last on this folder: it adds post groups.
      if (only.has('write_path')) figures.push(await step('write path', () => writePathFigure(dir, agency, quick)));
      cleanUp();
    }
    if (only.has('idle_cpu')) {
      const dir = folder('future');
      await step(`building ${deliveries.toLocaleString('en')} future deliveries`, () =>
        buildAgency({ dataDir: dir, deliveries, clients, shape: 'future' }),
      );
      figures.push(await step('idle scheduler', () => idleCpuFigure(dir, deliveries, quick)));
      cleanUp();
    }
    if (only.has('dispatch')) figures.push(...(await step('dispatch vs BullMQ', () => dispatchFigures(quick))));
    if (only.has('ui'))
      figures.push(
        ...(await step('queue view in Chromium', () => uiQueueFigures(quick, !quick && !values['no-build']))),
      );
    if (only.has('rest')) figures.push(await step('REST', () => restUsersFigure(quick)));
    if (only.has('host')) figures.push(...(await step('postroom host', () => hostFigures(quick))));
  } finally {
    cleanUp();
  }

  console.log(`\n${table(figures)}\n`);
  console.log(`${machine}; ${round((performance.now() - started) / 1000)} s in all`);
  if (values.out) {
    writeFileSync(values.out, JSON.stringify(figures, null, 2) + '\n');
    console.log(`written to ${values.out}`);
  }
  const missed = figures.filter((f) => !f.met);
  if (!quick && missed.length) {
    console.log(`targets not met: ${missed.map((f) => f.name).join(', ')}`);
    process.exitCode = 1;
  }
}

/** `--out FILE` resolved against where the bench was started, not the copy it runs in. */
function absoluteOut(args: string[]): string[] {
  return args.map((arg, i) =>
    args[i - 1] === '--out' ? resolve(arg) : arg.startsWith('--out=') ? `--out=${resolve(arg.slice(6))}` : arg,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 2;
});
