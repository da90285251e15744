import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { figure, round, type Figure } from './lib/figures';

/** `idle_cpu`: the CPU the started scheduler uses while nothing is due, beside the same process without it. */
export async function idleCpuFigure(dataDir: string, deliveries: number, quick: boolean): Promise<Figure> {
  const idleMs = quick ? 2000 : 10_000;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/idle-cpu-child.ts', dataDir, String(idleMs)],
    { cwd: process.cwd(), maxBuffer: 1024 * 1024 },
  );
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    baselineMs: number;
    schedulerMs: number;
    startMs: number;
    settleS: number;
  };
  console.log(
    `  idle_cpu: ${round(r.schedulerMs)} ms CPU in ${idleMs / 1000} s with the scheduler ` +
      `(${round(r.baselineMs)} ms without; its start took ${round(r.startMs)} ms; the open settled in ${r.settleS} s)`,
  );
  return figure(
    {
      name: 'idle_cpu',
      value: round(r.schedulerMs),
      unit: 'ms',
      baseline: round(r.baselineMs),
      ratio: null,
      target: quick ? 20 * (idleMs / 10_000) : 20,
      target_of: 'value',
      better: 'lower',
      cpu_ms: round(r.schedulerMs),
      idle_s: idleMs / 1000,
      future_deliveries: deliveries,
      scheduler_start_ms: round(r.startMs),
      settle_s: r.settleS,
      what:
        'CPU (user + system) of the process while the started scheduler waits; baseline: the same process, engine ' +
        'open, no scheduler, same time; both after the open has settled ' +
        "(the memory reducer's collection of its garbage, then 10 s with no major GC)",
    },
    quick,
  );
}
