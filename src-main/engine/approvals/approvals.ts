import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  actStartsFrom,
  deciderOf,
  reviewStages,
  stagesOf,
  type ApprovalAct,
  type ApprovalLink,
  type ApprovalLinkEmail,
  type ApprovalPolicy,
  type ApprovalSettings,
  type CommentInput,
  type CreateApprovalLinkInput,
  type DecisionInput,
  type NewApprovalLink,
  type PostComment,
  type ReviewStage,
} from '../../../src-shared/approvals';
import type { PostGroup } from '../../../src-shared/posts';
import { authorize, can, clientScope, type Principal } from '../kernel/access';
import { actorOf, recordActivity, recordActivityOf, systemActor, type Actor } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError, toErrorObject } from '../kernel/errors';
import { approvalLinkEmail, type MailerFactory } from '../mail/mailer';
import { newId } from '../kernel/ids';
import { APPROVAL_COLUMNS, typoFixKeepsApproval, type ApprovalRow } from '../queries/approvals';
import { findClientRow } from '../queries/clients';
import { mediaOfPost } from '../queries/media';
import { readPostGroup } from '../queries/post-groups';
import { requireReadableGroup } from '../queries/readable-groups';
import {
  clientLinkStatus,
  resolveClientLink,
  sha256,
  type ClientLinkProblem,
  type ClientLinkRow,
} from '../queries/client-links';
import { getSmtp } from '../queries/smtp';
import { readStoredFile } from '../files/store';

/**
 * Approvals and comments (SPEC §13, issue 13). The states, stages and acts are data in
 * src-shared/approvals.ts; this module applies them: who may act at which stage, what each act
 * moves to, and the activity entry every decision leaves. The scheduler's gate is in
 * queries/approvals.ts.
 */

interface GroupRow extends ApprovalRow {
  id: string;
  workspace_id: string;
  managed_user_id: string;
}

/** A post group the principal may read, with its approval columns; out of scope is not_found. */
const requireGroup = (db: Db, p: Principal, id: string): GroupRow =>
  requireReadableGroup<GroupRow>(db, p, id, `g.id, g.workspace_id, g.managed_user_id, ${APPROVAL_COLUMNS}`);

/** The group as callers see it, after an act on it (read again, as the principal may see it). */
export function readGroupFor(ctx: EngineContext, p: Principal, id: string): PostGroup {
  requireGroup(ctx.db, p, id);
  return readPostGroup(ctx.db, id);
}

