import { z } from 'zod';
import { DecisionInput } from '../../../src-shared/approvals';
import type { PostGroup } from '../../../src-shared/posts';
import { act } from '../data/queries';
import { useContractForm } from '../forms/useContractForm';
import { Field } from '../ui/Field';
import { FormModal } from '../ui/FormShell';

type Decision = 'approve' | 'requestChanges';

const titles: Record<Decision, string> = { approve: 'Approve this post', requestChanges: 'Request changes' };

/**
 * Approve (with an optional comment) or request changes (saying what to change) at the stage the
 * post waits at; the comment is one the client sees. Checked by the contract's DecisionInput.
 */
export function DecisionDialog({
  workspaceId,
  group,
  decision,
  onClose,
}: {
  workspaceId: string;
  group: PostGroup;
  decision: Decision;
  onClose: () => void;
}) {
  const form = useContractForm<{ comment: string }, z.input<typeof DecisionInput>>({
    schema: DecisionInput,
    defaultValues: { comment: '' },
    toInput: ({ comment }) =>
      decision === 'approve' ? { decision, ...(comment.trim() ? { comment } : {}) } : { decision, comment },
  });
  const onSubmit = form.submit(async (_values, input) => {
    const res = await act('post.decide', { workspaceId, id: group.id, decision: input });
    if (!res.ok) return res.error;
    onClose();
  });
  return (
    <FormModal
      title={titles[decision]}
      form={form}
      onSubmit={onSubmit}
      submit={decision === 'approve' ? 'Approve' : 'Request changes'}
      onCancel={onClose}
    >
      <Field
        label={decision === 'approve' ? 'Comment (optional)' : 'What should change?'}
        hint="The client sees this comment."
        required={decision === 'requestChanges'}
        error={form.errorOf('comment')}
      >
        {(control) => <textarea rows={4} {...control} {...form.register('comment')} />}
      </Field>
    </FormModal>
  );
}
