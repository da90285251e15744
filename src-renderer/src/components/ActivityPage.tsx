import { useId, useState } from 'react';
import type { ActivityEntry, ActivityFilter, Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { can } from '../permissions';
import { ActivityTable } from './ActivityTable';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

const families = [
  { id: '', label: 'All actions' },
  { id: 'workspace', label: 'Workspace' },
  { id: 'client', label: 'Clients' },
  { id: 'connection', label: 'Connections' },
  { id: 'team', label: 'Team' },
  { id: 'plan', label: 'Plan' },
] as const;
type Family = (typeof families)[number]['id'];

const actorKinds: { id: ActivityEntry['actorKind'] | ''; label: string }[] = [
  { id: '', label: 'Anyone' },
  { id: 'member', label: 'Members' },
  { id: 'api_key', label: 'API keys' },
  { id: 'system', label: 'System' },
];

/** Hands a text file to the person through a Blob link, as a download named `fileName`. */
function download(fileName: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference to the data; the URL only has to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The activity log with filters, and its export as CSV. */
export function ActivityPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const id = useId();
  const [family, setFamily] = useState<Family>('');
  const [actorKind, setActorKind] = useState<ActivityEntry['actorKind'] | ''>('');
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  // Member entries name a profile; the team list turns them into names.
  const team = useContract('team.list', { workspaceId: workspace.id }, { enabled: can(role, 'team.read') });
  const names = new Map((team.data?.members ?? []).map((m) => [m.profileId, m.name]));

  async function exportCsv() {
    setBusy(true);
    setError(null);
    setNotice('');
    const filter: ActivityFilter = { ...(family ? { action: family } : {}), ...(actorKind ? { actorKind } : {}) };
    const res = await act('activity.exportCsv', { workspaceId: workspace.id, filter });
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    download(res.data.fileName, res.data.csv, 'text/csv;charset=utf-8');
    setNotice(`Exported ${res.data.fileName}.`);
  }

  return (
    <div className="page">
      <header className="page-header page-header-actions">
        <div>
          <h1>Activity</h1>
          <p className="muted">Everything that changed in {workspace.name}, newest first.</p>
        </div>
        <button type="button" className="button" disabled={busy} onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </header>
      {error && <ErrorAlert error={error} />}
      <p role="status" className="notice">
        {notice}
      </p>
      <div className="card filters" role="search" aria-label="Filter activity">
        <div className="field">
          <label htmlFor={`${id}-action`}>Action</label>
          <select id={`${id}-action`} value={family} onChange={(e) => setFamily(e.target.value as Family)}>
            {families.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-actor`}>Actor</label>
          <select
            id={`${id}-actor`}
            value={actorKind}
            onChange={(e) => setActorKind(e.target.value as ActivityEntry['actorKind'] | '')}
          >
            {actorKinds.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ActivityTable
        workspace={workspace}
        limit={500}
        title="Activity log"
        {...(family ? { action: family } : {})}
        {...(actorKind ? { actorKind } : {})}
        names={names}
      />
    </div>
  );
}
