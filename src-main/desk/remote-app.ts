import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { isChannel, type EventName, type Result } from '../../src-shared/contract';
import type { ErrorObject } from '../../src-shared/errors';
import {
  channelKind,
  DESK_PATHS,
  HostAnswer,
  HostEvent,
  SESSION_ENDED_CLOSE_CODE,
  SessionEnded,
} from '../../src-shared/team-protocol';
import type { RunningApp } from '../app-types';
import type { DeskOutbox } from './outbox';
import type { DeskReadCopy } from './read-copy';

/**
 * The contract's third carrier (issue 12 item 3; /work/coord/team-protocol.md): in team mode the
 * desk's main process (the browser host's Node process here, Electron's main later) is a
 * `RunningApp` whose calls go to the team host over `wss://…/desk/v1/contract` instead of to a
 * local engine, so the renderer does not change. Every change is sent with an idempotency key
 * (a UUID made once per call); a call the host has not answered when the connection drops is sent
 * again with the **same** key after the reconnect, so the host runs it once whatever happens to
 * the connection. Calls made while the host cannot be reached wait, in order, for the reconnect,
 * except reads the desk's read copy holds: those are answered from it (what was last loaded).
 *
 * Desk-local channels (joining, signing in and out, first-run setup) are never sent: they belong
 * to the desk's own mode handling. When the host ends the session (4401: force logout,
 * deactivation, the sessions limit, a refused token) every waiting and later call is answered
 * `unauthorized` with the host's reason, at once, and nothing reconnects.
 */

export interface RemoteAppOptions {
  /** The host's public URL, `https://postroom.agency.example`. */
  hostUrl: string;
  sessionToken: string;
  /** Extra CA certificates to trust (an agency's private CA; the test CA). */
  ca?: string;
  /** Waits between reconnect attempts: doubled from `min` up to `max` (ms). */
  reconnect?: { minMs: number; maxMs: number };
  /** Told when the connection opens or drops, and when the host ends the session. */
  onStatus?: () => void;
  /** Told when the host refused a change the outbox sent again (it stays there with the reason). */
  onRefused?: () => void;
  /**
   * Where changes are kept until the host answered them (./outbox.ts): what it holds from an
   * earlier run is sent first, each with its first key.
   */
  outbox?: DeskOutbox;
  /**
   * The host's last answers to reads (./read-copy.ts): kept as they arrive, and answered at once
   * while the host cannot be reached, instead of waiting for it.
   */
  readCopy?: DeskReadCopy;
}

export interface RemoteApp extends RunningApp {
  /** Whether the host is connected now. */
  readonly connected: boolean;
  /** Why the host ended this desk's session, once it did. */
  readonly endedReason: string | null;
  /** Drops the current connection as a network failure would (tests; a laptop's network change). */
  dropConnection(): void;
}

interface Outgoing {
  readonly id: number;
  readonly channel: string;
  readonly request: unknown;
  readonly idempotencyKey?: string;
  readonly done: (result: Result<unknown>) => void;
  /** From the outbox of an earlier run: nobody waits for its answer. */
  readonly replayed: boolean;
  sent: boolean;
}

const DEFAULT_RECONNECT = { minMs: 250, maxMs: 5_000 };

