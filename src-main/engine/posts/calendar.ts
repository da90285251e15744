import type { z } from 'zod';
import {
  deliveryStates,
  type CalendarPage,
  type CalendarPost,
  type CalendarQuery,
  type DeliveryState,
  type PostGroup,
} from '../../../src-shared/posts';
import { authorize, clientScope, type Principal } from '../kernel/access';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { findClientRow } from '../queries/clients';
import { APPROVAL_COLUMNS, approvalOf, type ApprovalRow } from '../queries/approvals';
import { statusOfStates } from '../queries/post-groups';
import { EDITABLE } from './posts';
import type { ClientFilter } from './queue-query';

/**
 * The calendar's read (issue 11 `calendar_month`, docs/decisions.md D106): for each day of the
 * period in a time zone, how many posts it holds and the first `perDay` of them by time, with
 * only what a cell shows (time, client, platforms, first words, status).
 *
 * A group's status is a function of the set of states its deliveries are in, and `queue_entries`
 * (migration 009) holds exactly that set, one row per group and state, with the group's time and
 * rowid, in an index per client and per workspace on (…, state, sort_at, group_rowid). So the
 * period's groups and their statuses come from index entries alone (one range per state); only
 * the posts a cell shows are read from post_groups and deliveries. A month of one client is a few
 * hundred index entries and four posts a day, however many posts the workspace has.
 */

type Query = z.output<typeof CalendarQuery>;

/** Not on the calendar: posts without a time yet, and posts that will not go out. */
const HIDDEN: ReadonlySet<PostGroup['status']> = new Set(['draft', 'cancelled']);
/** A cell's words: the first line of the post, at most this many characters. */
export const EXCERPT_LENGTH = 60;
/** Enough of a post's text to find its first line whatever spaces lead it. */
const HEAD_CHARS = 1000;

const STATE_LIST = deliveryStates.map((s) => `'${s}'`).join(', ');

interface Candidate {
  rid: number;
  id: string;
  sortAt: string;
  states: Set<DeliveryState>;
}

interface EntryRow {
  id: string;
  rid: number;
  sort_at: string;
  state: DeliveryState;
}

/**
 * The groups whose time is in [start, end), each with the set of its deliveries' states, by
 * (time, rowid). `state IN (every state)` lets the index on (client, state, sort_at, …) serve a
 * range per state; the few hundred entries are sorted after.
 */
function groupsInPeriod(db: Db, workspaceId: string, clients: ClientFilter, start: string, end: string): Candidate[] {
  const period = `state IN (${STATE_LIST}) AND sort_at >= ? AND sort_at < ?`;
  const select = `SELECT post_group_id AS id, group_rowid AS rid, sort_at, state FROM queue_entries`;
  const order = `ORDER BY sort_at, group_rowid`;
  const rows =
    clients === 'all'
      ? db
          .prepare<[string, string, string], EntryRow>(`${select} WHERE workspace_id = ? AND ${period} ${order}`)
          .all(workspaceId, start, end)
      : db
          .prepare<[string, string, string], EntryRow>(
            `${select} WHERE managed_user_id IN (SELECT value FROM json_each(?)) AND ${period} ${order}`,
          )
          .all(JSON.stringify('userId' in clients ? [clients.userId] : clients.userIds), start, end);
  const groups: Candidate[] = [];
  for (const r of rows) {
    const last = groups.at(-1);
    if (last && last.rid === r.rid) last.states.add(r.state);
    else groups.push({ rid: r.rid, id: r.id, sortAt: r.sort_at, states: new Set([r.state]) });
  }
  return groups;
}

/** One formatter per zone, made once (as `localDay`): it reads a zone's wall clock at an instant. */
const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** How far `zone`'s wall clock is ahead of UTC at instant `t` (ms). */
function offsetAt(clock: Intl.DateTimeFormat, t: number): number {
  const n: Record<string, number> = {};
  for (const part of clock.formatToParts(t)) if (part.type !== 'literal') n[part.type] = Number(part.value);
  return Date.UTC(n.year!, n.month! - 1, n.day!, n.hour!, n.minute!, n.second!) - (t - (t % 1000));
}

/**
 * The days from `from` to `to` (exclusive) in `zone`, each with the UTC instants it starts and
 * ends at. A day starts at its local midnight, or where its clock starts when a change of clocks
 * skips midnight; a day is 23 or 25 hours long around a change. Luxon gives the same bounds
 * (test/unit/calendar.test.ts checks every day of two years in several zones) but asks the zone's
 * rules several times per day; this asks once per day, with the previous day's offset as the guess.
 */
export function dayBounds(from: string, to: string, zone: string): { day: string; start: string; end: string }[] {
  let clock = wallClocks.get(zone);
  if (!clock) {
    try {
      clock = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new AppError('validation_failed', 'this time zone is not one Postroom knows', {
        fields: { zone: 'Choose a time zone from the list, such as Europe/Paris.' },
      });
    }
    wallClocks.set(zone, clock);
  }
  const DAY = 86_400_000;
  let offset = offsetAt(clock, Date.parse(`${from}T12:00:00Z`));
  const midnight = (wall: number): number => {
    const t = wall - offset;
    const actual = offsetAt(clock, t);
    if (actual === offset) return t;
    const again = offsetAt(clock, wall - actual);
    if (again === actual) {
      offset = actual;
      return wall - actual;
    }
    // Midnight does not exist this day (clocks jump forward at it): the day starts at the jump.
    const jump = Math.max(wall - actual, wall - again);
    offset = offsetAt(clock, jump);
    return jump;
  };
  const days: { day: string; start: string; end: string }[] = [];
  const last = Date.parse(`${to}T00:00:00Z`);
  let wall = Date.parse(`${from}T00:00:00Z`);
  let start = midnight(wall);
  for (; wall < last; wall += DAY) {
    const end = midnight(wall + DAY);
    days.push({
      day: new Date(wall).toISOString().slice(0, 10),
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    });
    start = end;
  }
  return days;
}