/** Whether anything of the group is still to go out (a published or cancelled post is not reviewed). */
function stillToGoOut(db: Db, groupId: string): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM deliveries
         WHERE post_group_id = ? AND state IN ('draft', 'scheduled', 'paused', 'failed', 'needs_attention') LIMIT 1`,
      )
      .get(groupId) !== undefined
  );
}

function nameOf(db: Db, p: Principal): string {
  if (p.kind !== 'member') return 'API';
  return (
    db.prepare<[string], { name: string }>(`SELECT name FROM profiles WHERE id = ?`).get(p.profileId)?.name ?? 'Member'
  );
}

// ---- the policy ---------------------------------------------------------------------------------

export function getApprovalPolicy(ctx: EngineContext, p: Principal, userId: string): ApprovalPolicy {
  authorize(p, 'client.read', { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  return policyOf(ctx.db, userId);
}

const policyOf = (db: Db, userId: string): ApprovalPolicy =>
  db
    .prepare<[string], { approval_policy: ApprovalPolicy }>(`SELECT approval_policy FROM managed_users WHERE id = ?`)
    .get(userId)!.approval_policy;

/**
 * Sets a client's policy. Posts already scheduled follow the new policy from the scheduler's next
 * claim (the gate reads the policy then): turning approval on holds every post not approved yet;
 * turning it off lets them go out at their time. A post waiting at a stage the new policy does
 * not have moves to the new policy's first stage.
 */
export function setApprovalPolicy(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  policy: ApprovalPolicy,
): ApprovalPolicy {
  authorize(p, 'client.update', { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  const before = policyOf(ctx.db, userId);
  if (before === policy) return policy;
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(`UPDATE managed_users SET approval_policy = ?, updated_at = ? WHERE id = ?`)
      .run(policy, now.toISOString(), userId);
    const stages = stagesOf[policy];
    if (stages.length > 0)
      ctx.db
        .prepare(
          `UPDATE post_groups SET review_stage = ?
           WHERE managed_user_id = ? AND approval_state = 'in_review'
             AND review_stage NOT IN (SELECT value FROM json_each(?))`,
        )
        .run(stages[0]!, userId, JSON.stringify(stages));
    recordActivityOf(ctx.db, now, p, {
      action: 'client.approval_policy',
      objectKind: 'managed_user',
      objectId: userId,
      detail: `Approval for ${client.display_name}: ${POLICY_NAMES[before]} → ${POLICY_NAMES[policy]}`,
    });
  })();
  return policy;
}

export const POLICY_NAMES: Record<ApprovalPolicy, string> = {
  none: 'no approval',
  client: 'the client approves',
  internal_then_client: 'a manager approves, then the client',
};

// ---- the workspace's settings --------------------------------------------------------------------

/** The workspace's approval settings; everyone in the workspace may read them. */
export function getApprovalSettings(ctx: EngineContext, p: Principal): ApprovalSettings {
  authorize(p, 'workspace.read');
  return { typoFixKeepsApproval: typoFixKeepsApproval(ctx.db, p.workspaceId) };
}

/**
 * Turns the typo-fix waiver on or off (issue 13 item 1, D120): from the next edit on, a typo fix
 * of an approved post keeps its approval (on) or sends it back for review (off, the default).
 */
export function setApprovalSettings(ctx: EngineContext, p: Principal, input: ApprovalSettings): ApprovalSettings {
  authorize(p, 'approval.configure');
  const before = typoFixKeepsApproval(ctx.db, p.workspaceId);
  if (before === input.typoFixKeepsApproval) return input;
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        `INSERT INTO workspace_approval_settings (workspace_id, typo_fix_keeps_approval, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(workspace_id) DO UPDATE SET
           typo_fix_keeps_approval = excluded.typo_fix_keeps_approval, updated_at = excluded.updated_at`,
      )
      .run(p.workspaceId, input.typoFixKeepsApproval ? 1 : 0, now.toISOString());
    recordActivityOf(ctx.db, now, p, {
      action: 'workspace.approval_settings',
      objectKind: 'workspace',
      objectId: p.workspaceId,
      detail: input.typoFixKeepsApproval
        ? 'Typo fixes now keep an approval (at most 3 characters of text, nothing else changed)'
        : 'Every edit of an approved post sends it back for review again',
    });
  })();
  return input;
}

// ---- submitting and deciding --------------------------------------------------------------------

function assertActFrom(g: GroupRow, act: ApprovalAct): void {
  if (!actStartsFrom[act].includes(g.approval_state))
    throw new AppError('conflict', ACT_CONFLICT[act](g.approval_state), {
      approvalState: g.approval_state,
    });
}

const ACT_CONFLICT: Record<ApprovalAct, (state: string) => string> = {
  submit: (s) =>
    s === 'in_review' ? 'this post is already in review' : 'this post is approved; edit it to send it back for review',
  approve: () => 'this post is not waiting for a review; submit it first',
  requestChanges: () => 'this post is not waiting for a review; submit it first',
};

/** Sends a post for review: to its policy's first stage. Editors and collaborators may (SPEC §2). */
export function submitForReview(ctx: EngineContext, p: Principal, id: string, comment?: string): void {
  const g = requireGroup(ctx.db, p, id);
  authorize(p, 'post.submit', { managedUserId: g.managed_user_id });
  const stages = stagesOf[g.approval_policy];
  if (stages.length === 0)
    throw new AppError('conflict', "this client's posts need no approval; schedule it instead", {
      approvalPolicy: g.approval_policy,
    });
  assertActFrom(g, 'submit');
  if (!stillToGoOut(ctx.db, id)) throw new AppError('conflict', 'this post has already gone out or was cancelled');
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(`UPDATE post_groups SET approval_state = 'in_review', review_stage = ?, updated_at = ? WHERE id = ?`)
      .run(stages[0]!, now.toISOString(), id);
    if (comment) insertComment(ctx.db, id, 'client', authorOf(ctx.db, p), comment, now);
    recordActivityOf(ctx.db, now, p, {
      action: 'post.submitted',
      objectKind: 'post_group',
      objectId: id,
      detail: `Submitted for review (${STAGE_NAMES[stages[0]!]})`,
    });
  })();
}

const STAGE_NAMES: Record<ReviewStage, string> = { internal: 'internal review', client: "the client's review" };

export interface DecisionOutcome {
  postGroupId: string;
  workspaceId: string;
  managedUserId: string;
  decision: 'approve' | 'requestChanges';
  /** Approved at the last stage: the post may go out at its time. */
  final: boolean;
  by: string;
}

/**
 * Approves or requests changes at the stage the post waits at, by whoever decides there (managers
 * and owners internally, the client at theirs: `deciderOf`). Approving at the last stage clears
 * the post to go out at its time (at once, if that time passed while it waited: the approval is
 * the person saying so); approving earlier moves it to the next stage. Requesting changes needs a
 * comment, which the client sees.
 */
export function decide(
  ctx: EngineContext,
  p: Principal,
  id: string,
  input: z.output<typeof DecisionInput>,
): DecisionOutcome {
  const g = requireGroup(ctx.db, p, id);
  assertActFrom(g, input.decision);
  const stage = g.review_stage ?? stagesOf[g.approval_policy][0]!;
  authorize(p, deciderOf[stage], { managedUserId: g.managed_user_id });
  return applyDecision(ctx.db, ctx.clock.now(), g, stage, input, authorOf(ctx.db, p), actorOf(p), '');
}

interface Author {
  kind: PostComment['authorKind'];
  id: string | null;
  name: string;
}

const authorOf = (db: Db, p: Principal): Author => ({
  kind: p.kind === 'member' ? 'member' : 'api_key',
  id: p.kind === 'member' ? p.profileId : p.keyId,
  name: nameOf(db, p),
});

function applyDecision(
  db: Db,
  now: Date,
  g: GroupRow,
  stage: ReviewStage,
  input: z.output<typeof DecisionInput>,
  author: Author,
  actor: Actor,
  via: string,
): DecisionOutcome {
  const stages = stagesOf[g.approval_policy];
  const next = stages[stages.indexOf(stage) + 1];
  const final = input.decision === 'approve' && next === undefined;
  const outcome = final ? '; cleared to go out at its time' : next ? `; now waiting for ${STAGE_NAMES[next]}` : '';
  db.transaction(() => {
    const moved = db
      .prepare(
        `UPDATE post_groups SET approval_state = ?, review_stage = ?, updated_at = ?
         WHERE id = ? AND approval_state = 'in_review' AND review_stage IS ?`,
      )
      .run(
        input.decision === 'requestChanges' ? 'changes_requested' : final ? 'approved' : 'in_review',
        input.decision === 'approve' && next ? next : null,
        now.toISOString(),
        g.id,
        g.review_stage,
      ).changes;
    // Someone else decided first (two tabs, two reviewers): theirs stands.
    if (moved === 0) throw new AppError('conflict', 'someone decided on this post a moment ago; reload it');
    if (input.comment) insertComment(db, g.id, 'client', author, input.comment, now);
    recordActivity(db, now, {
      workspaceId: g.workspace_id,
      actor,
      action: input.decision === 'approve' ? 'post.approved' : 'post.changes_requested',
      objectKind: 'post_group',
      objectId: g.id,
      detail:
        `${input.decision === 'approve' ? 'Approved' : 'Asked for changes'} at ${STAGE_NAMES[stage]} ` +
        `by ${author.name}${via}${outcome}`,
    });
  })();
  return {
    postGroupId: g.id,
    workspaceId: g.workspace_id,
    managedUserId: g.managed_user_id,
    decision: input.decision,
    final,
    by: author.name,
  };
}

/** Posts waiting for the caller's own decision: the stages their role decides, among the clients they see. */
export function reviewCount(ctx: EngineContext, p: Principal): number {
  authorize(p, 'post.read');
  const stages = reviewStages.filter((s) => can(p, deciderOf[s]));
  if (stages.length === 0) return 0;
  const scope = clientScope(p);
  return (
    ctx.db
      .prepare<[string, string, number, string], { n: number }>(
        `SELECT count(*) AS n FROM post_groups WHERE workspace_id = ? AND approval_state = 'in_review'
           AND review_stage IN (SELECT value FROM json_each(?))
           AND (? OR managed_user_id IN (SELECT value FROM json_each(?)))`,
      )
      .get(p.workspaceId, JSON.stringify(stages), scope === 'all' ? 1 : 0, JSON.stringify(scope === 'all' ? [] : scope))
      ?.n ?? 0
  );
}

// ---- comments -----------------------------------------------------------------------------------

interface CommentRow {
  id: string;
  post_group_id: string;
  visibility: PostComment['visibility'];
  author_kind: PostComment['authorKind'];
  author_name: string;
  body: string;
  created_at: string;
}

function insertComment(db: Db, groupId: string, visibility: string, author: Author, body: string, now: Date): string {
  const id = newId('cmt');
  db.prepare(
    `INSERT INTO post_comments (id, post_group_id, visibility, author_kind, author_id, author_name, body, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, groupId, visibility, author.kind, author.id, author.name, body, now.toISOString());
  return id;
}

