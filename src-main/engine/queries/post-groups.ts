import type { Delivery, PostGroup, PostMedia } from '../../../src-shared/posts';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { approvalOf, POLICY_COLUMN, type ApprovalRow } from './approvals';
import type { DeliveryRow } from './deliveries';
import { stateSetOf, statusOfSet } from './group-summaries';
import { mediaOfPost, type MediaRow } from './media';

/**
 * Post groups as callers see them, read from SQLite: made by the posts domain, also read by the
 * approvals domain (which answers with the group it moved).
 */

/** The columns of GroupRow (not `*`: the generated sort_at and created_by are not shown). */
export const GROUP_VIEW =
  'g.id, g.workspace_id, g.managed_user_id, g.text, g.platform_texts, g.scheduled_at, g.created_at, g.updated_at, ' +
  `g.approval_state, g.review_stage, g.thread, g.first_comment, g.poll, ${POLICY_COLUMN}`;

export interface GroupRow extends ApprovalRow {
  id: string;
  workspace_id: string;
  managed_user_id: string;
  text: string;
  platform_texts: string;
  scheduled_at: string | null;
  created_at: string;
  updated_at: string;
  /** JSON `[{text}]`: the thread's parts after the post itself (their media: `post_media.part`). */
  thread: string;
  first_comment: string | null;
  /** JSON `{options, durationMinutes}`, or null (migration 017). */
  poll: string | null;
}

/** A part a delivery published (`delivery_parts`): 0 the post itself, then the thread's parts or the first comment. */
export interface DeliveryPartRow {
  delivery_id: string;
  part: number;
  platform_post_id: string;
  platform_post_url: string | null;
  published_at: string;
}

type DeliveryParts = Delivery['parts'];
const toParts = (rows: readonly DeliveryPartRow[]): DeliveryParts =>
  rows.map((r) => ({
    part: r.part + 1,
    platformPostId: r.platform_post_id,
    url: r.platform_post_url,
    publishedAt: r.published_at,
  }));

/** The parts each of these deliveries published, in order, by delivery id. */
function partsOfDeliveries(db: Db, ids: readonly string[]): Map<string, DeliveryParts> {
  const byDelivery = new Map<string, DeliveryPartRow[]>();
  if (ids.length === 0) return new Map();
  for (const r of db
    .prepare<[string], DeliveryPartRow>(
      `SELECT * FROM delivery_parts WHERE delivery_id IN (SELECT value FROM json_each(?)) ORDER BY delivery_id, part`,
    )
    .all(JSON.stringify(ids))) {
    const list = byDelivery.get(r.delivery_id);
    if (list) list.push(r);
    else byDelivery.set(r.delivery_id, [r]);
  }
  return new Map([...byDelivery].map(([id, rows]) => [id, toParts(rows)]));
}

/** The thread's parts after the post itself, each with its media (`post_media.part` 1, 2…). */
function threadOf(db: Db, g: Pick<GroupRow, 'id' | 'thread'>): PostGroup['thread'] {
  const parts = JSON.parse(g.thread) as { text: string }[];
  return parts.map((p, i) => ({ text: p.text, media: mediaOfPost(db, g.id, i + 1).map(toPostMedia) }));
}

/**
 * The columns a delivery is shown with: what `toDelivery` and `groupStatus` read, no more. Pages
 * read hundreds of deliveries; the lease, the idempotency key and the day cost a third of the
 * read when taken along (issue 11 calendar and queue pages).
 */
const DELIVERY_VIEW =
  'id, post_group_id, platform_id, platform, state, due_at, attempts, next_attempt_at, platform_post_id, ' +
  'platform_post_url, last_error, published_at';
type DeliveryView = Pick<
  DeliveryRow,
  | 'id'
  | 'post_group_id'
  | 'platform_id'
  | 'platform'
  | 'state'
  | 'due_at'
  | 'attempts'
  | 'next_attempt_at'
  | 'platform_post_id'
  | 'platform_post_url'
  | 'last_error'
  | 'published_at'
>;

