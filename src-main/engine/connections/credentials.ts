import type { PostAsPage } from '../../../src-shared/connections';
import type { Platform } from '../../../src-shared/contract';
import { authorize, type Principal } from '../kernel/access';
import { recordActivityOf } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError, fromPlatformError } from '../kernel/errors';
import { defaultAdapters, platformClientFor, type AdapterLookup } from '../platforms/registry';
import { PlatformError, type TokenSet } from '../platforms/types';
import { findClientRow } from '../queries/clients';
import { integrationFor } from '../queries/integrations';
import { credentialModeOf, publishingTokenAccount, type CredentialMode } from '../queries/tokens';

interface ConnectionRow {
  id: string;
  workspace_id: string;
  managed_user_id: string;
  platform: Platform;
  account_id: string;
  platform_id: string;
  status: string;
  post_as: string | null;
}

function requireConnection(ctx: EngineContext, p: Principal, userId: string, platformId: string): ConnectionRow {
  authorize(p, 'connection.read', { managedUserId: userId });
  const row = ctx.db
    .prepare<[string, string, string], ConnectionRow>(
      `SELECT * FROM connections
       WHERE managed_user_id = ? AND workspace_id = ? AND platform_id = ? AND status != 'revoked'`,
    )
    .get(userId, p.workspaceId, platformId);
  if (!row) throw new AppError('not_found', 'connection not found', { platformId });
  return row;
}

/**
 * Who may re-authenticate a connection and change its settings: the owner always; a member in
 * member mode; the client's own login (the accounts are theirs). Everyone else asks them.
 */
export function mayManageCredentials(db: Db, p: Principal, connection: ConnectionRow): boolean {
  if (p.kind === 'client_key') return p.managedUserId === connection.managed_user_id;
  if (p.kind === 'workspace_key') return false;
  if (p.role === 'owner') return true;
  if (p.role === 'client') return p.clientIds.includes(connection.managed_user_id);
  return credentialModeOf(db, p.memberId, connection.id).mode === 'member';
}

/** Names of the people who may reconnect, for the UI of a connection that needs it. */
export function whoMayReconnect(db: Db, connection: ConnectionRow): string[] {
  return db
    .prepare<[string, string, string], { name: string }>(
      `SELECT p.name FROM members m JOIN profiles p ON p.id = m.profile_id
       WHERE m.workspace_id = ? AND m.status = 'active' AND (
         m.role = 'owner'
         OR EXISTS (
           SELECT 1 FROM connection_access a WHERE a.member_id = m.id AND a.connection_id = ? AND a.mode = 'member')
         OR (m.role = 'client' AND EXISTS (
           SELECT 1 FROM member_clients mc WHERE mc.member_id = m.id AND mc.managed_user_id = ?))
       ) ORDER BY m.created_at, m.rowid`,
    )
    .all(connection.workspace_id, connection.id, connection.managed_user_id)
    .map((r) => r.name);
}

export interface ConnectionCredentials {
  platformId: string;
  postAs: string | null;
  mode: CredentialMode | null;
  canReauthenticate: boolean;
  canChangePostAs: boolean;
  whoMayReconnect: string[];
}

export function connectionCredentials(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  platformId: string,
): ConnectionCredentials {
  const c = requireConnection(ctx, p, userId, platformId);
  const may = mayManageCredentials(ctx.db, p, c);
  return {
    platformId: c.platform_id,
    postAs: c.post_as,
    mode:
      p.kind === 'member' && p.role !== 'owner' && p.role !== 'client'
        ? credentialModeOf(ctx.db, p.memberId, c.id).mode
        : null,
    canReauthenticate: may,
    canChangePostAs: may,
    whoMayReconnect: whoMayReconnect(ctx.db, c),
  };
}

/** The owner (or a manager) sets a member's credential mode for one connection. */
export function setCredentialMode(
  ctx: EngineContext,
  p: Principal,
  memberId: string,
  userId: string,
  platformId: string,
  mode: CredentialMode,
): void {
  authorize(p, 'team.update');
  const c = requireConnection(ctx, p, userId, platformId);
  const member = ctx.db
    .prepare<[string, string], { role: string }>(`SELECT role FROM members WHERE id = ? AND workspace_id = ?`)
    .get(memberId, p.workspaceId);
  if (!member) throw new AppError('not_found', 'member not found', { memberId });
  if (member.role === 'owner')
    throw new AppError('validation_failed', "the owner's credentials are the owner's own; there is no mode to set");
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        `INSERT INTO connection_access (member_id, connection_id, mode) VALUES (?, ?, ?)
         ON CONFLICT (member_id, connection_id) DO UPDATE SET mode = excluded.mode`,
      )
      .run(memberId, c.id, mode);
    recordActivityOf(ctx.db, now, p, {
      action: 'connection.credential_mode_set',
      objectKind: 'connection',
      objectId: c.id,
      detail: `${platformId}: member ${memberId} uses ${mode === 'owner' ? "the owner's" : 'their own'} credentials`,
    });
  })();
}

const POST_AS_PATTERNS: Partial<Record<Platform, RegExp>> = {
  linkedin: /^urn:li:(person|organization):[A-Za-z0-9_-]{1,64}$/,
  facebook: /^(page|group):[0-9]{1,30}$/,
};

/** Only those who may manage a connection's credentials choose who it posts as. */
function requirePostAsManager(ctx: EngineContext, p: Principal, c: ConnectionRow): void {
  if (!mayManageCredentials(ctx.db, p, c)) {
    const who = whoMayReconnect(ctx.db, c).join(' or ') || 'the owner';
    throw new AppError('forbidden', `with the owner's credentials only ${who} may change who this account posts as`);
  }
}