export function connectRemoteApp(options: RemoteAppOptions): RemoteApp {
  const contractUrl = `${options.hostUrl.replace(/^http/, 'ws')}${DESK_PATHS.contract}`;
  const backoff = options.reconnect ?? DEFAULT_RECONNECT;
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  /** Calls not yet answered, in the order they were made: sent again (same key) after a reconnect. */
  const outgoing = new Map<number, Outgoing>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let open = false;
  let stopped = false;
  let endedReason: string | null = null;
  let wait = backoff.minMs;
  let timer: NodeJS.Timeout | null = null;

  const ended = (): ErrorObject => ({
    code: 'unauthorized',
    message: `Your session on the team host ended (${endedReason ?? 'signed out'}). Sign in again.`,
  });

  function endSession(reason: string): void {
    const first = endedReason === null;
    endedReason ??= reason;
    open = false;
    if (first) options.onStatus?.();
    for (const call of outgoing.values()) call.done({ ok: false, error: ended() });
    outgoing.clear();
    socket?.close();
  }

  function transmit(call: Outgoing): void {
    if (!open || !socket) return;
    call.sent = true;
    socket.send(
      JSON.stringify({
        id: call.id,
        channel: call.channel,
        request: call.request,
        ...(call.idempotencyKey ? { idempotencyKey: call.idempotencyKey } : {}),
      }),
    );
  }

  function scheduleReconnect(): void {
    if (stopped || endedReason !== null || timer) return;
    timer = setTimeout(() => {
      timer = null;
      connect();
    }, wait);
    wait = Math.min(wait * 2, backoff.maxMs);
  }

  function connect(): void {
    if (stopped || endedReason !== null) return;
    const ws = new WebSocket(contractUrl, {
      headers: { authorization: `Bearer ${options.sessionToken}` },
      ...(options.ca ? { ca: options.ca } : {}),
    });
    socket = ws;
    ws.on('open', () => {
      open = true;
      wait = backoff.minMs;
      // Everything not answered goes (again) in the order it was made, each with its first key.
      for (const call of outgoing.values()) transmit(call);
      options.onStatus?.();
    });
    ws.on('unexpected-response', (_request, response) => {
      if (response.statusCode === 401) endSession('the host no longer accepts this session');
      ws.terminate();
    });
    ws.on('message', (data) => onMessage(String(data)));
    ws.on('error', () => {
      // Followed by 'close': the reconnect is planned there.
    });
    ws.on('close', (code) => {
      if (socket === ws) {
        socket = null;
        const was = open;
        open = false;
        if (was && !stopped && code !== SESSION_ENDED_CLOSE_CODE) options.onStatus?.();
      }
      if (code === SESSION_ENDED_CLOSE_CODE) endSession(endedReason ?? 'the host ended this session');
      for (const call of outgoing.values()) call.sent = false;
      scheduleReconnect();
    });
  }

  function onMessage(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const event = HostEvent.safeParse(message);
    if (event.success) {
      if (event.data.event === 'session.ended') {
        const payload = SessionEnded.safeParse(event.data.payload);
        endSession(payload.success ? payload.data.reason : 'the host ended this session');
        return;
      }
      for (const listener of listeners) listener(event.data.event as EventName, event.data.payload);
      return;
    }
    const answer = HostAnswer.safeParse(message);
    if (!answer.success || answer.data.id === null) return;
    const call = outgoing.get(answer.data.id);
    if (!call) return;
    outgoing.delete(call.id);
    const result = answer.data.result as Result<unknown>;
    if (!call.idempotencyKey && result.ok) options.readCopy?.keep(call.channel, call.request, result.data);
    if (call.idempotencyKey && options.outbox) {
      // A refusal nobody waits for stays with its reason; anything else is done with.
      if (call.replayed && !result.ok) {
        options.outbox.refuse(call.idempotencyKey, result.error);
        options.onRefused?.();
      } else options.outbox.remove(call.idempotencyKey);
    }
    call.done(result);
  }

  // Changes an earlier run made and the host never answered go first, in their order.
  for (const item of options.outbox?.pending() ?? []) {
    if (!isChannel(item.channel)) continue;
    const call: Outgoing = {
      id: nextId++,
      channel: item.channel,
      request: item.request,
      idempotencyKey: item.key,
      done: () => {},
      replayed: true,
      sent: false,
    };
    outgoing.set(call.id, call);
  }

  connect();

  return {
    get connected() {
      return open;
    },
    get endedReason() {
      return endedReason;
    },
    apiUrl: options.hostUrl,
    dispatch(channel: unknown, request: unknown): Promise<Result<unknown>> {
      if (!isChannel(channel))
        return Promise.resolve({
          ok: false,
          error: { code: 'not_found', message: `unknown channel ${String(channel).slice(0, 80)}` },
        });
      const kind = channelKind(channel);
      if (kind === 'desk-local')
        return Promise.resolve({
          ok: false,
          error: {
            code: 'forbidden',
            message: `${channel} is answered on the desk itself, not by the team host.`,
          },
        });
      if (endedReason !== null) return Promise.resolve({ ok: false, error: ended() });
      if (kind === 'read' && !open) {
        const copy = options.readCopy?.lookup(channel, request ?? {});
        if (copy) return Promise.resolve({ ok: true, data: copy.answer });
      }
      return new Promise((done) => {
        const call: Outgoing = {
          id: nextId++,
          channel,
          request: request ?? {},
          ...(kind === 'change' ? { idempotencyKey: randomUUID() } : {}),
          done,
          replayed: false,
          sent: false,
        };
        if (call.idempotencyKey) options.outbox?.add({ key: call.idempotencyKey, channel, request: call.request });
        outgoing.set(call.id, call);
        transmit(call);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resume() {
      // Back from sleep: try the host now rather than after the current wait.
      if (timer) {
        clearTimeout(timer);
        timer = null;
        wait = backoff.minMs;
        connect();
      }
    },
    dropConnection() {
      socket?.terminate();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const closing = socket;
      socket = null;
      open = false;
      if (closing && closing.readyState !== closing.CLOSED)
        await new Promise<void>((done) => {
          closing.once('close', () => done());
          closing.close();
        });
    },
  };
}
