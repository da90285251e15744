import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type {
  Invitation,
  InviteInput,
  Member,
  SmtpSettingsInput,
  SmtpSettingsView,
  UpdateMemberInput,
} from '../../../src-shared/team';
import { authorize, type Principal, type Role } from '../kernel/access';
import { recordActivity, recordActivityOf, actorOf } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import type { MailerFactory } from '../mail/mailer';
import { getSmtp } from '../queries/smtp';
import { findClientRow } from '../queries/clients';
import { upgradePlanAction } from '../queries/upgrade-links';
import { getPlan, getWorkspace } from '../queries/workspaces';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type { MailerFactory };

interface MemberRow {
  id: string;
  workspace_id: string;
  profile_id: string;
  role: Role;
  status: Member['status'];
  sessions_limit: number;
  created_at: string;
  name: string;
  email: string;
}

const MEMBER_SELECT = `SELECT m.id, m.workspace_id, m.profile_id, m.role, m.status, m.sessions_limit, m.created_at,
    p.name, p.email
  FROM members m JOIN profiles p ON p.id = m.profile_id`;

function toMember(db: Db, r: MemberRow): Member {
  const clientIds = db
    .prepare<[string], { managed_user_id: string }>(
      `SELECT mc.managed_user_id FROM member_clients mc JOIN managed_users u ON u.id = mc.managed_user_id
       WHERE mc.member_id = ? AND u.deleted_at IS NULL ORDER BY u.display_name`,
    )
    .all(r.id)
    .map((x) => x.managed_user_id);
  const live = (
    db.prepare(`SELECT count(*) AS n FROM sessions WHERE member_id = ? AND ended_at IS NULL`).get(r.id) as { n: number }
  ).n;
  return {
    id: r.id,
    profileId: r.profile_id,
    name: r.name,
    email: r.email,
    role: r.role,
    status: r.status,
    sessionsLimit: r.sessions_limit,
    liveSessions: live,
    clientIds,
    allClients: r.role === 'owner' || r.role === 'manager',
    createdAt: r.created_at,
  };
}

function requireMember(db: Db, workspaceId: string, memberId: string): MemberRow {
  const row = db
    .prepare<[string, string], MemberRow>(`${MEMBER_SELECT} WHERE m.id = ? AND m.workspace_id = ?`)
    .get(memberId, workspaceId);
  if (!row) throw new AppError('not_found', 'member not found', { memberId });
  return row;
}

export function listMembers(ctx: EngineContext, p: Principal): Member[] {
  authorize(p, 'team.read');
  return ctx.db
    .prepare<[string], MemberRow>(`${MEMBER_SELECT} WHERE m.workspace_id = ? ORDER BY m.created_at, m.rowid`)
    .all(p.workspaceId)
    .map((r) => toMember(ctx.db, r));
}

// ---- invitations ----------------------------------------------------------------------------

const hashCode = (code: string) => createHash('sha256').update(code).digest();

interface InvitationRow {
  id: string;
  workspace_id: string;
  email: string;
  role: Exclude<Role, 'owner'>;
  managed_user_ids: string;
  code_hash: Buffer;
  expires_at: string;
  created_at: string;
  email_sent_at: string | null;
  accepted_at: string | null;
  revoked_at: string | null;
}

function toInvitation(r: InvitationRow, now: Date): Invitation {
  const status: Invitation['status'] = r.accepted_at
    ? 'accepted'
    : r.revoked_at
      ? 'revoked'
      : new Date(r.expires_at) <= now
        ? 'expired'
        : 'pending';
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    managedUserIds: JSON.parse(r.managed_user_ids) as string[],
    status,
    invitationPending: status === 'pending',
    invitationAccepted: status === 'accepted',
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    emailSent: r.email_sent_at !== null,
  };
}

export function listInvitations(ctx: EngineContext, p: Principal): Invitation[] {
  authorize(p, 'team.read');
  const now = ctx.clock.now();
  return ctx.db
    .prepare<[string], InvitationRow>(
      `SELECT * FROM invitations WHERE workspace_id = ? ORDER BY created_at DESC, rowid DESC`,
    )
    .all(p.workspaceId)
    .map((r) => toInvitation(r, now));
}

