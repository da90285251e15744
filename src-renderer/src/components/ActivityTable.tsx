import type { ActivityEntry, Workspace } from '../../../src-shared/contract';
import { useContract } from '../data/queries';
import { useAppState } from '../data/session';
import { formatDateTime } from '../format';
import { ErrorAlert } from './ErrorAlert';

const who = (e: ActivityEntry, memberName: string | undefined) =>
  e.actorKind === 'system' ? 'System' : e.actorKind === 'api_key' ? 'API key' : (memberName ?? 'Member');

interface Props {
  workspace: Workspace;
  limit: number;
  title: string;
  /** An action family (`client`) or exact action to show; every action when absent. */
  action?: string;
  actorKind?: ActivityEntry['actorKind'];
  /** Names of the people behind member entries, by profile id (the signed-in person is known anyway). */
  names?: ReadonlyMap<string, string>;
}

/** The workspace's activity log, newest first; refreshed whenever anything changes. */
export function ActivityTable({ workspace, limit, title, action, actorKind, names }: Props) {
  const profile = useAppState()?.profile;
  const filter = { ...(action ? { action } : {}), ...(actorKind ? { actorKind } : {}) };
  const activity = useContract('activity.list', { workspaceId: workspace.id, limit, filter }, { keepPrevious: true });
  const entries = activity.data ?? null;
  const error = activity.error;

  const headingId = `activity-${limit}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {error && <ErrorAlert error={error} />}
      {entries === null && !error && <p className="muted">Loading…</p>}
      {entries && entries.length === 0 && <p className="muted">No activity yet.</p>}
      {entries && entries.length > 0 && (
        <table className="table" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.at}>{formatDateTime(e.at, workspace.timezone)}</time>
                </td>
                <td>
                  {who(e, e.actorId ? (profile?.id === e.actorId ? profile.name : names?.get(e.actorId)) : undefined)}
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
