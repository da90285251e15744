import type { WebSocket } from 'ws';
import type { EventName } from '../../src-shared/contract';
import { SESSION_ENDED_CLOSE_CODE } from '../../src-shared/team-protocol';
import type { Engine } from '../engine/engine';
import { liveCaller, sessionEndReason, type DeskCaller } from '../engine/team/desk-sessions';

/**
 * The desks connected to a team host, and which pushed events each may see (issue 12 item 3;
 * /work/coord/team-protocol.md): only events of the member's workspace, and only about clients
 * within the member's scope. Host-wide states (network, keychain, disk) go to every desk; the app
 * state is computed per desk, for its own member.
 *
 * A session that ends (force logout, deactivation, the sessions limit, signing out elsewhere) is
 * told `session.ended` and its sockets are closed with 4401 at once (`sweep`), whichever machine
 * or route ended it: the engine announces ended sessions as `state.changed`.
 */

/** Events about one workspace: `{ workspaceId }` payloads. */
const WORKSPACE_EVENTS = new Set<EventName>(['clients.changed', 'connections.changed', 'posts.changed']);
/** The host's own condition, the same for everyone and about no client. */
const HOST_EVENTS = new Set<EventName>(['network.status', 'keychain.status', 'disk.status']);

export interface DeskConnection {
  caller: DeskCaller;
  readonly socket: WebSocket;
}

export class DeskHub {
  private readonly connections = new Set<DeskConnection>();
  private readonly unsubscribe: () => void;

  constructor(private readonly engine: Engine) {
    this.unsubscribe = engine.subscribe((event, payload) => this.onEvent(event, payload));
  }

  get size(): number {
    return this.connections.size;
  }

  add(connection: DeskConnection): void {
    this.connections.add(connection);
    connection.socket.on('close', () => this.connections.delete(connection));
  }

  /** Tells the desk its session ended and closes its socket with 4401. */
  end(connection: DeskConnection, reason: string): void {
    this.connections.delete(connection);
    send(connection.socket, { event: 'session.ended', payload: { reason } });
    connection.socket.close(SESSION_ENDED_CLOSE_CODE, 'session ended');
  }

  /**
   * Closes the sockets of sessions that ended, and moves the others' callers to where their
   * session now is (a workspace switch).
   */
  sweep(): void {
    for (const connection of [...this.connections]) {
      const live = liveCaller(this.engine.ctx.db, connection.caller.sessionId);
      if (live) connection.caller = live;
      else this.end(connection, sessionEndReason(this.engine.ctx.db, connection.caller.sessionId));
    }
  }

  close(): void {
    this.unsubscribe();
    for (const connection of this.connections) connection.socket.close(1001, 'the host is stopping');
    this.connections.clear();
  }

  private onEvent(event: EventName, payload: unknown): void {
    if (this.connections.size === 0) return;
    if (event === 'state.changed') {
      // Sessions may have ended (force logout, deactivation): close those first; the others get their own state.
      this.sweep();
      for (const connection of this.connections) {
        send(connection.socket, { event, payload: this.engine.stateFor(connection.caller) });
      }
      return;
    }
    if (HOST_EVENTS.has(event)) {
      for (const connection of this.connections) send(connection.socket, { event, payload });
      return;
    }
    const workspaceId = (payload as { workspaceId?: unknown }).workspaceId;
    if (WORKSPACE_EVENTS.has(event)) {
      for (const connection of this.connections)
        if (connection.caller.workspaceId === workspaceId) send(connection.socket, { event, payload });
      return;
    }
    if (event === 'delivery.problem') {
      const { postGroupId } = payload as { postGroupId: string };
      const clientId = this.engine.ctx.db
        .prepare<[string], { managed_user_id: string }>(`SELECT managed_user_id FROM post_groups WHERE id = ?`)
        .get(postGroupId)?.managed_user_id;
      for (const connection of this.connections) {
        if (connection.caller.workspaceId !== workspaceId || clientId === undefined) continue;
        if (this.engine.callerSeesClient(connection.caller, clientId)) send(connection.socket, { event, payload });
      }
    }
    // Any other event is not known to be safe for every desk: it is not pushed.
  }
}

export function send(socket: WebSocket, message: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