/** Seats used: members who are not deactivated, plus invitations still open. */
function seatsUsed(db: Db, workspaceId: string, now: Date): number {
  const members = (
    db
      .prepare(
        `SELECT count(*) AS n FROM members WHERE workspace_id = ? AND status != 'deactivated' AND role != 'client'`,
      )
      .get(workspaceId) as { n: number }
  ).n;
  const open = (
    db
      .prepare(
        `SELECT count(*) AS n FROM invitations
         WHERE workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND role != 'client'`,
      )
      .get(workspaceId, now.toISOString()) as { n: number }
  ).n;
  return members + open;
}

export interface InviteOutcome {
  invitation: Invitation;
  code: string;
  emailSent: boolean;
}

/**
 * Seed 004: invites a person by email with a role. Managers get every client (managedUserIds is
 * ignored); editors and collaborators may get some now or later; a client login gets exactly one.
 * The free plan has no seats to invite into: `user_limit_reached` with an `upgrade_plan` action.
 */
export async function inviteMember(
  ctx: EngineContext,
  p: Principal,
  input: z.output<typeof import('../../../src-shared/team').InviteInput>,
  mailerFor: MailerFactory,
  acceptUrlFor: (code: string) => string,
  inviterName: string,
): Promise<InviteOutcome> {
  authorize(p, 'team.invite');
  const now = ctx.clock.now();
  const workspace = getWorkspace(ctx.db, p.workspaceId);
  const plan = getPlan(ctx.db, workspace.plan.id);
  if (input.role !== 'client' && plan.maxMembers !== null && seatsUsed(ctx.db, p.workspaceId, now) >= plan.maxMembers) {
    throw new AppError(
      'user_limit_reached',
      plan.id === 'free'
        ? 'the Free plan has no seats for team members; upgrade to invite people'
        : `the ${plan.name} plan allows ${plan.maxMembers} members; upgrade to invite more`,
      undefined,
      upgradePlanAction(ctx, p.workspaceId, plan.id === 'free' ? 'team' : 'enterprise'),
    );
  }
  const clientIds = input.role === 'manager' ? [] : [...new Set(input.managedUserIds ?? [])];
  for (const id of clientIds) {
    if (!findClientRow(ctx.db, p.workspaceId, id))
      throw new AppError('not_found', 'user not found', {
        userId: id,
        fields: { managedUserIds: `unknown user ${id}` },
      });
  }
  if (input.role === 'client' && clientIds.length !== 1) {
    throw new AppError('validation_failed', 'a client login needs exactly one managed user', {
      fields: { managedUserIds: 'exactly one' },
    });
  }
  const existing = ctx.db
    .prepare(
      `SELECT 1 FROM members m JOIN profiles pr ON pr.id = m.profile_id
       WHERE m.workspace_id = ? AND pr.email = ? AND m.status != 'deactivated'`,
    )
    .get(p.workspaceId, input.email);
  if (existing) throw new AppError('conflict', `${input.email} is already a member of this workspace`);
  const open = ctx.db
    .prepare(
      `SELECT 1 FROM invitations
       WHERE workspace_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
    )
    .get(p.workspaceId, input.email, now.toISOString());
  if (open)
    throw new AppError('conflict', `${input.email} already has a pending invitation; revoke it to send a new one`);

  const code = randomBytes(24).toString('base64url');
  const id = newId('inv');
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS).toISOString();

  // Mail goes first: if it cannot be sent, nothing is recorded and the person can try again.
  let emailSent = false;
  const smtp = input.skipInvitationEmail ? null : getSmtp(ctx.db, p.workspaceId);
  if (smtp) {
    const password = smtp.passwordAccount ? await ctx.secrets.get(smtp.passwordAccount) : null;
    const { invitationEmail } = await import('../mail/mailer');
    const mail = invitationEmail({
      workspaceName: workspace.name,
      inviterName,
      role: input.role,
      acceptUrl: acceptUrlFor(code),
      code,
      expiresAt,
    });
    await mailerFor(smtp.settings, password).send({ to: input.email, ...mail });
    emailSent = true;
  }

  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        `INSERT INTO invitations
           (id, workspace_id, email, role, managed_user_ids, code_hash, expires_at, created_at, created_by,
            email_sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        p.workspaceId,
        input.email,
        input.role,
        JSON.stringify(clientIds),
        hashCode(code),
        expiresAt,
        now.toISOString(),
        actorOf(p).id,
        emailSent ? now.toISOString() : null,
      );
    recordActivityOf(ctx.db, now, p, {
      action: 'team.invited',
      objectKind: 'invitation',
      objectId: id,
      detail: `Invited ${input.email} as ${input.role}${emailSent ? ' (email sent)' : ''}`,
    });
  })();
  const row = ctx.db.prepare<[string], InvitationRow>(`SELECT * FROM invitations WHERE id = ?`).get(id)!;
  return { invitation: toInvitation(row, now), code, emailSent };
}

