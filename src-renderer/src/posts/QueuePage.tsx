import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { platforms, type Platform, type Workspace } from '../../../src-shared/contract';
import { deliveryStates, type DeliveryState, type PostGroup } from '../../../src-shared/posts';
import { useClients } from '../clients/useClients';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Choice, Field } from '../ui/Field';
import { PageHeader, Section } from '../ui/Section';
import { BulkActions } from './BulkActions';
import { PostList } from './PostList';
import { isChangeable, platformName, stateLabel, useQueuePosts, useReportPublishing } from './posts';
import { NewPostButton } from './NewPostButton';

const platformOptions = [
  { value: '' as const, label: 'All platforms' },
  ...platforms.map((p) => ({ value: p, label: platformName(p) })),
];
const stateOptions = [
  { value: '' as const, label: 'All states' },
  ...deliveryStates.map((s) => ({ value: s, label: stateLabel[s] })),
];

const changeable = new WeakMap<readonly PostGroup[], readonly PostGroup[]>();
/** The posts of a page that may still be changed, worked out once per page. */
function changeableOf(page: { groups: readonly PostGroup[] }): readonly PostGroup[] {
  let found = changeable.get(page.groups);
  if (found === undefined) {
    found = page.groups.filter(isChangeable);
    changeable.set(page.groups, found);
  }
  return found;
}

/**
 * The queue (SPEC §8): every post group of the clients the person may see, soonest first, with
 * filters and bulk cancel and reschedule.
 */
export function QueuePage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const { clients, byId } = useClients(workspace);
  const [clientId, setClientId] = useState('');
  const [platform, setPlatform] = useState<Platform | ''>('');
  const [state, setState] = useState<DeliveryState | ''>('scheduled');
  const [search, setSearch] = useState('');
  // Typing does not ask the engine at every key: the list follows once React has a moment.
  const words = useDeferredValue(search.trim());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  // Soonest first from the engine, a page at a time by cursor as the list scrolls (issue 11).
  const posts = useQueuePosts(workspace.id, clientId || null, {
    ...(platform ? { platform } : {}),
    ...(state ? { state } : {}),
    ...(words ? { search: words } : {}),
  });
  const groups = useMemo(() => posts.data?.pages.flatMap((p) => p.groups) ?? [], [posts.data]);
  const firstPage = posts.data?.pages[0];
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = posts;
  const needMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  useReportPublishing('queue', groups);

  const mayCancel = can(role, 'post.draft');
  const mayReschedule = can(role, 'post.schedule');
  // Only rows still on screen count: a filter change leaves hidden posts unselected. Both are
  // worked out when the rows or the selection change, not at each render (a render comes with
  // every page while a long list scrolls).
  // Each page's changeable posts are found once, when it arrives (a page object stays the same
  // while later pages come): a page costs its own rows, not every row loaded so far (issue 11).
  const selectable = useMemo(() => posts.data?.pages.flatMap(changeableOf) ?? [], [posts.data]);
  const chosen = useMemo(
    () => (selected.size === 0 ? [] : selectable.filter((g) => selected.has(g.id))),
    [selectable, selected],
  );
  const filtered = clientId !== '' || platform !== '' || state !== '' || words !== '';
  const clientOptions = [
    { value: '', label: 'All clients' },
    ...(clients.data?.users ?? []).map((u) => ({ value: u.id, label: u.displayName })),
  ];

  const toggle = useCallback((groupId: string, on: boolean) => {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(groupId);
      else next.delete(groupId);
      return next;
    });
  }, []);

  const total = firstPage?.total ?? 0;
  const capped = firstPage?.totalCapped ?? false;
  return (
    <div className="page">
      <PageHeader
        title="Queue"
        subtitle="Posts of every client you can see, soonest first."
        actions={<NewPostButton clientId={clientId || undefined} />}
      />

      <Section title="Post list" hideTitle>
        <div className="filters" role="search" aria-label="Filter posts">
          <Choice label="Client" value={clientId} options={clientOptions} onChange={setClientId} />
          <Choice label="Platform" value={platform} options={platformOptions} onChange={setPlatform} />
          <Choice label="State" value={state} options={stateOptions} onChange={setState} />
          <Field label="Search post text">
            {(control) => (
              <input {...control} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
            )}
          </Field>
        </div>

        {(mayCancel || mayReschedule) && (
          <BulkActions
            workspace={workspace}
            clients={byId}
            chosen={chosen}
            selectable={selectable}
            allOn={selectable.length > 0 && chosen.length === selectable.length}
            onSelectAll={(on) => setSelected(on ? new Set(selectable.map((g) => g.id)) : new Set())}
            onDone={() => setSelected(new Set())}
            mayCancel={mayCancel}
            mayReschedule={mayReschedule}
          />
        )}

        {posts.error && <ErrorAlert error={posts.error} />}
        <p role="status" className="muted list-count">
          {firstPage === undefined
            ? 'Loading posts…'
            : `${total.toLocaleString()}${capped ? '+' : ''} ${total === 1 && !capped ? 'post' : 'posts'}` +
              (filtered ? ' match' : '')}
        </p>
        {firstPage !== undefined && groups.length === 0 && (
          <p className="muted">{filtered ? 'No post matches these filters.' : 'No posts yet.'}</p>
        )}
        <PostList
          workspace={workspace}
          label="Posts"
          groups={groups}
          busy={posts.isFetching}
          total={capped ? undefined : total}
          onNeedMore={needMore}
          selection={mayCancel || mayReschedule ? { selected, toggle, selectable: isChangeable } : undefined}
        />
      </Section>
    </div>
  );
}
