import type { MigrationStep } from '../migration';

/** Post groups, their media, one delivery per target, queue slots. The scheduler's state lives here. */
export const addPosts: MigrationStep = (db) => {
  db.exec(`
      CREATE TABLE post_groups (
        id              TEXT PRIMARY KEY,
        workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        managed_user_id TEXT NOT NULL REFERENCES managed_users(id),
        text            TEXT NOT NULL,
        platform_texts  TEXT NOT NULL DEFAULT '{}',   -- JSON {platformId: text}
        scheduled_at    TEXT,                          -- NULL: a draft
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        created_by      TEXT
      ) STRICT;
      CREATE INDEX post_groups_by_user ON post_groups (managed_user_id, created_at);

      CREATE TABLE post_media (
        id            TEXT PRIMARY KEY,
        post_group_id TEXT NOT NULL REFERENCES post_groups(id) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        mime_type     TEXT NOT NULL,
        size          INTEGER NOT NULL,
        alt_text      TEXT NOT NULL DEFAULT '',
        data          BLOB NOT NULL
      ) STRICT;

      CREATE TABLE deliveries (
        id                TEXT PRIMARY KEY,
        post_group_id     TEXT NOT NULL REFERENCES post_groups(id) ON DELETE CASCADE,
        managed_user_id   TEXT NOT NULL REFERENCES managed_users(id),
        platform_id       TEXT NOT NULL,
        platform          TEXT NOT NULL,
        state             TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'publishing', 'published', 'failed', 'needs_attention', 'cancelled', 'paused')),
        due_at            TEXT,                        -- the post's time
        local_day         TEXT,                        -- the client's calendar day it counts against
        next_attempt_at   TEXT,                        -- when the scheduler next tries (due or retry)
        attempts          INTEGER NOT NULL DEFAULT 0,
        lease_owner       TEXT,
        lease_expires_at  TEXT,
        idempotency_key   TEXT NOT NULL UNIQUE,
        platform_post_id  TEXT,
        platform_post_url TEXT,
        last_error        TEXT,
        published_at      TEXT,
        updated_at        TEXT NOT NULL,
        UNIQUE (post_group_id, platform_id)
      ) STRICT;
      CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
      CREATE INDEX deliveries_by_day ON deliveries (managed_user_id, local_day);

      CREATE TABLE queue_slots (
        id              TEXT PRIMARY KEY,
        managed_user_id TEXT NOT NULL REFERENCES managed_users(id),
        weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO: 1 Monday … 7 Sunday
        minute_of_day   INTEGER NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
        UNIQUE (managed_user_id, weekday, minute_of_day)
      ) STRICT;

      ALTER TABLE plans ADD COLUMN daily_limit_raisable INTEGER NOT NULL DEFAULT 0;
      UPDATE plans SET daily_limit_raisable = 1 WHERE id = 'enterprise';
      ALTER TABLE managed_users ADD COLUMN daily_post_limit INTEGER;   -- NULL: the plan's
    `);
};