export function revokeInvitation(ctx: EngineContext, p: Principal, invitationId: string): Invitation {
  authorize(p, 'team.invite');
  const now = ctx.clock.now();
  const row = ctx.db
    .prepare<[string, string], InvitationRow>(`SELECT * FROM invitations WHERE id = ? AND workspace_id = ?`)
    .get(invitationId, p.workspaceId);
  if (!row) throw new AppError('not_found', 'invitation not found', { invitationId });
  if (toInvitation(row, now).status !== 'pending')
    throw new AppError('conflict', 'only a pending invitation can be revoked');
  ctx.db.transaction(() => {
    ctx.db.prepare(`UPDATE invitations SET revoked_at = ? WHERE id = ?`).run(now.toISOString(), invitationId);
    recordActivityOf(ctx.db, now, p, {
      action: 'team.invitation_revoked',
      objectKind: 'invitation',
      objectId: invitationId,
      detail: `Revoked the invitation of ${row.email}`,
    });
  })();
  return toInvitation(
    ctx.db.prepare<[string], InvitationRow>(`SELECT * FROM invitations WHERE id = ?`).get(invitationId)!,
    now,
  );
}

/** The open invitation a code stands for (compared in constant time), or why there is none. */
function openInvitation(ctx: EngineContext, code: string): InvitationRow {
  const digest = hashCode(code);
  const candidates = ctx.db
    .prepare<[], InvitationRow>(`SELECT * FROM invitations WHERE accepted_at IS NULL AND revoked_at IS NULL`)
    .all();
  const row = candidates.find((c) => c.code_hash.length === digest.length && timingSafeEqual(c.code_hash, digest));
  if (!row) throw new AppError('not_found', 'this invitation code is not valid, or it was already used');
  if (new Date(row.expires_at) <= ctx.clock.now())
    throw new AppError('validation_failed', 'this invitation has expired; ask for a new one');
  return row;
}

/** The email an open invitation was sent to (to check an existing account's password before redeeming it). */
export function invitationEmail(ctx: EngineContext, code: string): string {
  return openInvitation(ctx, code).email;
}

/**
 * Redeems an invitation code once: a profile on this install (new, or the existing one with that
 * email) becomes an active member with the invited role and clients. Returns the member id.
 */
export function acceptInvitation(
  ctx: EngineContext,
  code: string,
  person: { name: string; passwordHash: string | null },
): { memberId: string; profileId: string; workspaceId: string } {
  const now = ctx.clock.now();
  const row = openInvitation(ctx, code);
  return ctx.db.transaction(() => {
    let profile = ctx.db.prepare<[string], { id: string }>(`SELECT id FROM profiles WHERE email = ?`).get(row.email);
    if (!profile) {
      profile = { id: newId('prof') };
      ctx.db
        .prepare(`INSERT INTO profiles (id, name, email, created_at, password_hash) VALUES (?, ?, ?, ?, ?)`)
        .run(profile.id, person.name, row.email, now.toISOString(), person.passwordHash);
    }
    const memberId = newId('mem');
    ctx.db
      .prepare(`DELETE FROM members WHERE workspace_id = ? AND profile_id = ? AND status = 'deactivated'`)
      .run(row.workspace_id, profile.id);
    ctx.db
      .prepare(
        `INSERT INTO members (id, workspace_id, profile_id, role, status, created_at) VALUES (?, ?, ?, ?, 'active', ?)`,
      )
      .run(memberId, row.workspace_id, profile.id, row.role, now.toISOString());
    for (const clientId of JSON.parse(row.managed_user_ids) as string[]) {
      if (findClientRow(ctx.db, row.workspace_id, clientId)) {
        ctx.db.prepare(`INSERT INTO member_clients (member_id, managed_user_id) VALUES (?, ?)`).run(memberId, clientId);
      }
    }
    ctx.db
      .prepare(`UPDATE invitations SET accepted_at = ?, accepted_member_id = ? WHERE id = ?`)
      .run(now.toISOString(), memberId, row.id);
    recordActivity(ctx.db, now, {
      workspaceId: row.workspace_id,
      actor: { kind: 'member', id: profile.id },
      action: 'team.invitation_accepted',
      objectKind: 'member',
      objectId: memberId,
      detail: `${person.name} <${row.email}> joined as ${row.role}`,
    });
    return { memberId, profileId: profile.id, workspaceId: row.workspace_id };
  })();
}

