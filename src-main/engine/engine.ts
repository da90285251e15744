import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import {
  channels,
  isChannel,
  type AppState,
  type Channel,
  type EventName,
  type EventPayload,
  type ParsedRequestOf,
  type Profile,
  type ResponseOf,
  type Result,
  type SetupInput,
} from '../../src-shared/contract';
import { validationError } from '../../src-shared/errors';
import { listActivity, systemActor, type Actor } from './activity';
import { apiKeySecretAccount, insertApiKey, mintApiKey, verifyApiKey, type ApiKeyRow } from './api-keys';
import type { Clock } from './clock';
import type { EngineContext } from './context';
import { openDatabase, type Db } from './db/database';
import { AppError, toErrorObject } from './errors';
import { newId } from './ids';
import type { SecretStore } from './secrets/secret-store';
import type { Principal, Role } from './access';
import { findClientRow } from './clients';
import { createWorkspace, getLogoData, getWorkspace, listWorkspacesFor, type CreateWorkspaceRequest, type CreatedWorkspace } from './workspaces';

export interface EngineOptions {
  dataDir: string;
  secrets: SecretStore;
  clock: Clock;
  /** Where unexpected failures are reported; never given secrets. */
  logError?: (message: string, err: unknown) => void;
}

type Handler<C extends Channel> = (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
type HandlerMap = { [C in Channel]: Handler<C> };

/**
 * The workspace engine: every domain rule over SQLite and the keychain, with no Electron and no
 * transport in it. Hosts reach it through `dispatch` (the contract) and the REST server through
 * its typed methods.
 */
export class Engine {
  private readonly events = new EventEmitter();
  private readonly handlers: HandlerMap;

  private constructor(
    readonly ctx: EngineContext,
    private readonly logError: (message: string, err: unknown) => void,
  ) {
    this.handlers = {
      'app.getState': () => this.state(),
      'app.setup': (req) => this.setup(req),
      'workspace.create': async (req) => {
        const profile = this.requireProfile();
        const { workspace } = await createWorkspace(this.ctx, req, this.memberActor(profile), profile.id);
        this.emitState();
        return workspace;
      },
      'workspace.select': (req) => {
        const profile = this.requireProfile();
        this.requireMembership(profile.id, req.workspaceId);
        this.setSetting(`current_workspace:${profile.id}`, req.workspaceId);
        return this.emitState();
      },
      'workspace.get': (req) => {
        this.requireMembership(this.requireProfile().id, req.workspaceId);
        return getWorkspace(this.ctx.db, req.workspaceId);
      },
      'workspace.getLogo': (req) => {
        this.requireMembership(this.requireProfile().id, req.workspaceId);
        const logo = getLogoData(this.ctx.db, req.workspaceId, req.kind);
        return logo ? { mimeType: logo.mimeType, dataBase64: logo.data.toString('base64') } : null;
      },
      'activity.list': (req) => {
        this.requireMembership(this.requireProfile().id, req.workspaceId);
        return listActivity(this.ctx.db, req.workspaceId, req.limit);
      },
    };
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const db = await openDatabase({ dataDir: options.dataDir, clock: options.clock });
    try {
      const installId = ensureInstallId(db);
      const engine = new Engine(
        { db, secrets: options.secrets, clock: options.clock, installId, dataDir: options.dataDir },
        options.logError ?? (() => {}),
      );
      await engine.ensureInstallAdminKey();
      return engine;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The contract entry point: validates both ways, never throws, errors are data. */
  async dispatch(channel: unknown, request: unknown): Promise<Result<unknown>> {
    if (!isChannel(channel)) {
      return { ok: false, error: { code: 'not_found', message: `unknown channel ${String(channel).slice(0, 80)}` } };
    }
    const spec = channels[channel];
    const parsed = spec.request.safeParse(request ?? {});
    if (!parsed.success) return { ok: false, error: validationError(parsed.error.issues) };
    try {
      const handler = this.handlers[channel] as (req: unknown) => unknown;
      const data = await handler(parsed.data);
      return { ok: true, data: spec.response.parse(data) };
    } catch (err) {
      if (!(err instanceof AppError)) this.logError(`channel ${channel} failed`, err);
      return { ok: false, error: toErrorObject(err) };
    }
  }

  /** Typed call for in-process users (CLI, tests): throws AppError on failure. */
  async call<C extends Channel>(channel: C, request: unknown): Promise<ResponseOf<C>> {
    const result = await this.dispatch(channel, request);
    if (!result.ok) throw new AppError(result.error.code, result.error.message, result.error.details, result.error.action);
    return result.data as ResponseOf<C>;
  }

  subscribe(listener: (event: EventName, payload: unknown) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.events.emit('event', event, payload);
  }

  private emitState(): AppState {
    const state = this.state();
    this.emit('state.changed', state);
    return state;
  }

  close(): void {
    this.ctx.db.close();
  }

  // ---- profiles and state -------------------------------------------------------------------

  private currentProfile(): Profile | null {
    const id = this.getSetting('current_profile');
    if (!id) return null;
    return this.ctx.db.prepare<[string], Profile>(`SELECT id, name, email FROM profiles WHERE id = ?`).get(id) ?? null;
  }

  private requireProfile(): Profile {
    const profile = this.currentProfile();
    if (!profile) throw new AppError('unauthorized', 'nobody is signed in; finish the first-run setup');
    return profile;
  }

  private memberActor(profile: Profile): Actor {
    return { kind: 'member', id: profile.id };
  }

  private requireMembership(profileId: string, workspaceId: string): void {
    const row = this.ctx.db
      .prepare(`SELECT 1 FROM members WHERE profile_id = ? AND workspace_id = ? AND status = 'active'`)
      .get(profileId, workspaceId);
    // Same answer for "does not exist" and "not yours": no probing other workspaces.
    if (!row) throw new AppError('not_found', 'workspace not found', { workspaceId });
  }

  state(): AppState {
    const profileCount = (this.ctx.db.prepare(`SELECT count(*) AS n FROM profiles`).get() as { n: number }).n;
    const profile = this.currentProfile();
    const workspaces = profile ? listWorkspacesFor(this.ctx.db, profile.id) : [];
    const stored = profile ? this.getSetting(`current_workspace:${profile.id}`) : null;
    const current = workspaces.find((w) => w.id === stored)?.id ?? workspaces[0]?.id ?? null;
    return { needsSetup: profileCount === 0, profile, workspaces, currentWorkspaceId: current };
  }

  /** First run: the owner's profile and the first workspace, in one go. */
  async setup(input: ParsedRequestOf<'app.setup'>): Promise<AppState> {
    await this.createOwnerWithWorkspace(input);
    return this.emitState();
  }

  /** Shared by the first-run screen and `postroom init`. */
  async createOwnerWithWorkspace(input: ParsedRequestOf<'app.setup'>): Promise<CreatedWorkspace> {
    if (!this.state().needsSetup) throw new AppError('conflict', 'this data folder is already set up');
    const profileId = newId('prof');
    this.ctx.db
      .prepare(`INSERT INTO profiles (id, name, email, created_at) VALUES (?, ?, ?, ?)`)
      .run(profileId, input.ownerName, input.ownerEmail, this.ctx.clock.now().toISOString());
    try {
      const created = await createWorkspace(this.ctx, input.workspace, { kind: 'member', id: profileId }, profileId);
      this.setSetting('current_profile', profileId);
      this.setSetting(`current_workspace:${profileId}`, created.workspace.id);
      return created;
    } catch (err) {
      // The profile alone would leave a half-made first run; remove it so setup can be retried.
      this.ctx.db.prepare(`DELETE FROM profiles WHERE id = ?`).run(profileId);
      throw err;
    }
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

  /** The install admin key (for `POST /api/workspaces/add`), read back from the keychain. */
  async revealInstallAdminKey(): Promise<string> {
    const id = this.getSetting('install_admin_key_id');
    const raw = id ? await this.ctx.secrets.get(apiKeySecretAccount(this.ctx.installId, id)) : null;
    if (!raw) throw new AppError('not_found', 'the install admin key is not in the keychain');
    return raw;
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
    const created = await createWorkspace(this.ctx, input, { kind: 'api_key', id: key.id }, owner.id);
    this.emitState();
    return created;
  }

  // ---- principals ---------------------------------------------------------------------------

  /**
   * The principal behind an `x-publora-key`: a workspace key, or a per-client key whose client is
   * still active. Revoked keys, unknown keys and keys of deactivated or deleted clients are null (401).
   */
  principalForKey(presented: string): Principal | null {
    const key = verifyApiKey(this.ctx.db, presented);
    if (!key || !key.workspace_id) return null;
    if (key.scope === 'workspace') return { kind: 'workspace_key', workspaceId: key.workspace_id, keyId: key.id };
    if (key.scope !== 'client' || !key.managed_user_id) return null;
    const client = findClientRow(this.ctx.db, key.workspace_id, key.managed_user_id);
    if (!client || client.deactivated_at !== null) return null;
    return { kind: 'client_key', workspaceId: key.workspace_id, keyId: key.id, managedUserId: client.id };
  }

  /** The signed-in profile as a member of a workspace. */
  memberPrincipal(workspaceId: string): Principal {
    const profile = this.requireProfile();
    const member = this.ctx.db
      .prepare<[string, string], { id: string; role: Role }>(
        `SELECT id, role FROM members WHERE profile_id = ? AND workspace_id = ? AND status = 'active'`,
      )
      .get(profile.id, workspaceId);
    if (!member) throw new AppError('not_found', 'workspace not found', { workspaceId });
    const clientIds = this.ctx.db
      .prepare<[string], { managed_user_id: string }>(`SELECT managed_user_id FROM member_clients WHERE member_id = ?`)
      .all(member.id)
      .map((r) => r.managed_user_id);
    return { kind: 'member', workspaceId, profileId: profile.id, memberId: member.id, role: member.role, clientIds };
  }

  /** Tells every renderer that a workspace's clients changed, so lists refresh. */
  clientsChanged(workspaceId: string): void {
    this.emit('clients.changed', { workspaceId });
  }

  // ---- settings -----------------------------------------------------------------------------

  private getSetting(key: string): string | null {
    return getSetting(this.ctx.db, key);
  }

  private setSetting(key: string, value: string): void {
    this.ctx.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(key, value);
  }
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

export type { SetupInput };
export { systemActor };
