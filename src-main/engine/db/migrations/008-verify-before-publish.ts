import type { MigrationStep } from '../migration';

/**
 * A delivery whose publish was cut short by a crash on a platform without idempotency keys (X,
 * LinkedIn) is checked on the platform before it is published again: `verify_since` is the
 * earliest moment such a cut-short publish may have gone out (its claim), NULL when nothing needs
 * checking. It stays set until the delivery's outcome is known.
 */
export const addVerifyBeforePublish: MigrationStep = (db) => {
  db.exec(`ALTER TABLE deliveries ADD COLUMN verify_since TEXT;`);
};
