import { useId, useState } from 'react';
import { z } from 'zod';
import type { ProfileChoice } from '../../../src-shared/contract';
import { AcceptInvitationInput } from '../../../src-shared/team';
import { sessionCall, useAppState, useSessionMutation } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { invitationCode } from '../team/invitations';
import { ErrorAlert } from '../ui/ErrorAlert';
import { FormShell } from '../ui/FormShell';
import { TextField } from '../ui/Field';
import { Notice } from '../ui/Section';

/** Asks for the password of a profile that has one. */
function PasswordStep({ profile, onBack }: { profile: ProfileChoice; onBack: () => void }) {
  const form = useContractForm({
    schema: z.object({ password: z.string().min(1, 'Enter the password of this profile.') }),
    defaultValues: { password: '' },
  });
  // On success the chooser is replaced by the workspace; nothing more to do here.
  const onSubmit = form.submit(async ({ password }) => {
    const res = await sessionCall('session.signIn', { profileId: profile.id, password });
    return res.ok ? null : res.error;
  });

  return (
    <FormShell
      form={form}
      onSubmit={onSubmit}
      title={`Sign in as ${profile.name}`}
      intro={profile.email}
      submit="Sign in"
      onCancel={onBack}
      cancel="Choose another profile"
    >
      <TextField
        form={form}
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        autoFocus
      />
    </FormShell>
  );
}

interface JoinValues {
  code: string;
  name: string;
  password: string;
}

/** Redeems an invitation code (or a pasted invitation link) as a new profile on this install. */
function JoinForm() {
  const [notice, setNotice] = useState('');
  const form = useContractForm({
    schema: AcceptInvitationInput,
    defaultValues: { code: '', name: '', password: '' } as JoinValues,
    toInput: ({ code, name, password }) => ({ code: invitationCode(code), name, ...(password ? { password } : {}) }),
  });

  const onSubmit = form.submit(async (_values, invite) => {
    setNotice('');
    const res = await sessionCall('session.acceptInvitation', invite);
    if (!res.ok) return res.error;
    // A profile that already has a password joins the workspace and then signs in as usual.
    if (res.data.profile === null)
      setNotice('You joined the workspace. Choose your profile above and sign in with your password.');
  });

  return (
    <FormShell
      form={form}
      onSubmit={onSubmit}
      title="Join with an invitation"
      intro="Paste the code or the link you were sent."
      submit="Join"
      busyLabel="Joining…"
      after={<Notice>{notice}</Notice>}
    >
      <TextField
        form={form}
        name="code"
        label="Invitation code or link"
        autoComplete="off"
        spellCheck={false}
        required
      />
      <TextField form={form} name="name" label="Your name" autoComplete="name" required />
      <TextField
        form={form}
        name="password"
        label="Choose a password (optional)"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters. Without one, anyone at this computer can open your profile."
      />
    </FormShell>
  );
}

/** The profile chooser (SPEC §8): who is using Postroom on this computer. */
export function ProfileChooser() {
  const profiles = useAppState()?.profiles ?? [];
  const signIn = useSessionMutation('session.signIn');
  const [chosen, setChosen] = useState<ProfileChoice | null>(null);
  const id = useId();

  function choose(profile: ProfileChoice) {
    signIn.reset();
    if (profile.hasPassword) setChosen(profile);
    else signIn.mutate({ profileId: profile.id });
  }

  return (
    <main className="setup" id="main">
      <div className="setup-card">
        <h1>Who is using Postroom?</h1>
        {chosen ? (
          <PasswordStep profile={chosen} onBack={() => setChosen(null)} />
        ) : (
          <section aria-labelledby={`${id}-profiles`}>
            <h2 id={`${id}-profiles`}>Choose your profile</h2>
            {profiles.length === 0 ? (
              <p className="muted">No one can sign in here yet. Join with an invitation below.</p>
            ) : (
              <ul className="profile-list" aria-busy={signIn.isPending}>
                {profiles.map((p) => (
                  <li key={p.id}>
                    <button
                      type="button"
                      className="profile-choice"
                      disabled={signIn.isPending}
                      onClick={() => choose(p)}
                    >
                      <span className="profile-avatar" aria-hidden="true">
                        {p.name.slice(0, 1).toUpperCase()}
                      </span>
                      <span className="profile-text">
                        <span className="profile-name">{p.name}</span>
                        <span className="muted">{p.email}</span>
                      </span>
                      {p.hasPassword && <span className="badge">Password</span>}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {signIn.error && <ErrorAlert error={signIn.error} />}
          </section>
        )}
        <hr className="divider" />
        <JoinForm />
      </div>
    </main>
  );
}
