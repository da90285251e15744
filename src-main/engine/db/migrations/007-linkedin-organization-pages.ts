import type { MigrationStep } from '../migration';

/**
 * LinkedIn organisation pages are opt-in per integration: posting as a page needs LinkedIn's
 * Community Management scopes, which LinkedIn refuses to apps it has not approved for them, so they
 * are only asked for where the agency turned this on.
 */
export const addOrganizationPagesOptIn: MigrationStep = (db) => {
  db.exec(
    `ALTER TABLE integrations ADD COLUMN organization_pages INTEGER NOT NULL DEFAULT 0 CHECK (organization_pages IN (0, 1));`,
  );
};
