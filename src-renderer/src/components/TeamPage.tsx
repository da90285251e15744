import { useId, useState, type FormEvent } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Connection } from '../../../src-shared/connections';
import type { ErrorObject } from '../../../src-shared/errors';
import type { Invitation, InviteResult, Member, Role } from '../../../src-shared/team';
import { fieldErrors } from '../errors';
import { formatDateTime } from '../format';
import { can } from '../permissions';
import { atHandle, platformName } from '../posts';
import { useStore } from '../store';
import { CopyField } from './CopyField';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

type InvitableRole = Exclude<Role, 'owner'>;
const invitableRoles: { id: InvitableRole; label: string; hint: string }[] = [
  { id: 'manager', label: 'Manager', hint: 'everything on every client, and the team' },
  { id: 'editor', label: 'Editor', hint: 'creates, schedules and publishes posts for their clients' },
  { id: 'collaborator', label: 'Collaborator', hint: 'drafts posts for their clients; cannot schedule or publish' },
  { id: 'client', label: 'Client', hint: "the client's own login: sees only their own data (exactly one client)" },
];

const roleLabel = (role: Role) =>
  role === 'owner' ? 'Owner' : (invitableRoles.find((r) => r.id === role)?.label ?? role);
const statusLabel: Record<Member['status'] | Invitation['status'], string> = {
  pending: 'Pending',
  active: 'Active',
  deactivated: 'Deactivated',
  accepted: 'Accepted',
  expired: 'Expired',
  revoked: 'Revoked',
};

interface Outcome {
  error?: ErrorObject;
  notice?: string;
}

/** Checkboxes for a set of clients, shared by the invite form and a member's assignment. */
function ClientChecklist({
  legend,
  clients,
  selected,
  disabled,
  onChange,
}: {
  legend: string;
  clients: ManagedUser[];
  selected: readonly string[];
  disabled?: boolean;
  onChange: (ids: string[]) => void;
}) {
  return (
    <fieldset className="checklist" disabled={disabled}>
      <legend>{legend}</legend>
      {clients.length === 0 ? (
        <p className="hint">No clients yet.</p>
      ) : (
        clients.map((c) => (
          <label key={c.id} className="check">
            <input
              type="checkbox"
              checked={selected.includes(c.id)}
              onChange={(e) => onChange(e.target.checked ? [...selected, c.id] : selected.filter((x) => x !== c.id))}
            />
            {c.displayName}
            {c.deactivated && <span className="muted"> (deactivated)</span>}
          </label>
        ))
      )}
    </fieldset>
  );
}

type CredentialMode = 'owner' | 'member';

/** Credential modes set so far, by `memberId|connectionId`; without one, the owner's credentials. */
function useCredentialModes(workspace: Workspace, enabled: boolean) {
  const set = useContract('connection.credentialModes', { workspaceId: workspace.id }, { enabled });
  const modes = new Map<string, CredentialMode>(
    (set.data ?? []).map((m) => [`${m.memberId}|${m.connectionId}`, m.mode]),
  );
  return { modes, refetch: set.refetch };
}

const modeLabels: { id: CredentialMode; label: string }[] = [
  { id: 'owner', label: "Owner's credentials" },
  { id: 'member', label: "Member's own credentials" },
];