// ---- members --------------------------------------------------------------------------------

export function updateMember(
  ctx: EngineContext,
  p: Principal,
  memberId: string,
  patch: z.output<typeof import('../../../src-shared/team').UpdateMemberInput>,
): Member {
  authorize(p, 'team.update');
  const row = requireMember(ctx.db, p.workspaceId, memberId);
  if (row.role === 'owner') throw new AppError('forbidden', "the owner's role and access cannot be changed here");
  const role = patch.role ?? row.role;
  const now = ctx.clock.now();
  if (patch.clientIds) {
    for (const id of patch.clientIds)
      if (!findClientRow(ctx.db, p.workspaceId, id)) throw new AppError('not_found', 'user not found', { userId: id });
    if (role === 'client' && patch.clientIds.length !== 1)
      throw new AppError('validation_failed', 'a client login needs exactly one managed user');
  }
  ctx.db.transaction(() => {
    ctx.db
      .prepare(`UPDATE members SET role = ?, sessions_limit = ? WHERE id = ?`)
      .run(role, patch.sessionsLimit ?? row.sessions_limit, memberId);
    if (patch.clientIds) {
      ctx.db.prepare(`DELETE FROM member_clients WHERE member_id = ?`).run(memberId);
      for (const id of new Set(patch.clientIds))
        ctx.db.prepare(`INSERT INTO member_clients (member_id, managed_user_id) VALUES (?, ?)`).run(memberId, id);
    }
    if (patch.sessionsLimit !== undefined)
      evictOverLimit(ctx.db, memberId, patch.sessionsLimit, now, 'sessions limit lowered');
    recordActivityOf(ctx.db, now, p, {
      action: 'team.member_updated',
      objectKind: 'member',
      objectId: memberId,
      detail: `Updated ${row.name}: ${Object.keys(patch).join(', ') || 'nothing'}`,
    });
  })();
  return toMember(ctx.db, requireMember(ctx.db, p.workspaceId, memberId));
}

/** Deactivating ends every session at once; a deactivated member cannot sign in. */
export function setMemberActive(ctx: EngineContext, p: Principal, memberId: string, active: boolean): Member {
  authorize(p, 'team.update');
  const row = requireMember(ctx.db, p.workspaceId, memberId);
  if (row.role === 'owner') throw new AppError('forbidden', 'the owner cannot be deactivated');
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db.prepare(`UPDATE members SET status = ? WHERE id = ?`).run(active ? 'active' : 'deactivated', memberId);
    if (!active) endSessions(ctx.db, memberId, now, 'deactivated');
    recordActivityOf(ctx.db, now, p, {
      action: active ? 'team.member_reactivated' : 'team.member_deactivated',
      objectKind: 'member',
      objectId: memberId,
      detail: `${active ? 'Reactivated' : 'Deactivated'} ${row.name}`,
    });
  })();
  return toMember(ctx.db, requireMember(ctx.db, p.workspaceId, memberId));
}

/** Seed 002 force logout: every live session of the member ends at once. Returns how many. */
export function forceLogout(ctx: EngineContext, p: Principal, memberId: string): number {
  authorize(p, 'team.forceLogout');
  const row = requireMember(ctx.db, p.workspaceId, memberId);
  // An API key acts for no person: it may not sign the owner out, as it may not deactivate them (issue 9 item 8).
  if (row.role === 'owner' && p.kind !== 'member')
    throw new AppError('forbidden', 'the owner can only be signed out by a person of the workspace, not an API key');
  const now = ctx.clock.now();
  return ctx.db.transaction(() => {
    const ended = endSessions(ctx.db, memberId, now, 'force logout');
    recordActivityOf(ctx.db, now, p, {
      action: 'team.force_logout',
      objectKind: 'member',
      objectId: memberId,
      detail: `Signed ${row.name} out of ${ended} session(s)`,
    });
    return ended;
  })();
}

// ---- sessions -------------------------------------------------------------------------------

