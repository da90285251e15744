import { useEffect, useState } from 'react';
import type { ActivityEntry, Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { formatDateTime } from '../format';
import { useStore } from '../store';
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

/** The workspace's activity log, newest first; reloads whenever the app state or the clients change. */
export function ActivityTable({ workspace, limit, title, action, actorKind, names }: Props) {
  const listActivity = useStore((s) => s.listActivity);
  const stateVersion = useStore((s) => s.stateVersion);
  const clientsVersion = useStore((s) => s.clientsVersion);
  const profile = useStore((s) => s.app?.profile);
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);

  useEffect(() => {
    let live = true;
    void listActivity(workspace.id, limit, { ...(action ? { action } : {}), ...(actorKind ? { actorKind } : {}) }).then(
      (res) => {
        if (!live) return;
        if (res.ok) {
          setEntries(res.data);
          setError(null);
        } else setError(res.error);
      },
    );
    return () => {
      live = false;
    };
  }, [workspace.id, limit, action, actorKind, listActivity, stateVersion, clientsVersion]);

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
