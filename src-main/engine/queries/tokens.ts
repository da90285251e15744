import type { Db } from '../db/database';
import type { EngineContext } from '../kernel/context';

/** Where a connection's tokens are kept in the keychain. */
export const tokenAccount = (installId: string, connectionId: string) => `${installId}/token/${connectionId}`;
/** A member's own tokens for a connection (member's credentials, seed 003). */
export const memberTokenAccount = (installId: string, connectionId: string, memberId: string) =>
  `${installId}/token/${connectionId}/member/${memberId}`;

/**
 * Credential mode (seed 003), per member and connection:
 * - `owner`: the member posts through the tokens the owner (or the client, through a link)
 *   authorised. Only the owner re-authenticates and changes account settings such as "post as".
 * - `member`: the member authorises with their own access, may re-authenticate and change those
 *   settings themselves, and their posts go out with their own tokens.
 */
export type CredentialMode = 'owner' | 'member';

export function credentialModeOf(
  db: Db,
  memberId: string,
  connectionId: string,
): { mode: CredentialMode; hasOwnTokens: boolean } {
  const row = db
    .prepare<[string, string], { mode: CredentialMode; has_own_tokens: number }>(
      `SELECT mode, has_own_tokens FROM connection_access WHERE member_id = ? AND connection_id = ?`,
    )
    .get(memberId, connectionId);
  return { mode: row?.mode ?? 'owner', hasOwnTokens: row?.has_own_tokens === 1 };
}

/**
 * The keychain account whose tokens publish a post: the author's own when they post with the
 * member's credentials and have authorised, else the connection's.
 */
export function publishingTokenAccount(
  ctx: EngineContext,
  connectionId: string,
  authorProfileId: string | null,
  workspaceId: string,
): string {
  if (authorProfileId) {
    const member = ctx.db
      .prepare<[string, string], { id: string }>(`SELECT id FROM members WHERE profile_id = ? AND workspace_id = ?`)
      .get(authorProfileId, workspaceId);
    if (member) {
      const { mode, hasOwnTokens } = credentialModeOf(ctx.db, member.id, connectionId);
      if (mode === 'member' && hasOwnTokens) return memberTokenAccount(ctx.installId, connectionId, member.id);
    }
  }
  return tokenAccount(ctx.installId, connectionId);
}
