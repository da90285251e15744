import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Agency } from './lib/dataset';
import { figure, quantile, round, type Figure } from './lib/figures';

/** `cold_start`: the median of a few fresh processes, each timed from before opening the data folder. */
export async function coldStartFigure(dataDir: string, agency: Agency, quick: boolean): Promise<Figure> {
  const runs = quick ? 2 : 5;
  const deadlineMs = quick ? 20_000 : 60_000;
  let timedOut = false;
  const once = async (mode: 'postroom' | 'baseline') => {
    const t0 = performance.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/cold-start-child.ts', dataDir, agency.workspaceId, mode],
      { cwd: process.cwd(), maxBuffer: 1024 * 1024, timeout: deadlineMs, killSignal: 'SIGKILL' },
    ).catch((err: { killed?: boolean }) => {
      if (!err.killed) throw err;
      // No first page within the deadline: the figure is at least that long.
      timedOut = true;
      return { stdout: JSON.stringify({ ms: performance.now() - t0, rows: -1 }) };
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ms: number; rows?: number; checkedMs?: number };
    if (mode === 'postroom' && !result.rows) throw new Error('cold_start: the first queue page was empty');
    if (result.checkedMs !== undefined) checked.push(result.checkedMs);
    return result.ms;
  };
  const postroom: number[] = [];
  const baseline: number[] = [];
  const checked: number[] = [];
  for (let i = 0; i < runs && !timedOut; i++) {
    baseline.push(await once('baseline'));
    postroom.push(await once('postroom'));
  }
  const ms = quantile(postroom, 0.5);
  console.log(
    `  cold_start: ${postroom.map((m) => round(m)).join(', ')} ms (bare open: ${round(quantile(baseline, 0.5))} ms;` +
      ` integrity check passed and scheduler recovered at ${checked.length ? round(quantile(checked, 0.5)) : '—'} ms)`,
  );
  return figure(
    {
      name: 'cold_start',
      value: round(ms),
      unit: 'ms',
      baseline: round(quantile(baseline, 0.5)),
      ratio: null,
      target: 300,
      target_of: 'value',
      better: 'lower',
      ms: round(ms),
      runs: postroom.map((m) => round(m)),
      // Not part of the figure: the check runs in a worker thread while pages are answered.
      checked_ms: checked.length ? round(quantile(checked, 0.5)) : null,
      ...(timedOut ? { timed_out: true } : {}),
      what:
        'open the data folder, migration check, scheduler started, first queue page answered (median of fresh ' +
        'processes; baseline: the bare file opened by better-sqlite3). The integrity check (quick_check) runs in a ' +
        'worker thread from the open, and the recovery scan once it passed: checked_ms',
    },
    quick,
  );
}
