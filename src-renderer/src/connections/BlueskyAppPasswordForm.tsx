import { channels, type Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import { act } from '../data/queries';
import { useContractForm } from '../forms/useContractForm';
import { TextField } from '../ui/Field';
import { FormShell } from '../ui/FormShell';

/** The contract's own check of this request, less the ids the form does not ask for. */
const AppPasswordSchema = channels['connection.addWithAppPassword'].request.pick({
  identifier: true,
  appPassword: true,
});

/** Bluesky's fallback (SPEC §5): a handle and an app password, never the account password. */
export function BlueskyAppPasswordForm({
  workspace,
  user,
  onConnected,
}: {
  workspace: Workspace;
  user: ManagedUser;
  onConnected: (message: string) => void;
}) {
  const form = useContractForm({ schema: AppPasswordSchema, defaultValues: { identifier: '', appPassword: '' } });

  const onSubmit = form.submit(async ({ identifier, appPassword }) => {
    const res = await act('connection.addWithAppPassword', {
      workspaceId: workspace.id,
      userId: user.id,
      platform: 'bluesky',
      identifier: identifier.trim(),
      appPassword,
    });
    if (!res.ok) return res.error;
    form.reset();
    onConnected(`Connected Bluesky: ${res.data.displayName}.`);
  });

  return (
    <FormShell
      form={form}
      onSubmit={onSubmit}
      title="Connect Bluesky with an app password"
      level={3}
      intro="Create an app password in Bluesky’s settings; never enter your account password."
      submit="Connect Bluesky"
      busyLabel="Connecting…"
      className="subform"
    >
      <TextField
        form={form}
        name="identifier"
        label="Bluesky handle"
        autoComplete="off"
        placeholder="name.bsky.social"
        required
      />
      <TextField
        form={form}
        name="appPassword"
        label="App password"
        type="password"
        autoComplete="off"
        hint="An app password from Bluesky's settings (Privacy and security → App passwords)."
        required
      />
    </FormShell>
  );
}