/** The members an `@name` in a comment names: by first name, full name without spaces, or email's local part. */
function mentionsIn(db: Db, workspaceId: string, body: string): string[] {
  // A sentence's full stop is not part of the name: "@eddie." names eddie.
  const tokens = new Set(
    [...body.matchAll(/@([\p{L}\p{N}._-]+)/gu)].map((m) => m[1]!.replace(/[._-]+$/, '').toLowerCase()),
  );
  if (tokens.size === 0) return [];
  const members = db
    .prepare<[string], { name: string; email: string }>(
      `SELECT pr.name, pr.email FROM members m JOIN profiles pr ON pr.id = m.profile_id
       WHERE m.workspace_id = ? AND m.status = 'active'`,
    )
    .all(workspaceId);
  return members
    .filter((m) => {
      const keys = [m.name.split(/\s+/)[0]!, m.name.replace(/\s+/g, ''), m.email.split('@')[0]!].map((k) =>
        k.toLowerCase(),
      );
      return keys.some((k) => tokens.has(k));
    })
    .map((m) => m.name);
}

const toComment = (db: Db, workspaceId: string, r: CommentRow): PostComment => ({
  id: r.id,
  postGroupId: r.post_group_id,
  visibility: r.visibility,
  authorKind: r.author_kind,
  authorName: r.author_name,
  body: r.body,
  mentions: mentionsIn(db, workspaceId, r.body),
  createdAt: r.created_at,
});

