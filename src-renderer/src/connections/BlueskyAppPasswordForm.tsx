import { useId } from 'react';
import { channels, type Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import { act } from '../data/queries';
import { useContractForm } from '../forms/useContractForm';
import { FormAlert } from '../ui/ErrorAlert';
import { TextField } from '../ui/Field';
import { FormButtons } from '../ui/FormButtons';

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
  const id = useId();
  const form = useContractForm({ schema: AppPasswordSchema, defaultValues: { identifier: '', appPassword: '' } });
  const busy = form.formState.isSubmitting;

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
    <form aria-labelledby={`${id}-title`} noValidate onSubmit={onSubmit} aria-busy={busy} className="subform">
      <h3 id={`${id}-title`} className="subheading">
        Connect Bluesky with an app password
      </h3>
      <p className="hint">Create an app password in Bluesky&rsquo;s settings; never enter your account password.</p>
      <fieldset disabled={busy} className="plain">
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
      </fieldset>
      <FormAlert form={form} />
      <div className="form-actions">
        <FormButtons busy={busy} submit="Connect Bluesky" busyLabel="Connecting…" />
      </div>
    </form>
  );
}
