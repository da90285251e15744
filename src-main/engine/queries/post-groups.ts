import type { Delivery, DeliveryState, PostGroup, PostMedia } from '../../../src-shared/posts';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { approvalOf, POLICY_COLUMN, type ApprovalRow } from './approvals';
import type { DeliveryRow } from './deliveries';
import { mediaOfPost, type MediaRow } from './media';

/**
 * Post groups as callers see them, read from SQLite: made by the posts domain, also read by the
 * approvals domain (which answers with the group it moved).
 */

/** The columns of GroupRow (not `*`: the generated sort_at and created_by are not shown). */
export const GROUP_VIEW = `g.id, g.workspace_id, g.managed_user_id, g.text, g.platform_texts, g.scheduled_at, g.created_at, g.updated_at, g.approval_state, g.review_stage, g.thread, g.first_comment, g.poll, ${POLICY_COLUMN}`;

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
  'id, post_group_id, platform_id, platform, state, due_at, attempts, next_attempt_at, platform_post_id, platform_post_url, last_error, published_at';
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

/** One word for a group, from its deliveries' states. */
function groupStatus(deliveries: readonly Pick<DeliveryRow, 'state'>[]): PostGroup['status'] {
  return statusOfStates(new Set(deliveries.map((d) => d.state)));
}

/** One word for a group, from the set of states its deliveries are in (the calendar reads only that set). */
export function statusOfStates(states: ReadonlySet<DeliveryState>): PostGroup['status'] {
  const only = (s: DeliveryState) => states.size === 1 && states.has(s);
  for (const s of ['draft', 'scheduled', 'published', 'cancelled', 'paused'] as const) if (only(s)) return s;
  if (states.has('publishing')) return 'publishing';
  if (states.has('needs_attention')) return 'needs_attention';
  if (states.has('published')) return 'partially_published';
  if (states.has('failed')) return 'failed';
  return states.has('scheduled') ? 'scheduled' : 'cancelled';
}

export function readPostGroup(db: Db, id: string): PostGroup {
  const g = db.prepare<[string], GroupRow>(`SELECT ${GROUP_VIEW} FROM post_groups g WHERE g.id = ?`).get(id);
  if (!g) throw new AppError('not_found', 'post group not found', { id });
  const deliveries = db
    .prepare<[string], DeliveryView>(`SELECT ${DELIVERY_VIEW} FROM deliveries WHERE post_group_id = ? ORDER BY rowid`)
    .all(id);
  return toPostGroup(
    g,
    deliveries,
    mediaOfPost(db, id).map(toPostMedia),
    partsOfDeliveries(
      db,
      deliveries.map((d) => d.id),
    ),
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
  deliveries: readonly DeliveryView[],
  media: PostMedia[],
  parts: ReadonlyMap<string, DeliveryParts>,
  thread: PostGroup['thread'],
): PostGroup {
  return {
    id: g.id,
    userId: g.managed_user_id,
    text: g.text,
    platformTexts: JSON.parse(g.platform_texts) as Record<string, string>,
    platformIds: deliveries.map((d) => d.platform_id),
    scheduledTime: g.scheduled_at,
    status: groupStatus(deliveries),
    mediaCount: media.length,
    media,
    createdAt: g.created_at,
    updatedAt: g.updated_at,
    deliveries: deliveries.map((d) => toDelivery(d, parts.get(d.id))),
    approval: approvalOf(g),
    thread,
    firstComment: g.first_comment,
    poll: g.poll ? (JSON.parse(g.poll) as PostGroup['poll']) : null,
  };
}

/** A page of groups, in the order given, with three statements whatever the page size. */
export function readPostGroups(db: Db, rowids: readonly number[]): PostGroup[] {
  if (rowids.length === 0) return [];
  const list = JSON.stringify(rowids);
  const groups = db
    .prepare<[string], GroupRow & { rid: number }>(
      `SELECT g.rowid AS rid, ${GROUP_VIEW} FROM post_groups g WHERE g.rowid IN (SELECT value FROM json_each(?))`,
    )
    .all(list);
  const ids = JSON.stringify(groups.map((g) => g.id));
  const byGroup = new Map<string, DeliveryView[]>();
  for (const d of db
    .prepare<[string], DeliveryView>(
      `SELECT ${DELIVERY_VIEW} FROM deliveries WHERE post_group_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
    )
    .all(ids)) {
    const list = byGroup.get(d.post_group_id);
    if (list) list.push(d);
    else byGroup.set(d.post_group_id, [d]);
  }
  const media = new Map<string, PostMedia[]>();
  for (const m of db
    .prepare<[string], MediaRow & { post_group_id: string }>(
      `SELECT p.post_group_id, m.* FROM post_media p JOIN media m ON m.id = p.media_id WHERE p.post_group_id IN (SELECT value FROM json_each(?)) AND p.part = 0 ORDER BY p.post_group_id, p.position`,
    )
    .all(ids)) {
    const list = media.get(m.post_group_id);
    if (list) list.push(toPostMedia(m));
    else media.set(m.post_group_id, [toPostMedia(m)]);
  }
  const parts = partsOfDeliveries(
    db,
    [...byGroup.values()].flatMap((list) => list.map((d) => d.id)),
  );
  const byRowid = new Map(groups.map((g) => [g.rid, g]));
  return rowids.flatMap((rid) => {
    const g = byRowid.get(rid);
    // A thread's parts are read only for the groups that have one (most have none).
    const thread = g && g.thread !== '[]' ? threadOf(db, g) : [];
    return g ? [toPostGroup(g, byGroup.get(g.id) ?? [], media.get(g.id) ?? [], parts, thread)] : [];
  });
}
