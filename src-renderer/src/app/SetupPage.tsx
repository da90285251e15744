import { useState } from 'react';
import { SetupInput } from '../../../src-shared/contract';
import { call } from '../data/contract';
import { setAppState } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { FormShell } from '../ui/FormShell';
import { ChoiceGroup } from '../ui/ChoiceGroup';
import { TextField } from '../ui/Field';
import { WorkspaceFields, workspaceForm, type WorkspaceValues } from '../workspace/WorkspaceFields';
import { NewPasswordField } from './InvitationFields';
import { TeamHostForm } from './TeamHostForm';

const MODES = [
  { value: 'local', label: 'Work on this computer' },
  { value: 'team', label: 'Join a team host' },
] as const;
type Mode = (typeof MODES)[number]['value'];

interface SetupValues {
  ownerName: string;
  ownerEmail: string;
  password: string;
  workspace: WorkspaceValues;
}

/**
 * First run: "Work on this computer" (the owner's profile and the first workspace, as always) or
 * "Join a team host" (issue 12 item 2).
 */
export function SetupPage() {
  const [mode, setMode] = useState<Mode>('local');
  return (
    <main className="setup" id="main">
      <div className="setup-card">
        <h1>Welcome to Postroom</h1>
        <ChoiceGroup legend="How will you use Postroom?" options={MODES} value={mode} onChange={setMode} />
        {mode === 'local' ? (
          <LocalSetup />
        ) : (
          <>
            <p className="lede">
              Your agency's team host keeps the workspace and publishes, even while this computer sleeps. Sign-in stays
              in this computer's keychain.
            </p>
            <TeamHostForm />
          </>
        )}
      </div>
    </main>
  );
}

/** Working on this computer: the owner's profile and the first workspace. */
function LocalSetup() {
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
    <>
      <p className="lede">Set up your profile and your agency's first workspace. Everything stays on this computer.</p>
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
          <NewPasswordField
            form={form}
            hint="At least 8 characters. Forgotten, it is reset on this computer (see the README)."
          />
        </fieldset>
        <fieldset>
          <legend>Workspace</legend>
          <WorkspaceFields form={form} />
        </fieldset>
      </FormShell>
    </>
  );
}