/** A post's comments, oldest first; internal notes only for those who may read them. */
export function listComments(ctx: EngineContext, p: Principal, id: string): PostComment[] {
  const g = requireGroup(ctx.db, p, id);
  authorize(p, 'post.comment', { managedUserId: g.managed_user_id });
  const internal = canDo(p, 'comment.internal', g.managed_user_id);
  return readComments(ctx.db, g, internal);
}

function readComments(db: Db, g: { id: string; workspace_id: string }, internal: boolean): PostComment[] {
  return db
    .prepare<[string], CommentRow>(`SELECT * FROM post_comments WHERE post_group_id = ? ORDER BY created_at, rowid`)
    .all(g.id)
    .filter((c) => internal || c.visibility === 'client')
    .map((c) => toComment(db, g.workspace_id, c));
}

function canDo(p: Principal, action: Parameters<typeof authorize>[1], userId: string): boolean {
  try {
    authorize(p, action, { managedUserId: userId });
    return true;
  } catch {
    return false;
  }
}

export function addComment(
  ctx: EngineContext,
  p: Principal,
  id: string,
  input: z.output<typeof CommentInput>,
): PostComment {
  const g = requireGroup(ctx.db, p, id);
  authorize(p, input.visibility === 'internal' ? 'comment.internal' : 'post.comment', {
    managedUserId: g.managed_user_id,
  });
  const now = ctx.clock.now();
  const commentId = ctx.db.transaction(() => {
    const cid = insertComment(ctx.db, id, input.visibility, authorOf(ctx.db, p), input.body, now);
    recordActivityOf(ctx.db, now, p, {
      action: input.visibility === 'internal' ? 'post.noted' : 'post.commented',
      objectKind: 'post_group',
      objectId: id,
      detail: input.visibility === 'internal' ? 'Added an internal note' : 'Added a comment the client sees',
    });
    return cid;
  })();
  return toComment(
    ctx.db,
    p.workspaceId,
    ctx.db.prepare<[string], CommentRow>(`SELECT * FROM post_comments WHERE id = ?`).get(commentId)!,
  );
}

