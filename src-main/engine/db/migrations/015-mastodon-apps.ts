import type { MigrationStep } from '../migration';

/**
 * Postroom's own app on each Mastodon instance (issue 10 item 7, D107): registered with
 * `POST /api/v1/apps` the first time a client connects an account there, then reused for every
 * workspace that names the instance. An app is bound to its redirect URI and scopes, so those are
 * part of the key. The client secret is in the keychain under `secret_account`, never here.
 */
export const addMastodonApps: MigrationStep = (db) => {
  db.exec(`
      CREATE TABLE mastodon_apps (
        id             TEXT PRIMARY KEY,
        instance_url   TEXT NOT NULL,
        redirect_uri   TEXT NOT NULL,
        scopes         TEXT NOT NULL,
        client_id      TEXT NOT NULL,
        secret_account TEXT NOT NULL,
        registered_at  TEXT NOT NULL,
        UNIQUE (instance_url, redirect_uri, scopes)
      );
    `);
};
