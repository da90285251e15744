import { distance } from 'fastest-levenshtein';
import {
  clearedToPublish,
  stagesOf,
  TYPO_FIX_MAX_EDITS,
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
export const POLICY_COLUMN =
  '(SELECT approval_policy FROM managed_users WHERE id = g.managed_user_id) AS approval_policy';

/** The columns of a `post_groups` select (aliased `g`) that `approvalOf` reads. */
export const APPROVAL_COLUMNS = `g.approval_state, g.review_stage, ${POLICY_COLUMN}`;

export const approvalOf = (r: ApprovalRow): Approval => ({
  policy: r.approval_policy,
  state: r.approval_state,
  stage: r.approval_state === 'in_review' ? r.review_stage : null,
  cleared: clearedToPublish(r.approval_policy, r.approval_state),
});

/** What an edit did to a post group, as the review rule weighs it. */
export interface PostEdit {
  before: { text: string; platformTexts: Record<string, string> };
  after: { text: string; platformTexts: Record<string, string> };
  /** Its media changed (added, removed, replaced or reordered). */
  mediaChanged: boolean;
  /** Its time changed in the same edit. */
  timeChanged: boolean;
}

/**
 * How many characters an edit changed in all texts: Levenshtein distance,
 * summed over the main text and each platform's.
 */
export function textEdits(edit: Pick<PostEdit, 'before' | 'after'>): number {
  const keys = new Set([...Object.keys(edit.before.platformTexts), ...Object.keys(edit.after.platformTexts)]);
  let total = distance(edit.before.text, edit.after.text);
  for (const k of keys) total += distance(edit.before.platformTexts[k] ?? '', edit.after.platformTexts[k] ?? '');
  return total;
}

/**
 * The typo-fix waiver's rule (issue 13 item 1, D120): an edit is a typo fix when it changes only
 * text, by at most TYPO_FIX_MAX_EDITS characters in all, and neither media nor time. (An edit
 * cannot change a post's accounts.) Whether it keeps an approval also needs the workspace's setting.
 */
export const isTypoFix = (edit: PostEdit): boolean =>
  !edit.mediaChanged && !edit.timeChanged && textEdits(edit) <= TYPO_FIX_MAX_EDITS;

/** Whether the workspace lets typo fixes keep an approval (off unless turned on). */
export const typoFixKeepsApproval = (db: Db, workspaceId: string): boolean =>
  db
    .prepare<[string], { keeps: number }>(
      `SELECT typo_fix_keeps_approval AS keeps FROM workspace_approval_settings WHERE workspace_id = ?`,
    )
    .get(workspaceId)?.keeps === 1;

/**
 * Editing an approved post sends it back for review (SPEC §13; D98, D120): a post group that was
 * approved, or is waiting at a later stage, goes back to `in_review` at its policy's first stage,
 * so every reviewer sees what will really go out. A change of text or of media counts; a time
 * change alone keeps the approval (a reviewer approves what is said, staff choose when). With the
 * workspace's typo-fix waiver on, a typo fix (`isTypoFix`) keeps it too, logged as
 * `post.typo_fix`. A post never submitted or with changes requested stays as it is (its author
 * submits it when ready). Call inside the edit's transaction. Returns whether it was sent back.
 */
export function reviewAgainAfterEdit(
  db: Db,
  groupId: string,
  at: Date,
  workspaceId: string,
  actor: Actor,
  edit: PostEdit,
): boolean {
  const row = db
    .prepare<[string], ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM post_groups g WHERE g.id = ?`)
    .get(groupId);
  if (!row) return false;
  const stages = stagesOf[row.approval_policy];
  if (stages.length === 0 || (row.approval_state !== 'approved' && row.approval_state !== 'in_review')) return false;
  if (row.approval_state === 'in_review' && row.review_stage === stages[0]) return false;
  const kept =
    row.approval_state === 'approved'
      ? 'its approval'
      : `its place in ${row.review_stage === 'client' ? "the client's review" : 'internal review'}`;
  if (isTypoFix(edit) && typoFixKeepsApproval(db, workspaceId)) {
    const n = textEdits(edit);
    recordActivity(db, at, {
      workspaceId,
      actor,
      action: 'post.typo_fix',
      objectKind: 'post_group',
      objectId: groupId,
      detail:
        `Typo fix (${n} ${n === 1 ? 'character' : 'characters'} changed) kept ${kept}, ` +
        "as the workspace's typo-fix setting allows",
    });
    return false;
  }
  db.prepare(`UPDATE post_groups SET approval_state = 'in_review', review_stage = ? WHERE id = ?`).run(
    stages[0]!,
    groupId,
  );
  const was = row.approval_state === 'approved' ? 'approval' : 'a review';
  recordActivity(db, at, {
    workspaceId,
    actor,
    action: 'post.review_again',
    objectKind: 'post_group',
    objectId: groupId,
    detail: `Edited after ${was}: back in review (${stages[0]})`,
  });
  return true;
}