export function endSessions(db: Db, memberId: string, now: Date, reason: string): number {
  return db
    .prepare(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE member_id = ? AND ended_at IS NULL`)
    .run(now.toISOString(), reason, memberId).changes;
}

function evictOverLimit(db: Db, memberId: string, limit: number, now: Date, reason: string): void {
  const live = db
    .prepare<[string], { id: string }>(
      `SELECT id FROM sessions WHERE member_id = ? AND ended_at IS NULL ORDER BY created_at DESC, rowid DESC`,
    )
    .all(memberId);
  for (const s of live.slice(limit))
    db.prepare(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?`).run(now.toISOString(), reason, s.id);
}

/** A desk's session on a team host: known by its bearer token's SHA-256 and the device's name. */
export interface DeskSessionInput {
  tokenHash: Buffer;
  deviceName: string;
}

/**
 * Opens a session for a member; past the member's sessions limit the oldest live one ends (on a
 * team host that may be a session on another machine: its socket is closed at once).
 */
export function openSession(
  db: Db,
  memberId: string,
  now: Date,
  kind: 'app' | 'api' = 'app',
  desk: DeskSessionInput | null = null,
): string {
  const member = db
    .prepare<[string], { status: string; sessions_limit: number }>(
      `SELECT status, sessions_limit FROM members WHERE id = ?`,
    )
    .get(memberId);
  if (!member) throw new AppError('not_found', 'member not found');
  if (member.status !== 'active') throw new AppError('forbidden', 'this member is deactivated and cannot sign in');
  const id = newId('ses');
  db.transaction(() => {
    db.prepare(
      `INSERT INTO sessions (id, member_id, kind, created_at, token_hash, device_name, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      memberId,
      desk ? 'desk' : kind,
      now.toISOString(),
      desk?.tokenHash ?? null,
      desk?.deviceName ?? null,
      desk ? now.toISOString() : null,
    );
    evictOverLimit(db, memberId, member.sessions_limit, now, 'sessions limit');
  })();
  return id;
}

export function sessionIsLive(db: Db, sessionId: string): { memberId: string } | null {
  const row = db
    .prepare<[string], { member_id: string }>(
      `SELECT s.member_id FROM sessions s JOIN members m ON m.id = s.member_id
       WHERE s.id = ? AND s.ended_at IS NULL AND m.status = 'active'`,
    )
    .get(sessionId);
  return row ? { memberId: row.member_id } : null;
}

// ---- SMTP -----------------------------------------------------------------------------------

/** The workspace's SMTP settings for the settings page: who may change them may read them; no password. */
export function readSmtp(ctx: EngineContext, p: Principal): SmtpSettingsView | null {
  authorize(p, 'workspace.update');
  const smtp = getSmtp(ctx.db, p.workspaceId);
  return smtp ? { ...smtp.settings, hasPassword: smtp.passwordAccount !== null } : null;
}

export async function setSmtp(
  ctx: EngineContext,
  p: Principal,
  input: z.output<typeof SmtpSettingsInput> | null,
): Promise<void> {
  authorize(p, 'workspace.update');
  const account = `${ctx.installId}/smtp/${p.workspaceId}`;
  const now = ctx.clock.now();
  if (input?.password) await ctx.secrets.set(account, input.password);
  else await ctx.secrets.delete(account);
  ctx.db.transaction(() => {
    ctx.db.prepare(`DELETE FROM workspace_smtp WHERE workspace_id = ?`).run(p.workspaceId);
    if (input) {
      ctx.db
        .prepare(
          `INSERT INTO workspace_smtp (workspace_id, host, port, secure, username, from_address, password_account)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          p.workspaceId,
          input.host,
          input.port,
          input.secure ? 1 : 0,
          input.username,
          input.from,
          input.password ? account : null,
        );
    }
    recordActivityOf(ctx.db, now, p, {
      action: input ? 'workspace.smtp_set' : 'workspace.smtp_removed',
      objectKind: 'workspace',
      objectId: p.workspaceId,
      detail: input ? `Email through ${input.host}:${input.port}` : 'Email turned off',
    });
  })();
}

export type { InviteInput, UpdateMemberInput };

/** The link in an invitation: a page of the loopback server that shows the code to paste in the app. */
export function invitationUrl(baseUrl: string, code: string): string {
  return `${baseUrl}/invitations/${encodeURIComponent(code)}`;
}
