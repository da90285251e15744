import { z } from 'zod';
import { act } from '../data/queries';
import { selectWorkspace } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { useStore } from '../store';
import { FormAlert } from '../ui/ErrorAlert';
import { FormButtons } from '../ui/FormButtons';
import { Modal } from '../ui/Modal';
import {
  emptyWorkspace,
  WorkspaceFields,
  workspaceFields,
  workspaceInput,
  WorkspaceSchema,
  type WorkspaceValues,
} from './WorkspaceFields';

/** A modal to create a workspace and switch to it. */
export function NewWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const setView = useStore((s) => s.setView);
  const form = useContractForm({
    schema: z.object({ workspace: WorkspaceSchema }),
    defaultValues: { workspace: emptyWorkspace() } as { workspace: WorkspaceValues },
    toInput: (v) => ({ workspace: workspaceFields(v.workspace) }),
  });
  const busy = form.formState.isSubmitting;

  const onSubmit = form.submit(async ({ workspace }) => {
    const res = await act('workspace.create', await workspaceInput(workspace));
    if (!res.ok) return res.error;
    await selectWorkspace(res.data.id);
    setView('overview');
    onClose();
  });

  return (
    <Modal
      title="New workspace"
      busy={busy}
      onClose={onClose}
      onSubmit={onSubmit}
      actions={<FormButtons busy={busy} onCancel={onClose} submit="Create workspace" />}
    >
      <fieldset disabled={busy} className="plain">
        <WorkspaceFields form={form} />
      </fieldset>
      <FormAlert
        form={form}
        onUpgrade={() => {
          setView('plan');
          onClose();
        }}
      />
    </Modal>
  );
}
