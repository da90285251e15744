import { useEffect, useState } from 'react';
import type { ActivityEntry, Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { formatDateTime } from '../format';
import { useStore } from '../store';
import { ErrorAlert } from './ErrorAlert';

const who = (e: ActivityEntry, ownerName: string | undefined) =>
  e.actorKind === 'system' ? 'System' : e.actorKind === 'api_key' ? 'API key' : (ownerName ?? 'Member');

interface Props {
  workspace: Workspace;
  limit: number;
  title: string;
}

/** The workspace's activity log, newest first; reloads whenever the app state changes. */
export function ActivityTable({ workspace, limit, title }: Props) {
  const listActivity = useStore((s) => s.listActivity);
  const stateVersion = useStore((s) => s.stateVersion);
  const profile = useStore((s) => s.app?.profile);
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);

  useEffect(() => {
    let live = true;
    void listActivity(workspace.id, limit).then((res) => {
      if (!live) return;
      if (res.ok) {
        setEntries(res.data);
        setError(null);
      } else setError(res.error);
    });
    return () => {
      live = false;
    };
  }, [workspace.id, limit, listActivity, stateVersion]);

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
                <td>{who(e, e.actorId && profile?.id === e.actorId ? profile.name : undefined)}</td>
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
