import type { Db } from '../db/database';
import type { SmtpSettings } from '../mail/mailer';

/**
 * The workspace's SMTP settings (the password's keychain account, never the password): read by
 * every domain that sends mail (invitations, approval links); written by the team domain.
 */
interface SmtpRow {
  host: string;
  port: number;
  secure: number;
  username: string | null;
  from_address: string;
  password_account: string | null;
}

export function getSmtp(
  db: Db,
  workspaceId: string,
): { settings: SmtpSettings; passwordAccount: string | null } | null {
  const row = db.prepare<[string], SmtpRow>(`SELECT * FROM workspace_smtp WHERE workspace_id = ?`).get(workspaceId);
  if (!row) return null;
  return {
    settings: {
      host: row.host,
      port: row.port,
      secure: row.secure === 1,
      username: row.username,
      from: row.from_address,
    },
    passwordAccount: row.password_account,
  };
}
