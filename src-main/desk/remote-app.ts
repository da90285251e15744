import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { channels, isChannel, type EventName, type Result } from '../../src-shared/contract';
import { validationError, type ErrorObject } from '../../src-shared/errors';
import type { PostGroup, PostGroupPage } from '../../src-shared/posts';
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
import {
  isLocalId,
  listedBy,
  localIdsIn,
  newLocalId,
  notSentPost,
  foldUpdate,
  withHostIds,
  withNotSent,
  withPatch,
} from './offline-posts';

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
 * Posts drafted while the host cannot be reached (D122, ./offline-posts.ts) are answered here at
 * once with a desk-local id and shown in the lists marked "not sent yet"; the host's id replaces
 * the local one in every later change when the host answers the create.
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
  /** Rewritten when a post it names gets the host's id. */
  request: unknown;
  readonly idempotencyKey?: string;
  readonly done: (result: Result<unknown>) => void;
  /**
   * Nobody waits for its answer: from the outbox of an earlier run, or answered by the desk itself
   * (a post drafted offline). A refusal stays in the outbox with the host's reason.
   */
  readonly detached: boolean;
  /** A post drafted offline: its desk-local id until the host answers. */
  readonly localId?: string;
  readonly createdAt: string;
  sent: boolean;
}

/** The host's answer to a replayed key whose change it made but whose answer it did not keep (idempotency.ts). */
const alreadyApplied = (error: ErrorObject): boolean =>
  error.code === 'conflict' && (error.details as { alreadyApplied?: unknown } | undefined)?.alreadyApplied === true;