/** LinkedIn pages need the integration's opt-in (its sign-in then asks for the page scopes). */
function requireOrganizationPages(
  ctx: EngineContext,
  p: Principal,
  what: 'posting as' | 'listing',
  details?: Record<string, unknown>,
): void {
  if (integrationFor(ctx.db, p.workspaceId, 'linkedin')?.organization_pages) return;
  const doing = what === 'listing' ? 'listing LinkedIn pages' : 'posting as a LinkedIn page';
  throw new AppError(
    'validation_failed',
    `${doing} needs organisation pages turned on in the LinkedIn integration, then this account reconnected`,
    details,
  );
}

/** Changes who a connection posts as; only those who may manage its credentials may. */
export function setPostAs(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  platformId: string,
  postAs: string | null,
): void {
  const c = requireConnection(ctx, p, userId, platformId);
  requirePostAsManager(ctx, p, c);
  const pattern = POST_AS_PATTERNS[c.platform];
  if (!pattern)
    throw new AppError('validation_failed', `${c.platform} posts as the account itself; there is nothing to choose`);
  if (postAs !== null && !pattern.test(postAs))
    throw new AppError('validation_failed', `"${postAs}" is not a valid ${c.platform} author`, {
      fields: { postAs: 'invalid' },
    });
  if (c.platform === 'linkedin' && postAs?.startsWith('urn:li:organization:'))
    requireOrganizationPages(ctx, p, 'posting as', { fields: { postAs: 'organisation pages are off' } });
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(`UPDATE connections SET post_as = ?, updated_at = ? WHERE id = ?`)
      .run(postAs, now.toISOString(), c.id);
    recordActivityOf(ctx.db, now, p, {
      action: 'connection.post_as_changed',
      objectKind: 'connection',
      objectId: c.id,
      detail: `${platformId} now posts as ${postAs ?? 'the account itself'}`,
    });
  })();
}

/**
 * The organisation pages a connection may post as (LinkedIn: the pages the account administers),
 * by name, for choosing "post as" from a list. Same rules as changing it: who may manage the
 * credentials, and LinkedIn's organisation pages turned on in the integration. The tokens are
 * those the principal's own posts would go out with (their own in member mode, else the
 * connection's); they stay in the engine. A platform's failure comes back as an AppError.
 */
export async function listPostAsPages(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  platformId: string,
  adapters: AdapterLookup = defaultAdapters,
): Promise<PostAsPage[]> {
  const c = requireConnection(ctx, p, userId, platformId);
  requirePostAsManager(ctx, p, c);
  const entry = adapters(c.platform);
  if (!entry?.adapter.pages)
    throw new AppError(
      'validation_failed',
      `${c.platform} posts as the account itself; there are no pages to choose from`,
    );
  if (c.platform === 'linkedin') requireOrganizationPages(ctx, p, 'listing');
  if (c.status !== 'active')
    throw new AppError('conflict', `${platformId} must be reconnected before its pages can be listed`, {
      reconnect: true,
    });
  const client = await platformClientFor(ctx, p.workspaceId, c.platform, entry);
  if (!client) throw new AppError('invalid_platform', `${c.platform} is not set up for this workspace`);
  const raw = await ctx.secrets.get(
    publishingTokenAccount(ctx, c.id, p.kind === 'member' ? p.profileId : null, p.workspaceId),
  );
  if (!raw)
    throw new AppError('conflict', 'the sign-in of this connection is missing from the keychain; reconnect it', {
      reconnect: true,
    });
  try {
    const pages = await entry.adapter.pages(client, JSON.parse(raw) as TokenSet);
    return pages
      .map((page) => ({ urn: page.id, name: page.name }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.urn.localeCompare(b.urn));
  } catch (err) {
    if (err instanceof PlatformError) throw fromPlatformError(err);
    throw err;
  }
}

/**
 * What a re-authentication started by this principal renews: the connection's own tokens (owner,
 * client) or the member's own (member mode). Refused for everyone else, naming who may.
 */
export function reauthenticationFor(ctx: EngineContext, p: Principal, userId: string, platformId: string) {
  const c = requireConnection(ctx, p, userId, platformId);
  if (!findClientRow(ctx.db, p.workspaceId, userId)) throw new AppError('not_found', 'user not found');
  if (!mayManageCredentials(ctx.db, p, c)) {
    const names = whoMayReconnect(ctx.db, c);
    const who = names.join(' or ') || 'the owner';
    throw new AppError('forbidden', `this account uses the owner's credentials: ${who} can reconnect it`, {
      whoMayReconnect: names,
    });
  }
  const memberMode = p.kind === 'member' && p.role !== 'owner' && p.role !== 'client';
  return {
    workspaceId: c.workspace_id,
    managedUserId: c.managed_user_id,
    platform: c.platform,
    startedBy: p.kind === 'member' ? p.profileId : null,
    reauth: {
      connectionId: c.id,
      accountId: c.account_id,
      tokensOf: memberMode ? { memberId: (p as { memberId: string }).memberId } : ('connection' as const),
    },
  };
}

/** Every credential mode set in a workspace, for the team page. */
export function listCredentialModes(
  ctx: EngineContext,
  p: Principal,
): { memberId: string; connectionId: string; mode: CredentialMode }[] {
  authorize(p, 'team.read');
  return ctx.db
    .prepare<[string], { member_id: string; connection_id: string; mode: CredentialMode }>(
      `SELECT a.member_id, a.connection_id, a.mode FROM connection_access a JOIN members m ON m.id = a.member_id
       WHERE m.workspace_id = ? ORDER BY a.rowid`,
    )
    .all(p.workspaceId)
    .map((r) => ({ memberId: r.member_id, connectionId: r.connection_id, mode: r.mode }));
}
