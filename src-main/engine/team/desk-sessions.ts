import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../kernel/access';
import { recordActivity } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { hashPassword, needsRehash, verifyPassword } from '../kernel/passwords';
import { acceptInvitation, endSessions, invitationEmail, openSession } from './team';

/**
 * Members' accounts on a team host (SPEC §12, issue 12 item 2; /work/coord/team-protocol.md):
 * a desk signs in with email and password (or redeems an invitation) and gets a session token,
 * 256 random bits in base64url that the desk keeps in its keychain. The host stores only the
 * token's SHA-256 (a high-entropy token needs no slow hash), so a copy of the database opens no
 * session. Each desk session counts against the member's sessions limit; force logout,
 * deactivation and signing out end it like any other session.
 */

export const SESSION_TOKEN_BYTES = 32;
/** How long the owner's first sign-in code printed by `postroom host` stays valid. */
export const OWNER_SETUP_TTL_MS = 24 * 60 * 60 * 1000;
const OWNER_SETUP_SETTING = 'owner_setup_code';

export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Who a desk session is: the caller every contract call from that desk is authorized as. */
export interface DeskCaller {
  readonly sessionId: string;
  readonly memberId: string;
  readonly profileId: string;
  readonly workspaceId: string;
}

/** What a desk is told about itself after signing in or joining (the protocol's answer body). */
export interface DeskIdentity {
  sessionToken: string;
  member: { id: string; email: string; name: string; role: Role };
  workspace: { id: string; name: string };
}

/** The live session a presented token stands for, or null (unknown, ended, member deactivated). */
export function deskSessionFor(db: Db, token: string): DeskCaller | null {
  if (token.length === 0 || token.length > 100) return null;
  const row = db
    .prepare<[Buffer], { id: string; member_id: string; profile_id: string; workspace_id: string }>(
      `SELECT s.id, s.member_id, m.profile_id, m.workspace_id FROM sessions s JOIN members m ON m.id = s.member_id
       WHERE s.token_hash = ? AND s.kind = 'desk' AND s.ended_at IS NULL AND m.status = 'active'`,
    )
    .get(tokenDigest(token));
  return row
    ? { sessionId: row.id, memberId: row.member_id, profileId: row.profile_id, workspaceId: row.workspace_id }
    : null;
}

/** The same caller, looked up again by session id: null once the session ended or the member left. */
export function liveCaller(db: Db, sessionId: string): DeskCaller | null {
  const row = db
    .prepare<[string], { member_id: string; profile_id: string; workspace_id: string }>(
      `SELECT s.member_id, m.profile_id, m.workspace_id FROM sessions s JOIN members m ON m.id = s.member_id
       WHERE s.id = ? AND s.ended_at IS NULL AND m.status = 'active'`,
    )
    .get(sessionId);
  return row ? { sessionId, memberId: row.member_id, profileId: row.profile_id, workspaceId: row.workspace_id } : null;
}

/** Why a session ended, in the words the desk shows (`session.ended`'s reason). */
export function sessionEndReason(db: Db, sessionId: string): string {
  const row = db
    .prepare<[string], { end_reason: string | null; status: string }>(
      `SELECT s.end_reason, m.status FROM sessions s JOIN members m ON m.id = s.member_id WHERE s.id = ?`,
    )
    .get(sessionId);
  if (!row) return 'signed out';
  return row.end_reason ?? (row.status === 'deactivated' ? 'deactivated' : 'signed out');
}

function identityOf(db: Db, memberId: string, sessionToken: string): DeskIdentity {
  const row = db
    .prepare<[string], { id: string; role: Role; email: string; name: string; workspace_id: string; ws_name: string }>(
      `SELECT m.id, m.role, p.email, p.name, w.id AS workspace_id, w.name AS ws_name
       FROM members m JOIN profiles p ON p.id = m.profile_id JOIN workspaces w ON w.id = m.workspace_id WHERE m.id = ?`,
    )
    .get(memberId)!;
  return {
    sessionToken,
    member: { id: row.id, email: row.email, name: row.name, role: row.role },
    workspace: { id: row.workspace_id, name: row.ws_name },
  };
}

