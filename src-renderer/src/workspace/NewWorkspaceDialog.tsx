import { z } from 'zod';
import { act } from '../data/queries';
import { selectWorkspace } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { useStore } from '../store';
import { FormModal } from '../ui/FormShell';
import { WorkspaceFields, workspaceForm, type WorkspaceValues } from './WorkspaceFields';

/** A modal to create a workspace and switch to it. */
export function NewWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const setView = useStore((s) => s.setView);
  const form = useContractForm({
    schema: z.object({ workspace: workspaceForm.schema }),
    defaultValues: { workspace: workspaceForm.empty() } as { workspace: WorkspaceValues },
    toInput: (v) => ({ workspace: workspaceForm.fields(v.workspace) }),
  });

  const onSubmit = form.submit(async ({ workspace }) => {
    const res = await act('workspace.create', await workspaceForm.input(workspace));
    if (!res.ok) return res.error;
    await selectWorkspace(res.data.id);
    setView('overview');
    onClose();
  });

  return (
    <FormModal
      title="New workspace"
      form={form}
      onSubmit={onSubmit}
      submit="Create workspace"
      onCancel={onClose}
      onUpgrade={() => {
        setView('plan');
        onClose();
      }}
    >
      <WorkspaceFields form={form} />
    </FormModal>
  );
}
