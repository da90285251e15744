import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { Invitation } from '../../../src-shared/team';
import { useClients } from '../clients/useClients';
import { useContract, useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { formatDateTime } from '../format';
import { can } from '../permissions';
import { DataTable, TableHead, type Column } from '../ui/DataTable';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Loading, Notice, PageHeader, Section } from '../ui/Section';
import { InviteForm } from './InviteForm';
import { useCredentialModes } from './MemberCredentials';
import { MemberRow } from './MemberRow';
import { roleLabel, statusLabel, type Outcome } from './roles';
import { Action } from '../ui/Action';

const memberColumns = [
  { header: 'Name' },
  { header: 'Email' },
  { header: 'Role' },
  { header: 'Status' },
  { header: 'Live sessions' },
  { header: 'Sessions limit' },
  { header: 'Clients' },
  { header: 'Actions', hideHeader: true },
];

/** The team (SPEC §8): members, roles, sessions, force logout, and invitations. */
export function TeamPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const [outcome, setOutcome] = useState<Outcome>({});
  const team = useContract('team.list', { workspaceId: workspace.id });
  const revoke = useContractMutation('team.revokeInvitation');
  const { clients: clientList, byId } = useClients(workspace, can(role, 'client.list'));
  const clients = [...(clientList.data?.users ?? [])].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const clientName = (cid: string) => byId.get(cid)?.displayName ?? 'a client you cannot see';
  const modes = useCredentialModes(workspace, can(role, 'team.update') && can(role, 'activity.read'));

  function revokeInvitation(invitation: Invitation) {
    revoke.mutate(
      { workspaceId: workspace.id, invitationId: invitation.id },
      {
        onSuccess: () => setOutcome({ notice: `Revoked the invitation of ${invitation.email}.` }),
        onError: (error) => setOutcome({ error }),
      },
    );
  }

  const invitationColumns: Column<Invitation>[] = [
    { header: 'Email', rowHeader: true, cell: (inv) => inv.email },
    { header: 'Role', cell: (inv) => roleLabel(inv.role) },
    {
      header: 'Clients',
      cell: (inv) =>
        inv.role === 'manager' ? (
          'All clients'
        ) : inv.managedUserIds.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          inv.managedUserIds.map(clientName).join(', ')
        ),
    },
    {
      header: 'Status',
      cell: (inv) => (
        <>
          <span className={`badge badge-${inv.status}`}>{statusLabel[inv.status]}</span>
          {inv.emailSent && <span className="muted"> · emailed</span>}
        </>
      ),
    },
    {
      header: 'Expires',
      cell: (inv) => <time dateTime={inv.expiresAt}>{formatDateTime(inv.expiresAt, workspace.timezone)}</time>,
    },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (inv) =>
        inv.status === 'pending' &&
        can(role, 'team.invite') && (
          <Action
            small
            disabled={revoke.isPending}
            label={`Revoke the invitation of ${inv.email}`}
            onClick={() => revokeInvitation(inv)}
          >
            Revoke
          </Action>
        ),
    },
  ];

  const invitations = team.data?.invitations ?? [];
  return (
    <div className="page">
      <PageHeader title="Team" subtitle={`${workspace.name} · ${workspace.plan.name} plan`} />
      {team.error && <ErrorAlert error={team.error} />}
      {outcome.error && <ErrorAlert error={outcome.error} />}
      <Notice>{outcome.notice}</Notice>

      <Section title="Members">
        {(titleId) =>
          team.isPending ? (
            <Loading />
          ) : (
            <div className="table-scroll">
              <table className="table" aria-labelledby={titleId}>
                <TableHead columns={memberColumns} />
                <tbody>
                  {(team.data?.members ?? []).map((m) => (
                    <MemberRow
                      key={`${m.id}:${m.sessionsLimit}`}
                      workspace={workspace}
                      member={m}
                      clients={clients}
                      clientName={clientName}
                      modes={modes}
                      onOutcome={setOutcome}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Section>

      {can(role, 'team.invite') && <InviteForm workspace={workspace} clients={clients} />}

      <Section title="Invitations">
        {(titleId) =>
          invitations.length === 0 ? (
            <p className="muted">No invitations yet.</p>
          ) : (
            <DataTable labelledBy={titleId} columns={invitationColumns} rows={invitations} rowKey={(i) => i.id} />
          )
        }
      </Section>
    </div>
  );
}
