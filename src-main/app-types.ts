import type { AppState, EventName, Result } from '../src-shared/contract';

/**
 * The app's state with nobody signed in and no workspace: what a desk shows before its host has
 * answered, and what the recovery screen stands on (it adds `recovery`).
 */
export const NOBODY: Omit<AppState, 'host'> = {
  needsSetup: false,
  profile: null,
  profiles: [],
  workspaces: [],
  currentWorkspaceId: null,
  role: null,
};

/** The running engine as a host (Electron or browser host) sees it. */
export interface RunningApp {
  /** Validates the channel and request, runs the handler, validates the response. Never rejects. */
  dispatch(channel: unknown, request: unknown): Promise<Result<unknown>>;
  /** Pushed events for every connected renderer. */
  subscribe(listener: (event: EventName, payload: unknown) => void): () => void;
  /** Base URL of the loopback server (REST API, connection pages, OAuth callbacks). */
  readonly apiUrl: string;
  /** The machine woke from sleep: re-plan timers now. */
  resume(): void;
  /** Graceful stop: lets in-flight work finish, closes the servers and the database. */
  stop(): Promise<void>;
}
