import type { MigrationStep } from '../migration';

/** Install settings, plans as data, profiles, workspaces with logos, integrations, billing, keys, activity. */
export const createInitialSchema: MigrationStep = (db) => {
  db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE plans (
        id               TEXT PRIMARY KEY,
        name             TEXT NOT NULL,
        max_members      INTEGER,           -- NULL: unlimited
        max_clients      INTEGER,           -- NULL: unlimited
        daily_post_limit INTEGER NOT NULL,
        price_cents      INTEGER NOT NULL,
        currency         TEXT NOT NULL
      ) STRICT;
      INSERT INTO plans VALUES
        ('free',       'Free',       1,    3,    100, 0,     'USD'),
        ('team',       'Team',       10,   50,   100, 4900,  'USD'),
        ('enterprise', 'Enterprise', NULL, NULL, 100, 29900, 'USD');

      CREATE TABLE profiles (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        email      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE workspaces (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        slug           TEXT NOT NULL UNIQUE,
        workspace_type TEXT NOT NULL CHECK (workspace_type IN ('iframe embed', 'jwt full embed')),
        layout_type    TEXT NOT NULL CHECK (layout_type IN ('left navigation', 'no navigation')),
        plan_id        TEXT NOT NULL REFERENCES plans(id),
        timezone       TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      ) STRICT;

      CREATE TABLE workspace_logos (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('square', 'image')),
        mime_type    TEXT NOT NULL CHECK (mime_type IN ('image/png', 'image/jpeg', 'image/webp')),
        size         INTEGER NOT NULL CHECK (size < 10485760),
        sha256       TEXT NOT NULL,
        data         BLOB NOT NULL,
        PRIMARY KEY (workspace_id, kind)
      ) STRICT;

      CREATE TABLE members (
        id             TEXT PRIMARY KEY,
        workspace_id   TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        profile_id     TEXT NOT NULL REFERENCES profiles(id),
        role           TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'editor', 'collaborator', 'client')),
        status         TEXT NOT NULL CHECK (status IN ('pending', 'active', 'deactivated')),
        sessions_limit INTEGER NOT NULL DEFAULT 5 CHECK (sessions_limit BETWEEN 1 AND 999999),
        created_at     TEXT NOT NULL,
        UNIQUE (workspace_id, profile_id)
      ) STRICT;

      -- Non-secret parts only; the client secret is in the keychain under secret_account.
      CREATE TABLE integrations (
        id             TEXT PRIMARY KEY,
        workspace_id   TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        platform       TEXT NOT NULL,
        client_id      TEXT,
        instance_url   TEXT,
        redirect_port  INTEGER,
        secret_account TEXT,
        created_at     TEXT NOT NULL
      ) STRICT;

      CREATE TABLE subscriptions (
        id           TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        plan_id      TEXT NOT NULL REFERENCES plans(id),
        starts_at    TEXT NOT NULL,
        ends_at      TEXT
      ) STRICT;

      CREATE TABLE transactions (
        id              TEXT PRIMARY KEY,
        workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
        amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
        currency        TEXT NOT NULL,
        description     TEXT NOT NULL,
        created_at      TEXT NOT NULL
      ) STRICT;

      -- Only a SHA-256 of each key; the raw key is in the keychain so the owner can reveal it.
      CREATE TABLE api_keys (
        id              TEXT PRIMARY KEY,
        scope           TEXT NOT NULL CHECK (scope IN ('install_admin', 'workspace', 'client')),
        workspace_id    TEXT REFERENCES workspaces(id) ON DELETE CASCADE,
        managed_user_id TEXT,
        hash            BLOB NOT NULL,
        created_at      TEXT NOT NULL,
        revoked_at      TEXT
      ) STRICT;

      -- Append-only: no foreign key, so the history outlives what it talks about.
      CREATE TABLE activity (
        id          TEXT PRIMARY KEY,
        workspace_id TEXT,
        at          TEXT NOT NULL,
        actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('member', 'api_key', 'system')),
        actor_id    TEXT,
        action      TEXT NOT NULL,
        object_kind TEXT NOT NULL,
        object_id   TEXT,
        detail      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX activity_by_workspace ON activity (workspace_id, at);
      CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
        BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
      CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
        BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
    `);
};
