import { DateTime } from 'luxon';
import type { QueuedPostsRule } from '../../../src-shared/clients';
import type { Platform } from '../../../src-shared/contract';
import type { DeliveryState } from '../../../src-shared/posts';
import type { Db } from '../db/database';

/** A `deliveries` row: one post group's delivery to one connection. */
export interface DeliveryRow {
  id: string;
  post_group_id: string;
  managed_user_id: string;
  platform_id: string;
  platform: Platform;
  state: DeliveryState;
  due_at: string | null;
  local_day: string | null;
  next_attempt_at: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  idempotency_key: string;
  platform_post_id: string | null;
  platform_post_url: string | null;
  last_error: string | null;
  published_at: string | null;
  /**
   * A crash cut a publish short on a platform without idempotency keys:
   * check the platform for posts since then first.
   */
  verify_since: string | null;
}

/** A client's deactivation pauses their scheduled deliveries (called inside its transaction). */
export function pauseClientDeliveries(db: Db, userId: string, now: Date): number {
  return db
    .prepare(`UPDATE deliveries SET state = 'paused', updated_at = ? WHERE managed_user_id = ? AND state = 'scheduled'`)
    .run(now.toISOString(), userId).changes;
}

/** Reactivation: paused deliveries whose time passed need a person; the others are scheduled again. */
export function resumeClientDeliveries(
  db: Db,
  userId: string,
  now: Date,
): { rescheduled: number; needsAttention: number } {
  const iso = now.toISOString();
  const needsAttention = db
    .prepare(
      `UPDATE deliveries
       SET state = 'needs_attention', last_error = 'its time passed while the client was deactivated', updated_at = ?
       WHERE managed_user_id = ? AND state = 'paused' AND due_at <= ?`,
    )
    .run(iso, userId, iso).changes;
  const rescheduled = db
    .prepare(`UPDATE deliveries SET state = 'scheduled', updated_at = ? WHERE managed_user_id = ? AND state = 'paused'`)
    .run(iso, userId).changes;
  return { rescheduled, needsAttention };
}

/** A client's deletion cancels everything not yet out. */
export function cancelClientDeliveries(db: Db, userId: string, now: Date): number {
  return db
    .prepare(
      `UPDATE deliveries SET state = 'cancelled', updated_at = ?
       WHERE managed_user_id = ? AND state IN ('draft', 'scheduled', 'paused', 'failed', 'needs_attention')`,
    )
    .run(now.toISOString(), userId).changes;
}

/** Deliveries still waiting for their time: scheduled (not yet tried) or paused, due after `now`. */
const QUEUED = `managed_user_id = ? AND due_at > ? AND (state = 'paused' OR (state = 'scheduled' AND attempts = 0))`;

/** How many of a client's posts are queued for later (their deliveries as in QUEUED). */
export function countQueuedPosts(db: Db, userId: string, now: Date): number {
  return db
    .prepare<[string, string], { n: number }>(
      `SELECT count(DISTINCT post_group_id) AS n FROM deliveries WHERE ${QUEUED}`,
    )
    .get(userId, now.toISOString())!.n;
}

/**
 * A client's time zone changes from `from` to `to` (issue 10 item 2, D96). `keep_local_time`: each
 * queued post keeps its wall-clock time (09:00 stays 09:00, now in `to`), so its moment moves;
 * `keep_moment`: it goes out at the same instant, and its local day is read again in `to` (the
 * daily limit counts it there). Called inside the client update's transaction; returns the posts moved.
 */
export function moveQueuedPostsToZone(
  db: Db,
  userId: string,
  from: string,
  to: string,
  rule: QueuedPostsRule,
  now: Date,
): number {
  const iso = now.toISOString();
  const rows = db
    .prepare<[string, string], { id: string; post_group_id: string; due_at: string }>(
      `SELECT id, post_group_id, due_at FROM deliveries WHERE ${QUEUED}`,
    )
    .all(userId, iso);
  const groups = new Set<string>();
  for (const row of rows) {
    const before = DateTime.fromISO(row.due_at, { zone: from });
    const after = rule === 'keep_local_time' ? before.setZone(to, { keepLocalTime: true }) : before.setZone(to);
    const due = after.toUTC().toISO()!;
    db.prepare(
      `UPDATE deliveries SET due_at = ?, local_day = ?,
         next_attempt_at = CASE WHEN state = 'scheduled' THEN max(?, ?) ELSE next_attempt_at END, updated_at = ?
       WHERE id = ?`,
    ).run(due, after.toISODate(), due, iso, iso, row.id);
    if (!groups.has(row.post_group_id))
      db.prepare(`UPDATE post_groups SET scheduled_at = ?, updated_at = ? WHERE id = ?`).run(
        due,
        iso,
        row.post_group_id,
      );
    groups.add(row.post_group_id);
  }
  return groups.size;
}
