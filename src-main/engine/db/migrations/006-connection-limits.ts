import type { MigrationStep } from '../migration';

/** A connection's own text limit where its server sets one (a Mastodon instance's max_characters). */
export const addConnectionTextLimits: MigrationStep = (db) => {
  db.exec(
    `ALTER TABLE connections ADD COLUMN max_text_length INTEGER CHECK (max_text_length IS NULL OR max_text_length > 0);`,
  );
};
