import type { MigrationStep } from '../migration';

/**
 * A team host (issue 12): members sign in from their own desks.
 *
 * - `sessions` gains the `desk` kind, the SHA-256 of a desk session's bearer token (the raw token
 *   stays in the desk's keychain; only this hash is on the host), the device's name and when the
 *   session was last used. The CHECK on `kind` changes, so the table is rebuilt (SQLite cannot alter a CHECK).
 * - `idempotency_keys`: a change sent by a desk with an idempotency key is run at most once per
 *   member; the key is written in the same transaction as the change, and the answer right after,
 *   so a replay is answered with the first answer (kept at least 30 days).
 */
export const addTeamHost: MigrationStep = (db) => {
  db.exec(`
      CREATE TABLE sessions_new (
        id           TEXT PRIMARY KEY,
        member_id    TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('app', 'api', 'desk')),
        created_at   TEXT NOT NULL,
        ended_at     TEXT,
        end_reason   TEXT,
        token_hash   BLOB UNIQUE CHECK (token_hash IS NULL OR length(token_hash) = 32),
        device_name  TEXT,
        last_seen_at TEXT,
        CHECK ((kind = 'desk') = (token_hash IS NOT NULL))
      ) STRICT;
      INSERT INTO sessions_new (id, member_id, kind, created_at, ended_at, end_reason)
        SELECT id, member_id, kind, created_at, ended_at, end_reason FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_new RENAME TO sessions;
      CREATE INDEX sessions_live ON sessions (member_id) WHERE ended_at IS NULL;

      CREATE TABLE idempotency_keys (
        member_id    TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        key          TEXT NOT NULL,
        channel      TEXT NOT NULL,
        request_hash BLOB NOT NULL,
        response     TEXT,
        created_at   TEXT NOT NULL,
        PRIMARY KEY (member_id, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
    `);
};
