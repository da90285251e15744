import { stringify } from 'csv-stringify/sync';
import type { ActivityEntry } from '../../../src-shared/contract';
import type { Db } from '../db/database';
import type { Principal } from './access';
import { newId } from './ids';

/** Who did something: a signed-in member, an API key, or Postroom itself (scheduler, migrations). */
export type Actor = { kind: 'member'; id: string } | { kind: 'api_key'; id: string } | { kind: 'system'; id: null };

export const systemActor: Actor = { kind: 'system', id: null };

/** The actor behind a principal: the member's profile, or the API key. */
export const actorOf = (p: Principal): Actor =>
  p.kind === 'member' ? { kind: 'member', id: p.profileId } : { kind: 'api_key', id: p.keyId };

export interface ActivityInput {
  workspaceId: string | null;
  actor: Actor;
  action: string;
  objectKind: string;
  objectId: string | null;
  detail: string;
}

/** What a principal did: recorded in its workspace, under its actor (`actorOf`). */
export function recordActivityOf(
  db: Db,
  at: Date,
  p: Principal,
  entry: Omit<ActivityInput, 'workspaceId' | 'actor'>,
): void {
  recordActivity(db, at, { workspaceId: p.workspaceId, actor: actorOf(p), ...entry });
}

/** What Postroom did by itself (a publish, a failure, a sign-in it could not renew): under `systemActor`. */
export function recordSystemActivity(
  db: Db,
  at: Date,
  workspaceId: string,
  entry: Omit<ActivityInput, 'workspaceId' | 'actor'>,
): void {
  recordActivity(db, at, { workspaceId, actor: systemActor, ...entry });
}

/** Appends one entry; call it inside the same transaction as the change it describes. */
export function recordActivity(db: Db, at: Date, entry: ActivityInput): void {
  db.prepare(
    `INSERT INTO activity (id, workspace_id, at, actor_kind, actor_id, action, object_kind, object_id, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    newId('act'),
    entry.workspaceId,
    at.toISOString(),
    entry.actor.kind,
    entry.actor.id,
    entry.action,
    entry.objectKind,
    entry.objectId,
    entry.detail,
  );
}

interface ActivityRow {
  id: string;
  at: string;
  actor_kind: ActivityEntry['actorKind'];
  actor_id: string | null;
  action: string;
  object_kind: string;
  object_id: string | null;
  detail: string;
}

export interface ActivityQuery {
  actorKind?: ActivityEntry['actorKind'];
  /** An exact action (`client.created`) or a family (`client`). */
  action?: string;
  objectId?: string;
  since?: string;
  until?: string;
}

export function listActivity(db: Db, workspaceId: string, limit: number, filter: ActivityQuery = {}): ActivityEntry[] {
  const where = ['workspace_id = ?'];
  const args: unknown[] = [workspaceId];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    args.push(...values);
  };
  if (filter.actorKind) add('actor_kind = ?', filter.actorKind);
  if (filter.action) add(`(action = ? OR action LIKE ? || '.%')`, filter.action, filter.action);
  if (filter.objectId) add('object_id = ?', filter.objectId);
  if (filter.since) add('at >= ?', new Date(filter.since).toISOString());
  if (filter.until) add('at <= ?', new Date(filter.until).toISOString());
  const rows = db
    .prepare<unknown[], ActivityRow>(
      `SELECT * FROM activity WHERE ${where.join(' AND ')} ORDER BY at DESC, rowid DESC LIMIT ?`,
    )
    .all(...args, limit);
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    action: r.action,
    objectKind: r.object_kind,
    objectId: r.object_id,
    detail: r.detail,
  }));
}

/**
 * The log as CSV (RFC 4180, through csv-stringify), newest first, with a header row. A cell that
 * starts like a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed with `'`, so a member named
 * `=HYPERLINK(…)` is text, not a formula, in a spreadsheet (issue 9 item 5, OWASP CSV injection).
 */
export function activityCsv(entries: readonly ActivityEntry[]): string {
  return stringify(
    entries.map((e) => [e.at, e.actorKind, e.actorId ?? '', e.action, e.objectKind, e.objectId ?? '', e.detail]),
    {
      header: true,
      escape_formulas: true,
      columns: ['at', 'actor_kind', 'actor_id', 'action', 'object_kind', 'object_id', 'detail'],
    },
  );
}
