import type { RunningApp } from './app-types';
import type { Clock } from './engine/kernel/clock';
import { systemClock } from './engine/kernel/clock';
import { DataFolderLock } from './engine/db/data-folder';
import { takeAutomaticBackupIfDue } from './engine/db/database';
import { Engine } from './engine/engine';
import { redactSecrets } from './engine/kernel/redact';
import { Scheduler, type SchedulerOptions } from './engine/posts/scheduler';
import { TokenKeeper } from './engine/connections/token-keeper';
import { KeychainSecretStore } from './engine/secrets/keychain-store';
import type { SecretStore } from './engine/secrets/secret-store';
import { startLoopbackServer, type LoopbackOptions } from './server/loopback-server';

export interface StartAppOptions {
  dataDir: string;
  apiPort?: number;
  /**
   * Tests may pass a store; a team host without a keychain opens its encrypted file store (once
   * the data folder is locked). Otherwise the OS keychain.
   */
  secrets?: SecretStore | (() => Promise<SecretStore>);
  /**
   * Serves the engine's routes: by default this computer's loopback server; a team host serves
   * them on its public URL instead. `url` is what the engine's links point at.
   */
  serve?: (engine: Engine) => Promise<{ url: string; close(): Promise<void> }>;
  clock?: Clock;
  /** Loopback server options (tests lower the rate limit and watch every answer). */
  loopback?: Omit<LoopbackOptions, 'port'>;
  /** What this instance is, for the message another one gets when it finds the data folder taken. */
  instance?: string;
  /** Scheduler tuning (tests shorten the back-off). */
  scheduler?: Partial<Omit<SchedulerOptions, 'ctx' | 'onProblem' | 'onChange'>>;
}

export interface StartedApp extends RunningApp {
  readonly engine: Engine;
  readonly scheduler: Scheduler;
}

/** Engine + loopback server: what both the Electron shell and `postroom serve` run. */
export async function startApp(options: StartAppOptions): Promise<StartedApp> {
  // One Postroom per data folder (serve, the desktop app): the second is refused here, before
  // anything is opened (issue 9 item 12).
  const lock = DataFolderLock.acquire(options.dataDir, options.instance ?? 'postroom serve');
  let engine: Engine;
  let server;
  try {
    const secrets =
      typeof options.secrets === 'function'
        ? await options.secrets()
        : (options.secrets ?? (await KeychainSecretStore.open()));
    engine = await Engine.open({
      dataDir: options.dataDir,
      secrets,
      clock: options.clock ?? systemClock,
      logError: (message, err) =>
        console.error(
          `[postroom] ${message}:`,
          redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err)),
        ),
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  try {
    server = options.serve
      ? await options.serve(engine)
      : await startLoopbackServer(engine, { port: options.apiPort ?? 0, ...options.loopback });
  } catch (err) {
    engine.close();
    lock.release();
    throw err;
  }
  engine.publicBaseUrl = server.url;
  // The daily automatic backup (issue 9 item 11): at start when a day has passed, then looked at
  // hourly. A failure (a full disk) is logged and tried again the next hour; it never stops the app.
  const clock = options.clock ?? systemClock;
  const autoBackup = () =>
    takeAutomaticBackupIfDue(engine.ctx.db, options.dataDir, clock).catch((err: unknown) =>
      console.error('[postroom] automatic backup failed:', err instanceof Error ? err.message : err),
    );
  await autoBackup();
  const backupTimer = setInterval(() => void autoBackup(), 3600_000);
  backupTimer.unref();
  const scheduler = new Scheduler({
    ctx: engine.ctx,
    ...options.scheduler,
    onProblem: (problem) => engine.emit('delivery.problem', problem),
    onChange: (workspaceId) => engine.emit('posts.changed', { workspaceId }),
    onNetwork: (online) => engine.emit('network.status', { online }),
    onKeychain: (locked) => engine.emit('keychain.status', { locked }),
    onDiskFull: (full) => engine.emit('disk.status', { full }),
    logError: (message, err) =>
      console.error(`[postroom] ${message}`, err instanceof Error ? redactSecrets(err.message) : ''),
  });
  engine.onPostsChanged(() => scheduler.wake());
  scheduler.start();
  const tokenKeeper = new TokenKeeper(engine.ctx, {
    onNeedsReauth: (workspaceId) => engine.emit('connections.changed', { workspaceId }),
  });
  engine.subscribe((event) => event === 'connections.changed' && tokenKeeper.plan());
  tokenKeeper.start();
  let stopped: Promise<void> | null = null;
  return {
    engine,
    scheduler,
    apiUrl: server.url,
    dispatch: (channel, request) => engine.dispatch(channel, request),
    subscribe: (listener) => engine.subscribe(listener),
    resume: () => scheduler.resume(),
    stop: () =>
      (stopped ??= (async () => {
        // In-flight publishes finish first (SPEC §10 graceful quit), then the servers close.
        clearInterval(backupTimer);
        await scheduler.stop();
        await tokenKeeper.stop();
        await server.close();
        engine.close();
        lock.release();
      })()),
  };
}
