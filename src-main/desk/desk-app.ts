import { hostname } from 'node:os';
import {
  channels,
  type AppState,
  type EventName,
  type HostConnection,
  type ParsedRequestOf,
  type Result,
} from '../../src-shared/contract';
import { validationError } from '../../src-shared/errors';
import type { DeskSession } from '../../src-shared/team-protocol';
import { NOBODY, type RunningApp } from '../app-types';
import { DataFolderLock } from '../engine/db/data-folder';
import { AppError, toErrorObject } from '../engine/kernel/errors';
import { KeychainSecretStore } from '../engine/secrets/keychain-store';
import type { SecretStore } from '../engine/secrets/secret-store';
import { startAppOrRecovery } from '../recovery-app';
import { readDeskSettings, sessionAccount, writeDeskSettings, type DeskSettings } from './desk-settings';
import { checkHost, hostOrigin, joinHost, signInToHost, signOutOfHost, type HostClientOptions } from './host-client';
import { DeskOutbox } from './outbox';
import { DeskReadCopy } from './read-copy';
import { describeRefused, editedRequest } from './refused-changes';
import { connectRemoteApp, type RemoteApp, type RemoteAppOptions } from './remote-app';

/*
 * What a desk runs (`postroom serve`, the Electron main): the app on this computer, or, in team
 * mode, the contract carried to a team host (issue 12 items 2–3; SPEC §12; D105). The
 * renderer talks to this exactly as to a local engine; what differs is answered here:
 *
 * - first run offers "Join a team host" (`desk.join`, `desk.signIn`): the desk checks the address
 *   (`/desk/v1/info`), joins or signs in there, keeps the session token in the OS keychain (never
 *   SQLite, logs or the renderer), writes the host's address to its settings, stops the local
 *   engine it had opened for the first-run screen, and works against the host from then on;
 * - `app.getState` carries `host`: connected, offline (what it last loaded is shown: the last state,
 *   and the reads kept in its read copy, ./read-copy.ts) or signed out; a change of connection is
 *   pushed as `state.changed`;
 * - `session.signOut` ends the session on the host and forgets the token; so does the host ending
 *   it (force logout, deactivation, the sessions limit), and the sign-in page shows.
 */

export interface StartDeskOptions {
  dataDir: string;
  apiPort?: number;
  /** What this instance is, for the message another one gets when it finds the data folder taken. */
  instance?: string;
  /** Where the session token is kept: the OS keychain unless a test passes a store. */
  secrets?: SecretStore;
  /** Extra CA certificates to trust (tests in this process; a desk process reads NODE_EXTRA_CA_CERTS). */
  ca?: string;
  /** This computer's name on the host's list of sessions. */
  deviceName?: string;
  reconnect?: RemoteAppOptions['reconnect'];
}

type Listener = (event: EventName, payload: unknown) => void;

/** Starts a desk on its data folder: team mode when its settings say so, else this computer's app. */
export async function startDesk(options: StartDeskOptions): Promise<DeskApp> {
  const desk = new DeskApp(options);
  await desk.open();
  return desk;
}

