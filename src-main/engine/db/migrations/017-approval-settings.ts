import type { MigrationStep } from '../migration';

/**
 * The workspace's approval settings (issue 13 item 1, D120): whether typo fixes keep an approval.
 * A table of its own beside `workspaces` (one row once a setting is changed; no row is the
 * default, off), so the workspace row and what inserts it stay as they are.
 */
export const addApprovalSettings: MigrationStep = (db) => {
  db.exec(`
      CREATE TABLE workspace_approval_settings (
        workspace_id            TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
        typo_fix_keeps_approval INTEGER NOT NULL DEFAULT 0 CHECK (typo_fix_keeps_approval IN (0, 1)),
        updated_at              TEXT NOT NULL
      ) STRICT;
    `);
};
