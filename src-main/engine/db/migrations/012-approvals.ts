import type { MigrationStep } from '../migration';

/**
 * Approvals and comments (SPEC §13, issue 13).
 *
 * - `managed_users.approval_policy`: `none`, `client` or `internal_then_client`.
 * - `post_groups.approval_state` (`none` until submitted, then `in_review`, `changes_requested`,
 *   `approved`) and `review_stage` (whose decision it waits for while in review: `internal` or
 *   `client`). Existing posts start at `none`; with every client at policy `none` they go out as before.
 * - `post_comments`: internal notes (staff only) and comments the client sees.
 * - `approval_links`: like connection links, known only by the SHA-256 of their token; each covers
 *   the posts listed in `post_group_ids` (JSON), or every post waiting for the client when NULL.
 */
export const addApprovals: MigrationStep = (db) => {
  db.exec(`
      ALTER TABLE managed_users ADD COLUMN approval_policy TEXT NOT NULL DEFAULT 'none'
        CHECK (approval_policy IN ('none', 'client', 'internal_then_client'));
      ALTER TABLE post_groups ADD COLUMN approval_state TEXT NOT NULL DEFAULT 'none'
        CHECK (approval_state IN ('none', 'in_review', 'changes_requested', 'approved'));
      ALTER TABLE post_groups ADD COLUMN review_stage TEXT
        CHECK (review_stage IN ('internal', 'client'));

      CREATE TABLE post_comments (
        id            TEXT PRIMARY KEY,
        post_group_id TEXT NOT NULL REFERENCES post_groups(id) ON DELETE CASCADE,
        visibility    TEXT NOT NULL CHECK (visibility IN ('internal', 'client')),
        author_kind   TEXT NOT NULL CHECK (author_kind IN ('member', 'api_key', 'client_link')),
        author_id     TEXT,
        author_name   TEXT NOT NULL,
        body          TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
        created_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX post_comments_by_group ON post_comments (post_group_id, created_at);

      CREATE TABLE approval_links (
        id              TEXT PRIMARY KEY,
        workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        managed_user_id TEXT NOT NULL REFERENCES managed_users(id),
        token_hash      BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        post_group_ids  TEXT,
        created_at      TEXT NOT NULL,
        expires_at      TEXT NOT NULL,
        revoked_at      TEXT,
        created_by      TEXT
      ) STRICT;
      CREATE INDEX approval_links_by_client ON approval_links (managed_user_id, created_at);
    `);
};
