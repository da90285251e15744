import {
  channels,
  events,
  type Channel,
  type EventName,
  type EventPayload,
  type PostroomBridge,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../../src-shared/contract';
import { ErrorObject } from '../../src-shared/errors';
import { createWsBridge, type ConnectionStatus } from './wsBridge';

/*
 * Picks the contract carrier: the preload's `window.postroom` in Electron, or the WebSocket
 * bridge in the browser host. The browser host hands the page a per-run secret in the URL
 * fragment (#token=...); it is moved to sessionStorage so that a reload still works and the
 * secret does not linger in the address bar or history.
 */

export interface Connection {
  bridge: PostroomBridge;
  status(): ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus, reconnected: boolean) => void): () => void;
}

const TOKEN_KEY = 'postroom.token';

function readToken(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromHash);
    } catch {
      /* storage disabled: keep it in memory only */
    }
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export class MissingTokenError extends Error {
  constructor() {
    super('This page needs the link printed by "postroom serve" (it carries a one-time token).');
  }
}

const contractError = (what: string): Result<never> => ({
  ok: false,
  error: { code: 'internal', message: `${what} did not match the contract` },
});

/**
 * The renderer's half of "validated on both sides" (SPEC §1): every reply and pushed event is
 * checked against the contract's schemas before the UI sees it, whichever host carried it.
 */
export function validated(bridge: PostroomBridge): PostroomBridge {
  return {
    async invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      const result: unknown = await bridge.invoke(channel, request);
      if (typeof result !== 'object' || result === null) return contractError(`the reply to ${channel}`);
      const r = result as { ok?: unknown; data?: unknown; error?: unknown };
      if (r.ok === true) {
        const parsed = channels[channel].response.safeParse(r.data);
        if (!parsed.success) {
          console.error(`reply to ${channel} failed validation`, parsed.error.issues);
          return contractError(`the reply to ${channel}`);
        }
        return { ok: true, data: parsed.data as ResponseOf<C> };
      }
      const error = ErrorObject.safeParse(r.error);
      if (!error.success) return contractError(`the error from ${channel}`);
      return { ok: false, error: error.data };
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(event, (payload) => {
        const parsed = events[event].safeParse(payload);
        if (parsed.success) listener(parsed.data as EventPayload<E>);
        else console.error(`event ${event} failed validation`, parsed.error.issues);
      });
    },
  };
}

export function connect(): Connection {
  if (window.postroom) {
    const bridge = validated(window.postroom);
    return { bridge, status: () => 'open', onStatus: () => () => {} };
  }
  const token = readToken();
  if (!token) throw new MissingTokenError();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = createWsBridge(`${scheme}://${location.host}/contract?token=${encodeURIComponent(token)}`);
  return { bridge: validated(ws), status: ws.status, onStatus: ws.onStatus };
}
