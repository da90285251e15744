import { useVirtualizer } from '@tanstack/react-virtual';
import { useId, useRef, useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { can } from '../permissions';
import { useStore } from '../store';
import { useContract } from '../data/queries';
import { ErrorAlert } from './ErrorAlert';
import { NewClientDialog } from './NewClientDialog';
import { useRole } from '../data/session';

type StatusFilter = 'all' | 'active' | 'deactivated';

const ROW_HEIGHT = 60;

/** Every client of the workspace the signed-in person may see, searchable and virtualised. */
export function ClientsPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openClient = useStore((s) => s.openClient);
  const id = useId();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [creating, setCreating] = useState(false);

  const email = search.trim();
  const clients = useContract(
    'client.list',
    {
      workspaceId: workspace.id,
      ...(email ? { email } : {}),
      ...(status === 'all' ? {} : { deactivated: status === 'deactivated' }),
      perPage: 10_000,
    },
    { keepPrevious: true },
  );
  const users = clients.data?.users ?? [];

  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's own state drives re-renders
  const virtualizer = useVirtualizer({
    count: users.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  const filtered = email !== '' || status !== 'all';
  return (
    <div className="page">
      <header className="page-header page-header-actions">
        <div>
          <h1>Clients</h1>
          <p className="muted">{workspace.name}</p>
        </div>
        {can(role, 'client.create') && (
          <button type="button" className="button primary" aria-haspopup="dialog" onClick={() => setCreating(true)}>
            New client
          </button>
        )}
      </header>

      <section className="card" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`} className="visually-hidden">
          Client list
        </h2>
        <div className="filters" role="search" aria-label="Filter clients">
          <div className="field">
            <label htmlFor={`${id}-search`}>Search by email</label>
            <input id={`${id}-search`} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-status`}>Status</label>
            <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
              <option value="all">All</option>
              <option value="active">Active</option>
              <option value="deactivated">Deactivated</option>
            </select>
          </div>
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
        <div ref={scroller} className="virtual-scroller" hidden={users.length === 0}>
          <ul
            className="virtual-list"
            aria-label="Clients"
            aria-busy={clients.isFetching}
            style={{ height: virtualizer.getTotalSize() }}
          >
            {virtualizer.getVirtualItems().map((row) => {
              const user = users[row.index];
              if (!user) return null;
              return (
                <li
                  key={user.id}
                  className="virtual-row"
                  aria-setsize={users.length}
                  aria-posinset={row.index + 1}
                  style={{ height: row.size, transform: `translateY(${row.start}px)` }}
                >
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
                </li>
              );
            })}
          </ul>
        </div>
      </section>
      {creating && <NewClientDialog workspace={workspace} onClose={() => setCreating(false)} />}
    </div>
  );
}
