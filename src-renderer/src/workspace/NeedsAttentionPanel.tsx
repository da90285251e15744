import type { Workspace } from '../../../src-shared/contract';
import type { AttentionConnection, AttentionDelivery } from '../../../src-shared/posts';
import { useContract, useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { atHandle, formatInZone, platformName } from '../posts/posts';
import { useStore } from '../store';
import { Action } from '../ui/Action';
import { DataTable, type Column } from '../ui/DataTable';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Section } from '../ui/Section';

/** "Mastodon @agency", or the platform alone when the connection was removed. */
const accountName = (a: { platform: AttentionDelivery['platform']; handle: string | null }) =>
  a.handle ? `${platformName(a.platform)} ${atHandle(a.handle)}` : platformName(a.platform);

const connectionProblem: Record<AttentionConnection['problem'], string> = {
  needs_reauth: 'Must be reconnected',
  revoked: 'Access was revoked',
  expired: 'Sign-in expired',
};

const excerpt = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text || '(no text)');

/**
 * The overview's "needs attention" (issue 10 item 6): failed deliveries (with "Retry"), deliveries
 * waiting for a person to check the platform, and connections to reconnect — each with the client's
 * name, the account's handle and the time in the client's zone.
 */
export function NeedsAttentionPanel({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openPost = useStore((s) => s.openPost);
  const openClient = useStore((s) => s.openClient);
  const attention = useContract('post.needsAttention', { workspaceId: workspace.id });
  const retry = useContractMutation('post.retry');
  const data = attention.data;
  const mayRetry = can(role, 'post.schedule');

  const deliveryColumns: Column<AttentionDelivery>[] = [
    { header: 'Client', rowHeader: true, cell: (d) => d.clientName },
    { header: 'Account', cell: accountName },
    {
      header: 'Problem',
      cell: (d) => (
        <>
          <span className={`badge badge-state-${d.state}`}>
            {d.state === 'failed' ? 'Failed' : 'Check the platform'}
          </span>
          {d.error && <p className="hint">{d.error}</p>}
        </>
      ),
    },
    { header: 'When', cell: (d) => <time dateTime={d.at}>{formatInZone(d.at, d.clientTimezone)}</time> },
    { header: 'Post', cell: (d) => excerpt(d.text) },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (d) => (
        <div className="post-actions">
          {d.state === 'failed' && mayRetry && (
            <Action
              small
              tone="primary"
              disabled={retry.isPending}
              label={`Retry ${accountName(d)} for ${d.clientName}`}
              onClick={() =>
                retry.mutate({ workspaceId: workspace.id, id: d.postGroupId, platformIds: [d.platformId] })
              }
            >
              Retry
            </Action>
          )}
          <Action
            small
            label={`Open the post for ${d.clientName} on ${accountName(d)}`}
            onClick={() => void openPost(d.postGroupId)}
          >
            Open post
          </Action>
        </div>
      ),
    },
  ];
  const connectionColumns: Column<AttentionConnection>[] = [
    { header: 'Client', rowHeader: true, cell: (c) => c.clientName },
    { header: 'Account', cell: accountName },
    { header: 'Problem', cell: (c) => connectionProblem[c.problem] },
    { header: 'Since', cell: (c) => <time dateTime={c.since}>{formatInZone(c.since, c.clientTimezone)}</time> },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (c) => (
        <Action
          small
          label={`Open ${c.clientName} to reconnect ${accountName(c)}`}
          onClick={() => openClient(c.clientId)}
        >
          Open client
        </Action>
      ),
    },
  ];

  const empty = data && data.deliveries.length === 0 && data.connections.length === 0;
  return (
    <Section title="Needs attention" className="needs-attention">
      {(titleId) => (
        <>
          {attention.error && <ErrorAlert error={attention.error} />}
          {retry.error && <ErrorAlert error={retry.error} />}
          {empty && <p className="muted">Nothing needs attention: every post went out or is on its way.</p>}
          {data && data.deliveries.length > 0 && (
            <>
              <h3 id={`${titleId}-posts`} className="subheading">
                Posts that did not go out
              </h3>
              <DataTable
                labelledBy={`${titleId}-posts`}
                columns={deliveryColumns}
                rows={data.deliveries}
                rowKey={(d) => d.deliveryId}
                rowProps={(d) => ({ 'data-state': d.state })}
              />
              {data.moreDeliveries && (
                <p className="hint">Only the latest are listed; the queue's "Failed" filter shows them all.</p>
              )}
            </>
          )}
          {data && data.connections.length > 0 && (
            <>
              <h3 id={`${titleId}-connections`} className="subheading">
                Accounts to reconnect
              </h3>
              <DataTable
                labelledBy={`${titleId}-connections`}
                columns={connectionColumns}
                rows={data.connections}
                rowKey={(c) => `${c.clientId}:${c.platformId}`}
              />
            </>
          )}
        </>
      )}
    </Section>
  );
}
