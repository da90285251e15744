import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import type { Platform } from '../../../src-shared/contract';
import type {
  CreatePostGroupInput,
  DeliveryState,
  ListPostGroupsQuery,
  PostGroup,
  PostGroupPage,
  QueueSlot,
  UpdatePostGroupInput,
} from '../../../src-shared/posts';
import { authorize, clientScope, type Principal } from '../kernel/access';
import { recordActivityOf, actorOf } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { queuePage, type ClientFilter } from './queue-query';
import {
  checkPoll,
  checkFirstCommentTargets,
  checkFollowUps,
  checkPost,
  PLATFORM_RULES,
  type PollRules,
  type RuleViolation,
} from '../../../src-shared/platform-rules';
import { findClientRow } from '../queries/clients';
import { createConnectionLink, linkCanConnect } from '../queries/connection-links';
import { getPlan, getWorkspace } from '../queries/workspaces';
import type { DeliveryRow } from '../queries/deliveries';
import {
  addToLibrary,
  clientMedia,
  mediaInfoOf,
  mediaOfPost,
  partMediaPosition,
  type MediaRow,
} from '../queries/media';
import { incomingPath } from '../files/store';
import { writeFileSync } from 'node:fs';
import { readPostGroup, readPostGroups, type GroupRow } from '../queries/post-groups';
import { POLICY_COLUMN, reviewAgainAfterEdit } from '../queries/approvals';
import { requireReadableGroup } from '../queries/readable-groups';

/**
 * A time in the past (issue 9 item 1): within `PAST_GRACE_MS` it is "now" (a person picked the
 * current minute and saved a little later); further back it is refused with `time_in_past` unless
 * the caller confirms with `publishNow`. Either way the post goes out now and is charged to the
 * day it really goes out, never to the past day asked for: back-dating used to publish any number
 * of posts at once while each counted against a different, long-gone day.
 */
export const PAST_GRACE_MS = 5 * 60_000;

const firstAttemptAt = (scheduledAt: Date, now: Date) =>
  new Date(Math.max(scheduledAt.getTime(), now.getTime())).toISOString();

/** When a post asked for `requested` really goes out: never before now. */
function whenItGoesOut(requested: Date, now: Date, publishNow: boolean | undefined): Date {
  if (requested.getTime() >= now.getTime()) return requested;
  if (now.getTime() - requested.getTime() > PAST_GRACE_MS && !publishNow) {
    throw new AppError(
      'time_in_past',
      `scheduledTime ${requested.toISOString()} has passed; ` +
        'choose a time from now on, or send publishNow: true to publish it now',
      {
        scheduledTime: requested.toISOString(),
        now: now.toISOString(),
        fields: { scheduledTime: 'this time has passed' },
      },
    );
  }
  return now;
}

/** Seed 000 names X by its old name: `twitter-123456` is the X account 123456. */
export const normalisePlatformId = (id: string) =>
  id.startsWith('twitter-') ? `x-${id.slice('twitter-'.length)}` : id;

// ---- the daily limit (seed 000) ---------------------------------------------------------------

export function dailyLimitOf(db: Db, workspaceId: string, userId: string): number {
  const own = db
    .prepare<[string], { daily_post_limit: number | null }>(`SELECT daily_post_limit FROM managed_users WHERE id = ?`)
    .get(userId)?.daily_post_limit;
  return own ?? getPlan(db, getWorkspace(db, workspaceId).plan.id).dailyPostLimit;
}

/** Deliveries that count against a client's day: all but drafts and cancelled ones. */
export function usedOnDay(db: Db, userId: string, day: string, exceptGroupId: string | null = null): number {
  return (
    db
      .prepare(
        `SELECT count(*) AS n FROM deliveries
         WHERE managed_user_id = ? AND local_day = ? AND state NOT IN ('draft', 'cancelled')
           AND post_group_id IS NOT ?`,
      )
      .get(userId, day, exceptGroupId) as { n: number }
  ).n;
}

/** One formatter per zone, made once: building a zone's rules on every post was a tenth of the write path. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (yyyy-mm-dd) an instant falls on in a time zone. */
export function localDay(instant: Date, timezone: string): string {
  let format = dayFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timezone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
  return `${parts.year!.padStart(4, '0')}-${parts.month}-${parts.day}`;
}

