import { SetupInput } from '../../../src-shared/contract';
import { call } from '../data/contract';
import { setAppState } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { FormShell } from '../ui/FormShell';
import { TextField } from '../ui/Field';
import { WorkspaceFields, workspaceForm, type WorkspaceValues } from '../workspace/WorkspaceFields';

interface SetupValues {
  ownerName: string;
  ownerEmail: string;
  password: string;
  workspace: WorkspaceValues;
}

/** First run: the owner's profile and the first workspace. */
export function SetupPage() {
  const defaultValues: SetupValues = { ownerName: '', ownerEmail: '', password: '', workspace: workspaceForm.empty() };
  const form = useContractForm({
    schema: SetupInput.extend({ workspace: workspaceForm.schema }),
    defaultValues,
    toInput: (v) => ({ ...v, workspace: workspaceForm.fields(v.workspace) }),
  });

  const onSubmit = form.submit(async ({ ownerName, ownerEmail, password, workspace }) => {
    const res = await call('app.setup', {
      ownerName,
      ownerEmail,
      password,
      workspace: await workspaceForm.input(workspace),
    });
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
        <FormShell
          form={form}
          onSubmit={onSubmit}
          label="Set up Postroom"
          submit="Set up workspace"
          busyLabel="Setting up…"
          onUpgrade={() => form.setFocus('workspace.planId')}
        >
          <fieldset>
            <legend>You</legend>
            <TextField form={form} name="ownerName" label="Your name" autoComplete="name" required />
            <TextField form={form} name="ownerEmail" label="Your email" type="email" autoComplete="email" required />
            <TextField
              form={form}
              name="password"
              label="Choose a password"
              type="password"
              autoComplete="new-password"
              hint="At least 8 characters. Forgotten, it is reset on this computer (see the README)."
              required
            />
          </fieldset>
          <fieldset>
            <legend>Workspace</legend>
            <WorkspaceFields form={form} />
          </fieldset>
        </FormShell>
      </div>
    </main>
  );
}
