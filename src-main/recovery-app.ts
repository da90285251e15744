import { DATABASE_FILE } from './engine/db/database';
import { DataFolderLock } from './engine/db/data-folder';
import { restoreLatestAutomaticBackup, type StampedBackup } from './engine/db/integrity';
import { systemClock } from './engine/kernel/clock';
import { AppError, toErrorObject } from './engine/kernel/errors';
import type { AppState, EventName } from '../src-shared/contract';
import type { RunningApp } from './app-types';
import { startApp, type StartAppOptions, type StartedApp } from './app';

type Listener = (event: EventName, payload: unknown) => void;

/**
 * What `serve` and the desktop app run: the app, or, when the database failed its integrity check
 * at open (issue 9 item 11), a host that says so and offers the latest automatic backup through
 * the contract (`app.getState` carries `recovery`; `app.restoreLatestBackup` restores it, keeping
 * the damaged file aside, and opens the app on it in the same process). It holds the data
 * folder's lock meanwhile, so nothing else opens the damaged file.
 */
export async function startAppOrRecovery(options: StartAppOptions): Promise<RunningApp> {
  try {
    return await startApp(options);
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'database_damaged')) throw err;
    return recoveryHost(options, err);
  }
}

function recoveryHost(options: StartAppOptions, damage: AppError): RunningApp {
  let lock: DataFolderLock | null = DataFolderLock.acquire(options.dataDir, options.instance ?? 'postroom serve');
  const details = damage.details as { problem: string; latestBackup: StampedBackup | null };
  const listeners = new Map<Listener, (() => void) | null>();
  let app: StartedApp | null = null;
  const state: AppState = {
    needsSetup: false,
    profile: null,
    profiles: [],
    workspaces: [],
    currentWorkspaceId: null,
    role: null,
    recovery: {
      problem: details.problem,
      message: damage.message,
      latestBackup: details.latestBackup ? { takenAt: details.latestBackup.takenAt } : null,
    },
  };

  async function restore(): Promise<AppState> {
    restoreLatestAutomaticBackup(options.dataDir, DATABASE_FILE, options.clock ?? systemClock);
    lock?.release();
    lock = null;
    app = await startApp(options);
    for (const listener of listeners.keys()) listeners.set(listener, app.subscribe(listener));
    return app.engine.emitState();
  }

  return {
    get apiUrl() {
      return app?.apiUrl ?? '';
    },
    async dispatch(channel, request) {
      if (app) return app.dispatch(channel, request);
      if (channel === 'app.getState') return { ok: true, data: state };
      if (channel === 'app.restoreLatestBackup') {
        try {
          return { ok: true, data: await restore() };
        } catch (err) {
          return { ok: false, error: toErrorObject(err) };
        }
      }
      return { ok: false, error: damage.toObject() };
    },
    subscribe(listener) {
      listeners.set(listener, app?.subscribe(listener) ?? null);
      return () => {
        listeners.get(listener)?.();
        listeners.delete(listener);
      };
    },
    resume: () => app?.resume(),
    async stop() {
      if (app) await app.stop();
      lock?.release();
    },
  };
}