function startDeskSession(ctx: EngineContext, memberId: string, deviceName: string): DeskIdentity {
  const token = randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    const sessionId = openSession(ctx.db, memberId, now, 'app', { tokenHash: tokenDigest(token), deviceName });
    const member = ctx.db
      .prepare<[string], { workspace_id: string; profile_id: string }>(
        `SELECT workspace_id, profile_id FROM members WHERE id = ?`,
      )
      .get(memberId)!;
    ctx.db
      .prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
      .run(`last_workspace:${member.profile_id}`, member.workspace_id);
    recordActivity(ctx.db, now, {
      workspaceId: member.workspace_id,
      actor: { kind: 'member', id: member.profile_id },
      action: 'team.signed_in',
      objectKind: 'session',
      objectId: sessionId,
      detail: `Signed in on ${deviceName}`,
    });
  })();
  return identityOf(ctx.db, memberId, token);
}

/** A password hash to verify against when the email is unknown, so both cases take the same time. */
let decoyHash: Promise<string> | null = null;
const decoy = () => (decoyHash ??= hashPassword(randomBytes(16).toString('hex')));

const WRONG = () =>
  new AppError('unauthorized', 'wrong email or password', { fields: { password: 'wrong email or password' } });

/**
 * Sign-in from a desk: email and password, then a new desk session in the member's last workspace
 * (or their first). An unknown email and a wrong password read the same and take as long.
 */
export async function signInWithPassword(
  ctx: EngineContext,
  input: { email: string; password: string; deviceName: string },
): Promise<DeskIdentity> {
  const profile = ctx.db
    .prepare<[string], { id: string; password_hash: string | null }>(
      `SELECT id, password_hash FROM profiles WHERE email = ?`,
    )
    .get(input.email.trim());
  const stored = profile?.password_hash ?? (await decoy());
  const matches = await verifyPassword(input.password, stored);
  if (!profile?.password_hash || !matches) throw WRONG();
  await rehashIfDue(ctx.db, profile.id, input.password, stored);
  const members = ctx.db
    .prepare<[string], { id: string; workspace_id: string; status: string }>(
      `SELECT id, workspace_id, status FROM members WHERE profile_id = ? ORDER BY created_at, rowid`,
    )
    .all(profile.id);
  const active = members.filter((m) => m.status === 'active');
  if (active.length === 0)
    throw new AppError(
      'forbidden',
      members.length > 0 ? 'this account is deactivated; ask the workspace owner' : 'this account has no workspace',
    );
  const last = ctx.db
    .prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`)
    .get(`last_workspace:${profile.id}`)?.value;
  const member = active.find((m) => m.workspace_id === last) ?? active[0]!;
  return startDeskSession(ctx, member.id, input.deviceName);
}

async function rehashIfDue(db: Db, profileId: string, password: string, stored: string): Promise<void> {
  if (!needsRehash(stored)) return;
  const rehashed = await hashPassword(password);
  db.prepare(`UPDATE profiles SET password_hash = ? WHERE id = ? AND password_hash = ?`).run(
    rehashed,
    profileId,
    stored,
  );
}

/**
 * Joining from a desk: an invitation code (or the owner's first sign-in code) becomes an account
 * on the host with this password, and a desk session. Someone who already has an account under
 * the invited email must give its password: an invitation never resets a password.
 */
export async function joinWithCode(
  ctx: EngineContext,
  input: { invitationCode: string; name: string; password: string; deviceName: string },
): Promise<DeskIdentity> {
  const owner = redeemOwnerSetupCode(ctx, input.invitationCode);
  if (owner) {
    const passwordHash = await hashPassword(input.password);
    ctx.db.transaction(() => {
      ctx.db.prepare(`UPDATE profiles SET password_hash = ? WHERE id = ?`).run(passwordHash, owner.profileId);
      ctx.db.prepare(`DELETE FROM settings WHERE key = ?`).run(OWNER_SETUP_SETTING);
    })();
    return startDeskSession(ctx, owner.memberId, input.deviceName);
  }
  const email = invitationEmail(ctx, input.invitationCode);
  const existing = ctx.db
    .prepare<[string], { id: string; password_hash: string | null }>(
      `SELECT id, password_hash FROM profiles WHERE email = ?`,
    )
    .get(email);
  if (existing?.password_hash && !(await verifyPassword(input.password, existing.password_hash)))
    throw new AppError('unauthorized', `${email} already has an account on this host: enter its password to join`, {
      fields: { password: 'enter the password of your existing account' },
    });
  const passwordHash = existing?.password_hash ?? (await hashPassword(input.password));
  const accepted = acceptInvitation(ctx, input.invitationCode, { name: input.name, passwordHash });
  if (!existing?.password_hash)
    ctx.db.prepare(`UPDATE profiles SET password_hash = ? WHERE id = ?`).run(passwordHash, accepted.profileId);
  return startDeskSession(ctx, accepted.memberId, input.deviceName);
}

/** Signing out on a desk ends that one session. */
export function endDeskSession(ctx: EngineContext, sessionId: string, reason = 'signed out'): void {
  ctx.db
    .prepare(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL`)
    .run(ctx.clock.now().toISOString(), reason, sessionId);
}

