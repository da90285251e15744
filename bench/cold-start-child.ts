/*
 * One cold start, in a process of its own (run by bench/cold-start.ts): the modules are loaded
 * first, then the clock starts: open the data folder (migration check, the integrity check started
 * in a worker thread), the scheduler started, until the first queue page is answered; then, apart,
 * until the integrity check passed and the scheduler's recovery scan and plan ran. Prints one line of JSON.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { systemClock } from '../src-main/engine/kernel/clock';
import { DATABASE_FILE } from '../src-main/engine/db/database';
import { Engine } from '../src-main/engine/engine';
import { Scheduler } from '../src-main/engine/posts/scheduler';
import { MemorySecretStore } from '../src-main/engine/secrets/memory-store';

async function main(): Promise<void> {
  const [dataDir, workspaceId, mode] = process.argv.slice(2) as [string, string, 'postroom' | 'baseline'];
  const t0 = performance.now();
  if (mode === 'baseline') {
    // The floor: open the same file with better-sqlite3 and read one row of the queue's table.
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.pragma('journal_mode = WAL');
    db.prepare(`SELECT * FROM post_groups LIMIT 1`).get();
    const ms = performance.now() - t0;
    db.close();
    process.stdout.write(JSON.stringify({ ms }) + '\n');
    return;
  }
  const engine = await Engine.open({ dataDir, secrets: new MemorySecretStore(), clock: systemClock });
  const scheduler = new Scheduler({ ctx: engine.ctx });
  scheduler.start();
  const page = await engine.call('post.list', { workspaceId, query: { state: 'scheduled', perPage: 50 } });
  const ms = performance.now() - t0;
  // The integrity check runs in a worker thread from the open; the scheduler recovers and plans
  // once it passed (its callback runs before this await resumes). Reported beside the figure.
  await engine.ctx.integrity.passed;
  const checkedMs = performance.now() - t0;
  await scheduler.stop();
  engine.close();
  process.stdout.write(JSON.stringify({ ms, rows: page.groups.length, checkedMs }) + '\n');
}

void main();
