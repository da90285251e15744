import { useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import type { Connection } from '../../../src-shared/connections';
import type { Member } from '../../../src-shared/team';
import { accountName } from '../connections/names';
import { act, useContract } from '../data/queries';
import { ErrorAlert } from '../ui/ErrorAlert';
import type { Outcome } from './roles';
import { Options } from '../ui/Options';

type CredentialMode = 'owner' | 'member';

/** Credential modes set so far, by `memberId|connectionId`; without one, the owner's credentials. */
export function useCredentialModes(workspace: Workspace, enabled: boolean): Map<string, CredentialMode> {
  const set = useContract('connection.credentialModes', { workspaceId: workspace.id }, { enabled });
  return new Map((set.data ?? []).map((m) => [`${m.memberId}|${m.connectionId}`, m.mode]));
}

const modeLabels: { value: CredentialMode; label: string }[] = [
  { value: 'owner', label: "Owner's credentials" },
  { value: 'member', label: "Member's own credentials" },
];

interface Props {
  workspace: Workspace;
  member: Member;
  modes: Map<string, CredentialMode>;
  onOutcome: (outcome: Outcome) => void;
}

/** One client's connections, each with the member's credential mode (seed 003). */
function ClientCredentials({ workspace, member, client, modes, onOutcome }: Props & { client: ManagedUser }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Record<string, CredentialMode>>({});
  const connections = useContract('connection.list', { workspaceId: workspace.id, userId: client.id });
  const list = (connections.data ?? []).filter((c) => c.status !== 'revoked');
  const labelOf = (c: Connection) => `${client.displayName} · ${accountName(c)}`;

  async function setMode(c: Connection, mode: CredentialMode) {
    setBusy(c.id);
    const res = await act('connection.setCredentialMode', {
      workspaceId: workspace.id,
      userId: client.id,
      platformId: c.platformId,
      memberId: member.id,
      mode,
    });
    setBusy(null);
    if (!res.ok) return onOutcome({ error: res.error });
    setChosen((prev) => ({ ...prev, [c.id]: res.data.mode }));
    const whose = mode === 'owner' ? "the owner's" : 'their own';
    onOutcome({ notice: `${member.name} now posts to ${labelOf(c)} with ${whose} credentials.` });
  }

  if (connections.error) return <ErrorAlert error={connections.error} />;
  return list.map((c) => (
    <li key={c.id} className="slot-row">
      <span>{labelOf(c)}</span>
      <select
        aria-label={`Credentials of ${member.name} for ${labelOf(c)}`}
        value={chosen[c.id] ?? modes.get(`${member.id}|${c.id}`) ?? 'owner'}
        disabled={busy === c.id}
        onChange={(e) => void setMode(c, e.target.value as CredentialMode)}
      >
        <Options options={modeLabels} />
      </select>
    </li>
  ));
}

export type MemberCredentialsProps = Props & { clients: ManagedUser[] };

/** "Social accounts": whose credentials a member posts with, per connection of their clients. */
export function MemberCredentials(props: MemberCredentialsProps) {
  const { member, clients } = props;
  const [open, setOpen] = useState(false);
  const theirs = member.allClients ? clients : clients.filter((c) => member.clientIds.includes(c.id));
  return (
    <details className="assign" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Social accounts</summary>
      {open &&
        (theirs.length === 0 ? (
          <p className="hint">No clients assigned.</p>
        ) : (
          <>
            <p className="hint">
              Whose credentials {member.name} posts with. With their own, they reconnect the account themselves.
            </p>
            <ul className="slot-list" aria-label={`Social accounts of ${member.name}`}>
              {theirs.map((c) => (
                <ClientCredentials key={c.id} {...props} client={c} />
              ))}
            </ul>
          </>
        ))}
    </details>
  );
}
