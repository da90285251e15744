import { IANAZone } from 'luxon';
import type { QueuedPostsRule } from '../../../src-shared/clients';
import { authorize, clientScope, type Principal } from '../kernel/access';
import { recordActivityOf } from '../kernel/activity';
import { apiKeySecretAccount, replaceApiKey } from '../queries/api-keys';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import {
  cancelClientDeliveries,
  countQueuedPosts,
  moveQueuedPostsToZone,
  pauseClientDeliveries,
  resumeClientDeliveries,
} from '../queries/deliveries';
import { upgradePlanAction } from '../queries/upgrade-links';
import { getPlan, getWorkspace } from '../queries/workspaces';
import { findClientRow, type ManagedUserRow } from '../queries/clients';

/** A managed user (a client of the agency), as every caller sees it. */
export interface ManagedUser {
  id: string;
  email: string;
  displayName: string;
  externalId: string | null;
  timezone: string;
  createdAt: string;
  updatedAt: string;
  deactivated: boolean;
  deactivatedAt: string | null;
  dailyPostLimit: number | null;
}

const toManagedUser = (r: ManagedUserRow): ManagedUser => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  externalId: r.external_id,
  timezone: r.timezone,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  deactivated: r.deactivated_at !== null,
  deactivatedAt: r.deactivated_at,
  dailyPostLimit: r.daily_post_limit,
});

/** Reads a client the principal may see; absent and out-of-scope look the same (404). */
function requireClient(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  action: Parameters<typeof authorize>[1],
): ManagedUserRow {
  authorize(p, action, { managedUserId: userId });
  const row = findClientRow(ctx.db, p.workspaceId, userId);
  if (!row) throw new AppError('not_found', 'user not found', { userId });
  return row;
}

export interface CreateClientInput {
  email: string;
  displayName: string;
  externalId?: string | null;
  timezone?: string;
}

function checkTimezone(timezone: string): void {
  if (!IANAZone.isValidZone(timezone)) {
    throw new AppError('validation_failed', `timezone "${timezone}" is not an IANA time zone`, {
      fields: { timezone: 'unknown time zone' },
    });
  }
}

function checkUnique(
  db: Db,
  workspaceId: string,
  input: { email?: string; externalId?: string | null },
  exceptId: string | null,
): void {
  if (input.email !== undefined) {
    const clash = db
      .prepare(
        `SELECT 1 FROM managed_users WHERE workspace_id = ? AND email = ? AND deleted_at IS NULL AND id IS NOT ?`,
      )
      .get(workspaceId, input.email, exceptId);
    if (clash)
      throw new AppError('conflict', `a user with email ${input.email} already exists`, {
        fields: { email: 'already used' },
      });
  }
  if (input.externalId) {
    const clash = db
      .prepare(
        `SELECT 1 FROM managed_users WHERE workspace_id = ? AND external_id = ? AND deleted_at IS NULL AND id IS NOT ?`,
      )
      .get(workspaceId, input.externalId, exceptId);
    if (clash) {
      throw new AppError('conflict', `a user with externalId ${input.externalId} already exists`, {
        fields: { externalId: 'already used' },
      });
    }
  }
}

