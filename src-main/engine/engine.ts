import { EventEmitter } from 'node:events';
import { mediaUpkeep } from './media/library';
import { randomBytes } from 'node:crypto';
import {
  channels,
  isChannel,
  type AppState,
  type Channel,
  type EventName,
  type EventPayload,
  type Platform,
  type ParsedRequestOf,
  type Profile,
  type ResponseOf,
  type Result,
} from '../../src-shared/contract';
import { validationError } from '../../src-shared/errors';
import { clientScope, type Principal, type Role } from './kernel/access';
import {
  apiKeyDigest,
  apiKeyIdOf,
  apiKeySecretAccount,
  digestBytes,
  findApiKey,
  hashMatches,
  insertApiKey,
  MAX_KEY_LENGTH,
  mintApiKey,
  verifyApiKey,
  type ApiKeyRow,
} from './queries/api-keys';
import type { Clock } from './kernel/clock';
import type { EngineContext } from './kernel/context';
import { openDatabaseCheckingInBackground, type Db } from './db/database';
import { ReadCache } from './db/read-cache';
import { AppError, toErrorObject } from './kernel/errors';
import { OAuthFlows } from './connections/connections';
import { channelTable, changesOf, type EngineHost, type Operation } from './channels';
import type { DecisionOutcome } from './approvals/approvals';
import { changeEvents, type Change } from './kernel/channels';
import { newId } from './kernel/ids';
import { recordKeyOnCommit, runOnce } from './kernel/idempotency';
import { moveDeskSession, type DeskCaller } from './team/desk-sessions';
import { createSmtpMailer } from './mail/mailer';
import { hashPassword, verifyPassword } from './kernel/passwords';
import type { SecretStore } from './secrets/secret-store';
import { checkPassword, setPassword } from './team/sign-in';
import { acceptInvitation, endSessions, openSession, sessionIsLive, type MailerFactory } from './team/team';
import {
  createWorkspace,
  revealWorkspaceApiKey,
  type CreateWorkspaceRequest,
  type CreatedWorkspace,
} from './workspaces/workspaces';
import { findClientRow } from './queries/clients';
import { listWorkspacesFor } from './queries/workspaces';

export interface EngineOptions {
  dataDir: string;
  secrets: SecretStore;
  clock: Clock;
  /** Sends mail through a workspace's SMTP settings; injected so tests can point it anywhere. */
  mailerFor?: MailerFactory;
  /** Where unexpected failures are reported; never given secrets. */
  logError?: (message: string, err: unknown) => void;
}

/**
 * The workspace engine: every domain rule over SQLite and the keychain, with no Electron and no
 * transport in it. Hosts reach it through `dispatch` (the contract); the REST server calls the
 * same domain functions with a principal made from an API key, through `perform`, so both announce
 * the changes each domain declares for the operation (see channels.ts).
 */
export class Engine implements EngineHost {
  private readonly events = new EventEmitter();
  /** Base URL of the loopback server, for links the engine hands out (invitations, connections). */
  get publicBaseUrl(): string {
    return this.ctx.links.baseUrl;
  }
  set publicBaseUrl(url: string) {
    this.ctx.links.baseUrl = url;
  }
  /** OAuth flows in progress (links and re-authentications share one callback). */
  readonly oauthFlows: OAuthFlows;
  /**
   * The redirect URI for a platform's OAuth callback; set by the loopback server, which may have
   * to listen on a provider's registered fixed port first.
   */
  callbackUriFor: (workspaceId: string, platform: Platform) => Promise<string> = async () =>
    `${this.publicBaseUrl}/oauth/callback`;

  private constructor(
    readonly ctx: EngineContext,
    readonly mailerFor: MailerFactory,
    readonly logError: (message: string, err: unknown) => void,
  ) {
    this.oauthFlows = new OAuthFlows(ctx);
  }

