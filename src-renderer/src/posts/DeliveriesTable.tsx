import type { Delivery } from '../../../src-shared/posts';
import { Action } from '../ui/Action';
import { DataTable, type Column } from '../ui/DataTable';
import { formatInZone, platformName, stateLabel } from './posts';

/** Each delivery of a post: its account, state, attempts, error and link; "Retry" beside a failed one. */
export function DeliveriesTable({
  labelledBy,
  deliveries,
  zone,
  accountOf,
  onRetry,
  retrying,
}: {
  labelledBy: string;
  deliveries: readonly Delivery[];
  zone: string;
  accountOf: (platformId: string) => string;
  /** Given to those who may schedule: only a failed delivery can be retried (the engine's rule). */
  onRetry?: (delivery: Delivery) => void;
  retrying?: boolean;
}) {
  const columns: Column<Delivery>[] = [
    { header: 'Platform', rowHeader: true, cell: (d) => platformName(d.platform) },
    { header: 'Account', cell: (d) => accountOf(d.platformId) },
    {
      header: 'State',
      cell: (d) => (
        <>
          <span className={`badge badge-state-${d.state}`}>{stateLabel[d.state]}</span>
          {d.state === 'scheduled' && d.nextAttemptAt && d.attempts > 0 && (
            <p className="hint">
              Next try <time dateTime={d.nextAttemptAt}>{formatInZone(d.nextAttemptAt, zone)}</time>
            </p>
          )}
          {d.state === 'failed' && onRetry && (
            <p>
              <Action small disabled={retrying} label={`Retry ${accountOf(d.platformId)}`} onClick={() => onRetry(d)}>
                Retry
              </Action>
            </p>
          )}
          {d.publishedAt && (
            <p className="hint">
              <time dateTime={d.publishedAt}>{formatInZone(d.publishedAt, zone)}</time>
            </p>
          )}
        </>
      ),
    },
    { header: 'Attempts', className: 'num', cell: (d) => d.attempts },
    { header: 'Error', cell: (d) => d.error ?? <span className="muted">none</span> },
    {
      header: 'Post',
      cell: (d) =>
        d.state === 'published' && d.url ? (
          <a href={d.url} target="_blank" rel="noreferrer">
            View on {platformName(d.platform)}
          </a>
        ) : (
          <span className="muted">
            {d.state === 'draft' || d.state === 'scheduled' || d.state === 'paused' ? 'not out yet' : '—'}
          </span>
        ),
    },
  ];
  return (
    <DataTable
      labelledBy={labelledBy}
      columns={columns}
      rows={deliveries}
      rowKey={(d) => d.id}
      rowProps={(d) => ({ 'data-state': d.state })}
    />
  );
}
