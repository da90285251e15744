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
  /**
   * The data folder's lock, held by the caller (the recovery host, which keeps it across a switch
   * to recovery): taken here when absent, and then released by `stop`.
   */
  lock?: DataFolderLock;
}

export interface StartedApp extends RunningApp {
  readonly engine: Engine;
  readonly scheduler: Scheduler;
  /**
   * The database's integrity check, which runs in the background from the open: resolves once it
   * passed (publishing, token renewal and the automatic backup start then), rejects with
   * `database_damaged` when the file is damaged (nothing was written; see recovery-app.ts).
   */
  readonly checked: Promise<void>;
}

/** Engine + loopback server: what both the Electron shell and `postroom serve` run. */
export async function startApp(options: StartAppOptions): Promise<StartedApp> {
  // One Postroom per data folder (serve, the desktop app): the second is refused here, before
  // anything is opened (issue 9 item 12).
  const ownLock = options.lock === undefined;
  const lock = options.lock ?? DataFolderLock.acquire(options.dataDir, options.instance ?? 'postroom serve');
  const releaseLock = () => ownLock && lock.release();
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
    releaseLock();
    throw err;
  }
  try {
    server = options.serve
      ? await options.serve(engine)
      : await startLoopbackServer(engine, { port: options.apiPort ?? 0, ...options.loopback });
  } catch (err) {
    engine.close();
    releaseLock();
    throw err;
  }
  engine.publicBaseUrl = server.url;
  // The daily automatic backup (issue 9 item 11): once the integrity check passed (a backup of a
  // damaged file would push a sound one out of the seven kept) when a day has passed, then looked
  // at hourly. A failure (a full disk) is logged and tried again the next hour; it never stops the app.
  const clock = options.clock ?? systemClock;
  const checked = engine.ctx.integrity.passed;
  let backingUp: Promise<unknown> = Promise.resolve();
  const autoBackup = () =>
    (backingUp = takeAutomaticBackupIfDue(engine.ctx.db, options.dataDir, clock).catch((err: unknown) =>
      console.error('[postroom] automatic backup failed:', err instanceof Error ? err.message : err),
    ));
  let backupTimer: NodeJS.Timeout | null = null;
  // What the planners could not do is logged, never the secrets an error may quote.
  const logError = (message: string, err: unknown) =>
    console.error(`[postroom] ${message}`, err instanceof Error ? redactSecrets(err.message) : '');
  const scheduler = new Scheduler({
    ctx: engine.ctx,
    ...options.scheduler,
    onProblem: (problem) => engine.emit('delivery.problem', problem),
    onChange: (workspaceId) => engine.emit('posts.changed', { workspaceId }),
    onNetwork: (online) => engine.emit('network.status', { online }),
    onKeychain: (locked) => engine.emit('keychain.status', { locked }),
    onDiskFull: (full) => engine.emit('disk.status', { full }),
    logError,
  });
  engine.onPostsChanged(() => scheduler.wake());
  // Claims nothing before the integrity check passed, and nothing at all if it fails.
  scheduler.start();
  const tokenKeeper = new TokenKeeper(engine.ctx, {
    logError,
    onNeedsReauth: (workspaceId) => engine.emit('connections.changed', { workspaceId }),
  });
  let stopped: Promise<void> | null = null;
  // Renewing a token spends it on the platform, then writes: only on a database known to be sound.
  const afterCheck = async () => {
    if (stopped) return;
    engine.subscribe((event) => event === 'connections.changed' && tokenKeeper.plan());
    tokenKeeper.start();
    await autoBackup();
    if (stopped) return;
    backupTimer = setInterval(() => void autoBackup(), 3600_000);
    backupTimer.unref();
  };
  // A database checked already (a new one) is backed up before the app is handed over, as before.
  if (engine.ctx.integrity.state === 'sound') await afterCheck();
  else void checked.then(afterCheck, () => {});
  return {
    engine,
    scheduler,
    checked,
    apiUrl: server.url,
    dispatch: (channel, request) => engine.dispatch(channel, request),
    subscribe: (listener) => engine.subscribe(listener),
    resume: () => scheduler.resume(),
    stop: () =>
      (stopped ??= (async () => {
        // In-flight publishes finish first (SPEC §10 graceful quit), then the servers close.
        if (backupTimer) clearInterval(backupTimer);
        await backingUp;
        await scheduler.stop();
        await tokenKeeper.stop();
        await server.close();
        engine.close();
        releaseLock();
      })()),
  };
}
