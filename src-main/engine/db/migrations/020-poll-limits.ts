import type { MigrationStep } from '../migration';

/**
 * A connection's own poll bounds where its server sets them (a Mastodon instance's
 * `configuration.polls`), as JSON `{maxOptions, maxOptionLength, minMinutes, maxMinutes}`; NULL
 * keeps the platform's (D127).
 */
export const addConnectionPollLimits: MigrationStep = (db) => {
  db.exec(
    `ALTER TABLE connections ADD COLUMN poll_limits TEXT CHECK (poll_limits IS NULL OR json_valid(poll_limits));`,
  );
};
