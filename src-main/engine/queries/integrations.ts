import type { Platform } from '../../../src-shared/contract';
import type { Db } from '../db/database';

/** An `integrations` row as SQLite holds it (the secret itself is in the keychain). */
export interface IntegrationRow {
  id: string;
  platform: Platform;
  client_id: string | null;
  instance_url: string | null;
  redirect_port: number | null;
  secret_account: string | null;
  issuer_url: string | null;
  organization_pages: 0 | 1;
}

export function integrationFor(db: Db, workspaceId: string, platform: Platform): IntegrationRow | undefined {
  return db
    .prepare<[string, string], IntegrationRow>(
      `SELECT * FROM integrations WHERE workspace_id = ? AND platform = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    )
    .get(workspaceId, platform);
}