/** `dailyPostsLeft` for a client's day (today in their time zone unless given). */
export function dailyPostsLeft(ctx: EngineContext, workspaceId: string, userId: string, day?: string): number {
  const client = findClientRow(ctx.db, workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  const d = day ?? localDay(ctx.clock.now(), client.timezone);
  return Math.max(0, dailyLimitOf(ctx.db, workspaceId, userId) - usedOnDay(ctx.db, userId, d));
}

function assertRoomOnDay(
  ctx: EngineContext,
  workspaceId: string,
  userId: string,
  timezone: string,
  day: string,
  needed: number,
  exceptGroupId: string | null,
): void {
  const limit = dailyLimitOf(ctx.db, workspaceId, userId);
  if (usedOnDay(ctx.db, userId, day, exceptGroupId) + needed <= limit) return;
  let next = DateTime.fromISO(day, { zone: timezone });
  let nextDay: string | null = null;
  for (let i = 0; i < 366; i++) {
    next = next.plus({ days: 1 });
    const candidate = next.toISODate()!;
    if (usedOnDay(ctx.db, userId, candidate, exceptGroupId) + needed <= limit) {
      nextDay = candidate;
      break;
    }
  }
  throw new AppError(
    'daily_limit_reached',
    `this client has reached ${limit} posts on ${day}${nextDay ? `; ${nextDay} has room` : ''}`,
    {
      day,
      limit,
      dailyPostsLeft: Math.max(0, limit - usedOnDay(ctx.db, userId, day, exceptGroupId)),
      nextDayWithRoom: nextDay,
    },
  );
}

// ---- queue slots --------------------------------------------------------------------------------

export function setQueueSlots(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  slots: readonly QueueSlot[],
): QueueSlot[] {
  authorize(p, 'post.schedule', { managedUserId: userId });
  if (!findClientRow(ctx.db, p.workspaceId, userId)) throw new AppError('not_found', 'user not found', { userId });
  ctx.db.transaction(() => {
    ctx.db.prepare(`DELETE FROM queue_slots WHERE managed_user_id = ?`).run(userId);
    for (const s of slots) {
      const [h, m] = s.time.split(':').map(Number) as [number, number];
      ctx.db
        .prepare(`INSERT OR IGNORE INTO queue_slots (id, managed_user_id, weekday, minute_of_day) VALUES (?, ?, ?, ?)`)
        .run(newId('slot'), userId, s.weekday, h * 60 + m);
    }
  })();
  return getQueueSlots(ctx.db, userId);
}

export function getQueueSlots(db: Db, userId: string): QueueSlot[] {
  return db
    .prepare<[string], { weekday: number; minute_of_day: number }>(
      `SELECT weekday, minute_of_day FROM queue_slots WHERE managed_user_id = ? ORDER BY weekday, minute_of_day`,
    )
    .all(userId)
    .map((r) => ({
      weekday: r.weekday,
      time:
        `${String(Math.floor(r.minute_of_day / 60)).padStart(2, '0')}:` + String(r.minute_of_day % 60).padStart(2, '0'),
    }));
}

/**
 * The next free slot after `after`: slot times are wall-clock times in the client's zone, so
 * 09:00 stays 09:00 across daylight-saving changes (a slot inside a spring-forward gap moves to
 * the first valid minute after it). A slot is free when no other post of the client is due then
 * and its day has room under the daily limit.
 */
export function nextFreeSlot(
  ctx: EngineContext,
  workspaceId: string,
  userId: string,
  timezone: string,
  after: Date,
  needed: number,
): Date {
  const slots = getQueueSlots(ctx.db, userId);
  if (slots.length === 0)
    throw new AppError('validation_failed', 'this client has no queue slots yet; add some or pick a time', {
      fields: { addToQueue: 'no queue slots' },
    });
  const limit = dailyLimitOf(ctx.db, workspaceId, userId);
  const start = DateTime.fromJSDate(after, { zone: timezone }).startOf('day');
  for (let d = 0; d < 7 * 53; d++) {
    const day = start.plus({ days: d });
    const daySlots = slots.filter((s) => s.weekday === day.weekday);
    if (daySlots.length === 0) continue;
    if (usedOnDay(ctx.db, userId, day.toISODate()!) + needed > limit) continue;
    for (const s of daySlots) {
      const [hour, minute] = s.time.split(':').map(Number) as [number, number];
      const at = DateTime.fromObject(
        { year: day.year, month: day.month, day: day.day, hour, minute },
        { zone: timezone },
      );
      if (at.toMillis() <= after.getTime()) continue;
      const iso = at.toUTC().toISO()!;
      const taken = ctx.db
        .prepare(
          `SELECT 1 FROM post_groups WHERE managed_user_id = ? AND sort_at = ? AND scheduled_at = ?
             AND EXISTS (SELECT 1 FROM deliveries d WHERE d.post_group_id = post_groups.id AND d.state != 'cancelled')`,
        )
        .get(userId, iso, iso);
      if (!taken) return at.toJSDate();
    }
  }
  throw new AppError('daily_limit_reached', 'no free queue slot in the next year', { nextDayWithRoom: null });
}

// ---- creating and changing posts ------------------------------------------------------------

interface ConnectionRow {
  id: string;
  platform: Platform;
  platform_id: string;
  status: string;
  max_text_length: number | null;
  poll_limits: string | null;
}

/** The poll bounds a connection's own server set when it connected (a Mastodon instance's), or none. */
const serverPollRules = (c: Pick<ConnectionRow, 'poll_limits'> | undefined): PollRules | null =>
  c?.poll_limits ? (JSON.parse(c.poll_limits) as PollRules) : null;

/**
 * The post's media as library items: `mediaIds` from the client's library, then files sent inline
 * (seed 000's `media`, base64), which are added to the library first (and refused there, naming
 * the file and the rule, when they are not what they say).
 */
async function postMedia(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  input: z.output<typeof CreatePostGroupInput>,
): Promise<MediaRow[]> {
  const chosen = clientMedia(ctx.db, userId, input.mediaIds ?? []);
  for (const [i, m] of (input.media ?? []).entries()) {
    const path = incomingPath(ctx.dataDir);
    writeFileSync(path, Buffer.from(m.dataBase64, 'base64'), { mode: 0o600 });
    chosen.push(
      await addToLibrary(ctx, {
        workspaceId: p.workspaceId,
        userId,
        path,
        fileName: m.fileName ?? `image ${i + 1}`,
        ...(m.altText !== undefined ? { altText: m.altText } : {}),
        createdBy: actorOf(p).id,
      }),
    );
  }
  return chosen;
}

/** A thread's parts after the post, with their library items (issue 14 item 4). */
interface ThreadPart {
  text: string;
  media: MediaRow[];
}

/** The library items of each part, checked to be the client's (else not_found naming the part). */
function threadParts(
  ctx: EngineContext,
  userId: string,
  thread: readonly { text: string; mediaIds?: string[] | undefined }[],
): ThreadPart[] {
  return thread.map((part, i) => {
    try {
      return { text: part.text, media: clientMedia(ctx.db, userId, part.mediaIds ?? []) };
    } catch (err) {
      if (err instanceof AppError) err.message = `part ${i + 2} of the thread: ${err.message}`;
      throw err;
    }
  });
}

/** A first comment as stored: none when empty. */
const firstCommentOf = (text: string | null | undefined): string | null => (text?.trim() ? text : null);

/** The thread's rows: its texts on the group, each part's media in `post_media` with its part number. */
function writeThread(ctx: EngineContext, groupId: string, thread: readonly ThreadPart[]): void {
  ctx.db.prepare(`DELETE FROM post_media WHERE post_group_id = ? AND part > 0`).run(groupId);
  thread.forEach((part, i) =>
    part.media.forEach((m, j) =>
      ctx.db
        .prepare(`INSERT INTO post_media (post_group_id, position, media_id, part) VALUES (?, ?, ?, ?)`)
        .run(groupId, partMediaPosition(i + 1, j), m.id, i + 1),
    ),
  );
}

/**
 * Every text a reviewer approved besides the main one, keyed for the typo-fix rule (D120): each
 * platform's text, each later part of a thread, the first comment.
 */
const reviewedTexts = (
  platformTexts: Record<string, string>,
  thread: readonly { text: string }[],
  firstComment: string | null,
): Record<string, string> => ({
  ...platformTexts,
  ...Object.fromEntries(thread.map((part, i) => [`thread part ${i + 1}`, part.text])),
  ...(firstComment !== null ? { 'first comment': firstComment } : {}),
});

const threadJson = (thread: readonly ThreadPart[]) => JSON.stringify(thread.map((p) => ({ text: p.text })));

/** The rules of a post's thread and first comment on one platform, with the media the rules read. */
const followUpViolations = (
  platform: Platform,
  thread: readonly ThreadPart[],
  firstComment: string | null,
  maxTextLength: number | undefined,
) =>
  checkFollowUps(
    platform,
    thread.map((p) => ({ text: p.text, media: p.media.map(mediaInfoOf) })),
    firstComment,
    maxTextLength,
  );

/** A refusal listing every broken rule, each beside its field (`platform.<name>`, or `thread.<n>` for a part). */
function refuseViolations(violations: readonly RuleViolation[]): void {
  if (violations.length === 0) return;
  throw new AppError('validation_failed', violations[0]!.message, {
    violations,
    fields: Object.fromEntries(
      violations.map((v) => [
        v.part
          ? `thread.${v.part - 2}`
          : v.rule === 'comment_too_long' || v.rule === 'first_comment_not_supported'
            ? 'firstComment'
            : v.rule === 'poll_not_supported' || v.rule === 'poll_invalid'
              ? 'poll'
              : `platform.${v.platform}`,
        v.message,
      ]),
    ),
  });
}

/**
 * Creates a post group for a client, one delivery per platformId. Everything is checked first:
 * each target is a live connection of the client (else `social_account_required` with a fresh
 * connection link), the text and media fit every platform, and the day has room.
 */
export async function createPostGroup(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  input: z.output<typeof CreatePostGroupInput>,
  baseUrl: string,
): Promise<PostGroup> {
  const scheduling = input.scheduledTime !== undefined || input.addToQueue === true || input.publishNow === true;
  authorize(p, scheduling ? 'post.schedule' : 'post.draft', { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  if (client.deactivated_at) throw new AppError('conflict', 'this user is deactivated; reactivate them to post');

  const platformIds = [...new Set(input.platformIds.map(normalisePlatformId))];
  const connections = platformIds.map((id) =>
    ctx.db
      .prepare<[string, string], ConnectionRow>(
        `SELECT id, platform, platform_id, status, max_text_length, poll_limits FROM connections
         WHERE managed_user_id = ? AND platform_id = ?`,
      )
      .get(userId, id),
  );
  const unknownIds = platformIds.filter((id, i) => !connections[i] && !/^[a-z]+-./.test(id));
  if (unknownIds.length)
    throw new AppError('invalid_platform', `not a platform id: ${unknownIds.join(', ')}`, { platformIds: unknownIds });
  const unusable = platformIds.filter((_, i) => connections[i]?.status !== 'active');
  if (unusable.length) {
    const link =
      canMakeLink(p, userId) && linkCanConnect(ctx.db, p.workspaceId)
        ? createConnectionLink(ctx, p, userId, baseUrl)
        : null;
    throw new AppError(
      'social_account_required',
      `connect ${unusable.join(', ')} before posting there`,
      { platformIds: unusable },
      link
        ? {
            type: 'connect_social_account',
            label: 'Send a connection link',
            provider: connectionPlatformOf(unusable[0]!, connections[platformIds.indexOf(unusable[0]!)]),
            connection_url: link.connectionUrl,
            expires_at: link.expiresAt,
          }
        : undefined,
    );
  }

  const thread = threadParts(ctx, userId, input.thread ?? []);
  const firstComment = firstCommentOf(input.firstComment);
  const media = await postMedia(ctx, p, userId, input);
  const violations: RuleViolation[] = [];
  // A draft keeps whatever was typed; the platforms' limits apply when it is scheduled (D93).
  if (scheduling)
    connections.forEach((c) => {
      const text = input.platformTexts?.[c!.platform_id] ?? input.text;
      const limit = c!.max_text_length ?? undefined;
      violations.push(...checkPost(c!.platform, text, media.map(mediaInfoOf), limit));
      violations.push(...followUpViolations(c!.platform, thread, firstComment, limit));
      violations.push(...checkPoll(c!.platform, input.poll, media.length, serverPollRules(c!)));
    });
  if (scheduling)
    violations.push(
      ...checkFirstCommentTargets(
        connections.map((c) => c!.platform),
        firstComment,
      ),
    );
  refuseViolations(violations);

  const now = ctx.clock.now();
  let scheduledAt: Date | null = null;
  if (input.addToQueue)
    scheduledAt = nextFreeSlot(ctx, p.workspaceId, userId, client.timezone, now, platformIds.length);
  else if (input.scheduledTime !== undefined)
    scheduledAt = whenItGoesOut(new Date(input.scheduledTime), now, input.publishNow);
  else if (input.publishNow) scheduledAt = now;
  const day = scheduledAt ? localDay(scheduledAt, client.timezone) : null;

  const id = newId('pg');
  const iso = now.toISOString();
  ctx.db.transaction(() => {
    if (day) assertRoomOnDay(ctx, p.workspaceId, userId, client.timezone, day, platformIds.length, null);
    ctx.db
      .prepare(
        `INSERT INTO post_groups
           (id, workspace_id, managed_user_id, text, platform_texts, scheduled_at, created_at, updated_at, created_by,
            thread, first_comment, poll)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        p.workspaceId,
        userId,
        input.text,
        JSON.stringify(input.platformTexts ?? {}),
        scheduledAt?.toISOString() ?? null,
        iso,
        iso,
        actorOf(p).id,
        threadJson(thread),
        firstComment,
        input.poll ? JSON.stringify(input.poll) : null,
      );
    media.forEach((m, i) =>
      ctx.db.prepare(`INSERT INTO post_media (post_group_id, position, media_id) VALUES (?, ?, ?)`).run(id, i, m.id),
    );
    writeThread(ctx, id, thread);
    connections.forEach((c) => {
      ctx.db
        .prepare(
          `INSERT INTO deliveries
             (id, post_group_id, managed_user_id, platform_id, platform, state, due_at, local_day, next_attempt_at,
              idempotency_key, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          newId('dlv'),
          id,
          userId,
          c!.platform_id,
          c!.platform,
          scheduledAt ? 'scheduled' : 'draft',
          scheduledAt?.toISOString() ?? null,
          day,
          scheduledAt ? firstAttemptAt(scheduledAt, now) : null,
          randomUUID(),
          iso,
        );
    });
    recordActivityOf(ctx.db, now, p, {
      action: scheduledAt ? 'post.scheduled' : 'post.drafted',
      objectKind: 'post_group',
      objectId: id,
      detail:
        `${scheduledAt ? `Scheduled for ${scheduledAt.toISOString()}` : 'Draft'} ` +
        `on ${platformIds.join(', ')} for ${client.display_name}`,
    });
  })();
  return readPostGroup(ctx.db, id);
}

/** The platform a platformId names: its connection's, else the id's own prefix (`mastodon-…`). */
const connectionPlatformOf = (platformId: string, connection: ConnectionRow | undefined): string =>
  connection?.platform ?? platformId.slice(0, platformId.indexOf('-'));

function canMakeLink(p: Principal, userId: string): boolean {
  try {
    authorize(p, 'connection.manage', { managedUserId: userId });
    return true;
  } catch {
    return false;
  }
}

const requireGroup = (ctx: EngineContext, p: Principal, id: string): GroupRow =>
  requireReadableGroup<GroupRow>(ctx.db, p, id, `g.*, ${POLICY_COLUMN}`);

export function getPostGroup(ctx: EngineContext, p: Principal, id: string): PostGroup {
  requireGroup(ctx, p, id);
  return readPostGroup(ctx.db, id);
}

/**
 * A page of the queue (SPEC §8, seed 000's list): by cursor or page number, newest first unless
 * asked otherwise, with the total from the maintained counts (see queue-query.ts).
 */
export function listPostGroups(
  ctx: EngineContext,
  p: Principal,
  userId: string | null,
  q: z.output<typeof ListPostGroupsQuery>,
): PostGroupPage {
  authorize(p, 'post.read', userId ? { managedUserId: userId } : {});
  // Another workspace's client is not_found, not an empty list (issue 9 item 4).
  if (userId && !findClientRow(ctx.db, p.workspaceId, userId))
    throw new AppError('not_found', 'user not found', { userId });
  const scope = clientScope(p);
  const clients: ClientFilter = userId ? { userId } : scope === 'all' ? 'all' : { userIds: scope };
  const page = queuePage(ctx.db, p.workspaceId, clients, q);
  return {
    groups: readPostGroups(ctx.db, page.rowids),
    total: page.total,
    totalCapped: page.totalCapped,
    nextCursor: page.nextCursor,
  };
}

/** Deliveries in these states may still be edited, moved or cancelled. */
export const EDITABLE: readonly DeliveryState[] = ['draft', 'scheduled', 'paused', 'failed', 'needs_attention'];

/**
 * Edits take effect on the scheduler at once: the scheduler re-reads a delivery (and its text)
 * inside the transaction that claims it, so a change made before that moment is what goes out.
 */
export function updatePostGroup(
  ctx: EngineContext,
  p: Principal,
  id: string,
  patch: z.output<typeof UpdatePostGroupInput>,
): PostGroup {
  const g = requireGroup(ctx, p, id);
  const rescheduling = patch.scheduledTime !== undefined || patch.publishNow === true;
  authorize(p, rescheduling && patch.scheduledTime !== null ? 'post.schedule' : 'post.draft', {
    managedUserId: g.managed_user_id,
  });
  const client = findClientRow(ctx.db, p.workspaceId, g.managed_user_id);
  if (!client) throw new AppError('not_found', 'user not found');
  const now = ctx.clock.now();
  const deliveries = ctx.db.prepare<[string], DeliveryRow>(`SELECT * FROM deliveries WHERE post_group_id = ?`).all(id);
  const changeable = deliveries.filter((d) => EDITABLE.includes(d.state));
  if (changeable.length === 0)
    throw new AppError('conflict', 'this post has already gone out or was cancelled; nothing left to change');

  const text = patch.text ?? g.text;
  const platformTexts = patch.platformTexts ?? (JSON.parse(g.platform_texts) as Record<string, string>);
  const mediaBefore = mediaOfPost(ctx.db, id);
  const media = patch.mediaIds ? clientMedia(ctx.db, g.managed_user_id, patch.mediaIds) : mediaBefore;
  const threadBefore = (JSON.parse(g.thread) as { text: string }[]).map((part, i) => ({
    text: part.text,
    media: mediaOfPost(ctx.db, id, i + 1),
  }));
  const thread = patch.thread ? threadParts(ctx, g.managed_user_id, patch.thread) : threadBefore;
  const firstComment = patch.firstComment !== undefined ? firstCommentOf(patch.firstComment) : g.first_comment;
  const poll = patch.poll !== undefined ? patch.poll : g.poll ? (JSON.parse(g.poll) as PostGroup['poll']) : null;
  const pollJson = poll ? JSON.stringify(poll) : null;
  const serverOf = (d: DeliveryRow) =>
    ctx.db
      .prepare<[string, string], Pick<ConnectionRow, 'max_text_length' | 'poll_limits'>>(
        `SELECT max_text_length, poll_limits FROM connections WHERE managed_user_id = ? AND platform_id = ?`,
      )
      .get(d.managed_user_id, d.platform_id);
  const limitOf = (d: DeliveryRow) => serverOf(d)?.max_text_length ?? undefined;
  let scheduledAt: Date | null = g.scheduled_at ? new Date(g.scheduled_at) : null;
  if (rescheduling) {
    scheduledAt =
      patch.scheduledTime === null
        ? null
        : patch.scheduledTime !== undefined
          ? whenItGoesOut(new Date(patch.scheduledTime), now, patch.publishNow)
          : now;
  }
  // The platforms' limits apply to a post that is (or becomes) scheduled; a draft may break them.
  const violations = (scheduledAt ? changeable : []).flatMap((d) => [
    ...checkPost(d.platform, platformTexts[d.platform_id] ?? text, media.map(mediaInfoOf), limitOf(d)),
    ...followUpViolations(d.platform, thread, firstComment, limitOf(d)),
    ...checkPoll(d.platform, poll, media.length, serverPollRules(serverOf(d))),
  ]);
  if (scheduledAt)
    violations.push(
      ...checkFirstCommentTargets(
        changeable.map((d) => d.platform),
        firstComment,
      ),
    );
  refuseViolations(violations);
  const day = scheduledAt ? localDay(scheduledAt, client.timezone) : null;
  ctx.db.transaction(() => {
    if (rescheduling && day)
      assertRoomOnDay(ctx, p.workspaceId, g.managed_user_id, client.timezone, day, changeable.length, id);
    ctx.db
      .prepare(
        `UPDATE post_groups
         SET text = ?, platform_texts = ?, scheduled_at = ?, thread = ?, first_comment = ?, poll = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(
        text,
        JSON.stringify(platformTexts),
        scheduledAt?.toISOString() ?? null,
        threadJson(thread),
        firstComment,
        pollJson,
        now.toISOString(),
        id,
      );
    if (patch.thread) writeThread(ctx, id, thread);
    if (patch.mediaIds) {
      ctx.db.prepare(`DELETE FROM post_media WHERE post_group_id = ? AND part = 0`).run(id);
      media.forEach((m, i) =>
        ctx.db.prepare(`INSERT INTO post_media (post_group_id, position, media_id) VALUES (?, ?, ?)`).run(id, i, m.id),
      );
    }
    const textChanged =
      text !== g.text ||
      JSON.stringify(platformTexts) !== g.platform_texts ||
      threadJson(thread) !== g.thread ||
      firstComment !== g.first_comment ||
      pollJson !== g.poll;
    const mediaIds = (parts: readonly { media: readonly { id: string }[] }[]) =>
      parts.map((part) => part.media.map((m) => m.id).join(',')).join('|');
    const mediaChanged = mediaIds([{ media }, ...thread]) !== mediaIds([{ media: mediaBefore }, ...threadBefore]);
    if (textChanged || mediaChanged)
      reviewAgainAfterEdit(ctx.db, id, now, p.workspaceId, actorOf(p), {
        before: {
          text: g.text,
          platformTexts: reviewedTexts(
            JSON.parse(g.platform_texts) as Record<string, string>,
            threadBefore,
            g.first_comment,
          ),
        },
        after: { text, platformTexts: reviewedTexts(platformTexts, thread, firstComment) },
        mediaChanged,
        timeChanged: (scheduledAt?.toISOString() ?? null) !== g.scheduled_at,
      });
    if (rescheduling) {
      for (const d of changeable) {
        const state: DeliveryState = d.state === 'paused' ? 'paused' : scheduledAt ? 'scheduled' : 'draft';
        ctx.db
          .prepare(
            `UPDATE deliveries SET state = ?, due_at = ?, local_day = ?, next_attempt_at = ?, attempts = 0,
               last_error = NULL, updated_at = ?
             WHERE id = ? AND state = ?`,
          )
          .run(
            state,
            scheduledAt?.toISOString() ?? null,
            day,
            scheduledAt ? firstAttemptAt(scheduledAt, now) : null,
            now.toISOString(),
            d.id,
            d.state,
          );
      }
    }
    recordActivityOf(ctx.db, now, p, {
      action: rescheduling ? 'post.rescheduled' : 'post.edited',
      objectKind: 'post_group',
      objectId: id,
      detail: rescheduling
        ? scheduledAt
          ? `Moved to ${scheduledAt.toISOString()}`
          : 'Moved back to drafts'
        : patch.mediaIds
          ? 'Edited the text and media'
          : 'Edited the text',
    });
  })();
  return readPostGroup(ctx.db, id);
}

/** Cancels what has not gone out; a delivery being published right now finishes and is reported. */
export function cancelPostGroup(ctx: EngineContext, p: Principal, id: string): PostGroup {
  const g = requireGroup(ctx, p, id);
  authorize(p, 'post.draft', { managedUserId: g.managed_user_id });
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    const changed = ctx.db
      .prepare(
        `UPDATE deliveries SET state = 'cancelled', updated_at = ?
         WHERE post_group_id = ? AND state IN ('draft', 'scheduled', 'paused', 'failed', 'needs_attention')`,
      )
      .run(now.toISOString(), id).changes;
    recordActivityOf(ctx.db, now, p, {
      action: 'post.cancelled',
      objectKind: 'post_group',
      objectId: id,
      detail: `Cancelled ${changed} delivery(ies)`,
    });
  })();
  return readPostGroup(ctx.db, id);
}

export { PLATFORM_RULES };

/**
 * "Retry" (issue 10 item 6, D90): only a `failed` delivery goes back to the scheduler, due now, with
 * its attempts counted afresh. It keeps its idempotency key (a platform that honours one drops a
 * second copy) and its `verify_since` (X and LinkedIn are searched first when a call may have gone
 * out), so a retry never publishes twice what the scheduler would not. `needs_attention` is not
 * retried: its outcome is unknown until a person checks the platform. A delivery whose account must
 * be reconnected is refused with what to do, as it would only fail again. `platformIds` narrows the
 * retry to those accounts; without it every failed delivery of the post is retried.
 */
export function retryDeliveries(
  ctx: EngineContext,
  p: Principal,
  id: string,
  platformIds?: readonly string[],
): PostGroup {
  const g = requireGroup(ctx, p, id);
  authorize(p, 'post.schedule', { managedUserId: g.managed_user_id });
  const wanted = platformIds?.map(normalisePlatformId);
  const deliveries = ctx.db
    .prepare<[string], DeliveryRow>(`SELECT * FROM deliveries WHERE post_group_id = ? ORDER BY rowid`)
    .all(id)
    .filter((d) => !wanted || wanted.includes(d.platform_id));
  if (wanted) {
    const unknown = wanted.filter((w) => !deliveries.some((d) => d.platform_id === w));
    if (unknown.length > 0)
      throw new AppError('not_found', `This post does not go to ${unknown.join(', ')}.`, { platformIds: unknown });
  }
  const failed = deliveries.filter((d) => d.state === 'failed');
  if (failed.length === 0)
    throw new AppError('conflict', 'Only a failed delivery can be retried; nothing of this post has failed.', {
      states: Object.fromEntries(deliveries.map((d) => [d.platform_id, d.state])),
    });
  const connectionOf = ctx.db.prepare<[string, string], { status: string; handle: string }>(
    `SELECT status, handle FROM connections WHERE managed_user_id = ? AND platform_id = ?`,
  );
  const disconnected = failed
    .map((d) => ({ d, connection: connectionOf.get(d.managed_user_id, d.platform_id) }))
    .filter(({ connection }) => connection?.status !== 'active');
  if (disconnected.length > 0)
    throw new AppError(
      'conflict',
      `Reconnect ${disconnected.map(({ d, connection }) => connection?.handle ?? d.platform).join(', ')} ` +
        'first: the retry would fail the same way.',
      { platformIds: disconnected.map(({ d }) => d.platform_id) },
    );
  const now = ctx.clock.now().toISOString();
  ctx.db.transaction(() => {
    const retry = ctx.db.prepare(
      `UPDATE deliveries SET state = 'scheduled', next_attempt_at = ?, attempts = 0, last_error = NULL,
         lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND state = 'failed'`,
    );
    // The state is checked again in the UPDATE: two retries at once move each delivery once.
    const moved = failed.filter((d) => retry.run(now, now, d.id).changes === 1);
    if (moved.length === 0) throw new AppError('conflict', 'This delivery is already being retried.');
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action: 'post.retried',
      objectKind: 'post_group',
      objectId: id,
      detail: `Retried ${moved.map((d) => d.platform_id).join(', ')}`,
    });
  })();
  return readPostGroup(ctx.db, id);
}