export function createClient(ctx: EngineContext, p: Principal, input: CreateClientInput): ManagedUser {
  authorize(p, 'client.create');
  const workspace = getWorkspace(ctx.db, p.workspaceId);
  const timezone = input.timezone ?? workspace.timezone;
  checkTimezone(timezone);
  return ctx.db.transaction(() => {
    const plan = getPlan(ctx.db, workspace.plan.id);
    const count = (
      ctx.db
        .prepare(`SELECT count(*) AS n FROM managed_users WHERE workspace_id = ? AND deleted_at IS NULL`)
        .get(p.workspaceId) as { n: number }
    ).n;
    if (plan.maxClients !== null && count >= plan.maxClients) {
      throw new AppError(
        'client_limit_reached',
        `the ${plan.name} plan allows ${plan.maxClients} clients; upgrade to add more`,
        undefined,
        upgradePlanAction(ctx, p.workspaceId, plan.id === 'free' ? 'team' : 'enterprise'),
      );
    }
    checkUnique(ctx.db, p.workspaceId, input, null);
    const id = newId('user');
    const iso = ctx.clock.now().toISOString();
    ctx.db
      .prepare(
        `INSERT INTO managed_users
           (id, workspace_id, email, display_name, external_id, timezone, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, p.workspaceId, input.email, input.displayName, input.externalId ?? null, timezone, iso, iso);
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action: 'client.created',
      objectKind: 'managed_user',
      objectId: id,
      detail: `Created client ${input.displayName} <${input.email}>`,
    });
    return toManagedUser(findClientRow(ctx.db, p.workspaceId, id)!);
  })();
}

export interface ListClientsQuery {
  email?: string;
  search?: string;
  deactivated?: boolean;
  page: number;
  perPage: number;
}

/** Newest first, limited to the clients the principal may see. */
export function listClients(
  ctx: EngineContext,
  p: Principal,
  q: ListClientsQuery,
): { users: ManagedUser[]; total: number } {
  authorize(p, 'client.list');
  const scope = clientScope(p);
  // The API's hottest read: answered from memory until anything is written.
  return ctx.readCache.get(`clients:${p.workspaceId}:${JSON.stringify(scope)}:${JSON.stringify(q)}`, () =>
    queryClients(ctx, p.workspaceId, scope, q),
  );
}

function queryClients(
  ctx: EngineContext,
  workspaceId: string,
  scope: readonly string[] | 'all',
  q: ListClientsQuery,
): { users: ManagedUser[]; total: number } {
  const p = { workspaceId };
  const where = ['workspace_id = ?', 'deleted_at IS NULL'];
  const args: unknown[] = [p.workspaceId];
  if (scope !== 'all') {
    where.push(`id IN (SELECT value FROM json_each(?))`);
    args.push(JSON.stringify(scope));
  }
  // LIKE with the wildcards of what was typed escaped: it matches as text.
  const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (q.email) {
    where.push(`email LIKE ? ESCAPE '\\'`);
    args.push(likeOf(q.email));
  }
  if (q.search) {
    // A workspace's clients are few (the plans' limits; thousands at most): a scan of its rows by LIKE
    // is cheap and matches inside names as a person expects, where FTS matches word starts (D100).
    const like = likeOf(q.search);
    where.push(`(display_name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')`);
    args.push(like, like);
  }
  if (q.deactivated !== undefined) where.push(q.deactivated ? 'deactivated_at IS NOT NULL' : 'deactivated_at IS NULL');
  const clause = where.join(' AND ');
  const offset = (q.page - 1) * q.perPage;
  const rows = ctx.db
    .prepare<unknown[], ManagedUserRow>(
      `SELECT id, email, display_name, external_id, timezone, created_at, updated_at, deactivated_at, daily_post_limit
       FROM managed_users
       WHERE ${clause} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
    )
    .all(...args, q.perPage, offset);
  // A short first page is the whole list: no need to count it again.
  const total =
    offset === 0 && rows.length < q.perPage
      ? rows.length
      : (ctx.db.prepare(`SELECT count(*) AS n FROM managed_users WHERE ${clause}`).get(...args) as { n: number }).n;
  return { users: rows.map(toManagedUser), total };
}

export function getClient(ctx: EngineContext, p: Principal, userId: string): ManagedUser {
  return toManagedUser(requireClient(ctx, p, userId, 'client.read'));
}

export function updateClient(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  patch: {
    email?: string;
    displayName?: string;
    externalId?: string | null;
    timezone?: string;
    queuedPosts?: QueuedPostsRule;
    dailyPostLimit?: number | null;
  },
): ManagedUser {
  const row = requireClient(ctx, p, userId, 'client.update');
  if (patch.timezone !== undefined) checkTimezone(patch.timezone);
  const zoneChanges = patch.timezone !== undefined && patch.timezone !== row.timezone;
  if (patch.queuedPosts !== undefined && !zoneChanges) {
    throw new AppError('validation_failed', 'queuedPosts goes with a new timezone; the time zone does not change', {
      fields: { queuedPosts: 'Only a change of time zone moves queued posts.' },
    });
  }
  if (patch.dailyPostLimit !== undefined) {
    const plan = ctx.db
      .prepare<[string], { id: string; name: string; daily_limit_raisable: number }>(
        `SELECT p.id, p.name, p.daily_limit_raisable FROM plans p JOIN workspaces w ON w.plan_id = p.id WHERE w.id = ?`,
      )
      .get(p.workspaceId)!;
    if (!plan.daily_limit_raisable) {
      throw new AppError(
        'forbidden',
        `the ${plan.name} plan keeps the daily limit of 100 posts; the Enterprise plan can raise it`,
        undefined,
        upgradePlanAction(ctx, p.workspaceId, 'enterprise'),
      );
    }
  }
  return ctx.db.transaction(() => {
    checkUnique(ctx.db, p.workspaceId, patch, userId);
    const next = {
      email: patch.email ?? row.email,
      display_name: patch.displayName ?? row.display_name,
      external_id: patch.externalId === undefined ? row.external_id : patch.externalId,
      timezone: patch.timezone ?? row.timezone,
      daily_post_limit: patch.dailyPostLimit === undefined ? row.daily_post_limit : patch.dailyPostLimit,
    };
    const now = ctx.clock.now();
    // A new zone moves nothing silently: queued posts keep their local times or their moment, as asked (D96).
    let moved = '';
    if (zoneChanges) {
      const queued = countQueuedPosts(ctx.db, userId, now);
      if (queued > 0 && patch.queuedPosts === undefined) {
        throw new AppError(
          'validation_failed',
          `${row.display_name} has ${queued} queued ${queued === 1 ? 'post' : 'posts'}; say whether they keep their ` +
            `local times (queuedPosts: "keep_local_time") or their moment (queuedPosts: "keep_moment")`,
          { queuedPosts: queued, fields: { queuedPosts: 'Choose whether queued posts keep their local times.' } },
        );
      }
      if (queued > 0) {
        const count = moveQueuedPostsToZone(ctx.db, userId, row.timezone, next.timezone, patch.queuedPosts!, now);
        const kept = patch.queuedPosts === 'keep_local_time' ? 'local time' : 'moment';
        moved = `; ${count} queued ${count === 1 ? 'post keeps its' : 'posts keep their'} ${kept}`;
      }
    }
    const changed = Object.entries(next)
      .filter(([k, v]) => row[k as keyof ManagedUserRow] !== v)
      .map(([k]) => k);
    ctx.db
      .prepare(
        `UPDATE managed_users
         SET email = ?, display_name = ?, external_id = ?, timezone = ?, daily_post_limit = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(
        next.email,
        next.display_name,
        next.external_id,
        next.timezone,
        next.daily_post_limit,
        ctx.clock.now().toISOString(),
        userId,
      );
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action: 'client.updated',
      objectKind: 'managed_user',
      objectId: userId,
      detail: (changed.length ? `Changed ${changed.join(', ')}` : 'No change') + moved,
    });
    return toManagedUser(findClientRow(ctx.db, p.workspaceId, userId)!);
  })();
}

