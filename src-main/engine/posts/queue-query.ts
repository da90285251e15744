import type { z } from 'zod';
import { isApprovalFilter, type ListPostGroupsQuery } from '../../../src-shared/posts';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';

/**
 * One page of the queue as post group rowids, answered from indexes (migration 009): keyset
 * pagination on (sort_at, rowid), a state filter through `queue_entries`, totals from
 * `queue_counts`. No page reads more rows than it shows, however many there are
 * (docs/decisions.md "Queue pages on a million deliveries" has the query plans).
 */

type Query = z.output<typeof ListPostGroupsQuery>;

/** Above this many matches, a filter the counts do not cover (platform, dates) says "at least". */
export const COUNT_CAP = 10_000;

export interface QueuePage {
  rowids: number[];
  total: number;
  /** True when `total` is a lower bound (COUNT_CAP reached). */
  totalCapped: boolean;
  nextCursor: string | null;
}

/** Which clients a principal may list: one, all of the workspace, or a list (a member's assigned clients). */
export type ClientFilter = { userId: string } | { userIds: readonly string[] } | 'all';

interface Position {
  sortAt: string;
  rowid: number;
}

/** A cursor is where the last page ended: opaque to callers, checked when it comes back. */
export const encodeCursor = (p: Position): string => Buffer.from(`${p.rowid}|${p.sortAt}`).toString('base64url');

export function decodeCursor(cursor: string): Position {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const rowid = Number(text.slice(0, bar));
  const sortAt = text.slice(bar + 1);
  if (bar < 1 || !Number.isSafeInteger(rowid) || rowid < 1 || !/^\d{4}-\d{2}-\d{2}T/.test(sortAt))
    throw new AppError('validation_failed', 'this cursor is not one Postroom gave out; start from the first page', {
      fields: { cursor: 'not a valid cursor' },
    });
  return { sortAt, rowid };
}

/**
 * A person's words as an FTS5 query: each word a quoted prefix term (so `"` and FTS operators in
 * what they type are only text), all of them required. Null when nothing is left to search for.
 */
export function searchTerms(search: string | undefined): string | null {
  const words = (search ?? '').match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length === 0 ? null : words.map((w) => `"${w}"*`).join(' ');
}

/** Searches matching at most this many posts are answered from their rowids. */
export const FEW_MATCHES = 2000;

/** The rowids of the posts matching `terms`, when there are at most FEW_MATCHES of them (else null). */
function fewMatches(db: Db, terms: string): number[] | null {
  const rowids = db
    .prepare<[string, number], number>(`SELECT rowid FROM post_text_fts WHERE post_text_fts MATCH ? LIMIT ?`)
    .pluck()
    .all(terms, FEW_MATCHES + 1);
  return rowids.length > FEW_MATCHES ? null : rowids;
}

