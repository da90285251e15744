import type { MigrationStep } from '../migration';

/**
 * The scheduler's changes update a group summary in place (issue 11 dispatch; docs/decisions.md
 * D132). Migration 019 recomputed a group's whole summary through `fresh_group_summaries` on every
 * change: a publish changes a delivery three times (claimed, its part recorded, published), each a
 * walk over all the group's deliveries and parts rebuilding their JSON.
 *
 * Now the two changes a publish makes most are written where they land:
 * - a delivery's shown columns changing (state, times, attempts, link, error), its identity (id,
 *   group, platform) unchanged: its one element of `deliveries` is rewritten from the row, keeping
 *   its `parts`, and `states` is summed again over the group's deliveries (an index range);
 * - a part recorded after every part the delivery has (a thread's next reply, a post's only part):
 *   appended to that delivery's `parts`.
 *
 * Everything else (a delivery moving group or changing platform, a part recorded out of order, a
 * part changed or removed, inserts and deletes) still refreshes the whole summary as 019 defined it.
 * The element's fields are those of `fresh_group_summaries`, in the same order, so a summary stays
 * equal, text for text, to a fresh computation (the property test in group-summaries.test.ts).
 */
export const updateSummariesInPlace: MigrationStep = (db) => {
  const refresh = (groupId: string) => `
        INSERT INTO group_summaries (group_rowid, workspace_id, managed_user_id, sort_at, states, platform_ids, deliveries)
          SELECT * FROM fresh_group_summaries WHERE group_rowid = (SELECT rowid FROM post_groups WHERE id = ${groupId})
          ON CONFLICT (group_rowid) DO UPDATE
            SET states = excluded.states, platform_ids = excluded.platform_ids, deliveries = excluded.deliveries;`;
  /** The JSON path of delivery NEW's element: its place among its group's deliveries, in rowid order. */
  const element = `'$[' || (SELECT count(*) FROM deliveries WHERE post_group_id = NEW.post_group_id AND rowid < NEW.rowid) || ']'`;
  const ofGroup = (groupId: string) => `group_rowid = (SELECT rowid FROM post_groups WHERE id = ${groupId})`;
  const shownColumns =
    'state, due_at, attempts, next_attempt_at, platform_post_id, platform_post_url, last_error, published_at';
  const identity = 'id, post_group_id, platform_id, platform';
  const sameIdentity =
    'OLD.id IS NEW.id AND OLD.post_group_id IS NEW.post_group_id AND OLD.platform_id IS NEW.platform_id AND OLD.platform IS NEW.platform';
  db.exec(`
      DROP TRIGGER group_summaries_delivery_change;
      DROP TRIGGER group_summaries_part_insert;

      CREATE TRIGGER group_summaries_delivery_identity AFTER UPDATE OF ${identity} ON deliveries
        WHEN NOT (${sameIdentity}) BEGIN
        ${refresh('NEW.post_group_id')}
      END;
      CREATE TRIGGER group_summaries_delivery_change AFTER UPDATE OF ${shownColumns} ON deliveries
        WHEN ${sameIdentity} BEGIN
        UPDATE group_summaries SET
          states = (SELECT coalesce(sum(DISTINCT CASE d.state
              WHEN 'draft' THEN 1 WHEN 'scheduled' THEN 2 WHEN 'publishing' THEN 4 WHEN 'published' THEN 8
              WHEN 'failed' THEN 16 WHEN 'needs_attention' THEN 32 WHEN 'cancelled' THEN 64 WHEN 'paused' THEN 128 END), 0)
            FROM deliveries d WHERE d.post_group_id = NEW.post_group_id),
          deliveries = json_replace(deliveries, ${element}, json_object(
            'id', NEW.id, 'platformId', NEW.platform_id, 'platform', NEW.platform, 'state', NEW.state,
            'scheduledTime', NEW.due_at, 'attempts', NEW.attempts,
            'nextAttemptAt', CASE WHEN NEW.state = 'scheduled' THEN NEW.next_attempt_at END,
            'platformPostId', NEW.platform_post_id, 'url', NEW.platform_post_url, 'error', NEW.last_error,
            'publishedAt', NEW.published_at,
            'parts', deliveries -> (${element} || '.parts')))
          WHERE ${ofGroup('NEW.post_group_id')};
      END;

      CREATE TRIGGER group_summaries_part_append AFTER INSERT ON delivery_parts
        WHEN NOT EXISTS (SELECT 1 FROM delivery_parts WHERE delivery_id = NEW.delivery_id AND part > NEW.part) BEGIN
        UPDATE group_summaries SET deliveries = json_insert(deliveries,
            (SELECT '$[' || (SELECT count(*) FROM deliveries o WHERE o.post_group_id = d.post_group_id AND o.rowid < d.rowid) || '].parts[#]'
             FROM deliveries d WHERE d.id = NEW.delivery_id),
            json_object('part', NEW.part + 1, 'platformPostId', NEW.platform_post_id, 'url', NEW.platform_post_url,
              'publishedAt', NEW.published_at))
          WHERE ${ofGroup('(SELECT post_group_id FROM deliveries WHERE id = NEW.delivery_id)')};
      END;
      CREATE TRIGGER group_summaries_part_insert AFTER INSERT ON delivery_parts
        WHEN EXISTS (SELECT 1 FROM delivery_parts WHERE delivery_id = NEW.delivery_id AND part > NEW.part) BEGIN
        ${refresh('(SELECT post_group_id FROM deliveries WHERE id = NEW.delivery_id)')}
      END;
    `);
};
