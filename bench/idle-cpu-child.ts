/*
 * The idle scheduler, in a process of its own (run by bench/idle-cpu.ts): the engine open on a
 * data folder of future deliveries, first with no scheduler (the baseline), then with the
 * scheduler started, each idle for the same time. Prints the CPU each used, in JSON.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { systemClock } from '../src-main/engine/kernel/clock';
import { Engine } from '../src-main/engine/engine';
import { Scheduler } from '../src-main/engine/posts/scheduler';
import { MemorySecretStore } from '../src-main/engine/secrets/memory-store';

const cpuMsDuring = async (ms: number) => {
  const before = process.cpuUsage();
  await new Promise((done) => setTimeout(done, ms));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

/** Major collections seen since this process started (perf_hooks reports each one). */
let majorGcs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  }
}).observe({ entryTypes: ['gc'] });

/**
 * Waits until V8's memory reducer has collected the open's garbage: a major collection after the
 * open, then none for longer than the reducer waits before another round (8 s), 60 s at most.
 * Returns the seconds it took.
 */
const REDUCER_PAUSE_S = 10;
async function settle(): Promise<number> {
  const atOpen = majorGcs;
  let [seconds, sinceLastGc, seen] = [0, 0, majorGcs];
  while ((majorGcs === atOpen || sinceLastGc < REDUCER_PAUSE_S) && seconds < 60) {
    await new Promise((done) => setTimeout(done, 1000));
    sinceLastGc = majorGcs === seen ? sinceLastGc + 1 : 0;
    seen = majorGcs;
    seconds++;
  }
  return seconds;
}

async function main(): Promise<void> {
  const [dataDir, idleMs] = [process.argv[2]!, Number(process.argv[3])];
  const engine = await Engine.open({ dataDir, secrets: new MemorySecretStore(), clock: systemClock });
  // The integrity check (a worker thread reading the whole file after the open) is not idle work.
  await engine.ctx.integrity.passed;
  // Let the start settle before measuring anything. Opening a million-delivery file leaves garbage
  // that V8's memory reducer collects some 14 s after the open (its start delay is 8 s): 130–230 ms
  // of CPU across V8's helper threads in one second, heap 52 → 49 MB, then under 1 ms a second
  // (measured per thread in /proc/self/task and with perf_hooks' gc entries). That collection
  // would land in whichever phase is running, so both phases start after it.
  const settleS = await settle();
  const baselineMs = await cpuMsDuring(idleMs);
  const scheduler = new Scheduler({ ctx: engine.ctx });
  const t0 = performance.now();
  scheduler.start();
  const startMs = performance.now() - t0;
  const schedulerMs = await cpuMsDuring(idleMs);
  await scheduler.stop();
  engine.close();
  process.stdout.write(JSON.stringify({ baselineMs, schedulerMs, startMs, settleS }) + '\n');
}

void main();