/** Deactivated clients' keys answer 401 and their posts pause; reactivation restores the key. */
export function setClientActive(ctx: EngineContext, p: Principal, userId: string, active: boolean): ManagedUser {
  const row = requireClient(ctx, p, userId, 'client.deactivate');
  if ((row.deactivated_at === null) === active) return toManagedUser(row);
  return ctx.db.transaction(() => {
    const iso = ctx.clock.now().toISOString();
    ctx.db
      .prepare(`UPDATE managed_users SET deactivated_at = ?, updated_at = ? WHERE id = ?`)
      .run(active ? null : iso, iso, userId);
    let detail: string;
    if (active) {
      const { rescheduled, needsAttention } = resumeClientDeliveries(ctx.db, userId, ctx.clock.now());
      detail =
        `Reactivated ${row.display_name}: ${rescheduled} delivery(ies) scheduled again, ` +
        `${needsAttention} need attention`;
    } else {
      const paused = pauseClientDeliveries(ctx.db, userId, ctx.clock.now());
      detail = `Deactivated ${row.display_name}: ${paused} scheduled delivery(ies) paused`;
    }
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action: active ? 'client.reactivated' : 'client.deactivated',
      objectKind: 'managed_user',
      objectId: userId,
      detail,
    });
    return toManagedUser(findClientRow(ctx.db, p.workspaceId, userId)!);
  })();
}

