import { useId, useMemo, useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { ClientKeyPanels } from '../clients/ClientKeyPanels';
import { useClientKey } from '../clients/useClientKey';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';
import { Action } from '../ui/Action';

/** How many clients the key list shows at once; the search narrows a longer list. */
const SHOWN_CLIENTS = 50;

/** One client's own key: generated (shown once) or revealed. */
function ClientKeyItem({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const id = useId();
  const keys = useClientKey(workspace, user.id);
  const name = user.displayName;
  return (
    <li className="key-item" aria-labelledby={`${id}-name`}>
      <div className="key-item-row">
        <span className="client-main">
          <span className="client-name" id={`${id}-name`}>
            {name}
          </span>
          <span className="muted">{user.email}</span>
        </span>
        {user.deactivated && <span className="badge badge-off">Deactivated</span>}
        <span className="button-row">
          <Action small disabled={keys.busy} label={`Generate key for ${name}`} onClick={keys.generate}>
            Generate key
          </Action>
          <Action small disabled={keys.busy} label={`Reveal key of ${name}`} onClick={keys.reveal}>
            Reveal
          </Action>
        </span>
      </div>
      <ClientKeyPanels
        keys={keys}
        issued={{
          label: `New API key for ${name}`,
          hint:
            `Shown once: copy it now. ${name}'s old key stopped working.` +
            (user.deactivated ? ' It is refused while the client is deactivated.' : ''),
        }}
        revealed={{ label: `API key of ${name}` }}
        none={`${name} has no API key yet.`}
      />
    </li>
  );
}

/** Every client's own key, searchable when there are many. */
export function ClientKeysSection({
  workspace,
  clients,
  loading,
  error,
}: {
  workspace: Workspace;
  clients: ManagedUser[] | null;
  loading: boolean;
  error: ErrorObject | null;
}) {
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const matching = useMemo(
    () =>
      (clients ?? []).filter(
        (u) => !needle || u.displayName.toLowerCase().includes(needle) || u.email.toLowerCase().includes(needle),
      ),
    [clients, needle],
  );
  const shown = matching.slice(0, SHOWN_CLIENTS);
  const count =
    clients === null
      ? 'Loading clients…'
      : clients.length === 0
        ? 'No clients yet.'
        : matching.length > shown.length
          ? `Showing ${shown.length} of ${matching.length} clients: search to find others.`
          : needle
            ? `${matching.length} ${matching.length === 1 ? 'client matches' : 'clients match'}`
            : '';

  return (
    <Section
      title="Client keys"
      intro={
        <>
          A client's own key sees only that client's data, and needs no <code>x-publora-user-id</code>. Generating a new
          key replaces the client's current one at once.
        </>
      }
    >
      {error && <ErrorAlert error={error} />}
      {clients !== null && clients.length > SHOWN_CLIENTS && (
        <div className="filters" role="search" aria-label="Filter client keys">
          <Field label="Search by name or email">
            {(control) => (
              <input {...control} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
            )}
          </Field>
        </div>
      )}
      <p role="status" className="muted list-count">
        {count}
      </p>
      {shown.length > 0 && (
        <ul className="key-list" aria-label="Client keys" aria-busy={loading}>
          {shown.map((u) => (
            <ClientKeyItem key={u.id} workspace={workspace} user={u} />
          ))}
        </ul>
      )}
    </Section>
  );
}
