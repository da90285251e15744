import type { Migration } from '../migration';

/** A connection's own text limit where its server sets one (a Mastodon instance's max_characters). */
export const migration006: Migration = {
  version: 6,
  name: 'connection-limits',
  up: (db) => {
    db.exec(
      `ALTER TABLE connections ADD COLUMN max_text_length INTEGER CHECK (max_text_length IS NULL OR max_text_length > 0);`,
    );
  },
};
