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
  /** A crash cut a publish short on a platform without idempotency keys: check the platform for posts since then first. */
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
      `UPDATE deliveries SET state = 'needs_attention', last_error = 'its time passed while the client was deactivated', updated_at = ? WHERE managed_user_id = ? AND state = 'paused' AND due_at <= ?`,
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
      `UPDATE deliveries SET state = 'cancelled', updated_at = ? WHERE managed_user_id = ? AND state IN ('draft', 'scheduled', 'paused', 'failed', 'needs_attention')`,
    )
    .run(now.toISOString(), userId).changes;
}
