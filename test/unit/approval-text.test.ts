import { describe, expect, it } from 'vitest';
import {
  approvalPolicies,
  approvalStates,
  reviewStages,
  type Approval,
  type ApprovalPolicy,
  type ApprovalState,
} from '../../src-shared/approvals';
import { roles } from '../../src-shared/permissions';
import {
  approvalBadge,
  commentParts,
  mayDecide,
  maySubmit,
  policyLabel,
} from '../../src-renderer/src/approvals/approvalText';

const approval = (policy: ApprovalPolicy, state: ApprovalState, stage: Approval['stage'] = null): Approval => ({
  policy,
  state,
  stage,
  cleared: policy === 'none' || state === 'approved',
});

describe('approvals as the app shows them (issue 13 item 6)', () => {
  it('badges every state of every policy with words, and nothing where approval plays no part', () => {
    const seen = approvalPolicies.flatMap((policy) =>
      approvalStates.map((state) => [
        policy,
        state,
        approvalBadge(approval(policy, state, state === 'in_review' ? 'client' : null))?.label ?? null,
      ]),
    );
    expect(seen).toEqual([
      ['none', 'none', null],
      ['none', 'in_review', 'In review'],
      ['none', 'changes_requested', 'Changes requested'],
      ['none', 'approved', null],
      ['client', 'none', 'Not submitted'],
      ['client', 'in_review', 'In review'],
      ['client', 'changes_requested', 'Changes requested'],
      ['client', 'approved', 'Approved'],
      ['internal_then_client', 'none', 'Not submitted'],
      ['internal_then_client', 'in_review', 'In review'],
      ['internal_then_client', 'changes_requested', 'Changes requested'],
      ['internal_then_client', 'approved', 'Approved'],
    ]);
    expect(approvalBadge(approval('internal_then_client', 'in_review', 'internal'))?.title).toBe(
      'Waiting for a manager',
    );
    expect(approvalPolicies.map(policyLabel)).toEqual([
      'No approval',
      'The client approves',
      'A manager approves, then the client',
    ]);
  });

  it(
    'offers Submit to staff who write, ' +
      'and Approve only to whoever decides at the stage (never staff for the client)',
    () => {
      const submitters = roles.filter((r) => maySubmit(r, approval('client', 'none')));
      expect(submitters).toEqual(['owner', 'manager', 'editor', 'collaborator']);
      expect(roles.filter((r) => maySubmit(r, approval('client', 'changes_requested')))).toEqual(submitters);
      expect(roles.filter((r) => maySubmit(r, approval('client', 'in_review', 'client')))).toEqual([]);
      expect(roles.filter((r) => maySubmit(r, approval('none', 'none')))).toEqual([]);
      const deciders = Object.fromEntries(
        reviewStages.map((stage) => [
          stage,
          roles.filter((r) => mayDecide(r, approval('internal_then_client', 'in_review', stage))),
        ]),
      );
      expect(deciders).toEqual({ internal: ['owner', 'manager'], client: ['client'] });
      expect(roles.filter((r) => mayDecide(r, approval('client', 'approved')))).toEqual([]);
      expect(mayDecide(null, approval('client', 'in_review', 'client'))).toBe(false);
    },
  );

  it('shows @mentions of members by their names and leaves other @words as written', () => {
    expect(
      commentParts({
        body: 'Ask @olivia or @EdEditor, not @nobody. Thanks @olivia.',
        mentions: ['Olivia Owner', 'Ed Editor'],
      }),
    ).toEqual([
      { text: 'Ask ' },
      { text: '@Olivia Owner', mention: 'Olivia Owner' },
      { text: ' or ' },
      { text: '@Ed Editor', mention: 'Ed Editor' },
      { text: ', not @nobody. Thanks ' },
      { text: '@Olivia Owner', mention: 'Olivia Owner' },
      { text: '.' },
    ]);
    expect(commentParts({ body: 'Plain', mentions: [] })).toEqual([{ text: 'Plain' }]);
  });
});
