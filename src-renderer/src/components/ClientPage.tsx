import { useId, useState, type FormEvent } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import type { ErrorObject } from '../../../src-shared/errors';
import { fieldErrors } from '../errors';
import { formatDateTime } from '../format';
import { can } from '../permissions';
import { useStore } from '../store';
import { useClientKey } from '../useClientKey';
import { ConnectionsSection, DailyUsage, QueueSlotsSection } from './ClientConnections';
import { ClientFields, clientFieldNames, type ClientDraft } from './ClientFields';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyField } from './CopyField';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

const draftOf = (u: ManagedUser): ClientDraft => ({
  email: u.email,
  displayName: u.displayName,
  externalId: u.externalId ?? '',
  timezone: u.timezone,
});

/** Edits a client's details; only what changed is sent. */
function EditClientForm({ workspace, user, onDone }: { workspace: Workspace; user: ManagedUser; onDone: () => void }) {
  const id = useId();
  const errorId = `${id}-error`;
  const [draft, setDraft] = useState<ClientDraft>(() => draftOf(user));
  const [limit, setLimit] = useState(user.dailyPostLimit === null ? '' : String(user.dailyPostLimit));
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);
  // The Enterprise plan may raise a client's daily limit (seed 000's 100 a day otherwise).
  const raisable = workspace.plan.id === 'enterprise';

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const externalId = draft.externalId.trim() || null;
    const patch = {
      ...(draft.email.trim() !== user.email ? { email: draft.email.trim() } : {}),
      ...(draft.displayName !== user.displayName ? { displayName: draft.displayName } : {}),
      ...(externalId !== user.externalId ? { externalId } : {}),
      ...(draft.timezone.trim() !== user.timezone ? { timezone: draft.timezone.trim() } : {}),
      ...(raisable && (limit.trim() === '' ? null : Number(limit)) !== user.dailyPostLimit
        ? { dailyPostLimit: limit.trim() === '' ? null : Number(limit) }
        : {}),
    };
    if (Object.keys(patch).length === 0) {
      onDone();
      return;
    }
    setBusy(true);
    setError(null);
    const res = await act('client.update', { workspaceId: workspace.id, userId: user.id, patch });
    setBusy(false);
    if (res.ok) onDone();
    else setError(res.error);
  }

  return (
    <form aria-labelledby={`${id}-title`} noValidate onSubmit={onSubmit} aria-busy={busy}>
      <h3 id={`${id}-title`} className="visually-hidden">
        Edit {user.displayName}
      </h3>
      <fieldset disabled={busy} className="plain">
        <ClientFields
          draft={draft}
          onChange={setDraft}
          invalid={clientFieldNames(fieldErrors(error))}
          errorId={errorId}
        />
        {raisable && (
          <div className="field">
            <label htmlFor={`${id}-limit`}>Daily post limit</label>
            <input
              id={`${id}-limit`}
              type="number"
              min={1}
              max={10000}
              inputMode="numeric"
              placeholder={String(workspace.plan.dailyPostLimit)}
              value={limit}
              onChange={(e) => setLimit(e.target.value)}
              aria-describedby={`${id}-limit-hint`}
            />
            <p id={`${id}-limit-hint`} className="hint">
              Empty: the plan's {workspace.plan.dailyPostLimit} a day.
            </p>
          </div>
        )}
      </fieldset>
      {error && <ErrorAlert error={error} id={errorId} />}
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={busy}>
          Save changes
        </button>
      </div>
    </form>
  );
}

/** Generates (shown once) or reveals the client's own API key. */
function ApiKeySection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const id = useId();
  const { issued, revealed, error, busy, generate, reveal } = useClientKey(workspace, user.id);

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>API key</h2>
      <p className="muted">
        A key of this client's own: scripts using it see only {user.displayName}'s data, through the{' '}
        <code>x-publora-key</code> header. Generating a new key replaces the current one at once.
        {user.deactivated && ' While the client is deactivated its key is refused.'}
      </p>
      <div className="button-row">
        <button type="button" className="button" disabled={busy} onClick={() => void generate()}>
          Generate API key
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void reveal()}>
          Reveal key
        </button>
      </div>
      {error && <ErrorAlert error={error} />}
      {issued && (
        <div className="secret-panel">
          <CopyField
            label="New API key"
            value={issued}
            hint="Copy it now and keep it safe. Any older key of this client stopped working."
          />
        </div>
      )}
      {revealed !== undefined && (
        <div className="secret-panel">
          {revealed === null ? (
            <p className="muted" role="status">
              This client has no API key yet.
            </p>
          ) : (
            <CopyField label="Current API key" value={revealed} />
          )}
        </div>
      )}
    </section>
  );
}

