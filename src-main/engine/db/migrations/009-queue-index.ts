import type { MigrationStep } from '../migration';

/**
 * The queue, the calendar and their counts answered from indexes, whatever the size (issue 11,
 * docs/decisions.md "Queue pages on a million deliveries"):
 *
 * - `post_groups.sort_at` is the time a group is listed at (its post time, else when it was made),
 *   indexed per client and per workspace with the rowid last: keyset pages on (sort_at, rowid).
 * - `queue_entries` holds one row per post group and state one of its deliveries is in (a group
 *   with a published and a failed delivery has two), with the group's sort_at and rowid: a state
 *   filter walks an index in time order instead of testing every group.
 * - `queue_counts` keeps how many groups each client has in each state (and in all, state ''),
 *   so a page never counts its matches.
 *
 * Triggers keep both in the same transaction as every change to a delivery's state, a group's
 * time, an insert or a delete, whichever code makes it (the engine, the scheduler, a cascade).
 */
export const indexTheQueue: MigrationStep = (db) => {
  db.exec(`
      ALTER TABLE post_groups ADD COLUMN sort_at TEXT GENERATED ALWAYS AS (coalesce(scheduled_at, created_at)) VIRTUAL;
      DROP INDEX post_groups_by_user;
      CREATE INDEX post_groups_queue_by_user ON post_groups (managed_user_id, sort_at);
      CREATE INDEX post_groups_queue_by_workspace ON post_groups (workspace_id, sort_at);
      -- A group's media were found by scanning every media row.
      CREATE INDEX post_media_by_group ON post_media (post_group_id, position);

      CREATE TABLE queue_entries (
        post_group_id   TEXT NOT NULL,
        state           TEXT NOT NULL,
        deliveries      INTEGER NOT NULL,
        workspace_id    TEXT NOT NULL,
        managed_user_id TEXT NOT NULL,
        sort_at         TEXT NOT NULL,
        group_rowid     INTEGER NOT NULL,
        PRIMARY KEY (post_group_id, state)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX queue_entries_by_user ON queue_entries (managed_user_id, state, sort_at, group_rowid);
      CREATE INDEX queue_entries_by_workspace ON queue_entries (workspace_id, state, sort_at, group_rowid);

      CREATE TABLE queue_counts (
        managed_user_id TEXT NOT NULL,
        state           TEXT NOT NULL,          -- '' counts every group of the client
        workspace_id    TEXT NOT NULL,
        groups          INTEGER NOT NULL,
        PRIMARY KEY (managed_user_id, state)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX queue_counts_by_workspace ON queue_counts (workspace_id, state);

      INSERT INTO queue_entries (post_group_id, state, deliveries, workspace_id, managed_user_id, sort_at, group_rowid)
        SELECT d.post_group_id, d.state, count(*), g.workspace_id, g.managed_user_id, g.sort_at, g.rowid
        FROM deliveries d JOIN post_groups g ON g.id = d.post_group_id
        GROUP BY d.post_group_id, d.state;
      INSERT INTO queue_counts (managed_user_id, state, workspace_id, groups)
        SELECT managed_user_id, state, workspace_id, count(*) FROM queue_entries GROUP BY managed_user_id, state;
      INSERT INTO queue_counts (managed_user_id, state, workspace_id, groups)
        SELECT managed_user_id, '', workspace_id, count(*) FROM post_groups GROUP BY managed_user_id;

      CREATE TRIGGER post_groups_count_insert AFTER INSERT ON post_groups BEGIN
        INSERT INTO queue_counts (managed_user_id, state, workspace_id, groups)
          VALUES (NEW.managed_user_id, '', NEW.workspace_id, 1)
          ON CONFLICT (managed_user_id, state) DO UPDATE SET groups = groups + 1;
      END;
      CREATE TRIGGER post_groups_count_delete AFTER DELETE ON post_groups BEGIN
        UPDATE queue_counts SET groups = groups - 1 WHERE managed_user_id = OLD.managed_user_id AND state = '';
      END;
      CREATE TRIGGER post_groups_queue_time AFTER UPDATE OF scheduled_at ON post_groups
        WHEN OLD.scheduled_at IS NOT NEW.scheduled_at BEGIN
        UPDATE queue_entries SET sort_at = NEW.sort_at WHERE post_group_id = NEW.id;
      END;

      CREATE TRIGGER deliveries_queue_insert AFTER INSERT ON deliveries BEGIN
        INSERT INTO queue_entries (post_group_id, state, deliveries, workspace_id, managed_user_id, sort_at, group_rowid)
          SELECT NEW.post_group_id, NEW.state, 1, g.workspace_id, g.managed_user_id, g.sort_at, g.rowid
          FROM post_groups g WHERE g.id = NEW.post_group_id
          ON CONFLICT (post_group_id, state) DO UPDATE SET deliveries = deliveries + 1;
      END;
      CREATE TRIGGER deliveries_queue_state AFTER UPDATE OF state ON deliveries
        WHEN OLD.state IS NOT NEW.state BEGIN
        UPDATE queue_entries SET deliveries = deliveries - 1 WHERE post_group_id = OLD.post_group_id AND state = OLD.state;
        DELETE FROM queue_entries WHERE post_group_id = OLD.post_group_id AND state = OLD.state AND deliveries <= 0;
        INSERT INTO queue_entries (post_group_id, state, deliveries, workspace_id, managed_user_id, sort_at, group_rowid)
          SELECT NEW.post_group_id, NEW.state, 1, g.workspace_id, g.managed_user_id, g.sort_at, g.rowid
          FROM post_groups g WHERE g.id = NEW.post_group_id
          ON CONFLICT (post_group_id, state) DO UPDATE SET deliveries = deliveries + 1;
      END;
      CREATE TRIGGER deliveries_queue_delete AFTER DELETE ON deliveries BEGIN
        UPDATE queue_entries SET deliveries = deliveries - 1 WHERE post_group_id = OLD.post_group_id AND state = OLD.state;
        DELETE FROM queue_entries WHERE post_group_id = OLD.post_group_id AND state = OLD.state AND deliveries <= 0;
      END;

      CREATE TRIGGER queue_entries_count_insert AFTER INSERT ON queue_entries BEGIN
        INSERT INTO queue_counts (managed_user_id, state, workspace_id, groups)
          VALUES (NEW.managed_user_id, NEW.state, NEW.workspace_id, 1)
          ON CONFLICT (managed_user_id, state) DO UPDATE SET groups = groups + 1;
      END;
      CREATE TRIGGER queue_entries_count_delete AFTER DELETE ON queue_entries BEGIN
        UPDATE queue_counts SET groups = groups - 1 WHERE managed_user_id = OLD.managed_user_id AND state = OLD.state;
      END;
    `);
};
