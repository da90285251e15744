import type { MigrationStep } from '../migration';

/**
 * Credential mode (seed 003): per member and connection, whether the member posts through the
 * tokens the owner or client authorised, or through their own; and who a connection posts as.
 */
export const addCredentialModes: MigrationStep = (db) => {
  db.exec(`
      CREATE TABLE connection_access (
        member_id     TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        mode          TEXT NOT NULL CHECK (mode IN ('owner', 'member')),
        has_own_tokens INTEGER NOT NULL DEFAULT 0 CHECK (has_own_tokens IN (0, 1)),
        PRIMARY KEY (member_id, connection_id)
      ) STRICT;

      -- LinkedIn: a person or an organisation page (urn); Facebook: a page or a group profile.
      ALTER TABLE connections ADD COLUMN post_as TEXT;
    `);
};
