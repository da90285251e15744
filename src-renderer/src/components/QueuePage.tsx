import { useId, useMemo, useState, type FormEvent } from 'react';
import { platforms, type Platform, type Result, type Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { deliveryStates, type DeliveryState, type PostGroup } from '../../../src-shared/posts';
import { errorText } from '../errors';
import { can } from '../permissions';
import { fromLocalInput, isChangeable, useAllPosts, platformName, stateLabel, useReportPublishing } from '../posts';
import { useStore } from '../store';
import { useClients } from '../useClients';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorAlert } from './ErrorAlert';
import { PostList } from './PostList';
import { useRole } from '../data/session';
import { act } from '../data/queries';

const byTime = (a: PostGroup, b: PostGroup) =>
  (a.scheduledTime ?? '9999').localeCompare(b.scheduledTime ?? '9999') || a.createdAt.localeCompare(b.createdAt);

/**
 * The queue (SPEC §8): every post group of the clients the person may see, soonest first, with
 * filters and bulk cancel and reschedule.
 */
export function QueuePage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openComposer = useStore((s) => s.openComposer);
  const id = useId();
  const { clients, byId } = useClients(workspace);
  const [clientId, setClientId] = useState('');
  const [platform, setPlatform] = useState<Platform | ''>('');
  const [state, setState] = useState<DeliveryState | ''>('scheduled');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [when, setWhen] = useState('');
  const [cancelling, setCancelling] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<ErrorObject | null>(null);

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

  function toggle(groupId: string, on: boolean) {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(groupId);
      else next.delete(groupId);
      return next;
    });
  }

  /** Runs one call per chosen post, then says what happened to each. */
  async function bulk(verb: string, change: (g: PostGroup) => Promise<Result<unknown>>) {
    setBusy(true);
    setError(null);
    setNotice('');
    const failures: string[] = [];
    let done = 0;
    for (const g of chosen) {
      const res = await change(g);
      if (res.ok) done++;
      else failures.push(`${byId.get(g.userId)?.displayName ?? 'A post'}: ${errorText(res.error)}`);
    }
    setBusy(false);
    setSelected(new Set());
    setNotice(`${verb} ${done} ${done === 1 ? 'post' : 'posts'}.`);
    if (failures.length)
      setError({ code: 'conflict', message: `${failures.length} could not be changed. ${failures.join(' · ')}` });
    posts.refetch();
  }

  function reschedule(e: FormEvent) {
    e.preventDefault();
    const iso = fromLocalInput(when, workspace.timezone);
    if (!iso) {
      setError({ code: 'validation_failed', message: 'choose the new date and time first' });
      return;
    }
    void bulk('Rescheduled', (g) =>
      act('post.update', { workspaceId: workspace.id, id: g.id, patch: { scheduledTime: iso } }),
    );
  }

  const allOn = selectable.length > 0 && selectable.every((g) => selected.has(g.id));
  return (
    <div className="page">
      <header className="page-header page-header-actions">
        <div>
          <h1>Queue</h1>
          <p className="muted">Posts of every client you can see, soonest first.</p>
        </div>
        {can(role, 'post.draft') && (
          <button
            type="button"
            className="button primary"
            aria-haspopup="dialog"
            onClick={() => openComposer(clientId ? { clientId } : {})}
          >
            New post
          </button>
        )}
      </header>

      <section className="card" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`} className="visually-hidden">
          Post list
        </h2>
        <div className="filters" role="search" aria-label="Filter posts">
          <div className="field">
            <label htmlFor={`${id}-client`}>Client</label>
            <select id={`${id}-client`} value={clientId} onChange={(e) => setClientId(e.target.value)}>
              <option value="">All clients</option>
              {(clients.data?.users ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-platform`}>Platform</label>
            <select
              id={`${id}-platform`}
              value={platform}
              onChange={(e) => setPlatform(e.target.value as Platform | '')}
            >
              <option value="">All platforms</option>
              {platforms.map((p) => (
                <option key={p} value={p}>
                  {platformName(p)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-state`}>State</label>
            <select id={`${id}-state`} value={state} onChange={(e) => setState(e.target.value as DeliveryState | '')}>
              <option value="">All states</option>
              {deliveryStates.map((s) => (
                <option key={s} value={s}>
                  {stateLabel[s]}
                </option>
              ))}
            </select>
          </div>
        </div>

        {(mayCancel || mayReschedule) && (
          <div className="bulk-bar" role="group" aria-label="Bulk actions">
            <label className="check">
              <input
                type="checkbox"
                checked={allOn}
                disabled={selectable.length === 0 || busy}
                onChange={(e) => setSelected(e.target.checked ? new Set(selectable.map((g) => g.id)) : new Set())}
              />
              Select all
            </label>
            <span className="muted" role="status">
              {chosen.length} selected
            </span>
            {mayCancel && (
              <button
                type="button"
                className="button danger"
                disabled={chosen.length === 0 || busy}
                aria-haspopup="dialog"
                onClick={() => setCancelling(true)}
              >
                Cancel selected
              </button>
            )}
            {mayReschedule && (
              <form className="inline-form" onSubmit={reschedule} aria-label="Reschedule selected posts">
                <label htmlFor={`${id}-when`}>New date and time</label>
                <input
                  id={`${id}-when`}
                  type="datetime-local"
                  value={when}
                  aria-describedby={`${id}-zone`}
                  onChange={(e) => setWhen(e.target.value)}
                />
                <button type="submit" className="button" disabled={chosen.length === 0 || busy}>
                  Reschedule selected
                </button>
                <span className="hint" id={`${id}-zone`}>
                  in {workspace.timezone}
                </span>
              </form>
            )}
          </div>
        )}

        {posts.error && <ErrorAlert error={posts.error} />}
        {error && <ErrorAlert error={error} />}
        <p role="status" className="notice">
          {notice}
        </p>
        <p role="status" className="muted list-count">
          {posts.data === undefined
            ? 'Loading posts…'
            : `${posts.data.total} ${posts.data.total === 1 ? 'post' : 'posts'}${filtered ? ' match' : ''}${posts.data.total > groups.length ? ` (showing ${groups.length})` : ''}`}
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
      </section>

      {cancelling && (
        <ConfirmDialog
          title={`Cancel ${chosen.length} ${chosen.length === 1 ? 'post' : 'posts'}?`}
          confirmLabel="Cancel posts"
          busy={busy}
          onCancel={() => setCancelling(false)}
          onConfirm={() =>
            void bulk('Cancelled', (g) => act('post.cancel', { workspaceId: workspace.id, id: g.id })).then(() =>
              setCancelling(false),
            )
          }
        >
          <p>What has not gone out yet will not be published. Posts already published stay on the platforms.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