/** One client: details, edit, deactivate or reactivate, delete, and their API key. */
export function ClientPage({ workspace, clientId }: { workspace: Workspace; clientId: string }) {
  const role = useRole();
  const setView = useStore((s) => s.setView);
  const openComposer = useStore((s) => s.openComposer);
  const id = useId();
  const client = useContract('client.get', { workspaceId: workspace.id, userId: clientId });
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  const back = (
    <button type="button" className="button subtle back" onClick={() => setView('clients')}>
      ← All clients
    </button>
  );
  const user = client.data;
  if (!user) {
    return (
      <div className="page">
        {back}
        {client.error ? (
          <ErrorAlert error={client.error} />
        ) : (
          <p role="status" className="muted">
            Loading client…
          </p>
        )}
      </div>
    );
  }
  const tz = user.timezone;

  async function setActive(active: boolean) {
    if (!user) return;
    setBusy(true);
    setError(null);
    setNotice('');
    const res = await act('client.setActive', { workspaceId: workspace.id, userId: user.id, active });
    setBusy(false);
    if (!res.ok) setError(res.error);
    else {
      setNotice(
        active
          ? `${user.displayName} is active again.`
          : `${user.displayName} is deactivated: their API key and sessions stop working.`,
      );
      client.refetch();
    }
  }

  async function remove() {
    if (!user) return;
    setBusy(true);
    setError(null);
    const res = await act('client.delete', { workspaceId: workspace.id, userId: user.id });
    setBusy(false);
    if (res.ok) setView('clients');
    else {
      setDeleting(false);
      setError(res.error);
    }
  }

  return (
    <div className="page">
      {back}
      <header className="page-header page-header-actions">
        <div>
          <h1>{user.displayName}</h1>
          <p className="muted">
            {user.email} ·{' '}
            <span className={user.deactivated ? 'badge badge-off' : 'badge badge-on'}>
              {user.deactivated ? 'Deactivated' : 'Active'}
            </span>
          </p>
        </div>
        <div className="button-row">
          {can(role, 'post.draft') && !user.deactivated && (
            <button
              type="button"
              className="button primary"
              aria-haspopup="dialog"
              onClick={() => openComposer({ clientId: user.id })}
            >
              New post
            </button>
          )}
          {can(role, 'client.update') && !editing && (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          {can(role, 'client.deactivate') &&
            (user.deactivated ? (
              <button type="button" className="button" disabled={busy} onClick={() => void setActive(true)}>
                Reactivate
              </button>
            ) : (
              <button type="button" className="button" disabled={busy} onClick={() => void setActive(false)}>
                Deactivate
              </button>
            ))}
          {can(role, 'client.delete') && (
            <button
              type="button"
              className="button danger"
              disabled={busy}
              aria-haspopup="dialog"
              onClick={() => setDeleting(true)}
            >
              Delete
            </button>
          )}
        </div>
      </header>
      {error && <ErrorAlert error={error} />}
      <p role="status" className="notice">
        {notice}
      </p>

      <section className="card" aria-labelledby={`${id}-details`}>
        <h2 id={`${id}-details`}>Details</h2>
        {editing ? (
          <EditClientForm
            workspace={workspace}
            user={user}
            onDone={() => {
              setEditing(false);
              client.refetch();
            }}
          />
        ) : (
          <dl className="facts">
            <div>
              <dt>Display name</dt>
              <dd>{user.displayName}</dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd>{user.email}</dd>
            </div>
            <div>
              <dt>External ID</dt>
              <dd>{user.externalId ?? <span className="muted">none</span>}</dd>
            </div>
            <div>
              <dt>Timezone</dt>
              <dd>{tz}</dd>
            </div>
            <div>
              <dt>Daily post limit</dt>
              <dd>{user.dailyPostLimit ?? workspace.plan.dailyPostLimit}</dd>
            </div>
            <div>
              <dt>Client ID</dt>
              <dd>
                <code>{user.id}</code>
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>
                {user.deactivated && user.deactivatedAt ? (
                  <>
                    Deactivated <time dateTime={user.deactivatedAt}>{formatDateTime(user.deactivatedAt, tz)}</time>
                  </>
                ) : (
                  'Active'
                )}
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <time dateTime={user.createdAt}>{formatDateTime(user.createdAt, tz)}</time>
              </dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>
                <time dateTime={user.updatedAt}>{formatDateTime(user.updatedAt, tz)}</time>
              </dd>
            </div>
          </dl>
        )}
      </section>

      {can(role, 'connection.read') && <ConnectionsSection workspace={workspace} user={user} />}
      {can(role, 'post.read') && <DailyUsage workspace={workspace} user={user} />}
      {can(role, 'post.read') && <QueueSlotsSection workspace={workspace} user={user} />}

      {can(role, 'client.apiKey') && <ApiKeySection workspace={workspace} user={user} />}

      {deleting && (
        <ConfirmDialog
          title={`Delete ${user.displayName}?`}
          confirmLabel="Delete client"
          busy={busy}
          onCancel={() => setDeleting(false)}
          onConfirm={() => void remove()}
        >
          <p>
            Their posts are cancelled, their API key is revoked and their connections' tokens leave the keychain. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
