import type { EventName, Result } from '../src-shared/contract';

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