/** The first line of a post, shortened: the words a calendar cell shows (the renderer's `excerpt`). */
function excerptOf(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  if (line === '') return '(no text)';
  const chars = [...line];
  return chars.length > EXCERPT_LENGTH ? `${chars.slice(0, EXCERPT_LENGTH - 1).join('')}…` : line;
}

export function calendarDays(ctx: EngineContext, p: Principal, userId: string | null, q: Query): CalendarPage {
  authorize(p, 'post.read', userId ? { managedUserId: userId } : {});
  // Another workspace's client is not_found, not an empty calendar (issue 9 item 4).
  if (userId && !findClientRow(ctx.db, p.workspaceId, userId))
    throw new AppError('not_found', 'user not found', { userId });
  const scope = clientScope(p);
  const clients: ClientFilter = userId ? { userId } : scope === 'all' ? 'all' : { userIds: scope };
  const zone =
    q.zone ??
    ctx.db.prepare<[string], string>(`SELECT timezone FROM workspaces WHERE id = ?`).pluck().get(p.workspaceId)!;
  const days = dayBounds(q.from, q.to, zone);
  const { db } = ctx;

  let groups = groupsInPeriod(db, p.workspaceId, clients, days[0]!.start, days.at(-1)!.end).filter(
    (g) => !HIDDEN.has(statusOfStates(g.states)),
  );
  // A group without a time is listed at its creation time. Only paused ones can be shown (drafts
  // are hidden): those few are checked for a time.
  const paused = groups.filter((g) => g.states.size === 1 && g.states.has('paused'));
  if (paused.length > 0) {
    const timed = new Set(
      db
        .prepare<[string], number>(
          `SELECT rowid FROM post_groups WHERE rowid IN (SELECT value FROM json_each(?)) AND scheduled_at IS NOT NULL`,
        )
        .pluck()
        .all(JSON.stringify(paused.map((g) => g.rid))),
    );
    groups = groups.filter((g) => !paused.includes(g) || timed.has(g.rid));
  }
  if (q.platform && groups.length > 0) {
    const on = new Set(
      db
        .prepare<[string, string], number>(
          `SELECT DISTINCT g.rowid FROM post_groups g JOIN deliveries d ON d.post_group_id = g.id
           WHERE g.rowid IN (SELECT value FROM json_each(?)) AND d.platform = ?`,
        )
        .pluck()
        .all(JSON.stringify(groups.map((g) => g.rid)), q.platform),
    );
    groups = groups.filter((g) => on.has(g.rid));
  }

  // Both lists are in time order: each day takes the groups before its end.
  const byDay = days.map((d) => ({ day: d.day, total: 0, shown: [] as Candidate[] }));
  let i = 0;
  for (const g of groups) {
    while (i < days.length && g.sortAt >= days[i]!.end) i++;
    const day = byDay[i];
    if (!day) break;
    day.total++;
    if (day.shown.length < q.perDay) day.shown.push(g);
  }

  const posts = readCalendarPosts(
    db,
    byDay.flatMap((d) => d.shown),
  );
  return {
    zone,
    days: byDay.map((d) => ({ day: d.day, total: d.total, posts: d.shown.map((g) => posts.get(g.rid)!) })),
  };
}

/** What the cells show of these groups: two statements, a row per group and an index entry per delivery. */
function readCalendarPosts(db: Db, groups: readonly Candidate[]): Map<number, CalendarPost> {
  const posts = new Map<number, CalendarPost>();
  if (groups.length === 0) return posts;
  const rows = db
    .prepare<
      [string],
      ApprovalRow & {
        rid: number;
        id: string;
        managed_user_id: string;
        scheduled_at: string;
        head: string;
        updated_at: string;
      }
    >(
      `SELECT g.rowid AS rid, g.id, g.managed_user_id, g.scheduled_at, substr(g.text, 1, ${HEAD_CHARS}) AS head,
              g.updated_at, ${APPROVAL_COLUMNS}
       FROM post_groups g WHERE g.rowid IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(groups.map((g) => g.rid)));
  // (post_group_id, platform_id) is the deliveries' unique index: read without the table.
  const platformIds = new Map<string, string[]>();
  for (const d of db
    .prepare<[string], { post_group_id: string; platform_id: string }>(
      `SELECT post_group_id, platform_id FROM deliveries WHERE post_group_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
    )
    .all(JSON.stringify(groups.map((g) => g.id)))) {
    const list = platformIds.get(d.post_group_id);
    if (list) list.push(d.platform_id);
    else platformIds.set(d.post_group_id, [d.platform_id]);
  }
  const byRid = new Map(groups.map((g) => [g.rid, g]));
  for (const r of rows) {
    const g = byRid.get(r.rid)!;
    posts.set(r.rid, {
      id: r.id,
      userId: r.managed_user_id,
      scheduledTime: r.scheduled_at,
      status: statusOfStates(g.states),
      platformIds: platformIds.get(r.id) ?? [],
      excerpt: excerptOf(r.head),
      updatedAt: r.updated_at,
      changeable: EDITABLE.some((s) => g.states.has(s)),
      approval: approvalOf(r),
    });
  }
  return posts;
}
