import type { ActivityEntry, Workspace } from '../../../src-shared/contract';
import { useContract } from '../data/queries';
import { useAppState, useRole } from '../data/session';
import { useClients } from '../clients/useClients';
import { can } from '../permissions';
import { humanDetail, type KnownNames } from './activityText';
import { formatDateTime } from '../format';
import { DataTable, type Column } from '../ui/DataTable';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Loading, Section } from '../ui/Section';

interface Props {
  workspace: Workspace;
  limit: number;
  title: string;
  /** An action family (`client`) or exact action to show; every action when absent. */
  action?: string;
  actorKind?: ActivityEntry['actorKind'];
}

/** Names of the members (by member and profile id) and clients (by user id) the person may see. */
function useKnownNames(workspace: Workspace): KnownNames {
  const role = useRole();
  const team = useContract('team.list', { workspaceId: workspace.id }, { enabled: can(role, 'team.read') });
  const { byId } = useClients(workspace, can(role, 'client.list'));
  return new Map([
    ...(team.data?.members ?? []).flatMap((m) => [[m.id, m.name] as const, [m.profileId, m.name] as const]),
    ...[...byId.values()].map((u) => [u.id, u.displayName] as const),
  ]);
}

/** The workspace's activity log, newest first; refreshed whenever anything changes. */
export function ActivityTable({ workspace, limit, title, action, actorKind }: Props) {
  const profile = useAppState()?.profile;
  const filter = { ...(action ? { action } : {}), ...(actorKind ? { actorKind } : {}) };
  const activity = useContract('activity.list', { workspaceId: workspace.id, limit, filter }, { keepPrevious: true });
  const entries = activity.data;
  const names = useKnownNames(workspace);

  const who = (e: ActivityEntry) => {
    if (e.actorKind === 'system') return 'System';
    if (e.actorKind === 'api_key') return 'API key';
    return (e.actorId && (profile?.id === e.actorId ? profile.name : names.get(e.actorId))) || 'Member';
  };
  const columns: Column<ActivityEntry>[] = [
    { header: 'When', cell: (e) => <time dateTime={e.at}>{formatDateTime(e.at, workspace.timezone)}</time> },
    { header: 'Who', cell: who },
    { header: 'What', cell: (e) => <code>{e.action}</code> },
    { header: 'Detail', cell: (e) => humanDetail(e.detail, workspace.timezone, names) },
  ];

  return (
    <Section title={title}>
      {(titleId) => (
        <>
          {activity.error && <ErrorAlert error={activity.error} />}
          {activity.isPending && <Loading />}
          {entries && entries.length === 0 && <p className="muted">No activity yet.</p>}
          {entries && entries.length > 0 && (
            <DataTable labelledBy={titleId} columns={columns} rows={entries} rowKey={(e) => e.id} />
          )}
        </>
      )}
    </Section>
  );
}
