import type { MigrationStep } from '../migration';

/** Managed users (clients), member assignments, profile passwords, SMTP settings, invitations and sessions. */
export const addClientsAndTeam: MigrationStep = (db) => {
  db.exec(`
      CREATE TABLE managed_users (
        id             TEXT PRIMARY KEY,
        workspace_id   TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        email          TEXT NOT NULL COLLATE NOCASE,
        display_name   TEXT NOT NULL,
        external_id    TEXT,
        timezone       TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        deactivated_at TEXT,
        deleted_at     TEXT            -- kept (not removed) so cancelled posts and the log still point somewhere
      ) STRICT;
      CREATE UNIQUE INDEX managed_users_email ON managed_users (workspace_id, email) WHERE deleted_at IS NULL;
      CREATE UNIQUE INDEX managed_users_external_id ON managed_users (workspace_id, external_id)
        WHERE deleted_at IS NULL AND external_id IS NOT NULL;

      -- A person signs in at the profile chooser, before picking a workspace: the optional local
      -- password belongs to the profile (scrypt, see engine/kernel/passwords.ts).
      ALTER TABLE profiles ADD COLUMN password_hash TEXT;

      -- SMTP for invitation mail; the password is in the keychain under password_account.
      CREATE TABLE workspace_smtp (
        workspace_id     TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
        host             TEXT NOT NULL,
        port             INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        secure           INTEGER NOT NULL CHECK (secure IN (0, 1)),
        username         TEXT,
        from_address     TEXT NOT NULL,
        password_account TEXT
      ) STRICT;

      CREATE TABLE member_clients (
        member_id       TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        managed_user_id TEXT NOT NULL REFERENCES managed_users(id) ON DELETE CASCADE,
        PRIMARY KEY (member_id, managed_user_id)
      ) STRICT;

      CREATE TABLE invitations (
        id               TEXT PRIMARY KEY,
        workspace_id     TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        email            TEXT NOT NULL COLLATE NOCASE,
        role             TEXT NOT NULL CHECK (role IN ('manager', 'editor', 'collaborator', 'client')),
        managed_user_ids TEXT NOT NULL DEFAULT '[]',
        code_hash        BLOB NOT NULL,
        expires_at       TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        created_by       TEXT,
        email_sent_at    TEXT,
        accepted_at      TEXT,
        accepted_member_id TEXT REFERENCES members(id),
        revoked_at       TEXT
      ) STRICT;

      CREATE TABLE sessions (
        id           TEXT PRIMARY KEY,
        member_id    TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('app', 'api')),
        created_at   TEXT NOT NULL,
        ended_at     TEXT,
        end_reason   TEXT
      ) STRICT;
      CREATE INDEX sessions_live ON sessions (member_id) WHERE ended_at IS NULL;
    `);
};
