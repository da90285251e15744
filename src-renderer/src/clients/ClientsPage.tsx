import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { useContract } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { useStore } from '../store';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Choice, Field } from '../ui/Field';
import { PageHeader, Section } from '../ui/Section';
import { VirtualList } from '../ui/VirtualList';
import { NewClientDialog } from './NewClientDialog';
import { Action } from '../ui/Action';

type StatusFilter = 'all' | 'active' | 'deactivated';
const statuses: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'deactivated', label: 'Deactivated' },
];

/** Every client of the workspace the signed-in person may see, searchable and virtualised. */
export function ClientsPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openClient = useStore((s) => s.openClient);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [creating, setCreating] = useState(false);

  const words = search.trim();
  const clients = useContract(
    'client.list',
    {
      workspaceId: workspace.id,
      ...(words ? { search: words } : {}),
      ...(status === 'all' ? {} : { deactivated: status === 'deactivated' }),
      perPage: 10_000,
    },
    { keepPrevious: true },
  );
  const users = clients.data?.users ?? [];
  const filtered = words !== '' || status !== 'all';

  return (
    <div className="page">
      <PageHeader
        title="Clients"
        subtitle={workspace.name}
        actions={
          can(role, 'client.create') && (
            <Action tone="primary" opensDialog onClick={() => setCreating(true)}>
              New client
            </Action>
          )
        }
      />

      <Section title="Client list" hideTitle>
        <div className="filters" role="search" aria-label="Filter clients">
          <Field label="Search by name or email">
            {(control) => (
              <input {...control} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
            )}
          </Field>
          <Choice label="Status" value={status} options={statuses} onChange={setStatus} />
        </div>
        {clients.error && <ErrorAlert error={clients.error} />}
        <p role="status" className="muted list-count">
          {clients.data === undefined
            ? 'Loading clients…'
            : `${clients.data.total} ${clients.data.total === 1 ? 'client' : 'clients'}${filtered ? ' match' : ''}`}
        </p>
        {clients.data !== undefined && users.length === 0 && (
          <p className="muted">{filtered ? 'No client matches these filters.' : 'No clients yet.'}</p>
        )}
        <VirtualList label="Clients" items={users} rowHeight={60} busy={clients.isFetching} itemKey={(u) => u.id}>
          {(user) => (
            <button type="button" className="client-row" onClick={() => openClient(user.id)}>
              <span className="client-main">
                <span className="client-name">{user.displayName}</span>
                <span className="muted">{user.email}</span>
              </span>
              {user.externalId && <code className="muted">{user.externalId}</code>}
              <span className={user.deactivated ? 'badge badge-off' : 'badge badge-on'}>
                {user.deactivated ? 'Deactivated' : 'Active'}
              </span>
            </button>
          )}
        </VirtualList>
      </Section>
      {creating && <NewClientDialog workspace={workspace} onClose={() => setCreating(false)} />}
    </div>
  );
}
