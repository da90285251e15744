/*
 * The idle scheduler, in a process of its own (run by bench/idle-cpu.ts): the engine open on a
 * data folder of future deliveries, first with no scheduler (the baseline), then with the
 * scheduler started, each idle for the same time. Prints the CPU each used, in JSON.
 */
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

async function main(): Promise<void> {
  const [dataDir, idleMs] = [process.argv[2]!, Number(process.argv[3])];
  const engine = await Engine.open({ dataDir, secrets: new MemorySecretStore(), clock: systemClock });
  // The integrity check (a worker thread reading the whole file after the open) is not idle work.
  await engine.ctx.integrity.passed;
  // Let the start settle (module loading, JIT, GC of the open) before measuring anything.
  await new Promise((done) => setTimeout(done, 1500));
  const baselineMs = await cpuMsDuring(idleMs);
  const scheduler = new Scheduler({ ctx: engine.ctx });
  const t0 = performance.now();
  scheduler.start();
  const startMs = performance.now() - t0;
  const schedulerMs = await cpuMsDuring(idleMs);
  await scheduler.stop();
  engine.close();
  process.stdout.write(JSON.stringify({ baselineMs, schedulerMs, startMs }) + '\n');
}

void main();
