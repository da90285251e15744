import type { MigrationStep } from '../migration';

/** A post's poll (issue 14 item 4): JSON `{options, durationMinutes}`, NULL for none. */
export const addPolls: MigrationStep = (db) => {
  db.exec(`ALTER TABLE post_groups ADD COLUMN poll TEXT;`);
};