export class DeskApp implements RunningApp {
  private local: RunningApp | null = null;
  private remote: RemoteApp | null = null;
  private lock: DataFolderLock | null = null;
  /** Changes not yet answered by the host, kept across restarts (team mode only). */
  private outbox: DeskOutbox | null = null;
  /** The host's last answers to reads, shown while it is away (team mode only). */
  private readCopy: DeskReadCopy | null = null;
  private settings: DeskSettings | null;
  private secretStore: SecretStore | null;
  private endedReason: string | null = null;
  private readonly listeners = new Set<Listener>();
  private unsubscribeInner: (() => void) | null = null;
  /** Joining or signing in: one at a time. */
  private changingMode: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: StartDeskOptions) {
    this.settings = readDeskSettings(options.dataDir);
    this.secretStore = options.secrets ?? null;
  }

  private get client(): HostClientOptions {
    return this.options.ca ? { ca: this.options.ca } : {};
  }

  private async secrets(): Promise<SecretStore> {
    return (this.secretStore ??= await KeychainSecretStore.open());
  }

  async open(): Promise<void> {
    if (!this.settings) {
      this.local = await startAppOrRecovery({
        dataDir: this.options.dataDir,
        ...(this.options.apiPort !== undefined ? { apiPort: this.options.apiPort } : {}),
        ...(this.options.instance ? { instance: this.options.instance } : {}),
      });
      this.follow(this.local);
      return;
    }
    this.lock = DataFolderLock.acquire(this.options.dataDir, this.options.instance ?? 'postroom serve');
    try {
      const token = await (await this.secrets()).get(sessionAccount(this.options.dataDir, this.settings.hostUrl));
      if (token) this.connect(this.settings.hostUrl, token);
    } catch (err) {
      this.lock.release();
      throw err;
    }
  }

  /** Whether this desk works against a team host. */
  get teamMode(): boolean {
    return this.settings !== null;
  }

  get apiUrl(): string {
    return this.local?.apiUrl ?? this.settings?.hostUrl ?? '';
  }

  private follow(inner: RunningApp): void {
    this.unsubscribeInner?.();
    this.unsubscribeInner = inner.subscribe((event, payload) => {
      if (event === 'state.changed' && this.settings) payload = this.withHost(payload as AppState);
      for (const listener of this.listeners) listener(event, payload);
    });
  }

  private emitState(state: AppState): void {
    for (const listener of this.listeners) listener('state.changed', state);
  }

  private connect(hostUrl: string, token: string): void {
    this.endedReason = null;
    this.outbox ??= DeskOutbox.open(this.options.dataDir);
    this.readCopy ??= DeskReadCopy.open(this.options.dataDir);
    const remote = connectRemoteApp({
      outbox: this.outbox,
      readCopy: this.readCopy,
      hostUrl,
      sessionToken: token,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
      ...(this.options.reconnect ? { reconnect: this.options.reconnect } : {}),
      onStatus: () => void this.connectionChanged(remote),
      onRefused: () => void this.connectionChanged(remote),
    });
    this.remote = remote;
    this.follow(remote);
  }

  /** The connection opened, dropped, or the host ended the session: every renderer is told. */
  private async connectionChanged(remote: RemoteApp): Promise<void> {
    if (this.remote !== remote) return;
    if (remote.endedReason !== null) {
      await this.forgetSession(remote.endedReason);
      this.emitState(this.hostState());
      return;
    }
    const state = await this.getState();
    if (state.ok && this.remote === remote) this.emitState(state.data as AppState);
  }

  /** Ends the desk's use of its session: the connection closes and the token leaves the keychain. */
  private async forgetSession(reason: string | null): Promise<void> {
    const remote = this.remote;
    this.remote = null;
    this.endedReason = reason;
    this.unsubscribeInner?.();
    this.unsubscribeInner = null;
    await remote?.stop();
    // What this person loaded is not for whoever signs in next on this desk.
    this.readCopy?.clear();
    if (this.settings)
      await (await this.secrets()).delete(sessionAccount(this.options.dataDir, this.settings.hostUrl)).catch(() => {});
  }

  private connection(): HostConnection {
    const status = !this.remote ? 'signed_out' : this.remote.connected ? 'connected' : 'offline';
    return {
      url: this.settings!.hostUrl,
      workspaceName: this.settings!.workspaceName,
      status,
      endedReason: status === 'signed_out' ? this.endedReason : null,
      refused: this.outbox?.refusedCount() ?? 0,
    };
  }

  private withHost(state: AppState): AppState {
    if (!this.settings) return state;
    if (this.remote?.connected && !state.recovery) {
      const { host: _host, ...last } = state;
      if (JSON.stringify(last) !== JSON.stringify(this.settings.lastState)) {
        this.settings = { ...this.settings, lastState: last };
        writeDeskSettings(this.options.dataDir, this.settings);
      }
    }
    return { ...state, host: this.connection() };
  }

  /** The state when the host cannot answer it: what it last answered (offline), or nobody (signed out). */
  private hostState(): AppState {
    const status = this.connection();
    const last = status.status === 'offline' ? this.settings?.lastState : null;
    return { ...(last ?? NOBODY), host: status };
  }

  private async getState(): Promise<Result<unknown>> {
    if (!this.remote?.connected) return { ok: true, data: this.hostState() };
    const state = await this.remote.dispatch('app.getState', {});
    return state.ok ? { ok: true, data: this.withHost(state.data as AppState) } : state;
  }

  async dispatch(channel: unknown, request: unknown): Promise<Result<unknown>> {
    if (channel === 'desk.join' || channel === 'desk.signIn') {
      const parsed = channels[channel].request.safeParse(request ?? {});
      if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues) };
      const run = this.changingMode.then(() =>
        channel === 'desk.join'
          ? this.joinTeam(parsed.data as ParsedRequestOf<'desk.join'>)
          : this.joinTeam(parsed.data as ParsedRequestOf<'desk.signIn'>),
      );
      this.changingMode = run.catch(() => {});
      try {
        return { ok: true, data: await run };
      } catch (err) {
        return { ok: false, error: toErrorObject(err) };
      }
    }
    if (this.local) return this.local.dispatch(channel, request);
    if (channel === 'app.getState') return this.getState();
    if (channel === 'desk.refusedChanges' || channel === 'desk.sendAgain' || channel === 'desk.discardRefused') {
      const parsed = channels[channel].request.safeParse(request ?? {});
      if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues) };
      try {
        return await this.refusedChanges(channel, parsed.data as ParsedRequestOf<'desk.sendAgain'>);
      } catch (err) {
        return { ok: false, error: toErrorObject(err) };
      }
    }
    if (channel === 'session.signOut') return { ok: true, data: await this.signOut() };
    if (!this.remote)
      return {
        ok: false,
        error: { code: 'unauthorized', message: 'Sign in to the team host first.', details: { signedOut: true } },
      };
    return this.remote.dispatch(channel, request);
  }

  /**
   * Joins (invitation code) or signs in (email and password) on a team host. Allowed at first run
   * and while signed out of the host; a desk with its own workspaces keeps them (D105).
   */
  private async joinTeam(input: ParsedRequestOf<'desk.join'> | ParsedRequestOf<'desk.signIn'>): Promise<AppState> {
    if (this.local) {
      const state = await this.local.dispatch('app.getState', {});
      if (!state.ok || !(state.data as AppState).needsSetup)
        throw new AppError(
          'conflict',
          'This computer already has its own workspace, so it stays on this computer. ' +
            'Join a team host from a new data folder.',
        );
    } else if (this.remote) {
      throw new AppError('conflict', 'This desk is signed in to its team host already. Sign out first.');
    }
    const origin = hostOrigin(input.hostUrl);
    const info = await checkHost(origin, this.client);
    const deviceName = (this.options.deviceName ?? hostname()).slice(0, 100) || 'Postroom desk';
    const session: DeskSession =
      'invitationCode' in input
        ? await joinHost(
            origin,
            { invitationCode: input.invitationCode, name: input.name, password: input.password, deviceName },
            this.client,
          )
        : await signInToHost(origin, { email: input.email, password: input.password, deviceName }, this.client);
    const secrets = await this.secrets();
    await secrets.set(sessionAccount(this.options.dataDir, origin), session.sessionToken);
    try {
      if (this.local) {
        // The first-run engine gives the data folder back; the desk holds it from now on.
        this.unsubscribeInner?.();
        this.unsubscribeInner = null;
        await this.local.stop();
        this.local = null;
        this.lock = DataFolderLock.acquire(this.options.dataDir, this.options.instance ?? 'postroom serve');
      }
      this.settings = {
        mode: 'team',
        hostUrl: origin,
        workspaceName: session.workspace.name || (info.workspace?.name ?? null),
        lastState: this.settings?.hostUrl === origin ? this.settings.lastState : null,
      };
      writeDeskSettings(this.options.dataDir, this.settings);
    } catch (err) {
      await signOutOfHost(origin, session.sessionToken, this.client).catch(() => {});
      await secrets.delete(sessionAccount(this.options.dataDir, origin));
      throw err;
    }
    this.connect(origin, session.sessionToken);
    // Waits for the connection: the answer is the host's own state of this person.
    const state = await this.remote!.dispatch('app.getState', {});
    const answer = state.ok ? this.withHost(state.data as AppState) : this.hostState();
    this.emitState(answer);
    return answer;
  }

  /**
   * The outbox's refused changes (D119): listed in words, discarded, or edited and sent to the host
   * as a new change (a new idempotency key: the host decided the first one). The refused one goes
   * only when the host accepted the new one, so a second refusal loses nothing either.
   */
  private async refusedChanges(
    channel: 'desk.refusedChanges' | 'desk.sendAgain' | 'desk.discardRefused',
    input: Partial<ParsedRequestOf<'desk.sendAgain'>>,
  ): Promise<Result<unknown>> {
    if (channel === 'desk.refusedChanges')
      return { ok: true, data: (this.outbox?.refused() ?? []).map(describeRefused) };
    const item = input.key ? this.outbox?.refusedItem(input.key) : undefined;
    if (!item || !this.outbox)
      throw new AppError('not_found', 'That refused change is no longer on this desk (sent again or discarded).');
    if (channel === 'desk.discardRefused') {
      this.outbox.remove(item.key);
      await this.refusedCountChanged();
      return { ok: true, data: { discarded: true } };
    }
    if (!this.remote) throw new AppError('unauthorized', 'Sign in to the team host first.', { signedOut: true });
    const sent = await this.remote.dispatch(item.channel, editedRequest(item, input.values ?? {}));
    if (!sent.ok) return sent;
    this.outbox.remove(item.key);
    await this.refusedCountChanged();
    return { ok: true, data: { sent: true } };
  }

  /** The refused count changed on the desk: every renderer gets the state again. */
  private async refusedCountChanged(): Promise<void> {
    if (this.remote) await this.connectionChanged(this.remote);
    else this.emitState(this.hostState());
  }

  /** Ends this desk's session on the host (best effort when the host is away) and forgets the token. */
  private async signOut(): Promise<AppState> {
    const remote = this.remote;
    // The host closes the socket as it ends the session: that is this sign-out, not a force logout.
    this.remote = null;
    if (remote && this.settings) {
      const token = await (await this.secrets()).get(sessionAccount(this.options.dataDir, this.settings.hostUrl));
      if (token) await signOutOfHost(this.settings.hostUrl, token, this.client).catch(() => {});
    }
    this.remote = remote;
    await this.forgetSession(null);
    const state = this.hostState();
    this.emitState(state);
    return state;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  resume(): void {
    (this.local ?? this.remote)?.resume();
  }

  async stop(): Promise<void> {
    await this.changingMode;
    this.unsubscribeInner?.();
    if (this.local) await this.local.stop();
    if (this.remote) await this.remote.stop();
    this.outbox?.close();
    this.readCopy?.close();
    this.lock?.release();
  }
}