  /**
   * Opens the data folder's database with its integrity check running in the background
   * (`ctx.integrity`): reads are answered at once, writes wait for the check, and the scheduler
   * starts once it passed (docs/decisions.md D91).
   */
  static async open(options: EngineOptions): Promise<Engine> {
    const { db, integrity } = await openDatabaseCheckingInBackground({
      dataDir: options.dataDir,
      clock: options.clock,
    });
    try {
      const installId = ensureInstallId(db);
      // Desks' changes sent with an idempotency key are recorded in the change's own transaction.
      recordKeyOnCommit(db);
      const engine = new Engine(
        {
          db,
          secrets: options.secrets,
          clock: options.clock,
          installId,
          dataDir: options.dataDir,
          readCache: new ReadCache(db),
          links: { baseUrl: 'http://127.0.0.1', signingKey: randomBytes(32) },
          integrity,
        },
        options.mailerFor ?? ((settings, password) => createSmtpMailer(settings, password)),
        options.logError ?? (() => {}),
      );
      await engine.ensureInstallAdminKey();
      // Said at every start until it is fixed: scripts that add workspaces need the key (D112).
      if (await engine.installAdminKeyLost())
        engine.logError(
          'the install admin key is not in the keychain open now',
          `run "postroom admin-key --data-dir ${options.dataDir} --regenerate" for a new one ` +
            '(the old one stops working)',
        );
      // Media moved out of SQLite by migration 011 is probed, and files a crash left unreferenced go.
      await mediaUpkeep(engine.ctx);
      return engine;
    } catch (err) {
      db.close();
      integrity.close();
      throw err;
    }
  }

  /** The contract entry point: validates both ways, never throws, errors are data. */
  async dispatch(channel: unknown, request: unknown): Promise<Result<unknown>> {
    if (!isChannel(channel)) {
      return { ok: false, error: { code: 'not_found', message: `unknown channel ${String(channel).slice(0, 80)}` } };
    }
    return this.answerAs(this, channel, request);
  }

