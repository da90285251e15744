import type { ManagedUser } from '../../../../src-shared/clients';
import type { Connection } from '../../../../src-shared/connections';
import type { ErrorObject } from '../../../../src-shared/errors';
import { accountName, platformAccount } from '../../connections/names';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Field } from '../../ui/Field';
import { Options } from '../../ui/Options';

/** Who the post is for: the client (chosen here unless given), then which of their accounts. */
export function TargetPicker({
  clients,
  client,
  fixedClient,
  onClient,
  accounts,
  accountsError,
  targets,
  onTarget,
  editing,
  error,
}: {
  clients: readonly ManagedUser[];
  client: ManagedUser | undefined;
  /** The client was chosen before the composer opened (or the post exists): no choice here. */
  fixedClient: boolean;
  onClient: (id: string) => void;
  /** The client's connections; undefined while they load. */
  accounts: readonly Connection[] | undefined;
  accountsError: ErrorObject | null;
  targets: readonly string[];
  onTarget: (platformId: string, on: boolean) => void;
  /** A saved post keeps its targets. */
  editing: boolean;
  /** Why the targets cannot be used as they are (e.g. none chosen). */
  error?: string;
}) {
  return (
    <>
      {fixedClient ? (
        <p className="composer-for">
          For <strong>{client?.displayName ?? 'this client'}</strong>
        </p>
      ) : (
        <Field label="Client">
          {(control) => (
            <select {...control} value={client?.id ?? ''} onChange={(e) => onClient(e.target.value)}>
              <option value="">Choose a client…</option>
              <Options
                options={clients.filter((c) => !c.deactivated).map((c) => ({ value: c.id, label: c.displayName }))}
              />
            </select>
          )}
        </Field>
      )}

      {client && (
        <fieldset className="checklist targets" aria-invalid={error ? true : undefined}>
          <legend>Post to</legend>
          {accountsError && <ErrorAlert error={accountsError} />}
          {editing ? (
            <ul className="plain-list">
              {targets.map((id) => {
                const c = accounts?.find((a) => a.platformId === id);
                return <li key={id}>{c ? accountName(c) : platformAccount(id)}</li>;
              })}
            </ul>
          ) : accounts === undefined ? (
            <p className="hint">Loading accounts…</p>
          ) : accounts.length === 0 ? (
            <p className="hint">
              {client.displayName} has no connected accounts yet. Send a connection link from their page.
            </p>
          ) : (
            accounts.map((c) => (
              <label key={c.platformId} className="check">
                <input
                  type="checkbox"
                  checked={targets.includes(c.platformId)}
                  disabled={c.status !== 'active'}
                  onChange={(e) => onTarget(c.platformId, e.target.checked)}
                />
                {accountName(c)}
                {c.status !== 'active' && <span className="muted"> (needs re-authentication)</span>}
              </label>
            ))
          )}
          {error && <p className="field-error">{error}</p>}
        </fieldset>
      )}
    </>
  );
}
