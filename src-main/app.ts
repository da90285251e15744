import type { RunningApp } from './app-types';
import type { Clock } from './engine/clock';
import { systemClock } from './engine/clock';
import { Engine } from './engine/engine';
import { KeychainSecretStore } from './engine/secrets/keychain-store';
import type { SecretStore } from './engine/secrets/secret-store';
import { startLoopbackServer } from './server/loopback-server';

export interface StartAppOptions {
  dataDir: string;
  apiPort?: number;
  /** Tests may pass a store; the app itself always opens the OS keychain. */
  secrets?: SecretStore;
  clock?: Clock;
}

export interface StartedApp extends RunningApp {
  readonly engine: Engine;
}

/** Engine + loopback server: what both the Electron shell and `postroom serve` run. */
export async function startApp(options: StartAppOptions): Promise<StartedApp> {
  const secrets = options.secrets ?? (await KeychainSecretStore.open());
  const engine = await Engine.open({
    dataDir: options.dataDir,
    secrets,
    clock: options.clock ?? systemClock,
    logError: (message, err) => console.error(`[postroom] ${message}:`, err instanceof Error ? err.stack : err),
  });
  let server;
  try {
    server = await startLoopbackServer(engine, options.apiPort ?? 0);
  } catch (err) {
    engine.close();
    throw err;
  }
  engine.publicBaseUrl = server.url;
  let stopped: Promise<void> | null = null;
  return {
    engine,
    apiUrl: server.url,
    dispatch: (channel, request) => engine.dispatch(channel, request),
    subscribe: (listener) => engine.subscribe(listener),
    stop: () =>
      (stopped ??= (async () => {
        await server.close();
        engine.close();
      })()),
  };
}
