import { z } from 'zod';
import { ErrorObject } from './errors';
import type { Action } from './permissions';
import { requiredText } from './required-text';

/**
 * Approvals (SPEC §13, issue 13) as data: a client's policy says which stages a post passes
 * before it may go out; each act moves a post group from some states to one. Read by the engine
 * (which enforces it, src-main/engine/approvals/approvals.ts) and by the renderer (which shows
 * only the buttons that can work).
 */

export const approvalPolicies = ['none', 'client', 'internal_then_client'] as const;
export const ApprovalPolicy = z.enum(approvalPolicies);
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

/** `none`: not submitted (a draft as far as approval goes). */
export const approvalStates = ['none', 'in_review', 'changes_requested', 'approved'] as const;
export const ApprovalState = z.enum(approvalStates);
export type ApprovalState = z.infer<typeof ApprovalState>;

export const reviewStages = ['internal', 'client'] as const;
export type ReviewStage = (typeof reviewStages)[number];

/** The stages a post passes under each policy, in order. */
export const stagesOf: Record<ApprovalPolicy, readonly ReviewStage[]> = {
  none: [],
  client: ['client'],
  internal_then_client: ['internal', 'client'],
};

/** Who decides at a stage: managers and owners internally, the client at theirs. */
export const deciderOf: Record<ReviewStage, Action> = {
  internal: 'post.review',
  client: 'post.approve',
};

export const approvalActs = ['submit', 'approve', 'requestChanges'] as const;
export type ApprovalAct = (typeof approvalActs)[number];

/** The states each act starts from; anything else is a `conflict`. */
export const actStartsFrom: Record<ApprovalAct, readonly ApprovalState[]> = {
  submit: ['none', 'changes_requested'],
  approve: ['in_review'],
  requestChanges: ['in_review'],
};

/** Whether a post group may go out: its client needs no approval, or it was approved. */
export const clearedToPublish = (policy: ApprovalPolicy, state: ApprovalState): boolean =>
  stagesOf[policy].length === 0 || state === 'approved';

/** A post group's place in approval, as answers carry it. */
export const Approval = z.object({
  policy: ApprovalPolicy,
  state: ApprovalState,
  /** Whose decision it waits for while `in_review`; null otherwise. */
  stage: z.enum(reviewStages).nullable(),
  /** Whether the scheduler may send it (at its time). */
  cleared: z.boolean(),
});
export type Approval = z.infer<typeof Approval>;

export const CommentVisibility = z.enum(['internal', 'client']);
export type CommentVisibility = z.infer<typeof CommentVisibility>;

export const PostComment = z.object({
  id: z.string(),
  postGroupId: z.string(),
  visibility: CommentVisibility,
  authorKind: z.enum(['member', 'api_key', 'client_link']),
  authorName: z.string(),
  body: z.string(),
  /** Members named with @handle in the body (their names as the team list shows them). */
  mentions: z.array(z.string()),
  createdAt: z.string(),
});
export type PostComment = z.infer<typeof PostComment>;

const CommentBody = requiredText('Write a comment first.', 5000, 'A comment has at most 5000 characters.');

export const CommentInput = z.strictObject({
  body: CommentBody,
  /** Internal notes are for staff only; client-visible comments show on the approval page too. */
  visibility: CommentVisibility.default('client'),
});
export type CommentInput = z.input<typeof CommentInput>;

/** A decision, from staff or the client: changes need a comment saying what to change. */
export const DecisionInput = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('approve'), comment: CommentBody.optional() }),
  z.strictObject({ decision: z.literal('requestChanges'), comment: CommentBody }),
]);
export type DecisionInput = z.input<typeof DecisionInput>;

export const ApprovalLink = z.object({
  id: z.string(),
  approvalUrl: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['active', 'expired', 'revoked']),
  /** The posts it covers; null: every post waiting for the client's decision when opened. */
  postGroupIds: z.array(z.string()).nullable(),
});
export type ApprovalLink = z.infer<typeof ApprovalLink>;

export const CreateApprovalLinkInput = z.strictObject({
  postGroupIds: z.array(z.string().min(1).max(64)).min(1).max(200).optional(),
  /** How long it works, in days (default 7, at most 30). */
  validDays: z.number().int().min(1).max(30).default(7),
  /**
   * Email the link to the client's address through the workspace's SMTP settings (issue 13 item
   * 5). Without SMTP this is a `conflict` and no link is made; a failed send leaves the link made.
   */
  sendEmail: z.boolean().default(false),
});
export type CreateApprovalLinkInput = z.input<typeof CreateApprovalLinkInput>;

/**
 * What became of a new link's email: sent (to whom, when), or why not in SPEC §7's shape. The
 * link works either way; it is answered once, so a failed send still shows it to copy.
 */
export const ApprovalLinkEmail = z.object({
  to: z.string(),
  sentAt: z.string().nullable(),
  error: ErrorObject.nullable(),
});
export type ApprovalLinkEmail = z.infer<typeof ApprovalLinkEmail>;

/** A link as made: its URL (only now: its token is kept hashed) and its email, when one was asked for. */
export const NewApprovalLink = ApprovalLink.extend({ approvalUrl: z.string(), email: ApprovalLinkEmail.nullable() });
export type NewApprovalLink = z.infer<typeof NewApprovalLink>;

/** Whether approval links can be emailed to this client: the workspace has SMTP, and the address it goes to. */
export const ApprovalMailReadiness = z.object({ smtpConfigured: z.boolean(), clientEmail: z.string() });

/**
 * The typo-fix waiver (issue 13 item 1, D120): when the workspace turns it on, an edit of an
 * approved post (or of one waiting at a later stage) keeps its approval if it changes only text,
 * by at most this many characters in all (Levenshtein distance, in UTF-16 units, summed over the
 * main text and every platform's text), and changes no media, no account and no time in the same
 * edit. Anything more sends the post back for review as before. Off by default.
 */
export const TYPO_FIX_MAX_EDITS = 3;

export const ApprovalSettings = z.strictObject({
  /** Typo fixes (see TYPO_FIX_MAX_EDITS) keep an approval instead of sending the post back for review. */
  typoFixKeepsApproval: z.boolean(),
});
export type ApprovalSettings = z.infer<typeof ApprovalSettings>;

/** REST bodies (issue 13 item 7): submitting with an optional note to the reviewer, deciding, setting a policy. */
export const SubmitForReviewBody = z.strictObject({ comment: CommentBody.optional() });
export const ApproveBody = z.strictObject({ comment: CommentBody.optional() });
export const RequestChangesBody = z.strictObject({ comment: CommentBody });
export const ApprovalPolicyBody = z.strictObject({ policy: ApprovalPolicy });
