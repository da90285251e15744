import { useMemo, useState } from 'react';
import { platforms, type Platform, type Workspace } from '../../../src-shared/contract';
import { deliveryStates, type DeliveryState, type PostGroup } from '../../../src-shared/posts';
import { useClients } from '../clients/useClients';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { useStore } from '../store';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Choice } from '../ui/Field';
import { PageHeader, Section } from '../ui/Section';
import { BulkActions } from './BulkActions';
import { PostList } from './PostList';
import { isChangeable, platformName, stateLabel, useAllPosts, useReportPublishing } from './posts';

const byTime = (a: PostGroup, b: PostGroup) =>
  (a.scheduledTime ?? '9999').localeCompare(b.scheduledTime ?? '9999') || a.createdAt.localeCompare(b.createdAt);

const platformOptions = [
  { value: '' as const, label: 'All platforms' },
  ...platforms.map((p) => ({ value: p, label: platformName(p) })),
];
const stateOptions = [
  { value: '' as const, label: 'All states' },
  ...deliveryStates.map((s) => ({ value: s, label: stateLabel[s] })),
];

/**
 * The queue (SPEC §8): every post group of the clients the person may see, soonest first, with
 * filters and bulk cancel and reschedule.
 */
export function QueuePage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openComposer = useStore((s) => s.openComposer);
  const { clients, byId } = useClients(workspace);
  const [clientId, setClientId] = useState('');
  const [platform, setPlatform] = useState<Platform | ''>('');
  const [state, setState] = useState<DeliveryState | ''>('scheduled');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const posts = useAllPosts(
    workspace.id,
    clientId || null,
    { ...(platform ? { platform } : {}), ...(state ? { state } : {}) },
    { keepPrevious: true },
  );
  const groups = useMemo(() => [...(posts.data?.groups ?? [])].sort(byTime), [posts.data]);
  useReportPublishing('queue', groups);

  const mayCancel = can(role, 'post.draft');
  const mayReschedule = can(role, 'post.schedule');
  // Only rows still on screen count: a filter change leaves hidden posts unselected.
  const chosen = groups.filter((g) => selected.has(g.id) && isChangeable(g));
  const selectable = groups.filter(isChangeable);
  const filtered = clientId !== '' || platform !== '' || state !== '';
  const clientOptions = [
    { value: '', label: 'All clients' },
    ...(clients.data?.users ?? []).map((u) => ({ value: u.id, label: u.displayName })),
  ];

  function toggle(groupId: string, on: boolean) {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(groupId);
      else next.delete(groupId);
      return next;
    });
  }

  const total = posts.data?.total ?? 0;
  return (
    <div className="page">
      <PageHeader
        title="Queue"
        subtitle="Posts of every client you can see, soonest first."
        actions={
          can(role, 'post.draft') && (
            <button
              type="button"
              className="button primary"
              aria-haspopup="dialog"
              onClick={() => openComposer(clientId ? { clientId } : {})}
            >
              New post
            </button>
          )
        }
      />

      <Section title="Post list" hideTitle>
        <div className="filters" role="search" aria-label="Filter posts">
          <Choice label="Client" value={clientId} options={clientOptions} onChange={setClientId} />
          <Choice label="Platform" value={platform} options={platformOptions} onChange={setPlatform} />
          <Choice label="State" value={state} options={stateOptions} onChange={setState} />
        </div>

        {(mayCancel || mayReschedule) && (
          <BulkActions
            workspace={workspace}
            clients={byId}
            chosen={chosen}
            selectable={selectable}
            allOn={selectable.length > 0 && selectable.every((g) => selected.has(g.id))}
            onSelectAll={(on) => setSelected(on ? new Set(selectable.map((g) => g.id)) : new Set())}
            onDone={() => setSelected(new Set())}
            mayCancel={mayCancel}
            mayReschedule={mayReschedule}
          />
        )}

        {posts.error && <ErrorAlert error={posts.error} />}
        <p role="status" className="muted list-count">
          {posts.data === undefined
            ? 'Loading posts…'
            : `${total} ${total === 1 ? 'post' : 'posts'}${filtered ? ' match' : ''}` +
              (total > groups.length ? ` (showing ${groups.length})` : '')}
        </p>
        {posts.data !== undefined && groups.length === 0 && (
          <p className="muted">{filtered ? 'No post matches these filters.' : 'No posts yet.'}</p>
        )}
        <PostList
          label="Posts"
          groups={groups}
          clients={byId}
          fallbackZone={workspace.timezone}
          busy={posts.isFetching}
          selection={mayCancel || mayReschedule ? { selected, toggle, selectable: isChangeable } : undefined}
        />
      </Section>
    </div>
  );
}
