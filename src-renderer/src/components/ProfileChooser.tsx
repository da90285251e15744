import { useId, useState, type FormEvent } from 'react';
import type { ProfileChoice, RequestOf } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { fieldErrors } from '../errors';
import { invitationCode } from '../invitations';
import { call } from '../data/contract';
import { setAppState, useAppState } from '../data/session';
import { ErrorAlert } from './ErrorAlert';

type StateChannel = 'session.signIn' | 'session.acceptInvitation';

/** A call answering with the new app state, which applies at once. */
async function stateCall<C extends StateChannel>(channel: C, request: RequestOf<C>) {
  const res = await call(channel, request);
  if (res.ok) setAppState(res.data);
  return res;
}

const signIn = (profileId: string, password?: string) =>
  stateCall('session.signIn', { profileId, ...(password !== undefined ? { password } : {}) });

/** Asks for the password of a profile that has one. */
function PasswordStep({ profile, onBack }: { profile: ProfileChoice; onBack: () => void }) {
  const id = useId();
  const errorId = `${id}-error`;
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const res = await signIn(profile.id, password);
    // On success the chooser is replaced by the workspace; nothing more to do here.
    if (!res.ok) {
      setError(res.error);
      setBusy(false);
    }
  }

  const invalid = error !== null && (error.code === 'unauthorized' || 'password' in fieldErrors(error));
  return (
    <form aria-labelledby={`${id}-title`} noValidate onSubmit={onSubmit} aria-busy={busy}>
      <h2 id={`${id}-title`}>Sign in as {profile.name}</h2>
      <p className="muted">{profile.email}</p>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="current-password"
          autoFocus
          value={password}
          disabled={busy}
          onChange={(e) => setPassword(e.target.value)}
          {...(invalid ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {})}
        />
      </div>
      {error && <ErrorAlert error={error} id={errorId} />}
      <div className="form-actions">
        <button type="button" className="button" onClick={onBack} disabled={busy}>
          Choose another profile
        </button>
        <button type="submit" className="button primary" disabled={busy}>
          Sign in
        </button>
      </div>
    </form>
  );
}

/** Redeems an invitation code (or a pasted invitation link) as a new profile on this install. */
function JoinForm() {
  const id = useId();
  const errorId = `${id}-error`;
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const fields = fieldErrors(error);
  const aria = (field: string) =>
    field in fields ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice('');
    const res = await stateCall('session.acceptInvitation', {
      code: invitationCode(code),
      name,
      ...(password ? { password } : {}),
    });
    setBusy(false);
    if (!res.ok) setError(res.error);
    // A profile that already has a password joins the workspace and then signs in as usual.
    else if (res.data.profile === null)
      setNotice('You joined the workspace. Choose your profile above and sign in with your password.');
  }

  return (
    <form aria-labelledby={`${id}-title`} noValidate onSubmit={onSubmit} aria-busy={busy}>
      <h2 id={`${id}-title`}>Join with an invitation</h2>
      <p className="hint">Paste the code or the link you were sent.</p>
      <fieldset disabled={busy} className="plain">
        <div className="field">
          <label htmlFor={`${id}-code`}>Invitation code or link</label>
          <input
            id={`${id}-code`}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={code}
            aria-required="true"
            onChange={(e) => setCode(e.target.value)}
            {...aria('code')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>Your name</label>
          <input
            id={`${id}-name`}
            type="text"
            autoComplete="name"
            value={name}
            aria-required="true"
            onChange={(e) => setName(e.target.value)}
            {...aria('name')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Choose a password (optional)</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="new-password"
            value={password}
            aria-describedby={`${id}-password-hint`}
            onChange={(e) => setPassword(e.target.value)}
            {...aria('password')}
          />
          <p className="hint" id={`${id}-password-hint`}>
            At least 8 characters. Without one, anyone at this computer can open your profile.
          </p>
        </div>
      </fieldset>
      {error && <ErrorAlert error={error} id={errorId} />}
      <p role="status" className="notice">
        {notice}
      </p>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Joining…' : 'Join'}
        </button>
      </div>
    </form>
  );
}

/** The profile chooser (SPEC §8): who is using Postroom on this computer. */
export function ProfileChooser() {
  const profiles = useAppState()?.profiles ?? [];
  const [chosen, setChosen] = useState<ProfileChoice | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function choose(profile: ProfileChoice) {
    setError(null);
    if (profile.hasPassword) {
      setChosen(profile);
      return;
    }
    setBusy(true);
    const res = await signIn(profile.id);
    if (!res.ok) {
      setError(res.error);
      setBusy(false);
    }
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
              <ul className="profile-list" aria-busy={busy}>
                {profiles.map((p) => (
                  <li key={p.id}>
                    <button type="button" className="profile-choice" disabled={busy} onClick={() => void choose(p)}>
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
            {error && <ErrorAlert error={error} />}
          </section>
        )}
        <hr className="divider" />
        <JoinForm />
      </div>
    </main>
  );
}