  /**
   * Validates a request, runs its handler for `host` and announces what it changed, as `host`:
   * the engine itself, or one desk session on a team host (whose state change is the caller's
   * state, not this install's signed-in profile's). Never throws: errors are data.
   */
  private async answerAs(host: Engine, channel: Channel, request: unknown): Promise<Result<unknown>> {
    const parsed = channels[channel].request.safeParse(request ?? {});
    if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues) };
    try {
      const data = await answer(channel, host, parsed.data);
      host.announce(channel, (parsed.data as { workspaceId?: string }).workspaceId ?? null);
      return { ok: true, data };
    } catch (err) {
      if (!(err instanceof AppError)) this.logError(`channel ${channel} failed`, err);
      return { ok: false, error: toErrorObject(err) };
    }
  }

  // ---- calls from desks (team host) ----------------------------------------------------------

  /**
   * The contract for one desk session on a team host (issue 12 items 2 and 3): the same handlers,
   * run for a per-call host whose signed-in person is the session's member instead of this
   * install's `current_session`, so a host serves many members at once while a single desk goes on
   * exactly as before. The session may act in its own workspace only (`workspace.select` moves it).
   * A change with an idempotency key runs at most once for the member (kernel/idempotency.ts).
   */
  async dispatchAs(
    caller: DeskCaller,
    channel: unknown,
    request: unknown,
    idempotencyKey: string | null = null,
  ): Promise<Result<unknown>> {
    if (!isChannel(channel)) return this.dispatch(channel, request);
    const run = () => this.answerAs(this.hostFor(caller), channel, request);
    if (idempotencyKey === null) return run();
    return runOnce(this.ctx, { memberId: caller.memberId, key: idempotencyKey, channel, request }, run);
  }

  /**
   * This engine as one desk session sees it: the same engine (prototype), but the signed-in
   * person, their principal and the app state are the session's.
   */
  private hostFor(initial: DeskCaller): Engine {
    let caller = initial;
    const host = Object.create(this) as Engine;
    const overrides: Partial<Engine> = {
      requireProfile: () => this.profileOf(caller.profileId),
      memberPrincipal: (workspaceId: string) => {
        if (workspaceId !== caller.workspaceId) throw new AppError('not_found', 'workspace not found', { workspaceId });
        return this.principalOfMember(caller.memberId, caller.profileId, workspaceId);
      },
      state: () => this.stateFor(caller),
      emitState: () => {
        const state = this.stateFor(caller);
        this.emit('state.changed', state);
        return state;
      },
      selectWorkspace: async (workspaceId: string) => {
        caller = moveDeskSession(this.ctx, caller, workspaceId);
        return host.emitState();
      },
    };
    return Object.assign(host, overrides);
  }

  /** The app state of one desk session: its own person and workspaces; never the other profiles. */
  stateFor(caller: DeskCaller): AppState {
    const profile = this.profileOf(caller.profileId);
    const row = this.ctx.db
      .prepare<[string], { role: Role; password_hash: string | null }>(
        `SELECT m.role, p.password_hash FROM members m JOIN profiles p ON p.id = m.profile_id WHERE m.id = ?`,
      )
      .get(caller.memberId);
    return {
      needsSetup: false,
      profile,
      profiles: [{ ...profile, hasPassword: row?.password_hash != null }],
      workspaces: listWorkspacesFor(this.ctx.db, caller.profileId),
      currentWorkspaceId: caller.workspaceId,
      role: row?.role ?? null,
    };
  }

  /** Whether a desk session's member may see a client (their role's scope): for pushed events. */
  callerSeesClient(caller: DeskCaller, managedUserId: string): boolean {
    const scope = clientScope(this.principalOfMember(caller.memberId, caller.profileId, caller.workspaceId));
    return scope === 'all' || scope.includes(managedUserId);
  }

  private profileOf(profileId: string): Profile {
    const row = this.ctx.db
      .prepare<[string], Profile>(`SELECT id, name, email FROM profiles WHERE id = ?`)
      .get(profileId);
    if (!row) throw new AppError('unauthorized', 'this account no longer exists');
    return { id: row.id, name: row.name, email: row.email };
  }

  /** Typed call for in-process users (CLI, tests): throws AppError on failure. */
  async call<C extends Channel>(channel: C, request: unknown): Promise<ResponseOf<C>> {
    const result = await this.dispatch(channel, request);
    if (!result.ok)
      throw new AppError(result.error.code, result.error.message, result.error.details, result.error.action);
    return result.data as ResponseOf<C>;
  }

  subscribe(listener: (event: EventName, payload: unknown) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.events.emit('event', event, payload);
  }

  emitState(): AppState {
    const state = this.state();
    this.emit('state.changed', state);
    return state;
  }

  /**
   * Runs a contract operation's work done outside `dispatch` (a REST route calling the domain
   * function with an API key's principal) and, once it succeeded, announces the changes the
   * operation's domain declares, exactly as `dispatch` does for the channel.
   */
  async perform<T>(operation: Operation, workspaceId: string | null, work: () => T | Promise<T>): Promise<T> {
    const result = await work();
    this.announce(operation, workspaceId);
    return result;
  }

  /** Announces what a successful operation changed, as its domain declares (`changesOf`). */
  announce(operation: Operation, workspaceId: string | null): void {
    this.announceChanges(changesOf(operation), workspaceId);
  }

  private announceChanges(changes: readonly Change[], workspaceId: string | null): void {
    const announced = new Set<string>();
    for (const change of changes) {
      const event = changeEvents[change];
      if (announced.has(event)) continue;
      announced.add(event);
      if (change === 'posts') for (const watcher of this.postWatchers) watcher();
      if (change === 'sessions') this.forgetEndedSession();
      if (event === 'state.changed') this.emitState();
      else if (workspaceId !== null) this.emit(event, { workspaceId });
    }
  }

  /** A decision on a post in review: people are told (a toast, a desktop notification). */
  approvalDecided(outcome: DecisionOutcome, byClient: boolean): void {
    this.emit('approval.decided', {
      workspaceId: outcome.workspaceId,
      postGroupId: outcome.postGroupId,
      decision: outcome.decision,
      final: outcome.final,
      by: outcome.by,
      byClient,
    });
  }

  private readonly postWatchers = new Set<() => void>();

  /** The scheduler (or anything else) wants to hear when posts change, to look again at once. */
  onPostsChanged(watcher: () => void): () => void {
    this.postWatchers.add(watcher);
    return () => this.postWatchers.delete(watcher);
  }

  close(): void {
    this.ctx.readCache.close();
    this.ctx.db.close();
    // After the database: while the check has not passed, its guard keeps the close from
    // checkpointing the WAL into a file that may be damaged.
    this.ctx.integrity.close();
  }

  // ---- sessions and state -------------------------------------------------------------------

  /** The live app session's member and profile, or null when nobody is signed in. */
  private currentSession(): { sessionId: string; memberId: string; profile: Profile; workspaceId: string } | null {
    const sessionId = this.getSetting('current_session');
    const live = sessionId ? sessionIsLive(this.ctx.db, sessionId) : null;
    if (!sessionId || !live) return null;
    const row = this.ctx.db
      .prepare<[string], { workspace_id: string; id: string; name: string; email: string }>(
        `SELECT m.workspace_id, p.id, p.name, p.email FROM members m JOIN profiles p ON p.id = m.profile_id
         WHERE m.id = ?`,
      )
      .get(live.memberId);
    if (!row) return null;
    return {
      sessionId,
      memberId: live.memberId,
      profile: { id: row.id, name: row.name, email: row.email },
      workspaceId: row.workspace_id,
    };
  }

  requireProfile(): Profile {
    const session = this.currentSession();
    if (!session) throw new AppError('unauthorized', 'nobody is signed in; choose your profile first');
    return session.profile;
  }

  state(): AppState {
    const profiles = this.ctx.db
      .prepare<[], { id: string; name: string; email: string; password_hash: string | null }>(
        `SELECT p.id, p.name, p.email, p.password_hash FROM profiles p
         WHERE EXISTS (SELECT 1 FROM members m WHERE m.profile_id = p.id AND m.status = 'active')
         ORDER BY p.created_at, p.rowid`,
      )
      .all()
      .map((p) => ({ id: p.id, name: p.name, email: p.email, hasPassword: p.password_hash !== null }));
    const needsSetup = (this.ctx.db.prepare(`SELECT count(*) AS n FROM profiles`).get() as { n: number }).n === 0;
    const session = this.currentSession();
    if (!session) return { needsSetup, profile: null, profiles, workspaces: [], currentWorkspaceId: null, role: null };
    const workspaces = listWorkspacesFor(this.ctx.db, session.profile.id);
    const role =
      this.ctx.db.prepare<[string], { role: Role }>(`SELECT role FROM members WHERE id = ?`).get(session.memberId)
        ?.role ?? null;
    return {
      needsSetup,
      profile: session.profile,
      profiles,
      workspaces,
      currentWorkspaceId: session.workspaceId,
      role,
    };
  }

  /**
   * Signs a profile in to a workspace (their last one unless given): checks the password (or sets
   * it, for a profile that has none yet) as team/sign-in.ts rules, and opens a session, evicting
   * the oldest past the sessions limit.
   */
  async signIn(profileId: string, password: string | undefined, workspaceId?: string): Promise<AppState> {
    const profile = this.ctx.db
      .prepare<[string], { id: string; password_hash: string | null }>(
        `SELECT id, password_hash FROM profiles WHERE id = ?`,
      )
      .get(profileId);
    if (!profile) throw new AppError('not_found', 'profile not found');
    await checkPassword(this.ctx.db, profile, password, this.ctx.clock.now());
    const target = workspaceId ?? this.getSetting(`last_workspace:${profileId}`);
    const members = this.ctx.db
      .prepare<[string], { id: string; workspace_id: string; status: string }>(
        `SELECT id, workspace_id, status FROM members WHERE profile_id = ? ORDER BY created_at, rowid`,
      )
      .all(profileId);
    const active = members.filter((m) => m.status === 'active');
    const member = active.find((m) => m.workspace_id === target) ?? (workspaceId ? undefined : active[0]);
    if (!member) {
      throw new AppError(
        members.length > 0 && active.length === 0 ? 'forbidden' : 'not_found',
        members.length > 0 && active.length === 0
          ? 'this member is deactivated and cannot sign in'
          : 'workspace not found',
      );
    }
    const previous = this.currentSession();
    const now = this.ctx.clock.now();
    const sessionId = openSession(this.ctx.db, member.id, now);
    if (previous && previous.sessionId !== sessionId) {
      this.ctx.db
        .prepare(`UPDATE sessions SET ended_at = ?, end_reason = 'switched' WHERE id = ?`)
        .run(now.toISOString(), previous.sessionId);
    }
    this.setSetting('current_session', sessionId);
    this.setSetting(`last_workspace:${profileId}`, member.workspace_id);
    return this.state();
  }

  signOut(): AppState {
    const session = this.currentSession();
    if (session) {
      this.ctx.db
        .prepare(`UPDATE sessions SET ended_at = ?, end_reason = 'signed out' WHERE id = ?`)
        .run(this.ctx.clock.now().toISOString(), session.sessionId);
    }
    this.ctx.db.prepare(`DELETE FROM settings WHERE key = 'current_session'`).run();
    return this.state();
  }

  /** Switching workspace moves the signed-in person to their membership there. */
  async selectWorkspace(workspaceId: string): Promise<AppState> {
    // The password was checked when they signed in; a switch never asks again.
    return this.switchWithoutPassword(this.requireProfile().id, workspaceId);
  }

  private switchWithoutPassword(profileId: string, workspaceId: string): AppState {
    const member = this.ctx.db
      .prepare<[string, string], { id: string }>(
        `SELECT id FROM members WHERE profile_id = ? AND workspace_id = ? AND status = 'active'`,
      )
      .get(profileId, workspaceId);
    if (!member) throw new AppError('not_found', 'workspace not found', { workspaceId });
    const previous = this.currentSession();
    const now = this.ctx.clock.now();
    const sessionId = openSession(this.ctx.db, member.id, now);
    if (previous)
      this.ctx.db
        .prepare(`UPDATE sessions SET ended_at = ?, end_reason = 'switched' WHERE id = ?`)
        .run(now.toISOString(), previous.sessionId);
    this.setSetting('current_session', sessionId);
    this.setSetting(`last_workspace:${profileId}`, workspaceId);
    return this.state();
  }

  /** First run: the owner's profile and the first workspace, then signed in. */
  async setup(input: ParsedRequestOf<'app.setup'>): Promise<AppState> {
    const { workspace } = await this.createOwnerWithWorkspace(input);
    const profileId = this.ctx.db
      .prepare<[string], { profile_id: string }>(`SELECT profile_id FROM members WHERE workspace_id = ?`)
      .get(workspace.id)!.profile_id;
    // The password was just chosen: no need to check it again.
    return this.switchWithoutPassword(profileId, workspace.id);
  }

  /**
   * Shared by the first-run screen and `postroom init`; an owner made by init without a password
   * chooses one at their first sign-in (team/sign-in.ts).
   */
  async createOwnerWithWorkspace(
    input: Omit<ParsedRequestOf<'app.setup'>, 'password'> & { password?: string },
  ): Promise<CreatedWorkspace> {
    if (!this.state().needsSetup) throw new AppError('conflict', 'this data folder is already set up');
    const profileId = newId('prof');
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    this.ctx.db
      .prepare(`INSERT INTO profiles (id, name, email, created_at, password_hash) VALUES (?, ?, ?, ?, ?)`)
      .run(profileId, input.ownerName, input.ownerEmail, this.ctx.clock.now().toISOString(), passwordHash);
    try {
      return await createWorkspace(this.ctx, input.workspace, { kind: 'member', id: profileId }, profileId);
    } catch (err) {
      // The profile alone would leave a half-made first run; remove it so setup can be retried.
      this.ctx.db.prepare(`DELETE FROM profiles WHERE id = ?`).run(profileId);
      throw err;
    }
  }

  /**
   * Redeems an invitation code as a new (or existing) profile on this install, with the password
   * the person chose, and signs in. An existing profile keeps its password: with it they are
   * signed in, else they joined and sign in as usual; one that had none takes the new one.
   */
  async acceptInvitation(input: ParsedRequestOf<'session.acceptInvitation'>): Promise<AppState> {
    const passwordHash = await hashPassword(input.password);
    const accepted = acceptInvitation(this.ctx, input.code, { name: input.name, passwordHash });
    const profile = this.ctx.db
      .prepare<[string], { password_hash: string | null }>(`SELECT password_hash FROM profiles WHERE id = ?`)
      .get(accepted.profileId)!;
    if (profile.password_hash === null) await setPassword(this.ctx.db, accepted.profileId, input.password);
    else if (profile.password_hash !== passwordHash && !(await verifyPassword(input.password, profile.password_hash)))
      return this.state();
    return this.switchWithoutPassword(accepted.profileId, accepted.workspaceId);
  }

  /** After a force logout or a deactivation, the app returns to the chooser if it was them. */
  afterSessionsEnded(memberId: string): void {
    void memberId;
    this.announceChanges(['sessions'], null);
  }

  /** The signed-in session ended elsewhere (force logout, deactivation): nobody is signed in here now. */
  private forgetEndedSession(): void {
    const sessionId = this.getSetting('current_session');
    if (sessionId && !sessionIsLive(this.ctx.db, sessionId))
      this.ctx.db.prepare(`DELETE FROM settings WHERE key = 'current_session'`).run();
  }

  // ---- principals ---------------------------------------------------------------------------

  /**
   * The principal behind an `x-publora-key`: a workspace key, or a per-client key whose client is
   * still active. Revoked keys, unknown keys and keys of deactivated or deleted clients are null (401).
   *
   * What a key id stands for (its stored hash and the principal, or null) is kept in the read
   * cache, so it is forgotten at the next write anywhere (a revocation, a rotation, a client
   * deactivated, also by another process) and looked up again. Only hashes are kept, as at rest;
   * every request still compares the presented key's hash in constant time. Pass the key's
   * digest (`apiKeyDigest`) when the caller already has it (the rate limiter does).
   */
  principalForKey(presented: string, presentedDigest?: string): Principal | null {
    if (presented.length > MAX_KEY_LENGTH) return null;
    const keyId = apiKeyIdOf(presented);
    const known = this.ctx.readCache.get('api-key-principals', newKnownKeys);
    let entry = known.get(keyId);
    if (!entry) {
      const row = findApiKey(this.ctx.db, keyId);
      entry = { hash: row?.hash ?? null, principal: row ? Object.freeze(this.principalOfKeyRow(row)) : null };
      // Only ids that exist are remembered: made-up ones cannot grow the map.
      if (row) known.set(keyId, entry);
    }
    const matches = hashMatches(entry.hash, digestBytes(presentedDigest ?? apiKeyDigest(presented)));
    return matches ? entry.principal : null;
  }

  private principalOfKeyRow(key: ApiKeyRow): Principal | null {
    if (key.revoked_at !== null || !key.workspace_id) return null;
    if (key.scope === 'workspace') return { kind: 'workspace_key', workspaceId: key.workspace_id, keyId: key.id };
    if (key.scope !== 'client' || !key.managed_user_id) return null;
    const client = findClientRow(this.ctx.db, key.workspace_id, key.managed_user_id);
    if (!client || client.deactivated_at !== null) return null;
    return { kind: 'client_key', workspaceId: key.workspace_id, keyId: key.id, managedUserId: client.id };
  }

  /** The signed-in person as a member of a workspace. */
  memberPrincipal(workspaceId: string): Principal {
    const profile = this.requireProfile();
    const member = this.ctx.db
      .prepare<[string, string], { id: string }>(
        `SELECT id FROM members WHERE profile_id = ? AND workspace_id = ? AND status = 'active'`,
      )
      .get(profile.id, workspaceId);
    if (!member) throw new AppError('not_found', 'workspace not found', { workspaceId });
    return this.principalOfMember(member.id, profile.id, workspaceId);
  }

  /** An active member as a principal: their role and assigned clients, read now. */
  private principalOfMember(memberId: string, profileId: string, workspaceId: string): Principal {
    const member = this.ctx.db
      .prepare<[string, string], { role: Role }>(
        `SELECT role FROM members WHERE id = ? AND workspace_id = ? AND status = 'active'`,
      )
      .get(memberId, workspaceId);
    if (!member) throw new AppError('not_found', 'workspace not found', { workspaceId });
    const clientIds = this.ctx.db
      .prepare<[string], { managed_user_id: string }>(`SELECT managed_user_id FROM member_clients WHERE member_id = ?`)
      .all(memberId)
      .map((r) => r.managed_user_id);
    return { kind: 'member', workspaceId, profileId, memberId, role: member.role, clientIds };
  }

  // ---- API keys -----------------------------------------------------------------------------

  private async ensureInstallAdminKey(): Promise<void> {
    if (this.getSetting('install_admin_key_id')) return;
    const key = mintApiKey();
    await this.ctx.secrets.set(apiKeySecretAccount(this.ctx.installId, key.id), key.raw);
    this.ctx.db.transaction(() => {
      insertApiKey(this.ctx.db, key, 'install_admin', this.ctx.clock.now(), null);
      this.setSetting('install_admin_key_id', key.id);
    })();
  }

  /**
   * Whether this data folder has an install admin key the keychain open now cannot give back: the
   * folder was set up with another keychain (another user or machine, a fresh keyring). Best effort:
   * a keychain that cannot be read says nothing here (D112).
   */
  async installAdminKeyLost(): Promise<boolean> {
    const id = this.getSetting('install_admin_key_id');
    if (!id) return false;
    try {
      return (await this.ctx.secrets.get(apiKeySecretAccount(this.ctx.installId, id))) === null;
    } catch {
      return false;
    }
  }

  /**
   * A new install admin key in place of the old one (`postroom admin-key --regenerate`, D112): the
   * old key stops working at once, whether or not its secret was still somewhere. Returns the new key.
   */
  async regenerateInstallAdminKey(): Promise<string> {
    const key = mintApiKey();
    const account = apiKeySecretAccount(this.ctx.installId, key.id);
    await this.ctx.secrets.set(account, key.raw);
    let oldIds: string[] = [];
    try {
      this.ctx.db.transaction(() => {
        const now = this.ctx.clock.now();
        oldIds = this.ctx.db
          .prepare<[], { id: string }>(`SELECT id FROM api_keys WHERE scope = 'install_admin' AND revoked_at IS NULL`)
          .all()
          .map((r) => r.id);
        this.ctx.db
          .prepare(`UPDATE api_keys SET revoked_at = ? WHERE scope = 'install_admin' AND revoked_at IS NULL`)
          .run(now.toISOString());
        insertApiKey(this.ctx.db, key, 'install_admin', now, null);
        this.setSetting('install_admin_key_id', key.id);
      })();
    } catch (err) {
      await this.ctx.secrets.delete(account);
      throw err;
    }
    await Promise.allSettled(oldIds.map((id) => this.ctx.secrets.delete(apiKeySecretAccount(this.ctx.installId, id))));
    return key.raw;
  }

  /** The install admin key (for `POST /api/workspaces/add`), read back from the keychain. */
  async revealInstallAdminKey(): Promise<string> {
    const id = this.getSetting('install_admin_key_id');
    const raw = id ? await this.ctx.secrets.get(apiKeySecretAccount(this.ctx.installId, id)) : null;
    if (!raw) throw new AppError('not_found', 'the install admin key is not in the keychain');
    return raw;
  }

  /** The workspace API key, read back from the keychain. */
  revealWorkspaceApiKey(workspaceId: string): Promise<string> {
    return revealWorkspaceApiKey(this.ctx, workspaceId);
  }

  authenticateKey(presented: string): ApiKeyRow | null {
    return verifyApiKey(this.ctx.db, presented);
  }

  /** `POST /api/workspaces/add`: an admin creates a workspace owned by the install's first profile. */
  async addWorkspaceAsAdmin(input: CreateWorkspaceRequest, key: ApiKeyRow): Promise<CreatedWorkspace> {
    if (key.scope !== 'install_admin') throw new AppError('forbidden', 'this endpoint needs the install admin key');
    const owner = this.ctx.db
      .prepare<[], { id: string }>(`SELECT id FROM profiles ORDER BY created_at, rowid LIMIT 1`)
      .get();
    if (!owner) throw new AppError('conflict', 'finish the first-run setup before adding workspaces');
    return createWorkspace(this.ctx, input, { kind: 'api_key', id: key.id }, owner.id);
  }

  // ---- settings -----------------------------------------------------------------------------

  getSetting(key: string): string | null {
    return getSetting(this.ctx.db, key);
  }

  setSetting(key: string, value: string): void {
    this.ctx.db
      .prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
      .run(key, value);
  }
}

/** What a key id stands for, as the read cache keeps it: its stored hash and its principal, if live. */
interface KnownKey {
  hash: Buffer | null;
  principal: Principal | null;
}

const newKnownKeys = () => new Map<string, KnownKey>();

/**
 * A channel's answer to a valid request: checked against the contract's response schema (which
 * also drops anything the schema does not name), unless the channel builds its answer to the
 * contract itself (`builtToContract`, D124).
 */
async function answer(channel: Channel, host: EngineHost, request: unknown): Promise<unknown> {
  const def = channelTable[channel];
  const data = await (def.handle as (host: EngineHost, request: unknown) => unknown)(host, request);
  return def.builtToContract ? data : channels[channel].response.parse(data);
}

function getSetting(db: Db, key: string): string | null {
  return db.prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`).get(key)?.value ?? null;
}

function ensureInstallId(db: Db): string {
  const existing = getSetting(db, 'install_id');
  if (existing) return existing;
  const id = randomBytes(12).toString('hex');
  db.prepare(`INSERT INTO settings (key, value) VALUES ('install_id', ?)`).run(id);
  return id;
}

export { endSessions };
