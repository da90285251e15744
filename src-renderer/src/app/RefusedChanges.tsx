import { useState, type FormEvent } from 'react';
import type { RefusedChange, Result } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { act, useContract } from '../data/queries';
import { useAppState } from '../data/session';
import { ErrorAlert } from '../ui/ErrorAlert';

/*
 * On a desk in team mode: the changes made while the team host could not be reached that it
 * refused when they were sent again (issue 12 item 4; D119), each with the host's reason, "Edit
 * again" (the change's own fields, sent as a new change) and "Discard". Nothing refused is lost
 * until a person says so.
 */
export function RefusedChanges() {
  const host = useAppState()?.host;
  const count = host?.refused ?? 0;
  // The count is part of the key: a refusal, a change sent again or discarded loads the list again.
  const list = useContract('desk.refusedChanges', {}, { enabled: count > 0, version: String(count) });
  if (!host || count === 0 || host.status === 'signed_out') return null;
  return (
    <section className="banner banner-warning refused-changes" aria-label="Changes the team host refused">
      <h2>
        {count === 1 ? 'A change' : `${count} changes`} made offline {count === 1 ? 'was' : 'were'} not accepted by{' '}
        {host.workspaceName ?? 'the team host'}
      </h2>
      {list.error ? <ErrorAlert error={list.error} /> : null}
      <ul>
        {(list.data ?? []).map((change) => (
          <RefusedItem key={change.key} change={change} />
        ))}
      </ul>
    </section>
  );
}

function RefusedItem({ change }: { change: RefusedChange }) {
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(change.fields.map((f) => [f.name, f.value])),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorObject | null>(null);

  const run = async (go: () => Promise<Result<unknown>>) => {
    setBusy(true);
    setError(null);
    const res = await go();
    setBusy(false);
    if (!res.ok) setError(res.error);
  };
  const sendAgain = (event: FormEvent) => {
    event.preventDefault();
    void run(() => act('desk.sendAgain', { key: change.key, values }));
  };
  const discard = () => void run(() => act('desk.discardRefused', { key: change.key }));

  return (
    <li className="refused-change">
      <p>
        <b>{change.what}</b>: {change.error.message}
      </p>
      {editing ? (
        <form aria-label={`Edit again: ${change.what}`} onSubmit={sendAgain}>
          {change.fields.map((field) => (
            <p key={field.name}>
              <label>
                {field.label}{' '}
                <input
                  value={values[field.name] ?? ''}
                  onChange={(e) => setValues((v) => ({ ...v, [field.name]: e.target.value }))}
                />
              </label>
            </p>
          ))}
          {error ? <ErrorAlert error={error} /> : null}
          <p className="buttons">
            <button type="submit" disabled={busy}>
              {busy ? 'Sending…' : 'Send again'}
            </button>{' '}
            <button type="button" disabled={busy} onClick={() => setEditing(false)}>
              Cancel
            </button>
          </p>
        </form>
      ) : (
        <>
          {error ? <ErrorAlert error={error} /> : null}
          <p className="buttons">
            {change.fields.length > 0 ? (
              <>
                <button type="button" disabled={busy} onClick={() => setEditing(true)}>
                  Edit again
                </button>{' '}
              </>
            ) : null}
            <button type="button" disabled={busy} onClick={discard}>
              Discard
            </button>
          </p>
        </>
      )}
    </li>
  );
}