/**
 * Deletes a client: the row is kept (marked deleted) so the log and cancelled posts still point
 * somewhere; every key is revoked and the raw keys leave the keychain.
 */
export async function deleteClient(ctx: EngineContext, p: Principal, userId: string): Promise<void> {
  const row = requireClient(ctx, p, userId, 'client.delete');
  const keyIds = ctx.db
    .prepare<[string], { id: string }>(`SELECT id FROM api_keys WHERE managed_user_id = ?`)
    .all(userId)
    .map((k) => k.id);
  const connectionIds = ctx.db
    .prepare<[string], { id: string }>(`SELECT id FROM connections WHERE managed_user_id = ?`)
    .all(userId)
    .map((c) => c.id);
  ctx.db.transaction(() => {
    const iso = ctx.clock.now().toISOString();
    ctx.db.prepare(`UPDATE managed_users SET deleted_at = ?, updated_at = ? WHERE id = ?`).run(iso, iso, userId);
    ctx.db
      .prepare(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE managed_user_id = ?`)
      .run(iso, userId);
    ctx.db.prepare(`DELETE FROM member_clients WHERE managed_user_id = ?`).run(userId);
    const cancelled = cancelClientDeliveries(ctx.db, userId, ctx.clock.now());
    ctx.db
      .prepare(
        `UPDATE connections SET status = 'revoked', updated_at = ? WHERE managed_user_id = ? AND status != 'revoked'`,
      )
      .run(iso, userId);
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action: 'client.deleted',
      objectKind: 'managed_user',
      objectId: userId,
      detail:
        `Deleted ${row.display_name} <${row.email}>; ${keyIds.length} API key(s) revoked, ` +
        `${cancelled} delivery(ies) cancelled`,
    });
  })();
  // Their tokens and keys leave the keychain.
  await Promise.allSettled([
    ...keyIds.map((id) => ctx.secrets.delete(apiKeySecretAccount(ctx.installId, id))),
    ...connectionIds.map((id) => ctx.secrets.delete(`${ctx.installId}/token/${id}`)),
  ]);
}

/** A new per-client key; every earlier key of that client stops working at once. */
export async function issueClientApiKey(
  ctx: EngineContext,
  p: Principal,
  userId: string,
): Promise<{ apiKey: string; keyId: string }> {
  const row = requireClient(ctx, p, userId, 'client.apiKey');
  const key = await replaceApiKey(ctx, { scope: 'client', workspaceId: p.workspaceId, userId }, (now, revoked) =>
    recordActivityOf(ctx.db, now, p, {
      action: 'client.api_key_issued',
      objectKind: 'managed_user',
      objectId: userId,
      detail: `New API key for ${row.display_name}${revoked ? `; ${revoked} earlier key(s) revoked` : ''}`,
    }),
  );
  return { apiKey: key.raw, keyId: key.id };
}

/** The live per-client key, read back from the keychain for the people allowed to manage keys. */
export async function revealClientApiKey(ctx: EngineContext, p: Principal, userId: string): Promise<string | null> {
  requireClient(ctx, p, userId, 'client.apiKey');
  const live = ctx.db
    .prepare<[string], { id: string }>(`SELECT id FROM api_keys WHERE managed_user_id = ? AND revoked_at IS NULL`)
    .get(userId);
  return live ? ctx.secrets.get(apiKeySecretAccount(ctx.installId, live.id)) : null;
}
