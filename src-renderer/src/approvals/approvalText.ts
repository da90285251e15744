import {
  actStartsFrom,
  deciderOf,
  stagesOf,
  type Approval,
  type ApprovalPolicy,
  type PostComment,
  type ReviewStage,
} from '../../../src-shared/approvals';
import type { Role } from '../../../src-shared/team';
import { can } from '../permissions';

/* Approvals as people read them (issue 13 item 6): policies, badges, who decides, mentions. */

export const policyOptions: readonly { value: ApprovalPolicy; label: string; hint: string }[] = [
  { value: 'none', label: 'No approval', hint: 'Posts go out at their time without anyone approving them.' },
  {
    value: 'client',
    label: 'The client approves',
    hint: 'Posts wait for the client’s approval through an approval link before they go out.',
  },
  {
    value: 'internal_then_client',
    label: 'A manager approves, then the client',
    hint: 'A manager or owner approves first; then the client approves through an approval link.',
  },
];

export const policyLabel = (policy: ApprovalPolicy): string => policyOptions.find((o) => o.value === policy)!.label;

const stageWaiting: Record<ReviewStage, string> = {
  internal: 'Waiting for a manager',
  client: 'Waiting for the client',
};

/** The badge a post carries in lists, the calendar and its page; null when approval plays no part. */
export function approvalBadge(a: Approval): { label: string; title: string; className: string } | null {
  if (a.state === 'in_review')
    return { label: 'In review', title: stageWaiting[a.stage ?? 'client'], className: 'badge badge-review' };
  if (a.state === 'changes_requested')
    return { label: 'Changes requested', title: 'Edit it and submit it again', className: 'badge badge-changes' };
  if (a.state === 'approved' && a.policy !== 'none')
    return { label: 'Approved', title: 'It goes out at its time', className: 'badge badge-approved' };
  if (a.state === 'none' && a.policy !== 'none')
    return {
      label: 'Not submitted',
      title: 'It needs approval before it goes out',
      className: 'badge badge-unsubmitted',
    };
  return null;
}

/** A sentence on where the post stands, for its page. */
export function approvalSentence(a: Approval): string {
  if (a.policy === 'none') return 'This client’s posts need no approval.';
  if (a.state === 'in_review') return `In review: ${stageWaiting[a.stage ?? 'client'].toLowerCase()}.`;
  if (a.state === 'changes_requested') return 'Changes were requested: edit the post and submit it again.';
  if (a.state === 'approved') return 'Approved: it goes out at its time.';
  return `Not submitted yet: ${policyLabel(a.policy).toLowerCase()} before it goes out.`;
}

/** Whether the role may send this post for review now. */
export const maySubmit = (role: Role | null | undefined, a: Approval): boolean =>
  can(role, 'post.submit') && stagesOf[a.policy].length > 0 && actStartsFrom.submit.includes(a.state);

/** Whether the role decides at the stage the post waits at (managers internally; no staff for the client). */
export const mayDecide = (role: Role | null | undefined, a: Approval): boolean =>
  a.state === 'in_review' && a.stage !== null && can(role, deciderOf[a.stage]);

/** A comment's text in pieces: plain text and @mentions of members, shown by their names. */
export function commentParts(c: Pick<PostComment, 'body' | 'mentions'>): { text: string; mention?: string }[] {
  const parts: { text: string; mention?: string }[] = [];
  let last = 0;
  for (const m of c.body.matchAll(/@([\p{L}\p{N}._-]+)/gu)) {
    const word = m[1]!.replace(/[._-]+$/, '');
    const token = word.toLowerCase();
    const name = c.mentions.find((n) => {
      const first = n.split(/\s+/)[0]!.toLowerCase();
      return first === token || n.replace(/\s+/g, '').toLowerCase() === token;
    });
    if (!name) continue;
    parts.push({ text: c.body.slice(last, m.index) });
    parts.push({ text: `@${name}`, mention: name });
    last = m.index + 1 + word.length;
  }
  parts.push({ text: c.body.slice(last) });
  return parts.filter((p) => p.text !== '');
}
