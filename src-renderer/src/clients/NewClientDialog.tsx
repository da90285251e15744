import { CreateClientInput } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { act } from '../data/queries';
import { useContractForm } from '../forms/useContractForm';
import { useStore } from '../store';
import { FormModal } from '../ui/FormShell';
import { ClientFields, type ClientValues } from './ClientFields';

/** The contract's client from the form: empty optional fields are left out. */
const toClient = ({ email, displayName, externalId, timezone }: ClientValues): CreateClientInput => ({
  email: email.trim(),
  displayName,
  ...(externalId.trim() ? { externalId: externalId.trim() } : {}),
  ...(timezone.trim() ? { timezone: timezone.trim() } : {}),
});

/** A modal to add a client (a managed user) to the workspace. */
export function NewClientDialog({ workspace, onClose }: { workspace: Workspace; onClose: () => void }) {
  const setView = useStore((s) => s.setView);
  const form = useContractForm({
    schema: CreateClientInput,
    defaultValues: { email: '', displayName: '', externalId: '', timezone: workspace.timezone },
    toInput: toClient,
  });

  const onSubmit = form.submit(async (_values, client) => {
    const res = await act('client.create', { workspaceId: workspace.id, client });
    if (!res.ok) return res.error;
    onClose();
  });

  return (
    <FormModal
      title="New client"
      form={form}
      onSubmit={onSubmit}
      submit="Create client"
      onCancel={onClose}
      onUpgrade={() => {
        setView('plan');
        onClose();
      }}
    >
      <ClientFields form={form} />
    </FormModal>
  );
}