// ---- approval links -----------------------------------------------------------------------------

interface ApprovalLinkRow extends ClientLinkRow {
  post_group_ids: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const toLink = (r: ApprovalLinkRow, now: Date): ApprovalLink => ({
  id: r.id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  status: clientLinkStatus(r, now),
  postGroupIds: r.post_group_ids ? (JSON.parse(r.post_group_ids) as string[]) : null,
});

/**
 * An approval link for a client (like a connection link: 32 random bytes, only their SHA-256
 * kept, an expiry, revocable). It covers the posts named, which must be this client's, or every
 * post waiting for the client's decision when it is opened.
 */
export function createApprovalLink(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  input: z.output<typeof CreateApprovalLinkInput>,
  baseUrl: string,
): ApprovalLink & { approvalUrl: string; clientEmail: string; clientName: string } {
  authorize(p, 'approvalLink.manage', { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  if (client.deactivated_at)
    throw new AppError('conflict', 'this user is deactivated; reactivate them to send an approval link');
  if (stagesOf[policyOf(ctx.db, userId)].length === 0)
    throw new AppError('conflict', "this client's posts need no approval; choose an approval policy first", {
      fields: { approvalPolicy: 'no approval' },
    });
  if (input.sendEmail && !getSmtp(ctx.db, p.workspaceId))
    throw new AppError('conflict', 'email is not set up for this workspace (SMTP); make the link and copy it instead', {
      fields: { sendEmail: 'email is not set up (SMTP)' },
    });
  const ids = input.postGroupIds ? [...new Set(input.postGroupIds)] : null;
  if (ids) {
    const theirs = ctx.db
      .prepare<[string, string], { id: string }>(
        `SELECT id FROM post_groups WHERE managed_user_id = ? AND id IN (SELECT value FROM json_each(?))`,
      )
      .all(userId, JSON.stringify(ids))
      .map((r) => r.id);
    const missing = ids.filter((i) => !theirs.includes(i));
    if (missing.length) throw new AppError('not_found', 'post group not found', { ids: missing });
  }
  const token = randomBytes(32).toString('base64url');
  const id = newId('alink');
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + input.validDays * DAY_MS).toISOString();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        `INSERT INTO approval_links
           (id, workspace_id, managed_user_id, token_hash, post_group_ids, created_at, expires_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        p.workspaceId,
        userId,
        sha256(token),
        ids ? JSON.stringify(ids) : null,
        now.toISOString(),
        expiresAt,
        actorOf(p).id,
      );
    recordActivityOf(ctx.db, now, p, {
      action: 'approval.link_created',
      objectKind: 'managed_user',
      objectId: userId,
      detail:
        `Approval link ${id} for ${client.display_name} ` +
        `(${ids ? `${ids.length} post(s)` : 'every post waiting'}), valid until ${expiresAt}`,
    });
  })();
  return {
    id,
    createdAt: now.toISOString(),
    expiresAt,
    status: 'active',
    postGroupIds: ids,
    approvalUrl: `${baseUrl}/approve/${token}`,
    clientEmail: client.email,
    clientName: client.display_name,
  };
}

/** The posts a link shows now: those waiting for the client's decision, among the ones it covers. */
function waitingForClient(db: Db, userId: string, postGroupIds: string | null): string[] {
  return db
    .prepare<[string, string | null, string | null], { id: string }>(
      `SELECT id FROM post_groups
       WHERE managed_user_id = ? AND approval_state = 'in_review' AND review_stage = 'client'
         AND (? IS NULL OR id IN (SELECT value FROM json_each(?)))
       ORDER BY coalesce(scheduled_at, created_at), rowid`,
    )
    .all(userId, postGroupIds, postGroupIds)
    .map((r) => r.id);
}

/** Whether links can be emailed to the client: the workspace has SMTP settings; and to which address. */
export function approvalMailReadiness(
  ctx: EngineContext,
  p: Principal,
  userId: string,
): { smtpConfigured: boolean; clientEmail: string } {
  authorize(p, 'approvalLink.manage', { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  return { smtpConfigured: getSmtp(ctx.db, p.workspaceId) !== null, clientEmail: client.email };
}

/**
 * Emails a link just made to its client (issue 13 item 5), through the workspace's SMTP settings:
 * the agency, the client, how many posts wait, the link and its expiry. The activity log keeps
 * that it was sent, to whom and when (the entry's time), or that it failed and why (nodemailer's
 * code); never the link, whose token is the email's one secret. A failure is answered as a SPEC
 * §7 error beside the link, which works anyway and can be copied.
 */
export async function emailApprovalLink(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  link: { id: string; approvalUrl: string; expiresAt: string; postGroupIds: string[] | null },
  mailerFor: MailerFactory,
): Promise<ApprovalLinkEmail> {
  const client = findClientRow(ctx.db, p.workspaceId, userId)!;
  const to = client.email;
  const smtp = getSmtp(ctx.db, p.workspaceId);
  const workspace = ctx.db
    .prepare<[string], { name: string }>(`SELECT name FROM workspaces WHERE id = ?`)
    .get(p.workspaceId)!;
  const log = (action: string, detail: string) =>
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action,
      objectKind: 'managed_user',
      objectId: userId,
      detail,
    });
  try {
    if (!smtp) throw new AppError('conflict', 'email is not set up for this workspace (SMTP)');
    const password = smtp.passwordAccount ? await ctx.secrets.get(smtp.passwordAccount) : null;
    const mail = approvalLinkEmail({
      workspaceName: workspace.name,
      clientName: client.display_name,
      waiting: waitingForClient(ctx.db, userId, link.postGroupIds ? JSON.stringify(link.postGroupIds) : null).length,
      approvalUrl: link.approvalUrl,
      expiresAt: link.expiresAt,
      timezone: client.timezone,
    });
    await mailerFor(smtp.settings, password).send({ to, ...mail, what: 'the approval link email' });
  } catch (err) {
    const error = toErrorObject(err);
    const reason = typeof error.details?.reason === 'string' ? error.details.reason : error.code;
    log('approval.link_email_failed', `Could not email approval link ${link.id} to ${to} (${reason})`);
    return { to, sentAt: null, error };
  }
  const sentAt = ctx.clock.now().toISOString();
  log('approval.link_emailed', `Emailed approval link ${link.id} for ${client.display_name} to ${to}`);
  return { to, sentAt, error: null };
}

/** Makes a link and, when asked, emails it: the one way the contract and REST make links. */
export async function makeApprovalLink(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  input: z.output<typeof CreateApprovalLinkInput>,
  baseUrl: string,
  mailerFor: MailerFactory,
): Promise<NewApprovalLink> {
  const { clientEmail: _email, clientName: _name, ...link } = createApprovalLink(ctx, p, userId, input, baseUrl);
  const email = input.sendEmail ? await emailApprovalLink(ctx, p, userId, link, mailerFor) : null;
  return { ...link, email };
}

export function listApprovalLinks(ctx: EngineContext, p: Principal, userId: string): ApprovalLink[] {
  authorize(p, 'approvalLink.manage', { managedUserId: userId });
  if (!findClientRow(ctx.db, p.workspaceId, userId)) throw new AppError('not_found', 'user not found', { userId });
  const now = ctx.clock.now();
  return ctx.db
    .prepare<[string], ApprovalLinkRow>(
      `SELECT * FROM approval_links WHERE managed_user_id = ? ORDER BY created_at DESC, rowid DESC`,
    )
    .all(userId)
    .map((r) => toLink(r, now));
}

export function revokeApprovalLink(ctx: EngineContext, p: Principal, userId: string, linkId: string): void {
  authorize(p, 'approvalLink.manage', { managedUserId: userId });
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    const changed = ctx.db
      .prepare(
        `UPDATE approval_links SET revoked_at = coalesce(revoked_at, ?)
         WHERE id = ? AND managed_user_id = ? AND workspace_id = ?`,
      )
      .run(now.toISOString(), linkId, userId, p.workspaceId).changes;
    if (changed === 0) throw new AppError('not_found', 'approval link not found', { linkId });
    recordActivityOf(ctx.db, now, p, {
      action: 'approval.link_revoked',
      objectKind: 'managed_user',
      objectId: userId,
      detail: `Revoked approval link ${linkId}`,
    });
  })();
}

export type ApprovalLinkProblem = ClientLinkProblem;

/** The link behind a token, or why it cannot be used; looked up by SHA-256, compared in constant time. */
const resolveApprovalLink = (db: Db, token: string, now: Date) =>
  resolveClientLink<ApprovalLinkRow>(db, 'approval', token, now);

export interface ApprovalPagePost {
  id: string;
  text: string;
  platformTexts: Record<string, string>;
  scheduledAt: string | null;
  targets: {
    platform: string;
    platformId: string;
    name: string | null;
    handle: string | null;
    maxTextLength: number | null;
  }[];
  /** The post's images and videos; the page shows each picture's thumbnail by its id through the link. */
  media: ApprovalPageMedia[];
  /** The thread's parts after the post (issue 14 item 4): the client approves the whole thread. */
  thread: { text: string; media: ApprovalPageMedia[] }[];
  firstComment: string | null;
  poll: PostGroup['poll'];
  comments: PostComment[];
}

export interface ApprovalPageMedia {
  id: string;
  kind: 'image' | 'video';
  mimeType: string;
  altText: string;
  thumbnail: boolean;
}

/** A part's media as the page shows them (part 0 is the post itself). */
const pageMedia = (db: Db, groupId: string, part: number): ApprovalPageMedia[] =>
  mediaOfPost(db, groupId, part).map((m) => ({
    id: m.id,
    kind: m.kind,
    mimeType: m.mime_type,
    altText: m.alt_text,
    thumbnail: m.thumbnail_sha256 !== null,
  }));

export interface ApprovalPageModel {
  workspaceName: string;
  clientName: string;
  timezone: string;
  expiresAt: string;
  posts: ApprovalPagePost[];
}

/** What the client sees through a link: the posts waiting for their decision, with client-visible comments. */
export function approvalPageModel(
  ctx: EngineContext,
  token: string,
): { model: ApprovalPageModel } | { problem: ApprovalLinkProblem } {
  const resolved = resolveApprovalLink(ctx.db, token, ctx.clock.now());
  if ('problem' in resolved) return resolved;
  const { link } = resolved;
  const client = findClientRow(ctx.db, link.workspace_id, link.managed_user_id)!;
  const workspace = ctx.db
    .prepare<[string], { name: string }>(`SELECT name FROM workspaces WHERE id = ?`)
    .get(link.workspace_id)!;
  const groups = ctx.db
    .prepare<
      [string, string | null, string | null],
      {
        id: string;
        text: string;
        platform_texts: string;
        scheduled_at: string | null;
        workspace_id: string;
        thread: string;
        first_comment: string | null;
        poll: string | null;
      }
    >(
      `SELECT id, text, platform_texts, scheduled_at, workspace_id, thread, first_comment, poll FROM post_groups
       WHERE managed_user_id = ? AND approval_state = 'in_review' AND review_stage = 'client'
         AND (? IS NULL OR id IN (SELECT value FROM json_each(?)))
       ORDER BY coalesce(scheduled_at, created_at), rowid`,
    )
    .all(link.managed_user_id, link.post_group_ids, link.post_group_ids);
  const posts = groups.map((g) => ({
    id: g.id,
    text: g.text,
    platformTexts: JSON.parse(g.platform_texts) as Record<string, string>,
    scheduledAt: g.scheduled_at,
    targets: ctx.db
      .prepare<
        [string],
        {
          platform: string;
          platform_id: string;
          name: string | null;
          handle: string | null;
          max_text_length: number | null;
        }
      >(
        `SELECT d.platform, d.platform_id, c.display_name AS name, c.handle, c.max_text_length FROM deliveries d
         LEFT JOIN connections c ON c.managed_user_id = d.managed_user_id AND c.platform_id = d.platform_id
         WHERE d.post_group_id = ? AND d.state != 'cancelled' ORDER BY d.rowid`,
      )
      .all(g.id)
      .map((t) => ({
        platform: t.platform,
        platformId: t.platform_id,
        name: t.name,
        handle: t.handle,
        maxTextLength: t.max_text_length,
      })),
    media: pageMedia(ctx.db, g.id, 0),
    thread: (JSON.parse(g.thread) as { text: string }[]).map((part, i) => ({
      text: part.text,
      media: pageMedia(ctx.db, g.id, i + 1),
    })),
    firstComment: g.first_comment,
    poll: g.poll ? (JSON.parse(g.poll) as PostGroup['poll']) : null,
    comments: readComments(ctx.db, g, false),
  }));
  return {
    model: {
      workspaceName: workspace.name,
      clientName: client.display_name,
      timezone: client.timezone,
      expiresAt: link.expires_at,
      posts,
    },
  };
}

/**
 * A picture's thumbnail for the approval page: only through a link that works, and only of a post
 * the link shows now (covered, waiting for the client). Anything else is `unknown`, so a link
 * cannot be used to read other media, and no path to a picture works without the link's token.
 */
export async function approvalPageThumbnail(
  ctx: EngineContext,
  token: string,
  mediaId: string,
): Promise<{ data: Buffer } | { problem: ApprovalLinkProblem }> {
  const resolved = resolveApprovalLink(ctx.db, token, ctx.clock.now());
  if ('problem' in resolved) return resolved;
  const { link } = resolved;
  const shown = waitingForClient(ctx.db, link.managed_user_id, link.post_group_ids);
  const row = ctx.db
    .prepare<[string, string], { thumbnail_sha256: string | null }>(
      `SELECT m.thumbnail_sha256 FROM post_media p JOIN media m ON m.id = p.media_id
       WHERE p.media_id = ? AND p.post_group_id IN (SELECT value FROM json_each(?)) LIMIT 1`,
    )
    .get(mediaId, JSON.stringify(shown));
  if (!row?.thumbnail_sha256) return { problem: 'unknown' };
  return { data: await readStoredFile(ctx.dataDir, row.thumbnail_sha256) };
}

/**
 * The client's decision through a link: only on a post the link covers that waits for the client.
 * The activity log records the client, the time and the link (SPEC §13); the actor is Postroom
 * itself, since no member or key acted (D98).
 */
export function decideByLink(
  ctx: EngineContext,
  token: string,
  groupId: string,
  input: z.output<typeof DecisionInput>,
): DecisionOutcome | { problem: ApprovalLinkProblem } {
  const now = ctx.clock.now();
  const resolved = resolveApprovalLink(ctx.db, token, now);
  if ('problem' in resolved) return resolved;
  const { link } = resolved;
  const covered = link.post_group_ids === null || (JSON.parse(link.post_group_ids) as string[]).includes(groupId);
  const g = ctx.db
    .prepare<[string, string], GroupRow>(
      `SELECT g.id, g.workspace_id, g.managed_user_id, ${APPROVAL_COLUMNS} FROM post_groups g
       WHERE g.id = ? AND g.managed_user_id = ?`,
    )
    .get(groupId, link.managed_user_id);
  if (!g || !covered) throw new AppError('not_found', 'post not found', { id: groupId });
  if (g.approval_state !== 'in_review' || g.review_stage !== 'client')
    throw new AppError('conflict', 'this post is no longer waiting for your decision', {
      approvalState: g.approval_state,
    });
  const client = findClientRow(ctx.db, link.workspace_id, link.managed_user_id)!;
  return applyDecision(
    ctx.db,
    now,
    g,
    'client',
    input,
    { kind: 'client_link', id: link.id, name: client.display_name },
    systemActor,
    ` through approval link ${link.id}`,
  );
}
