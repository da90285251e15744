import type { MigrationStep } from '../migration';

/** Connection links, connections (tokens live in the keychain) and the issuer of OIDC integrations. */
export const addConnections: MigrationStep = (db) => {
  db.exec(`
      -- Where an integration's OAuth server publishes its metadata (OpenID Connect discovery);
      -- NULL means the platform's default.
      ALTER TABLE integrations ADD COLUMN issuer_url TEXT;

      CREATE TABLE connection_links (
        id              TEXT PRIMARY KEY,
        workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        managed_user_id TEXT NOT NULL REFERENCES managed_users(id),
        token_hash      BLOB NOT NULL UNIQUE,
        created_at      TEXT NOT NULL,
        expires_at      TEXT NOT NULL,
        revoked_at      TEXT,
        created_by      TEXT
      ) STRICT;
      CREATE INDEX connection_links_by_user ON connection_links (managed_user_id, created_at);

      CREATE TABLE connections (
        id               TEXT PRIMARY KEY,
        workspace_id     TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        managed_user_id  TEXT NOT NULL REFERENCES managed_users(id),
        platform         TEXT NOT NULL,
        account_id       TEXT NOT NULL,
        platform_id      TEXT NOT NULL,          -- <platform>-<accountId>
        handle           TEXT NOT NULL,
        display_name     TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('active', 'needs_reauth', 'revoked')),
        connected_at     TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        token_expires_at TEXT,
        authorized_by    TEXT,                   -- NULL: the client through a link; else a profile id
        UNIQUE (managed_user_id, platform_id)
      ) STRICT;
    `);
};
