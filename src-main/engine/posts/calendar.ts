import type { z } from 'zod';
import type { CalendarPage, CalendarPost, CalendarQuery, PostGroup } from '../../../src-shared/posts';
import { authorize, clientScope, type Principal } from '../kernel/access';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { findClientRow } from '../queries/clients';
import { APPROVAL_COLUMNS, approvalOf, type ApprovalRow } from '../queries/approvals';
import { stateBit, stateSetOf, statusOfSet, type StateSet } from '../queries/group-summaries';
import { EDITABLE } from './posts';
import type { ClientFilter } from './queue-query';

/**
 * The calendar's read (issue 11 `calendar_month`, docs/decisions.md D106): for each day of the
 * period in a time zone, how many posts it holds and the first `perDay` of them by time, with
 * only what a cell shows (time, client, platforms, first words, status).
 *
 * A group's status is a function of the set of states its deliveries are in, and `group_summaries`
 * (migration 019) holds that set beside the group's client, workspace, time and rowid, in an index
 * per client and per workspace on (…, sort_at, group_rowid, states). So the period's groups and
 * their statuses are one index range read in time order; only the posts a cell shows are read
 * from post_groups (and their platforms from the summary). A month of one client is a few hundred
 * index entries and four posts a day, however many posts the workspace has (D123).
 */

type Query = z.output<typeof CalendarQuery>;

/** Not on the calendar: posts without a time yet, and posts that will not go out. */
const HIDDEN: ReadonlySet<PostGroup['status']> = new Set(['draft', 'cancelled']);
/** A cell's words: the first line of the post, at most this many characters. */
export const EXCERPT_LENGTH = 60;
/** Enough of a post's text to find its first line whatever spaces lead it. */
const HEAD_CHARS = 1000;
/** A post is changeable while one of its deliveries is in an editable state. */
const EDITABLE_SET = stateSetOf(EDITABLE);
const PAUSED = stateBit('paused');

interface Candidate {
  rid: number;
  sort_at: string;
  states: StateSet;
}

/** The groups whose time is in [start, end), each with the set of its deliveries' states, by (time, rowid). */
function groupsInPeriod(db: Db, workspaceId: string, clients: ClientFilter, start: string, end: string): Candidate[] {
  const select = `SELECT group_rowid AS rid, sort_at, states FROM group_summaries`;
  const period = `sort_at >= ? AND sort_at < ? ORDER BY sort_at, group_rowid`;
  if (clients === 'all')
    return db
      .prepare<[string, string, string], Candidate>(`${select} WHERE workspace_id = ? AND ${period}`)
      .all(workspaceId, start, end);
  if ('userId' in clients)
    return db
      .prepare<[string, string, string], Candidate>(`${select} WHERE managed_user_id = ? AND ${period}`)
      .all(clients.userId, start, end);
  return db
    .prepare<[string, string, string], Candidate>(
      `${select} WHERE managed_user_id IN (SELECT value FROM json_each(?)) AND ${period}`,
    )
    .all(JSON.stringify(clients.userIds), start, end);
}

/** One formatter per zone, made once (as `localDay`): it reads a zone's wall clock at an instant. */
const wallClocks = new Map<string, Intl.DateTimeFormat>();

/**
 * When each day starts in each zone, as worked out once: a zone's rules do not change while the
 * app runs, and a person moving between months asks for the same days again and again. At most
 * DAY_STARTS_KEPT are kept (a few years of days in a few zones), then the memory starts afresh.
 */
const dayStarts = new Map<string, number>();
const DAY_STARTS_KEPT = 20_000;

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
  // Asking the zone's rules costs ~15 µs a day (formatToParts): each day's start is asked once.
  const startOf = (wall: number): number => {
    const key = `${zone}|${wall}`;
    let t = dayStarts.get(key);
    if (t === undefined) {
      t = midnight(wall);
      if (dayStarts.size >= DAY_STARTS_KEPT) dayStarts.clear();
      dayStarts.set(key, t);
    }
    return t;
  };
  const last = Date.parse(`${to}T00:00:00Z`);
  let wall = Date.parse(`${from}T00:00:00Z`);
  let start = startOf(wall);
  for (; wall < last; wall += DAY) {
    const end = startOf(wall + DAY);
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
    (g) => !HIDDEN.has(statusOfSet(g.states)),
  );
  // A group without a time is listed at its creation time. Only paused ones can be shown (drafts
  // are hidden): those few are checked for a time.
  const paused = groups.filter((g) => g.states === PAUSED);
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
    while (i < days.length && g.sort_at >= days[i]!.end) i++;
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

/** What the cells show of these groups: one statement, a row per group with its summary's platforms. */
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
        platform_ids: string;
      }
    >(
      `SELECT g.rowid AS rid, g.id, g.managed_user_id, g.scheduled_at, substr(g.text, 1, ${HEAD_CHARS}) AS head,
              g.updated_at, ${APPROVAL_COLUMNS}, s.platform_ids
       FROM post_groups g JOIN group_summaries s ON s.group_rowid = g.rowid
       WHERE g.rowid IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(groups.map((g) => g.rid)));
  const byRid = new Map(groups.map((g) => [g.rid, g]));
  for (const r of rows) {
    const g = byRid.get(r.rid)!;
    posts.set(r.rid, {
      id: r.id,
      userId: r.managed_user_id,
      scheduledTime: r.scheduled_at,
      status: statusOfSet(g.states),
      platformIds: JSON.parse(r.platform_ids) as string[],
      excerpt: excerptOf(r.head),
      updatedAt: r.updated_at,
      changeable: (g.states & EDITABLE_SET) !== 0,
      approval: approvalOf(r),
    });
  }
  return posts;
}
