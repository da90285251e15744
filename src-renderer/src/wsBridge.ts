import type {
  Channel,
  EventName,
  EventPayload,
  PostroomBridge,
  RequestOf,
  ResponseOf,
  Result,
} from '../../src-shared/contract';

/*
 * The browser host's side of the contract: the same PostroomBridge the Electron preload
 * exposes, carried over a WebSocket on 127.0.0.1.
 *
 *   client → server  {"id": n, "channel": "...", "request": {...}}
 *   server → client  {"id": n, "result": {"ok": true, "data": ...} | {"ok": false, "error": {...}}}
 *   server push      {"event": "...", "payload": ...}
 *
 * Calls never reject: when the connection drops, every call in flight resolves to an
 * `internal` error, and the socket reconnects with back-off.
 */

/** `unauthorized`: the server refused this page's token (close code 4401); retrying cannot help. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

const CLOSE_UNAUTHORIZED = 4401;

export interface WsBridge extends PostroomBridge {
  status(): ConnectionStatus;
  /** Called on every status change; `reconnected` is true when the socket opens again after a loss. */
  onStatus(listener: (status: ConnectionStatus, reconnected: boolean) => void): () => void;
  close(): void;
}

const LOST: Result<never> = { ok: false, error: { code: 'internal', message: 'connection to the app was lost' } };
const BAD_REPLY: Result<never> = {
  ok: false,
  error: { code: 'internal', message: 'the app sent a reply this window does not understand' },
};

const backoffMs = (attempt: number): number => Math.min(5000, 250 * 2 ** Math.min(attempt, 5));

type Pending = { resolve: (result: Result<unknown>) => void; message: string; sent: boolean };

export function createWsBridge(url: string): WsBridge {
  let socket: WebSocket | null = null;
  let status: ConnectionStatus = 'connecting';
  let everOpened = false;
  let attempt = 0;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(status: ConnectionStatus, reconnected: boolean) => void>();

  const setStatus = (next: ConnectionStatus, reconnected = false) => {
    if (next === status && !reconnected) return;
    status = next;
    for (const listener of statusListeners) listener(next, reconnected);
  };

  const failAll = () => {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) call.resolve(LOST);
  };

  const onMessage = (raw: unknown) => {
    if (typeof raw !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    if (typeof m.id === 'number') {
      const call = pending.get(m.id);
      if (!call) return;
      pending.delete(m.id);
      const result = m.result as Record<string, unknown> | undefined;
      if (result && result.ok === true && 'data' in result) call.resolve({ ok: true, data: result.data });
      else if (result && result.ok === false && typeof result.error === 'object' && result.error !== null)
        call.resolve(result as Result<unknown>);
      else call.resolve(BAD_REPLY);
      return;
    }
    if (typeof m.event === 'string') {
      const listeners = eventListeners.get(m.event);
      if (!listeners) return;
      for (const listener of [...listeners]) {
        try {
          listener(m.payload);
        } catch (err) {
          console.error(`listener for ${m.event} failed`, err);
        }
      }
    }
  };

  const connect = () => {
    if (closed) return;
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      attempt = 0;
      const reconnected = everOpened;
      everOpened = true;
      for (const call of pending.values()) {
        if (!call.sent) {
          ws.send(call.message);
          call.sent = true;
        }
      }
      setStatus('open', reconnected);
    });
    ws.addEventListener('message', (ev) => {
      if (socket === ws) onMessage(ev.data);
    });
    ws.addEventListener('close', (ev) => {
      if (socket !== ws) return;
      socket = null;
      failAll();
      if (closed) return;
      if (ev.code === CLOSE_UNAUTHORIZED) {
        closed = true;
        setStatus('unauthorized');
        return;
      }
      setStatus(everOpened ? 'reconnecting' : 'connecting');
      retryTimer = setTimeout(connect, backoffMs(attempt++));
    });
    // 'error' is always followed by 'close', which does the work.
  };

  connect();

  return {
    invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      return new Promise((resolve) => {
        const id = nextId++;
        const message = JSON.stringify({ id, channel, request });
        const call: Pending = { resolve: resolve as (r: Result<unknown>) => void, message, sent: false };
        pending.set(id, call);
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(message);
          call.sent = true;
        }
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = eventListeners.get(event);
      if (!set) eventListeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket?.close();
      socket = null;
      failAll();
    },
  };
}
