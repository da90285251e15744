import type { Migration } from '../migration';

/** A post's poll (issue 14 item 4): JSON `{options, durationMinutes}`, NULL for none. */
export const migration018: Migration = {
  version: 18,
  name: 'polls',
  up: (db) => {
    db.exec(`ALTER TABLE post_groups ADD COLUMN poll TEXT;`);
  },
};
