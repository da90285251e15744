import type { Db } from '../db/database';
import { safePostUrl } from '../platforms/http';
import type { PublishedPost } from '../platforms/types';

/**
 * The parts a delivery published (migration 016, issue 14 item 4): 0 the post itself, then each
 * reply of its thread or its first comment. A part is recorded once (the primary key): the
 * scheduler skips what is here and sends only what is not.
 */

/** What this delivery published so far, by part. */
export function publishedParts(db: Db, deliveryId: string): Map<number, PublishedPost> {
  const rows = db
    .prepare<[string], { part: number; platform_post_id: string; platform_post_url: string | null }>(
      `SELECT part, platform_post_id, platform_post_url FROM delivery_parts WHERE delivery_id = ? ORDER BY part`,
    )
    .all(deliveryId);
  return new Map(rows.map((r) => [r.part, { postId: r.platform_post_id, url: r.platform_post_url ?? '' }]));
}

/**
 * Records a part (inside the caller's transaction); only an https link is kept, as for deliveries.
 * A part already recorded keeps its first record (a thread edited down to its post after that part went out).
 */
export function insertPart(db: Db, deliveryId: string, part: number, post: PublishedPost, now: Date): void {
  db.prepare(
    `INSERT INTO delivery_parts (delivery_id, part, platform_post_id, platform_post_url, published_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (delivery_id, part) DO NOTHING`,
  ).run(deliveryId, part, post.postId, safePostUrl(post.url), now.toISOString());
}
