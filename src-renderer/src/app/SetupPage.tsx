import { useId } from 'react';
import { SetupInput } from '../../../src-shared/contract';
import { call } from '../data/contract';
import { setAppState } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { FormAlert } from '../ui/ErrorAlert';
import { TextField } from '../ui/Field';
import {
  emptyWorkspace,
  WorkspaceFields,
  workspaceFields,
  workspaceInput,
  WorkspaceSchema,
  type WorkspaceValues,
} from '../workspace/WorkspaceFields';

interface SetupValues {
  ownerName: string;
  ownerEmail: string;
  workspace: WorkspaceValues;
}

/** First run: the owner's profile and the first workspace. */
export function SetupPage() {
  const id = useId();
  const defaultValues: SetupValues = { ownerName: '', ownerEmail: '', workspace: emptyWorkspace() };
  const form = useContractForm({
    schema: SetupInput.extend({ workspace: WorkspaceSchema }),
    defaultValues,
    toInput: (v) => ({ ...v, workspace: workspaceFields(v.workspace) }),
  });
  const busy = form.formState.isSubmitting;

  const onSubmit = form.submit(async ({ ownerName, ownerEmail, workspace }) => {
    const res = await call('app.setup', { ownerName, ownerEmail, workspace: await workspaceInput(workspace) });
    if (!res.ok) return res.error;
    setAppState(res.data);
  });

  return (
    <main className="setup" id="main">
      <div className="setup-card">
        <h1>Welcome to Postroom</h1>
        <p className="lede">
          Set up your profile and your agency's first workspace. Everything stays on this computer.
        </p>
        <form aria-labelledby={`${id}-title`} noValidate onSubmit={onSubmit} aria-busy={busy}>
          <h2 id={`${id}-title`} className="visually-hidden">
            Set up Postroom
          </h2>
          <fieldset disabled={busy}>
            <legend>You</legend>
            <TextField form={form} name="ownerName" label="Your name" autoComplete="name" required />
            <TextField form={form} name="ownerEmail" label="Your email" type="email" autoComplete="email" required />
          </fieldset>
          <fieldset disabled={busy}>
            <legend>Workspace</legend>
            <WorkspaceFields form={form} />
          </fieldset>
          <FormAlert form={form} onUpgrade={() => form.setFocus('workspace.planId')} />
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Setting up…' : 'Set up workspace'}
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
