import type { Channel, RequestOf, ResponseOf, Result } from '../../../src-shared/contract';
import type { ErrorAction, ErrorObject } from '../../../src-shared/errors';
import { connect, type Connection } from '../bridge';

/*
 * The renderer's one way to the main process: the contract bridge, opened once. Calls resolve to
 * a Result (errors are data); queries and mutations turn a failed Result into a ContractError.
 */

/** A contract error thrown out of a query or mutation. It is an ErrorObject too, so ErrorAlert shows it. */
export class ContractError extends Error implements ErrorObject {
  readonly code: ErrorObject['code'];
  readonly details?: Record<string, unknown>;
  readonly action?: ErrorAction;

  constructor(error: ErrorObject) {
    super(error.message);
    this.name = 'ContractError';
    this.code = error.code;
    if (error.details) this.details = error.details;
    if (error.action) this.action = error.action;
  }
}

let connection: Connection | null = null;

/** Opens the bridge (once); throws MissingTokenError when the browser host's page has no token. */
export function openConnection(): Connection {
  connection ??= connect();
  return connection;
}

/** One contract call; never rejects. */
export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
  if (!connection) return { ok: false, error: { code: 'internal', message: 'not connected to the app' } };
  try {
    return await connection.bridge.invoke(channel, request);
  } catch (err) {
    // The contract says calls never reject; guard anyway so the UI never crashes.
    return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
  }
}

/** One contract call that throws its error (for queries and mutations). */
export async function request<C extends Channel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> {
  const res = await call(channel, req);
  if (!res.ok) throw new ContractError(res.error);
  return res.data;
}
