import {
  clearedToPublish,
  stagesOf,
  type Approval,
  type ApprovalPolicy,
  type ApprovalState,
  type ReviewStage,
} from '../../../src-shared/approvals';
import type { Db } from '../db/database';
import { recordActivity, type Actor } from '../kernel/activity';

/**
 * The approval gate (SPEC §13, issue 13 item 4), read by the scheduler and by the posts and
 * approvals domains. The rule lives in src-shared/approvals.ts (`clearedToPublish`); this is the
 * same rule in SQL, so the scheduler checks it inside the statements that plan, pick and claim a
 * delivery: whatever path scheduled a post (REST, the contract, add-to-queue, a drag, a bulk
 * move, a restart), a post group its client's policy has not approved is never claimed, and a
 * policy change counts from the next claim on.
 */
export const clearedToPublishSql = (delivery: string): string =>
  `EXISTS (SELECT 1 FROM post_groups ag JOIN managed_users au ON au.id = ag.managed_user_id
     WHERE ag.id = ${delivery}.post_group_id AND (ag.approval_state = 'approved' OR au.approval_policy = 'none'))`;

export interface ApprovalRow {
  approval_policy: ApprovalPolicy;
  approval_state: ApprovalState;
  review_stage: ReviewStage | null;
}

/** The client's policy, as a column of a `post_groups` select (aliased `g`), for `approvalOf`. */
export const POLICY_COLUMN = `(SELECT approval_policy FROM managed_users WHERE id = g.managed_user_id) AS approval_policy`;

/** The columns of a `post_groups` select (aliased `g`) that `approvalOf` reads. */
export const APPROVAL_COLUMNS = `g.approval_state, g.review_stage, ${POLICY_COLUMN}`;

export const approvalOf = (r: ApprovalRow): Approval => ({
  policy: r.approval_policy,
  state: r.approval_state,
  stage: r.approval_state === 'in_review' ? r.review_stage : null,
  cleared: clearedToPublish(r.approval_policy, r.approval_state),
});

/**
 * Editing an approved post sends it back for review (SPEC §13; D98): a
 * post group that was approved, or is waiting at a later stage, goes back to `in_review` at its
 * policy's first stage, so every reviewer sees what will really go out. A post never submitted
 * or with changes requested stays as it is (its author submits it when ready). Time changes
 * alone keep the approval (a reviewer approves what is said, staff choose when).
 * Call inside the edit's transaction. Returns whether it was sent back.
 */
export function reviewAgainAfterEdit(db: Db, groupId: string, at: Date, workspaceId: string, actor: Actor): boolean {
  const row = db
    .prepare<[string], ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM post_groups g WHERE g.id = ?`)
    .get(groupId);
  if (!row) return false;
  const stages = stagesOf[row.approval_policy];
  if (stages.length === 0 || (row.approval_state !== 'approved' && row.approval_state !== 'in_review')) return false;
  if (row.approval_state === 'in_review' && row.review_stage === stages[0]) return false;
  db.prepare(`UPDATE post_groups SET approval_state = 'in_review', review_stage = ? WHERE id = ?`).run(
    stages[0]!,
    groupId,
  );
  recordActivity(db, at, {
    workspaceId,
    actor,
    action: 'post.review_again',
    objectKind: 'post_group',
    objectId: groupId,
    detail: `Edited after ${row.approval_state === 'approved' ? 'approval' : 'a review'}: back in review (${stages[0]})`,
  });
  return true;
}
