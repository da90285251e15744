// The scheduler in a process of its own, for the kill test: it is killed with SIGKILL at random
// moments and started again on the same data folder. Usage: node scheduler-child.cjs <dataDir>
import { systemClock } from '../../src-main/engine/kernel/clock';
import { Engine } from '../../src-main/engine/engine';
import { Scheduler } from '../../src-main/engine/posts/scheduler';
import { KeychainSecretStore } from '../../src-main/engine/secrets/keychain-store';

async function main(dataDir: string): Promise<void> {
  const engine = await Engine.open({ dataDir, secrets: await KeychainSecretStore.open(), clock: systemClock });
  const scheduler = new Scheduler({
    ctx: engine.ctx,
    backoffMs: [50, 100, 200, 400],
    offlineRetryMs: 100,
    graceMs: 24 * 3600_000,
    concurrency: 4,
    logError: (message, err) => process.stderr.write(`${message}: ${err instanceof Error ? err.message : ''}\n`),
  });
  // The scheduler holds no timer while nothing is due (in the app the loopback server keeps the
  // process up); here this does, so the process stays until it is told to stop, like the app.
  const keepAlive = setInterval(() => {}, 3600_000);
  process.on('SIGTERM', () => {
    clearInterval(keepAlive);
    void scheduler.stop().then(() => {
      engine.close();
      process.exit(0);
    });
  });
  // The scheduler claims nothing before the integrity check (run in the background from the open)
  // passed: "ready" is when it can publish, so the kills land on publishes, not on the check.
  await engine.ctx.integrity.passed;
  scheduler.start();
  process.stdout.write('ready\n');
}

void main(process.argv[2]!);