const notMade = (): ErrorObject => ({
  code: 'not_found',
  message:
    'The post this change was for was not made: the team host refused it. ' +
    'Edit that post under the changes the host refused and send it again, or discard it.',
});

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
  /** The host's ids of posts drafted here offline, by local id (kept in the outbox across restarts). */
  const hostIds = options.outbox?.hostIds() ?? new Map<string, string>();

  const emit = (event: EventName, payload: unknown) => {
    for (const listener of listeners) listener(event, payload);
  };

  /** The queued create of a post drafted offline that the host has not answered yet. */
  const createOf = (localId: string): Outgoing | undefined =>
    [...outgoing.values()].find((call) => call.localId === localId);

  /** A change that names a post the host has not made yet waits for the host's id. */
  const waitsForHostId = (call: Outgoing): boolean =>
    [...localIdsIn(call.request)].some((localId) => localId !== call.localId && createOf(localId) !== undefined);

  /** A post not sent yet as the renderer shows it: its create, with the edits queued after it. */
  function notSentView(localId: string): PostGroup | undefined {
    const create = createOf(localId);
    if (!create) return undefined;
    let group = notSentPost(localId, create.request, create.createdAt);
    for (const call of outgoing.values()) {
      const request = call.request as { id?: unknown; patch?: Record<string, unknown> };
      if (call.channel === 'post.update' && request.id === localId && request.patch)
        group = withPatch(group, request.patch, call.createdAt);
    }
    return group;
  }

  /** The posts not sent yet that a `post.list` request would list. */
  const notSentListed = (request: unknown): PostGroup[] =>
    [...outgoing.values()]
      .filter((call) => call.localId !== undefined)
      .map((call) => [call, notSentView(call.localId!)!] as const)
      .filter(([call, group]) =>
        listedBy(group, (call.request as { workspaceId?: unknown }).workspaceId as string, request),
      )
      .map(([, group]) => group);

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
    if (!open || !socket || waitsForHostId(call)) return;
    if (call.idempotencyKey) options.outbox?.markSent(call.idempotencyKey);
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
      emit(event.data.event as EventName, event.data.payload);
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
      if (call.detached && !result.ok && alreadyApplied(result.error)) madeOnHostUnanswered(call);
      else if (call.detached && !result.ok) refuse(call, result.error);
      else if (call.localId && result.ok) madeOnHost(call, (result.data as { id: string }).id);
      else options.outbox.remove(call.idempotencyKey);
    }
    call.done(result);
  }

  /** The host made a post drafted offline: its id replaces the local one everywhere, and what waited for it goes. */
  function madeOnHost(create: Outgoing, hostId: string): void {
    const localId = create.localId!;
    const mapped = new Map([[localId, hostId]]);
    const rewrite = (request: unknown) => withHostIds(request, mapped);
    options.outbox!.mapLocalId(localId, hostId, create.idempotencyKey!, rewrite);
    hostIds.set(localId, hostId);
    for (const call of outgoing.values()) call.request = rewrite(call.request);
    emit('posts.changed', { workspaceId: (create.request as { workspaceId?: unknown }).workspaceId });
    for (const call of outgoing.values()) if (!call.sent) transmit(call);
  }

  /**
   * The host made this change but died before keeping its answer (its idempotency record says
   * "already made", with no answer to replay): it is done, not refused. A post drafted offline is
   * then on the host under an id this desk never learns; a change still waiting for that id is kept
   * with the reason, for a person to make again on the host's post.
   */
  function madeOnHostUnanswered(call: Outgoing): void {
    options.outbox!.remove(call.idempotencyKey!);
    if (!call.localId) return;
    const error: ErrorObject = {
      code: 'conflict',
      message:
        'The post this change was for was made on the team host, but this desk did not learn which it is. ' +
        'Make this change on that post again.',
    };
    let refused = false;
    for (const other of [...outgoing.values()])
      if (localIdsIn(other.request).has(call.localId)) {
        outgoing.delete(other.id);
        if (other.idempotencyKey) options.outbox!.refuse(other.idempotencyKey, error);
        other.done({ ok: false, error });
        refused = true;
      }
    emit('posts.changed', { workspaceId: (call.request as { workspaceId?: unknown }).workspaceId });
    if (refused) options.onRefused?.();
  }

  /** Kept with the host's reason; a change waiting for a post the host refused to make is refused with it. */
  function refuse(call: Outgoing, error: ErrorObject): void {
    options.outbox!.refuse(call.idempotencyKey!, error);
    if (call.localId)
      for (const other of [...outgoing.values()])
        if (localIdsIn(other.request).has(call.localId)) {
          outgoing.delete(other.id);
          if (other.idempotencyKey) options.outbox!.refuse(other.idempotencyKey, notMade());
          other.done({ ok: false, error: notMade() });
        }
    if (call.localId) emit('posts.changed', { workspaceId: (call.request as { workspaceId?: unknown }).workspaceId });
    options.onRefused?.();
  }

  /**
   * What the desk answers itself (D122): a post drafted while the host is away, an edit of a post
   * not sent yet, and reading one. Undefined: the host answers (or the call waits for it).
   */
  function answeredOnDesk(channel: string, request: unknown): Result<unknown> | undefined {
    const outbox = options.outbox;
    if (!outbox) return undefined;
    const id = (request as { id?: unknown }).id;
    if (channel === 'post.create' && !open) {
      const parsed = channels['post.create'].request.safeParse(request);
      if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues) };
      const localId = newLocalId();
      const key = randomUUID();
      outbox.add({ key, channel, request, localId });
      const call = queue(channel, request, key, localId);
      emit('posts.changed', { workspaceId: (request as { workspaceId?: unknown }).workspaceId });
      return { ok: true, data: notSentView(call.localId!) };
    }
    if (!isLocalId(id)) return undefined;
    const create = createOf(id);
    if (!create)
      return { ok: false, error: { code: 'not_found', message: 'That post is not on this desk or the team host.' } };
    if (channel === 'post.get') return { ok: true, data: notSentView(id) };
    if (channel !== 'post.update') return undefined;
    const parsed = channels['post.update'].request.safeParse(request);
    if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues) };
    const patch = (request as { patch: Record<string, unknown> }).patch;
    const folded = foldUpdate(create.request, patch);
    // Never sent: the edit becomes part of the create. Sent (the host may have run it): its own change.
    if (!create.sent && outbox.rewrite(create.idempotencyKey!, folded)) create.request = folded;
    else {
      const key = randomUUID();
      outbox.add({ key, channel, request });
      transmit(queue(channel, request, key));
    }
    emit('posts.changed', { workspaceId: (request as { workspaceId?: unknown }).workspaceId });
    return { ok: true, data: notSentView(id) };
  }

  /** A change kept in the outbox whose answer nobody waits for. */
  function queue(channel: string, request: unknown, key: string, localId?: string, createdAt?: string): Outgoing {
    const call: Outgoing = {
      id: nextId++,
      channel,
      request,
      idempotencyKey: key,
      done: () => {},
      detached: true,
      ...(localId ? { localId } : {}),
      createdAt: createdAt ?? new Date().toISOString(),
      sent: false,
    };
    outgoing.set(call.id, call);
    return call;
  }

  // Changes an earlier run made and the host never answered go first, in their order.
  for (const item of options.outbox?.pending() ?? []) {
    if (!isChannel(item.channel)) continue;
    const call = queue(item.channel, item.request, item.key, item.localId, item.createdAt);
    // Sent by the earlier run: an edit can no longer fold into it.
    call.sent = item.sent;
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
      // The renderer may still hold a post's local id after the host made it.
      const asked = withHostIds(request ?? {}, hostIds);
      const local = answeredOnDesk(channel, asked);
      if (local) return Promise.resolve(local);
      if (kind === 'read' && !open) {
        const copy = options.readCopy?.lookup(channel, asked);
        if (copy)
          return Promise.resolve({
            ok: true,
            data:
              channel === 'post.list' ? withNotSent(copy.answer as PostGroupPage, notSentListed(asked)) : copy.answer,
          });
      }
      return new Promise((done) => {
        const call: Outgoing = {
          id: nextId++,
          channel,
          request: asked,
          ...(kind === 'change' ? { idempotencyKey: randomUUID() } : {}),
          done,
          detached: false,
          createdAt: new Date().toISOString(),
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
