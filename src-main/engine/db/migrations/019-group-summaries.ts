import type { MigrationStep } from '../migration';

/**
 * A narrow row per post group for the queue and the calendar (issue 11, docs/decisions.md D123):
 * what a page shows of a group's deliveries, so a page reads one row per group from one compact
 * table instead of two or more `deliveries` rows scattered over the file (and their parts).
 *
 * - `states`: the set of states the group's deliveries are in, one bit per state in the order of
 *   the contract's `deliveryStates` (draft 1, scheduled 2, publishing 4, published 8, failed 16,
 *   needs_attention 32, cancelled 64, paused 128). A group's status is a function of that set.
 * - `platform_ids`: JSON array of its deliveries' platform ids, in the order they were added.
 * - `deliveries`: JSON array of its deliveries exactly as the contract's `Delivery` shows them
 *   (with the parts each published), in the same order.
 * - The group's client, workspace and time (`sort_at`), indexed with the rowid and the states:
 *   the calendar walks one index range in time order and reads nothing else for a day's counts.
 *
 * The arrays are aggregated from subqueries in order (not `json_group_array(… ORDER BY …)`, SQLite
 * 3.44+), so that Debian's sqlite3 (3.40) still reads the schema of a user's file.
 *
 * Also: a client's queue walk (`queue_entries_by_user`) carries the workspace, so the page's
 * workspace test is answered from the index instead of one table lookup per row (covering).
 *
 * `fresh_group_summaries` is the one definition of a summary: the backfill and every trigger
 * write what it computes, and the tests compare the table with it after every kind of change.
 * Triggers keep the table in the same transaction as every insert, delete or change of a group, a
 * delivery (a shown column) or a delivery part, whichever code makes it (engine, scheduler, cascade).
 */
export const summarizeGroups: MigrationStep = (db) => {
  const refresh = (groupId: string) => `
        INSERT INTO group_summaries (group_rowid, workspace_id, managed_user_id, sort_at, states, platform_ids, deliveries)
          SELECT * FROM fresh_group_summaries WHERE group_rowid = (SELECT rowid FROM post_groups WHERE id = ${groupId})
          ON CONFLICT (group_rowid) DO UPDATE
            SET states = excluded.states, platform_ids = excluded.platform_ids, deliveries = excluded.deliveries;`;
  const shownColumns =
    'post_group_id, platform_id, platform, state, due_at, attempts, next_attempt_at, platform_post_id, platform_post_url, last_error, published_at';
  db.exec(`
      DROP INDEX queue_entries_by_user;
      CREATE INDEX queue_entries_by_user ON queue_entries (managed_user_id, state, sort_at, group_rowid, workspace_id);

      CREATE VIEW fresh_group_summaries AS
        SELECT g.rowid AS group_rowid, g.workspace_id, g.managed_user_id, g.sort_at,
          (SELECT coalesce(sum(DISTINCT CASE d.state
              WHEN 'draft' THEN 1 WHEN 'scheduled' THEN 2 WHEN 'publishing' THEN 4 WHEN 'published' THEN 8
              WHEN 'failed' THEN 16 WHEN 'needs_attention' THEN 32 WHEN 'cancelled' THEN 64 WHEN 'paused' THEN 128 END), 0)
           FROM deliveries d WHERE d.post_group_id = g.id) AS states,
          (SELECT json_group_array(d.platform_id) FROM (SELECT platform_id FROM deliveries
             WHERE post_group_id = g.id ORDER BY rowid) d) AS platform_ids,
          (SELECT json_group_array(json_object(
              'id', d.id, 'platformId', d.platform_id, 'platform', d.platform, 'state', d.state,
              'scheduledTime', d.due_at, 'attempts', d.attempts,
              'nextAttemptAt', CASE WHEN d.state = 'scheduled' THEN d.next_attempt_at END,
              'platformPostId', d.platform_post_id, 'url', d.platform_post_url, 'error', d.last_error,
              'publishedAt', d.published_at,
              'parts', json((SELECT json_group_array(json_object(
                  'part', p.part + 1, 'platformPostId', p.platform_post_id, 'url', p.platform_post_url,
                  'publishedAt', p.published_at))
                FROM (SELECT * FROM delivery_parts WHERE delivery_id = d.id ORDER BY part) p))))
           FROM (SELECT * FROM deliveries WHERE post_group_id = g.id ORDER BY rowid) d) AS deliveries
        FROM post_groups g;

      CREATE TABLE group_summaries (
        group_rowid     INTEGER PRIMARY KEY,    -- post_groups.rowid
        workspace_id    TEXT NOT NULL,
        managed_user_id TEXT NOT NULL,
        sort_at         TEXT NOT NULL,
        states          INTEGER NOT NULL,
        platform_ids    TEXT NOT NULL,
        deliveries      TEXT NOT NULL
      ) STRICT;
      INSERT INTO group_summaries SELECT * FROM fresh_group_summaries ORDER BY group_rowid;
      CREATE INDEX group_summaries_by_user ON group_summaries (managed_user_id, sort_at, group_rowid, states);
      CREATE INDEX group_summaries_by_workspace ON group_summaries (workspace_id, sort_at, group_rowid, states);

      CREATE TRIGGER group_summaries_group_insert AFTER INSERT ON post_groups BEGIN
        ${refresh('NEW.id')}
      END;
      CREATE TRIGGER group_summaries_group_move AFTER UPDATE OF scheduled_at, created_at, managed_user_id, workspace_id ON post_groups BEGIN
        UPDATE group_summaries SET sort_at = NEW.sort_at, managed_user_id = NEW.managed_user_id, workspace_id = NEW.workspace_id
          WHERE group_rowid = NEW.rowid;
      END;
      CREATE TRIGGER group_summaries_group_delete AFTER DELETE ON post_groups BEGIN
        DELETE FROM group_summaries WHERE group_rowid = OLD.rowid;
      END;

      CREATE TRIGGER group_summaries_delivery_insert AFTER INSERT ON deliveries BEGIN
        ${refresh('NEW.post_group_id')}
      END;
      CREATE TRIGGER group_summaries_delivery_change AFTER UPDATE OF id, ${shownColumns} ON deliveries BEGIN
        ${refresh('NEW.post_group_id')}
      END;
      CREATE TRIGGER group_summaries_delivery_leave AFTER UPDATE OF post_group_id ON deliveries
        WHEN OLD.post_group_id IS NOT NEW.post_group_id BEGIN
        ${refresh('OLD.post_group_id')}
      END;
      CREATE TRIGGER group_summaries_delivery_delete AFTER DELETE ON deliveries BEGIN
        ${refresh('OLD.post_group_id')}
      END;

      CREATE TRIGGER group_summaries_part_insert AFTER INSERT ON delivery_parts BEGIN
        ${refresh('(SELECT post_group_id FROM deliveries WHERE id = NEW.delivery_id)')}
      END;
      CREATE TRIGGER group_summaries_part_change AFTER UPDATE ON delivery_parts BEGIN
        ${refresh('(SELECT post_group_id FROM deliveries WHERE id = OLD.delivery_id)')}
        ${refresh('(SELECT post_group_id FROM deliveries WHERE id = NEW.delivery_id)')}
      END;
      CREATE TRIGGER group_summaries_part_delete AFTER DELETE ON delivery_parts BEGIN
        ${refresh('(SELECT post_group_id FROM deliveries WHERE id = OLD.delivery_id)')}
      END;
    `);
};