/** Moves a desk session to the same person's membership in another workspace (`workspace.select`). */
export function moveDeskSession(ctx: EngineContext, caller: DeskCaller, workspaceId: string): DeskCaller {
  const member = ctx.db
    .prepare<[string, string], { id: string }>(
      `SELECT id FROM members WHERE profile_id = ? AND workspace_id = ? AND status = 'active'`,
    )
    .get(caller.profileId, workspaceId);
  if (!member) throw new AppError('not_found', 'workspace not found', { workspaceId });
  ctx.db.transaction(() => {
    ctx.db.prepare(`UPDATE sessions SET member_id = ? WHERE id = ?`).run(member.id, caller.sessionId);
    ctx.db
      .prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
      .run(`last_workspace:${caller.profileId}`, workspaceId);
  })();
  return { ...caller, memberId: member.id, workspaceId };
}

// ---- the owner's first sign-in ----------------------------------------------------------------

/**
 * A host whose owner has no password yet (set up by `postroom init`) prints a single-use code
 * that the owner redeems from a desk with "Join a team host", choosing their password there.
 * Only its SHA-256 is kept, with an expiry; a new start makes a new code.
 */
export function issueOwnerSetupCode(ctx: EngineContext): { code: string; email: string; expiresAt: string } | null {
  const owner = ctx.db
    .prepare<[], { member_id: string; profile_id: string; email: string; password_hash: string | null }>(
      `SELECT m.id AS member_id, p.id AS profile_id, p.email, p.password_hash FROM members m
       JOIN profiles p ON p.id = m.profile_id WHERE m.role = 'owner' AND m.status = 'active'
       ORDER BY m.created_at, m.rowid LIMIT 1`,
    )
    .get();
  if (!owner || owner.password_hash !== null) {
    ctx.db.prepare(`DELETE FROM settings WHERE key = ?`).run(OWNER_SETUP_SETTING);
    return null;
  }
  const code = randomBytes(24).toString('base64url');
  const expiresAt = new Date(ctx.clock.now().getTime() + OWNER_SETUP_TTL_MS).toISOString();
  const value = JSON.stringify({ digest: tokenDigest(code).toString('hex'), expiresAt, memberId: owner.member_id });
  ctx.db
    .prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
    .run(OWNER_SETUP_SETTING, value);
  return { code, email: owner.email, expiresAt };
}

function redeemOwnerSetupCode(ctx: EngineContext, code: string): { memberId: string; profileId: string } | null {
  const raw = ctx.db
    .prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`)
    .get(OWNER_SETUP_SETTING)?.value;
  if (!raw) return null;
  const saved = JSON.parse(raw) as { digest: string; expiresAt: string; memberId: string };
  const expected = Buffer.from(saved.digest, 'hex');
  if (!timingSafeEqual(tokenDigest(code), expected)) return null;
  if (new Date(saved.expiresAt) <= ctx.clock.now())
    throw new AppError('validation_failed', 'this sign-in code has expired; restart the host for a new one');
  const member = ctx.db
    .prepare<[string], { profile_id: string }>(`SELECT profile_id FROM members WHERE id = ? AND status = 'active'`)
    .get(saved.memberId);
  return member ? { memberId: saved.memberId, profileId: member.profile_id } : null;
}

export { endSessions };