const toDelivery = (d: DeliveryView, parts: DeliveryParts = []): Delivery => ({
  id: d.id,
  platformId: d.platform_id,
  platform: d.platform,
  state: d.state,
  scheduledTime: d.due_at,
  attempts: d.attempts,
  nextAttemptAt: d.state === 'scheduled' ? d.next_attempt_at : null,
  platformPostId: d.platform_post_id,
  url: d.platform_post_url,
  error: d.last_error,
  publishedAt: d.published_at,
  parts,
});

export function readPostGroup(db: Db, id: string): PostGroup {
  const g = db.prepare<[string], GroupRow>(`SELECT ${GROUP_VIEW} FROM post_groups g WHERE g.id = ?`).get(id);
  if (!g) throw new AppError('not_found', 'post group not found', { id });
  const deliveries = db
    .prepare<[string], DeliveryView>(`SELECT ${DELIVERY_VIEW} FROM deliveries WHERE post_group_id = ? ORDER BY rowid`)
    .all(id);
  const parts = partsOfDeliveries(
    db,
    deliveries.map((d) => d.id),
  );
  return toPostGroup(
    g,
    deliveries.map((d) => toDelivery(d, parts.get(d.id))),
    statusOfSet(stateSetOf(deliveries.map((d) => d.state))),
    mediaOfPost(db, id).map(toPostMedia),
    threadOf(db, g),
  );
}

const toPostMedia = (m: MediaRow): PostMedia => ({
  id: m.id,
  kind: m.kind,
  mimeType: m.mime_type,
  size: m.size,
  width: m.width,
  height: m.height,
  durationMs: m.duration_ms,
  fileName: m.file_name,
  altText: m.alt_text,
  hasThumbnail: m.thumbnail_sha256 !== null,
});

function toPostGroup(
  g: GroupRow,
  deliveries: Delivery[],
  status: PostGroup['status'],
  media: PostMedia[],
  thread: PostGroup['thread'],
): PostGroup {
  return {
    id: g.id,
    userId: g.managed_user_id,
    text: g.text,
    platformTexts: JSON.parse(g.platform_texts) as Record<string, string>,
    platformIds: deliveries.map((d) => d.platformId),
    scheduledTime: g.scheduled_at,
    status,
    mediaCount: media.length,
    media,
    createdAt: g.created_at,
    updatedAt: g.updated_at,
    deliveries,
    approval: approvalOf(g),
    thread,
    firstComment: g.first_comment,
    poll: g.poll ? (JSON.parse(g.poll) as PostGroup['poll']) : null,
  };
}

/**
 * A page of groups, in the order given, with two statements whatever the page size: each group's
 * row with its summary (migration 019: its deliveries as the contract shows them, with their parts,
 * and the set of their states), then the page's media. A group's deliveries are not read from
 * `deliveries` itself: those rows lie scattered over the file, two or more per group (D123).
 */
export function readPostGroups(db: Db, rowids: readonly number[]): PostGroup[] {
  if (rowids.length === 0) return [];
  const groups = db
    .prepare<[string], GroupRow & { rid: number; states: number; deliveries: string }>(
      `SELECT g.rowid AS rid, ${GROUP_VIEW}, s.states, s.deliveries
       FROM post_groups g JOIN group_summaries s ON s.group_rowid = g.rowid
       WHERE g.rowid IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(rowids));
  const media = new Map<string, PostMedia[]>();
  for (const m of db
    .prepare<[string], MediaRow & { post_group_id: string }>(
      `SELECT p.post_group_id, m.* FROM post_media p JOIN media m ON m.id = p.media_id
       WHERE p.post_group_id IN (SELECT value FROM json_each(?)) AND p.part = 0 ORDER BY p.post_group_id, p.position`,
    )
    .all(JSON.stringify(groups.map((g) => g.id)))) {
    const list = media.get(m.post_group_id);
    if (list) list.push(toPostMedia(m));
    else media.set(m.post_group_id, [toPostMedia(m)]);
  }
  const byRowid = new Map(groups.map((g) => [g.rid, g]));
  return rowids.flatMap((rid) => {
    const g = byRowid.get(rid);
    if (!g) return [];
    // A thread's parts are read only for the groups that have one (most have none).
    const thread = g.thread !== '[]' ? threadOf(db, g) : [];
    const deliveries = JSON.parse(g.deliveries) as Delivery[];
    return [toPostGroup(g, deliveries, statusOfSet(g.states), media.get(g.id) ?? [], thread)];
  });
}
