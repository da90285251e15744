import type { Db } from '../db/database';

/** A `managed_users` row (a client of the agency) as SQLite holds it. */
export interface ManagedUserRow {
  id: string;
  workspace_id: string;
  email: string;
  display_name: string;
  external_id: string | null;
  timezone: string;
  created_at: string;
  updated_at: string;
  deactivated_at: string | null;
  deleted_at: string | null;
  daily_post_limit: number | null;
}

/** A client of the workspace that is not deleted (deactivated ones included), or undefined. */
export function findClientRow(db: Db, workspaceId: string, userId: string): ManagedUserRow | undefined {
  return db
    .prepare<[string, string], ManagedUserRow>(
      `SELECT * FROM managed_users WHERE id = ? AND workspace_id = ? AND deleted_at IS NULL`,
    )
    .get(userId, workspaceId);
}