/** One client's connections, each with the member's credential mode (seed 003). */
function ClientCredentials({
  workspace,
  member,
  client,
  modes,
  onOutcome,
}: {
  workspace: Workspace;
  member: Member;
  client: ManagedUser;
  modes: Map<string, CredentialMode>;
  onOutcome: (outcome: Outcome & { changed?: boolean }) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Record<string, CredentialMode>>({});
  const connections = useContract('connection.list', { workspaceId: workspace.id, userId: client.id });
  const list = (connections.data ?? []).filter((c) => c.status !== 'revoked');

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
    if (res.ok) setChosen((prev) => ({ ...prev, [c.id]: res.data.mode }));
    const what = `${client.displayName} · ${platformName(c.platform)} ${atHandle(c.handle)}`;
    onOutcome(
      res.ok
        ? {
            notice: `${member.name} now posts to ${what} with ${mode === 'owner' ? "the owner's" : 'their own'} credentials.`,
            changed: true,
          }
        : { error: res.error },
    );
  }

  if (connections.error) return <ErrorAlert error={connections.error} />;
  if (connections.data === undefined || list.length === 0) return null;
  return (
    <>
      {list.map((c) => {
        const label = `${client.displayName} · ${platformName(c.platform)} ${atHandle(c.handle)}`;
        return (
          <li key={c.id} className="slot-row">
            <span>{label}</span>
            <select
              aria-label={`Credentials of ${member.name} for ${label}`}
              value={chosen[c.id] ?? modes.get(`${member.id}|${c.id}`) ?? 'owner'}
              disabled={busy === c.id}
              onChange={(e) => void setMode(c, e.target.value as CredentialMode)}
            >
              {modeLabels.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </li>
        );
      })}
    </>
  );
}

/** "Social accounts": whose credentials a member posts with, per connection of their clients. */
function MemberCredentials(props: {
  workspace: Workspace;
  member: Member;
  clients: ManagedUser[];
  modes: Map<string, CredentialMode>;
  onOutcome: (outcome: Outcome & { changed?: boolean }) => void;
}) {
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

interface RowProps {
  workspace: Workspace;
  member: Member;
  clients: ManagedUser[];
  clientName: (id: string) => string;
  modes: Map<string, CredentialMode>;
  onOutcome: (outcome: Outcome & { changed?: boolean }) => void;
}

/** One member; for people who may manage the team, every non-owner row has its controls. */
function MemberRow({ workspace, member, clients, clientName, modes, onOutcome }: RowProps) {
  const role = useRole();
  const [busy, setBusy] = useState(false);
  const [limit, setLimit] = useState(String(member.sessionsLimit));
  const editable = member.role !== 'owner' && can(role, 'team.update');
  const canForce = member.role !== 'owner' && can(role, 'team.forceLogout');
  const ref = { workspaceId: workspace.id, memberId: member.id };

  async function update(patch: { role?: InvitableRole; clientIds?: string[]; sessionsLimit?: number }, notice: string) {
    setBusy(true);
    const res = await act('team.updateMember', { ...ref, patch });
    setBusy(false);
    onOutcome(res.ok ? { notice } : { error: res.error });
  }

  async function forceLogout() {
    setBusy(true);
    const res = await act('team.forceLogout', ref);
    setBusy(false);
    onOutcome(
      res.ok ? { notice: `Signed out of ${res.data.ended} session(s): ${member.name}.` } : { error: res.error },
    );
  }

  async function setActive(active: boolean) {
    setBusy(true);
    const res = await act('team.setMemberActive', { ...ref, active });
    setBusy(false);
    onOutcome(
      res.ok
        ? { notice: `${member.name} is ${active ? 'active again' : 'deactivated and signed out everywhere'}.` }
        : { error: res.error },
    );
  }

  function onLimit(e: FormEvent) {
    e.preventDefault();
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 999_999) {
      onOutcome({
        error: { code: 'validation_failed', message: 'the sessions limit is a whole number from 1 to 999999' },
      });
      return;
    }
    void update({ sessionsLimit: n }, `${member.name} may now have ${n} session(s) at once.`);
  }

  const assigned = member.allClients ? (
    <span>All clients</span>
  ) : member.clientIds.length === 0 ? (
    <span className="muted">None</span>
  ) : (
    <span>{member.clientIds.map(clientName).join(', ')}</span>
  );

  return (
    <tr aria-busy={busy}>
      <th scope="row">{member.name}</th>
      <td>{member.email}</td>
      <td>
        {editable ? (
          <select
            aria-label={`Role of ${member.name}`}
            value={member.role}
            disabled={busy}
            onChange={(e) =>
              void update(
                { role: e.target.value as InvitableRole },
                `${member.name} is now ${roleLabel(e.target.value as Role).toLowerCase()}.`,
              )
            }
          >
            {invitableRoles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        ) : (
          roleLabel(member.role)
        )}
      </td>
      <td>
        <span className={`badge badge-${member.status}`}>{statusLabel[member.status]}</span>
      </td>
      <td className="num">{member.liveSessions}</td>
      <td>
        {editable ? (
          <form className="inline-form" onSubmit={onLimit}>
            <input
              type="number"
              min={1}
              max={999_999}
              inputMode="numeric"
              aria-label={`Sessions limit of ${member.name}`}
              value={limit}
              disabled={busy}
              onChange={(e) => setLimit(e.target.value)}
            />
            <button
              type="submit"
              className="button small"
              disabled={busy}
              aria-label={`Set the sessions limit of ${member.name}`}
            >
              Set
            </button>
          </form>
        ) : (
          member.sessionsLimit
        )}
      </td>
      <td>
        {assigned}
        {editable && !member.allClients && (
          <details className="assign">
            <summary>Assign clients</summary>
            <ClientChecklist
              legend={`Clients of ${member.name}`}
              clients={clients}
              selected={member.clientIds}
              disabled={busy}
              onChange={(clientIds) => void update({ clientIds }, `Updated the clients of ${member.name}.`)}
            />
          </details>
        )}
        {editable && (
          <MemberCredentials
            workspace={workspace}
            member={member}
            clients={clients}
            modes={modes}
            onOutcome={onOutcome}
          />
        )}
      </td>
      <td>
        <div className="button-row">
          {canForce && (
            <button
              type="button"
              className="button small"
              disabled={busy}
              aria-label={`Force logout ${member.name}`}
              onClick={() => void forceLogout()}
            >
              Force logout
            </button>
          )}
          {editable &&
            (member.status === 'deactivated' ? (
              <button
                type="button"
                className="button small"
                disabled={busy}
                aria-label={`Reactivate ${member.name}`}
                onClick={() => void setActive(true)}
              >
                Reactivate
              </button>
            ) : (
              <button
                type="button"
                className="button small"
                disabled={busy}
                aria-label={`Deactivate ${member.name}`}
                onClick={() => void setActive(false)}
              >
                Deactivate
              </button>
            ))}
        </div>
      </td>
    </tr>
  );
}

/** Invites a person by email; the code and link are shown once, to copy. */
function InviteForm({
  workspace,
  clients,
  onInvited,
}: {
  workspace: Workspace;
  clients: ManagedUser[];
  onInvited: () => void;
}) {
  const setView = useStore((s) => s.setView);
  const id = useId();
  const errorId = `${id}-error`;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InvitableRole>('editor');
  const [clientIds, setClientIds] = useState<string[]>([]);
  const [skipEmail, setSkipEmail] = useState(false);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [result, setResult] = useState<InviteResult | null>(null);
  const [busy, setBusy] = useState(false);

  const fields = fieldErrors(error);
  const invalid = (field: string) => Object.keys(fields).some((k) => k.endsWith(field));
  const aria = (field: string) =>
    invalid(field) ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setResult(null);
    const res = await act('team.invite', {
      workspaceId: workspace.id,
      invite: {
        email: email.trim(),
        role,
        ...(role === 'manager' ? {} : { managedUserIds: clientIds }),
        skipInvitationEmail: skipEmail,
      },
    });
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setResult(res.data);
    setEmail('');
    setClientIds([]);
    onInvited();
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Invite</h2>
      <form aria-label="Invite a team member" noValidate onSubmit={onSubmit} aria-busy={busy}>
        <fieldset disabled={busy} className="plain">
          <div className="field">
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              id={`${id}-email`}
              type="email"
              autoComplete="off"
              value={email}
              aria-required="true"
              onChange={(e) => setEmail(e.target.value)}
              {...aria('email')}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              value={role}
              aria-describedby={`${id}-role-hint`}
              onChange={(e) => setRole(e.target.value as InvitableRole)}
              {...aria('role')}
            >
              {invitableRoles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
            <p className="hint" id={`${id}-role-hint`}>
              {invitableRoles.find((r) => r.id === role)?.hint}
            </p>
          </div>
          {role !== 'manager' && (
            <ClientChecklist legend="Clients" clients={clients} selected={clientIds} onChange={setClientIds} />
          )}
          <label className="check">
            <input type="checkbox" checked={skipEmail} onChange={(e) => setSkipEmail(e.target.checked)} />
            Skip the invitation email (copy the link or code instead)
          </label>
        </fieldset>
        {error && <ErrorAlert error={error} id={errorId} onUpgrade={() => setView('plan')} />}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Inviting…' : 'Send invitation'}
          </button>
        </div>
      </form>
      {result && (
        <div className="secret-panel" aria-labelledby={`${id}-result`} role="group">
          <h3 id={`${id}-result`}>Invitation for {result.invitation.email}</h3>
          <p role="status">
            {result.emailSent
              ? `An invitation email was sent to ${result.invitation.email}.`
              : `No email was sent: give ${result.invitation.email} the code or the link.`}
          </p>
          <CopyField
            label="Invitation code"
            value={result.code}
            hint="Shown once. The invitee pastes it in “Join with an invitation”."
          />
          <CopyField label="Invitation link" value={result.acceptUrl} />
          <p className="hint">
            Valid until{' '}
            <time dateTime={result.invitation.expiresAt}>
              {formatDateTime(result.invitation.expiresAt, workspace.timezone)}
            </time>
            .
          </p>
        </div>
      )}
    </section>
  );
}

/** The team (SPEC §8): members, roles, sessions, force logout, and invitations. */
export function TeamPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const id = useId();
  const [outcome, setOutcome] = useState<Outcome>({});
  const [busyInvitation, setBusyInvitation] = useState<string | null>(null);

  const team = useContract('team.list', { workspaceId: workspace.id });
  const canListClients = can(role, 'client.list');
  const clientList = useContract(
    'client.list',
    { workspaceId: workspace.id, perPage: 10_000 },
    { enabled: canListClients },
  );
  const clients = [...(clientList.data?.users ?? [])].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const names = new Map(clients.map((c) => [c.id, c.displayName]));
  const clientName = (cid: string) => names.get(cid) ?? cid;
  const credentialModes = useCredentialModes(workspace, can(role, 'team.update') && can(role, 'activity.read'));

  const report = (o: Outcome & { changed?: boolean }) => {
    setOutcome({ error: o.error, notice: o.notice });
    if (o.changed) credentialModes.refetch();
    else team.refetch();
  };

  async function revoke(invitation: Invitation) {
    setBusyInvitation(invitation.id);
    const res = await act('team.revokeInvitation', { workspaceId: workspace.id, invitationId: invitation.id });
    setBusyInvitation(null);
    report(res.ok ? { notice: `Revoked the invitation of ${invitation.email}.` } : { error: res.error });
  }

  const members = team.data?.members ?? [];
  const invitations = team.data?.invitations ?? [];
  return (
    <div className="page">
      <header className="page-header">
        <h1>Team</h1>
        <p className="muted">
          {workspace.name} · {workspace.plan.name} plan
        </p>
      </header>
      {team.error && <ErrorAlert error={team.error} />}
      {outcome.error && <ErrorAlert error={outcome.error} />}
      <p role="status" className="notice">
        {outcome.notice ?? ''}
      </p>

      <section className="card" aria-labelledby={`${id}-members`}>
        <h2 id={`${id}-members`}>Members</h2>
        {team.isPending ? (
          <p className="muted">Loading…</p>
        ) : (
          <div className="table-scroll">
            <table className="table" aria-labelledby={`${id}-members`}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Live sessions</th>
                  <th scope="col">Sessions limit</th>
                  <th scope="col">Clients</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <MemberRow
                    key={`${m.id}:${m.sessionsLimit}`}
                    workspace={workspace}
                    member={m}
                    clients={clients}
                    clientName={clientName}
                    modes={credentialModes.modes}
                    onOutcome={report}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {can(role, 'team.invite') && (
        <InviteForm workspace={workspace} clients={clients} onInvited={() => team.refetch()} />
      )}

      <section className="card" aria-labelledby={`${id}-invitations`}>
        <h2 id={`${id}-invitations`}>Invitations</h2>
        {invitations.length === 0 ? (
          <p className="muted">No invitations yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="table" aria-labelledby={`${id}-invitations`}>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Clients</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invitations.map((inv) => (
                  <tr key={inv.id}>
                    <th scope="row">{inv.email}</th>
                    <td>{roleLabel(inv.role)}</td>
                    <td>
                      {inv.role === 'manager' ? (
                        'All clients'
                      ) : inv.managedUserIds.length === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        inv.managedUserIds.map(clientName).join(', ')
                      )}
                    </td>
                    <td>
                      <span className={`badge badge-${inv.status}`}>{statusLabel[inv.status]}</span>
                      {inv.emailSent && <span className="muted"> · emailed</span>}
                    </td>
                    <td>
                      <time dateTime={inv.expiresAt}>{formatDateTime(inv.expiresAt, workspace.timezone)}</time>
                    </td>
                    <td>
                      {inv.status === 'pending' && can(role, 'team.invite') && (
                        <button
                          type="button"
                          className="button small"
                          disabled={busyInvitation === inv.id}
                          aria-label={`Revoke the invitation of ${inv.email}`}
                          onClick={() => void revoke(inv)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
