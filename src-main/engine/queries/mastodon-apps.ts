import type { Db } from '../db/database';

/** A `mastodon_apps` row: Postroom's app on one instance, for one redirect URI and scope set. */
export interface MastodonAppRow {
  id: string;
  instance_url: string;
  redirect_uri: string;
  scopes: string;
  client_id: string;
  secret_account: string;
  registered_at: string;
}

/**
 * The instance as an app is keyed: its origin (scheme, host, port), so `https://Mastodon.Social/`
 * and `https://mastodon.social` share one registration.
 */
export const instanceKey = (instanceUrl: string): string => new URL(instanceUrl).origin;

export function findMastodonApp(
  db: Db,
  instanceUrl: string,
  redirectUri: string,
  scopes: string,
): MastodonAppRow | undefined {
  return db
    .prepare<[string, string, string], MastodonAppRow>(
      `SELECT * FROM mastodon_apps WHERE instance_url = ? AND redirect_uri = ? AND scopes = ?`,
    )
    .get(instanceKey(instanceUrl), redirectUri, scopes);
}

/** The app registered last on an instance: its client ID refreshes tokens it issued (Mastodon rarely expires them). */
export function latestMastodonApp(db: Db, instanceUrl: string): MastodonAppRow | undefined {
  return db
    .prepare<[string], MastodonAppRow>(
      `SELECT * FROM mastodon_apps WHERE instance_url = ? ORDER BY registered_at DESC, rowid DESC LIMIT 1`,
    )
    .get(instanceKey(instanceUrl));
}

/** Records a registration, replacing one for the same instance, redirect URI and scopes. */
export function saveMastodonApp(db: Db, row: MastodonAppRow): void {
  db.prepare(
    `INSERT INTO mastodon_apps (id, instance_url, redirect_uri, scopes, client_id, secret_account, registered_at)
     VALUES (@id, @instance_url, @redirect_uri, @scopes, @client_id, @secret_account, @registered_at)
     ON CONFLICT (instance_url, redirect_uri, scopes) DO UPDATE SET
       id = excluded.id, client_id = excluded.client_id, secret_account = excluded.secret_account,
       registered_at = excluded.registered_at`,
  ).run(row);
}
