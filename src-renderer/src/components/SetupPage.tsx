import { useId, useState, type FormEvent } from 'react';
import type { ErrorObject } from '../../../src-shared/errors';
import { fieldErrors } from '../errors';
import { call } from '../data/contract';
import { setAppState } from '../data/session';
import { ErrorAlert } from './ErrorAlert';
import { draftToInput, emptyDraft, WorkspaceFields, type WorkspaceDraft } from './WorkspaceFields';

/** First run: the owner's profile and the first workspace. */
export function SetupPage() {
  const id = useId();
  const errorId = `${id}-error`;
  const planId = `${id}-plan`;
  const [ownerName, setOwnerName] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [draft, setDraft] = useState<WorkspaceDraft>(emptyDraft);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  const fields = fieldErrors(error);
  const invalid = new Set(Object.keys(fields).map((k) => k.replace(/^workspace\./, '')));
  const aria = (field: string) =>
    invalid.has(field) ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const workspace = await draftToInput(draft);
      const res = await call('app.setup', { ownerName, ownerEmail, workspace });
      if (res.ok) setAppState(res.data);
      else setError(res.error);
    } catch (err) {
      setError({ code: 'internal', message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

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
            <div className="field">
              <label htmlFor={`${id}-owner-name`}>Your name</label>
              <input
                id={`${id}-owner-name`}
                type="text"
                autoComplete="name"
                value={ownerName}
                aria-required="true"
                onChange={(e) => setOwnerName(e.target.value)}
                {...aria('ownerName')}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-owner-email`}>Your email</label>
              <input
                id={`${id}-owner-email`}
                type="email"
                autoComplete="email"
                value={ownerEmail}
                aria-required="true"
                onChange={(e) => setOwnerEmail(e.target.value)}
                {...aria('ownerEmail')}
              />
            </div>
          </fieldset>
          <fieldset disabled={busy}>
            <legend>Workspace</legend>
            <WorkspaceFields
              draft={draft}
              onChange={setDraft}
              invalid={invalid}
              errorId={errorId}
              disabled={busy}
              planSelectId={planId}
            />
          </fieldset>
          {error && (
            <ErrorAlert error={error} id={errorId} onUpgrade={() => document.getElementById(planId)?.focus()} />
          )}
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