export function queuePage(db: Db, workspaceId: string, clients: ClientFilter, q: Query): QueuePage {
  // With a state filter the walk is over queue_entries (one row per group and state), else over
  // post_groups itself; both have (client or workspace, [state,] sort_at, rowid) indexes.
  // A search that matches few posts walks just those (by rowid, then sorted); a word in many posts
  // walks the queue's index and checks each row against the matches (D100 has the figures).
  const terms = searchTerms(q.search);
  const few = terms ? fewMatches(db, terms) : null;
  // An approval state (`in_review`…) is the group's own column, walked by its partial index (migration 014).
  const approval = q.state !== undefined && isApprovalFilter(q.state) ? q.state : null;
  const state = approval ? undefined : q.state;
  const byState = state !== undefined && few === null;
  const t = byState
    ? { from: 'queue_entries x', rowid: 'x.group_rowid', groupId: 'x.post_group_id' }
    : { from: 'post_groups x', rowid: 'x.rowid', groupId: 'x.id' };
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    args.push(...values);
  };
  // With one client, the workspace test must not steer the plan to the workspace index (`+`).
  if (few) {
    add('x.rowid IN (SELECT value FROM json_each(?))', JSON.stringify(few));
    if (state) add(`EXISTS (SELECT 1 FROM deliveries d WHERE d.post_group_id = x.id AND d.state = ?)`, state);
  }
  if (few) {
    // `+`: the rowids lead; no index on the workspace or the client may take over the plan.
    add('+x.workspace_id = ?', workspaceId);
    if (clients !== 'all')
      add(
        '+x.managed_user_id IN (SELECT value FROM json_each(?))',
        JSON.stringify('userId' in clients ? [clients.userId] : clients.userIds),
      );
  } else if (clients === 'all') add('x.workspace_id = ?', workspaceId);
  else if ('userId' in clients) add('+x.workspace_id = ? AND x.managed_user_id = ?', workspaceId, clients.userId);
  else
    add(
      'x.workspace_id = ? AND x.managed_user_id IN (SELECT value FROM json_each(?))',
      workspaceId,
      JSON.stringify(clients.userIds),
    );
  if (byState) add('x.state = ?', state);
  // The partial index (migration 014) is used only when the query repeats its WHERE term word for word.
  if (approval) add(`x.approval_state = ? AND x.approval_state != 'none'`, approval);
  if (q.platform)
    add(`EXISTS (SELECT 1 FROM deliveries d WHERE d.post_group_id = ${t.groupId} AND d.platform = ?)`, q.platform);
  if (terms && !few) add(`${t.rowid} IN (SELECT rowid FROM post_text_fts WHERE post_text_fts MATCH ?)`, terms);
  const dated = q.from !== undefined || q.to !== undefined;
  // A date range is on the post's time: sort_at is that time for every group that has one.
  if (q.from) add('x.sort_at >= ?', new Date(q.from).toISOString());
  if (q.to) add('x.sort_at < ?', new Date(q.to).toISOString());
  if (dated)
    add(
      byState
        ? 'EXISTS (SELECT 1 FROM post_groups g WHERE g.rowid = x.group_rowid AND g.scheduled_at IS NOT NULL)'
        : 'x.scheduled_at IS NOT NULL',
    );
  const filters = where.join(' AND ');

  const desc = q.order === 'desc';
  const pageWhere = [filters];
  const pageArgs = [...args];
  if (q.cursor) {
    const after = decodeCursor(q.cursor);
    pageWhere.push(`(x.sort_at, ${t.rowid}) ${desc ? '<' : '>'} (?, ?)`);
    pageArgs.push(after.sortAt, after.rowid);
  }
  const dir = desc ? 'DESC' : 'ASC';
  const offset = q.cursor ? 0 : (q.page - 1) * q.perPage;
  const rows = db
    .prepare<unknown[], { sort_at: string; rid: number }>(
      `SELECT x.sort_at, ${t.rowid} AS rid FROM ${t.from} WHERE ${pageWhere.join(' AND ')}
       ORDER BY x.sort_at ${dir}, ${t.rowid} ${dir} LIMIT ? OFFSET ?`,
    )
    .all(...pageArgs, q.perPage + 1, offset);
  const more = rows.length > q.perPage;
  const shown = more ? rows.slice(0, q.perPage) : rows;
  const last = shown.at(-1);

  let total: number;
  let totalCapped = false;
  if (!q.platform && !dated && !terms && !approval) {
    total = countFromSummary(db, workspaceId, clients, state ?? '');
  } else {
    total = (
      db
        .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${t.from} WHERE ${filters} LIMIT ?)`)
        .get(...args, COUNT_CAP + 1) as { n: number }
    ).n;
    if (total > COUNT_CAP) {
      total = COUNT_CAP;
      totalCapped = true;
    }
  }
  return {
    rowids: shown.map((r) => r.rid),
    total,
    totalCapped,
    nextCursor: more && last ? encodeCursor({ sortAt: last.sort_at, rowid: last.rid }) : null,
  };
}

/** Groups per client and state, kept by triggers (migration 009): a sum over at most the workspace's clients. */
function countFromSummary(db: Db, workspaceId: string, clients: ClientFilter, state: string): number {
  const row =
    clients === 'all'
      ? db
          .prepare(`SELECT coalesce(sum(groups), 0) AS n FROM queue_counts WHERE workspace_id = ? AND state = ?`)
          .get(workspaceId, state)
      : 'userId' in clients
        ? db
            .prepare(
              `SELECT coalesce(sum(groups), 0) AS n FROM queue_counts
               WHERE managed_user_id = ? AND state = ? AND workspace_id = ?`,
            )
            .get(clients.userId, state, workspaceId)
        : db
            .prepare(
              `SELECT coalesce(sum(groups), 0) AS n FROM queue_counts
               WHERE managed_user_id IN (SELECT value FROM json_each(?)) AND state = ? AND workspace_id = ?`,
            )
            .get(JSON.stringify(clients.userIds), state, workspaceId);
  return (row as { n: number }).n;
}
