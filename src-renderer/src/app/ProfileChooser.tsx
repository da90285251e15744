import { useId, useState } from 'react';
import { z } from 'zod';
import type { ProfileChoice } from '../../../src-shared/contract';
import { AcceptInvitationInput, NewPassword } from '../../../src-shared/team';
import { sessionCall, useAppState } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { invitationCode } from '../team/invitations';
import { InvitationFields } from './InvitationFields';
import { FormShell } from '../ui/FormShell';
import { TextField } from '../ui/Field';
import { Notice } from '../ui/Section';

/**
 * Asks for the password of the chosen profile; a profile without one yet (made by `postroom init`)
 * chooses it here, with the rules of a new password.
 */
function PasswordStep({ profile, onBack }: { profile: ProfileChoice; onBack: () => void }) {
  const form = useContractForm({
    schema: z.object({
      password: profile.hasPassword ? z.string().min(1, 'Enter your password.') : NewPassword,
    }),
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
        label={profile.hasPassword ? 'Password' : 'Choose a password'}
        type="password"
        autoComplete={profile.hasPassword ? 'current-password' : 'new-password'}
        hint={
          profile.hasPassword
            ? 'Forgotten? On the computer that keeps the data: postroom reset-password (see the README).'
            : 'This profile has no password yet. At least 8 characters.'
        }
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
    toInput: ({ code, name, password }) => ({ code: invitationCode(code), name, password }),
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
      <InvitationFields
        form={form}
        codeName="code"
        passwordHint="At least 8 characters. You sign in with it from now on."
      />
    </FormShell>
  );
}

/** The profile chooser (SPEC §8): who is using Postroom on this computer. */
export function ProfileChooser() {
  const profiles = useAppState()?.profiles ?? [];
  const [chosen, setChosen] = useState<ProfileChoice | null>(null);
  const id = useId();

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
              <ul className="profile-list">
                {profiles.map((p) => (
                  <li key={p.id}>
                    <button type="button" className="profile-choice" onClick={() => setChosen(p)}>
                      <span className="profile-avatar" aria-hidden="true">
                        {p.name.slice(0, 1).toUpperCase()}
                      </span>
                      <span className="profile-text">
                        <span className="profile-name">{p.name}</span>
                        <span className="muted">{p.email}</span>
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
        <hr className="divider" />
        <JoinForm />
      </div>
    </main>
  );
}
