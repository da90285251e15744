import { useState } from 'react';
import type { ActivityEntry, Workspace } from '../../../src-shared/contract';
import { useContractMutation } from '../data/queries';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Choice } from '../ui/Field';
import { Notice, PageHeader } from '../ui/Section';
import { ActivityTable } from './ActivityTable';
import { Action } from '../ui/Action';

const families = [
  { value: '', label: 'All actions' },
  { value: 'workspace', label: 'Workspace' },
  { value: 'client', label: 'Clients' },
  { value: 'connection', label: 'Connections' },
  { value: 'team', label: 'Team' },
  { value: 'plan', label: 'Plan' },
] as const;
type Family = (typeof families)[number]['value'];

const actorKinds: { value: ActivityEntry['actorKind'] | ''; label: string }[] = [
  { value: '', label: 'Anyone' },
  { value: 'member', label: 'Members' },
  { value: 'api_key', label: 'API keys' },
  { value: 'system', label: 'System' },
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
  const [family, setFamily] = useState<Family>('');
  const [actorKind, setActorKind] = useState<ActivityEntry['actorKind'] | ''>('');
  const exportCsv = useContractMutation('activity.exportCsv');
  const filter = { ...(family ? { action: family } : {}), ...(actorKind ? { actorKind } : {}) };

  return (
    <div className="page">
      <PageHeader
        title="Activity"
        subtitle={`Everything that changed in ${workspace.name}, newest first.`}
        actions={
          <Action
            disabled={exportCsv.isPending}
            onClick={() =>
              exportCsv.mutate(
                { workspaceId: workspace.id, filter },
                { onSuccess: (d) => download(d.fileName, d.csv, 'text/csv;charset=utf-8') },
              )
            }
          >
            Export CSV
          </Action>
        }
      />
      {exportCsv.error && <ErrorAlert error={exportCsv.error} />}
      <Notice>{exportCsv.data && `Exported ${exportCsv.data.fileName}.`}</Notice>
      <div className="card filters" role="search" aria-label="Filter activity">
        <Choice label="Action" value={family} options={families} onChange={setFamily} />
        <Choice label="Actor" value={actorKind} options={actorKinds} onChange={setActorKind} />
      </div>
      <ActivityTable workspace={workspace} limit={500} title="Activity log" {...filter} />
    </div>
  );
}
