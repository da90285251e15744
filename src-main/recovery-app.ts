import { DATABASE_FILE } from './engine/db/database';
import { DataFolderLock } from './engine/db/data-folder';
import { restoreLatestAutomaticBackup, type StampedBackup } from './engine/db/integrity';
import { systemClock } from './engine/kernel/clock';
import { AppError, toErrorObject } from './engine/kernel/errors';
import type { AppState, EventName, Result } from '../src-shared/contract';
import { NOBODY, type RunningApp } from './app-types';
import { startApp, type StartAppOptions, type StartedApp } from './app';

type Listener = (event: EventName, payload: unknown) => void;

const isDamage = (err: unknown): err is AppError => err instanceof AppError && err.code === 'database_damaged';

/**
 * What `serve` and the desktop app run: the app, or, when the database is damaged (issue 9 item
 * 11), a host that says so and offers the latest automatic backup through the contract
 * (`app.getState` carries `recovery`; `app.restoreLatestBackup` restores it, keeping the damaged
 * file aside, and opens the app on it in the same process).
 *
 * The integrity check runs in the background from the open (docs/decisions.md D91), so the app
 * starts at once and turns into the recovery host when the check finds damage: it stops (nothing
 * was published or written meanwhile), and every renderer is sent the new state with `recovery`
 * in it. The data folder's lock is held throughout, so nothing else opens the damaged file in between.
 */
export async function startAppOrRecovery(options: StartAppOptions): Promise<RunningApp> {
  const lock = DataFolderLock.acquire(options.dataDir, options.instance ?? 'postroom serve');
  const host = new AppOrRecovery(options, lock);
  try {
    await host.open();
  } catch (err) {
    lock.release();
    throw err;
  }
  return host;
}

class AppOrRecovery implements RunningApp {
  private app: StartedApp | null = null;
  private recovery: { damage: AppError; state: AppState } | null = null;
  private readonly listeners = new Map<Listener, (() => void) | null>();
  /** The app stopping because its database turned out damaged: calls wait for the recovery host. */
  private switching: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly options: StartAppOptions,
    private readonly lock: DataFolderLock,
  ) {}

  /** Starts the app (or the recovery host, when the database is too damaged to open at all). */
  async open(): Promise<void> {
    let app: StartedApp;
    try {
      app = await startApp({ ...this.options, lock: this.lock });
    } catch (err) {
      if (!isDamage(err)) throw err;
      this.becomeRecovery(err);
      return;
    }
    this.app = app;
    this.recovery = null;
    for (const listener of this.listeners.keys()) this.listeners.set(listener, app.subscribe(listener));
    app.checked.catch((damage: unknown) => {
      if (isDamage(damage) && !this.stopping && this.app === app) this.switching = this.toRecovery(app, damage);
    });
  }

  /** The check found damage: the app stops (it wrote and published nothing) and the recovery host takes over. */
  private async toRecovery(app: StartedApp, damage: AppError): Promise<void> {
    for (const unsubscribe of this.listeners.values()) unsubscribe?.();
    await app.stop();
    this.app = null;
    this.becomeRecovery(damage);
    this.switching = null;
    for (const listener of this.listeners.keys()) listener('state.changed', this.recovery!.state);
  }

  private becomeRecovery(damage: AppError): void {
    const details = damage.details as { problem: string; latestBackup: StampedBackup | null };
    this.recovery = {
      damage,
      state: {
        ...NOBODY,
        recovery: {
          problem: details.problem,
          message: damage.message,
          latestBackup: details.latestBackup ? { takenAt: details.latestBackup.takenAt } : null,
        },
      },
    };
  }

  private async restore(): Promise<AppState> {
    restoreLatestAutomaticBackup(this.options.dataDir, DATABASE_FILE, this.options.clock ?? systemClock);
    await this.open();
    if (this.app) return this.app.engine.emitState();
    return this.recovery!.state;
  }

  get apiUrl(): string {
    return this.app?.apiUrl ?? '';
  }

  async dispatch(channel: unknown, request: unknown): Promise<Result<unknown>> {
    if (this.switching) await this.switching;
    if (this.app) return this.app.dispatch(channel, request);
    const { damage, state } = this.recovery!;
    if (channel === 'app.getState') return { ok: true, data: state };
    if (channel === 'app.restoreLatestBackup') {
      try {
        return { ok: true, data: await this.restore() };
      } catch (err) {
        return { ok: false, error: toErrorObject(err) };
      }
    }
    return { ok: false, error: damage.toObject() };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.set(listener, this.app?.subscribe(listener) ?? null);
    return () => {
      this.listeners.get(listener)?.();
      this.listeners.delete(listener);
    };
  }

  resume(): void {
    this.app?.resume();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.switching) await this.switching;
    if (this.app) await this.app.stop();
    this.lock.release();
  }
}
