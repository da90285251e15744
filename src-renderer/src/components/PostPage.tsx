import { useEffect, useId, useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { can } from '../permissions';
import { formatInZone, isChangeable, platformName, stateLabel, useReportPublishing } from '../posts';
import { useStore } from '../store';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

const backLabel: Record<string, string> = {
  queue: 'Queue',
  drafts: 'Drafts',
  calendar: 'Calendar',
  client: 'Client',
  clients: 'Clients',
  overview: 'Overview',
};

/** One post group: its text, and each delivery with its state, attempts, error and link. */
export function PostPage({ workspace, postId }: { workspace: Workspace; postId: string }) {
  const role = useRole();
  const returnView = useStore((s) => s.returnView);
  const setView = useStore((s) => s.setView);
  const openComposer = useStore((s) => s.openComposer);
  const id = useId();
  const post = useContract('post.get', { workspaceId: workspace.id, id: postId });
  const group = post.data?.id === postId ? post.data : null;
  const client = useContract(
    'client.get',
    { workspaceId: workspace.id, userId: group?.userId ?? '' },
    { enabled: group !== null },
  );
  const [cancelling, setCancelling] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorObject | null>(null);
  useReportPublishing('post', group ? [group] : []);

  // The scheduler announces a delivery's end, not its start: while one is due or under way, look
  // again every few seconds so the page (and the header's "Publishing…") follows it.
  const { refetch } = post;
  useEffect(() => {
    if (!group) return;
    const now = Date.now();
    const waiting = group.deliveries.some(
      (d) =>
        d.state === 'publishing' ||
        (d.state === 'scheduled' && d.nextAttemptAt !== null && Date.parse(d.nextAttemptAt) <= now),
    );
    if (!waiting) return;
    const timer = setInterval(() => void refetch(), 2000);
    return () => clearInterval(timer);
  }, [group, refetch]);

  const back = (
    <button
      type="button"
      className="button subtle back"
      onClick={() => setView(returnView === 'post' ? 'queue' : returnView)}
    >
      ← {backLabel[returnView] ?? 'Back'}
    </button>
  );
  if (!group) {
    return (
      <div className="page">
        {back}
        {post.error ? (
          <ErrorAlert error={post.error} />
        ) : (
          <p role="status" className="muted">
            Loading post…
          </p>
        )}
      </div>
    );
  }

  const zone = client.data?.timezone ?? workspace.timezone;
  const changeable = isChangeable(group);
  const mayChange = can(role, 'post.draft') && changeable;

  async function cancel() {
    setBusy(true);
    setError(null);
    const res = await act('post.cancel', { workspaceId: workspace.id, id: postId });
    setBusy(false);
    setCancelling(false);
    if (res.ok) post.refetch();
    else setError(res.error);
  }

  const overrides = Object.entries(group.platformTexts);
  return (
    <div className="page">
      {back}
      <header className="page-header page-header-actions">
        <div>
          <h1>Post for {client.data?.displayName ?? 'client'}</h1>
          <p className="muted">
            <span className={`badge badge-state-${group.status}`} data-testid="post-status">
              {stateLabel[group.status]}
            </span>{' '}
            {group.scheduledTime ? (
              <time dateTime={group.scheduledTime}>{formatInZone(group.scheduledTime, zone)}</time>
            ) : (
              'Draft: no time yet'
            )}
          </p>
        </div>
        {mayChange && (
          <div className="button-row">
            <button
              type="button"
              className="button"
              aria-haspopup="dialog"
              onClick={() => openComposer({ postId: group.id })}
            >
              Edit
            </button>
            <button
              type="button"
              className="button danger"
              aria-haspopup="dialog"
              disabled={busy}
              onClick={() => setCancelling(true)}
            >
              Cancel post
            </button>
          </div>
        )}
      </header>
      {error && <ErrorAlert error={error} />}

      <section className="card" aria-labelledby={`${id}-text`}>
        <h2 id={`${id}-text`}>Text</h2>
        <p className="post-text">{group.text || <span className="muted">(no text)</span>}</p>
        {overrides.map(([platformId, text]) => (
          <div key={platformId} className="override">
            <h3 className="subheading">Text for {platformId}</h3>
            <p className="post-text">{text}</p>
          </div>
        ))}
        <dl className="facts">
          <div>
            <dt>Images</dt>
            <dd>{group.mediaCount}</dd>
          </div>
          <div>
            <dt>Time zone</dt>
            <dd>{zone}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <time dateTime={group.createdAt}>{formatInZone(group.createdAt, zone)}</time>
            </dd>
          </div>
          <div>
            <dt>Post ID</dt>
            <dd>
              <code>{group.id}</code>
            </dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby={`${id}-deliveries`}>
        <h2 id={`${id}-deliveries`}>Deliveries</h2>
        <div className="table-scroll">
          <table className="table" aria-labelledby={`${id}-deliveries`}>
            <thead>
              <tr>
                <th scope="col">Platform</th>
                <th scope="col">Account</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col">Post</th>
              </tr>
            </thead>
            <tbody>
              {group.deliveries.map((d) => (
                <tr key={d.id} data-state={d.state}>
                  <th scope="row">{platformName(d.platform)}</th>
                  <td>
                    <code>{d.platformId}</code>
                  </td>
                  <td>
                    <span className={`badge badge-state-${d.state}`}>{stateLabel[d.state]}</span>
                    {d.state === 'scheduled' && d.nextAttemptAt && d.attempts > 0 && (
                      <p className="hint">
                        Next try <time dateTime={d.nextAttemptAt}>{formatInZone(d.nextAttemptAt, zone)}</time>
                      </p>
                    )}
                    {d.publishedAt && (
                      <p className="hint">
                        <time dateTime={d.publishedAt}>{formatInZone(d.publishedAt, zone)}</time>
                      </p>
                    )}
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td>{d.error ?? <span className="muted">none</span>}</td>
                  <td>
                    {d.state === 'published' && d.url ? (
                      <a href={d.url} target="_blank" rel="noreferrer">
                        View on {platformName(d.platform)}
                      </a>
                    ) : (
                      <span className="muted">
                        {d.state === 'draft' || d.state === 'scheduled' || d.state === 'paused' ? 'not out yet' : '—'}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {cancelling && (
        <ConfirmDialog
          title="Cancel this post?"
          confirmLabel="Cancel post"
          busy={busy}
          onCancel={() => setCancelling(false)}
          onConfirm={() => void cancel()}
        >
          <p>
            Deliveries that have not gone out will not be published. Anything already published stays on the platform.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
