import { useState } from 'react';
import type { PostGroup } from '../../../src-shared/posts';
import { useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { isChangeable } from '../posts/posts';
import { Action } from '../ui/Action';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Notice, Section } from '../ui/Section';
import { ApprovalBadge } from './ApprovalBadge';
import { approvalSentence, mayDecide, maySubmit } from './approvalText';
import { CommentThread } from './CommentThread';
import { DecisionDialog } from './DecisionDialog';

/**
 * A post's approval on its page (issue 13 item 6): where it stands, "Submit for review" for
 * staff who write, Approve / Request changes for whoever decides at its stage, and its comments.
 * Buttons follow the permission matrix; the engine checks every act again.
 */
export function ReviewPanel({ workspaceId, group, zone }: { workspaceId: string; group: PostGroup; zone: string }) {
  const role = useRole();
  const submit = useContractMutation('post.submit');
  const [deciding, setDeciding] = useState<'approve' | 'requestChanges' | null>(null);
  const a = group.approval;
  const open = isChangeable(group);

  return (
    <>
      {a.policy !== 'none' && (
        <Section title="Approval">
          <p data-testid="approval-state">
            <ApprovalBadge approval={a} /> {approvalSentence(a)}
          </p>
          {open && (
            <div className="button-row">
              {maySubmit(role, a) && (
                <Action
                  tone="primary"
                  disabled={submit.isPending}
                  onClick={() => submit.mutate({ workspaceId, id: group.id })}
                >
                  {a.state === 'changes_requested' ? 'Submit again for review' : 'Submit for review'}
                </Action>
              )}
              {mayDecide(role, a) && (
                <>
                  <Action tone="primary" opensDialog onClick={() => setDeciding('approve')}>
                    Approve
                  </Action>
                  <Action opensDialog onClick={() => setDeciding('requestChanges')}>
                    Request changes
                  </Action>
                </>
              )}
            </div>
          )}
          {submit.error && <ErrorAlert error={submit.error} />}
          <Notice>{submit.isSuccess && 'Submitted for review.'}</Notice>
        </Section>
      )}
      {can(role, 'post.comment') && (
        <Section title="Comments">
          <CommentThread workspaceId={workspaceId} group={group} zone={zone} />
        </Section>
      )}
      {deciding && (
        <DecisionDialog workspaceId={workspaceId} group={group} decision={deciding} onClose={() => setDeciding(null)} />
      )}
    </>
  );
}
