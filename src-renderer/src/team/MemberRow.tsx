import { useState } from 'react';
import type { Result } from '../../../src-shared/contract';
import { UpdateMemberInput, type Member, type UpdateMemberInput as Patch } from '../../../src-shared/team';
import { act } from '../data/queries';
import { useRole } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { can } from '../permissions';
import { ClientChecklist } from './ClientChecklist';
import { MemberCredentials, type MemberCredentialsProps } from './MemberCredentials';
import { invitableRoles, roleLabel, statusLabel, type InvitableRole, type Outcome } from './roles';
import { Action } from '../ui/Action';
import { Options } from '../ui/Options';

/** A row has what its "Social accounts" part has, and the clients' names. */
interface RowProps extends MemberCredentialsProps {
  clientName: (id: string) => string;
}

/** The sessions limit of a member, set on its own; the error stands beside the field. */
function SessionsLimitForm({
  member,
  disabled,
  onSave,
}: {
  member: Member;
  disabled: boolean;
  onSave: (patch: Patch, notice: string) => Promise<Outcome>;
}) {
  const form = useContractForm({
    schema: UpdateMemberInput.pick({ sessionsLimit: true }),
    defaultValues: { sessionsLimit: String(member.sessionsLimit) },
    toInput: ({ sessionsLimit }) => ({ sessionsLimit: Number(sessionsLimit) }),
  });
  const error = form.errorOf('sessionsLimit');
  const onSubmit = form.submit(async (_values, patch) => {
    const n = patch.sessionsLimit;
    return (await onSave(patch, `${member.name} may now have ${n} session(s) at once.`)).error;
  });
  return (
    <form className="inline-form" noValidate onSubmit={onSubmit}>
      <input
        type="number"
        min={1}
        max={999_999}
        inputMode="numeric"
        aria-label={`Sessions limit of ${member.name}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `limit-error-${member.id}` : undefined}
        disabled={disabled || form.formState.isSubmitting}
        {...form.register('sessionsLimit')}
      />
      <button
        type="submit"
        className="button small"
        disabled={disabled || form.formState.isSubmitting}
        aria-label={`Set the sessions limit of ${member.name}`}
      >
        Set
      </button>
      {error && (
        <p className="field-error" id={`limit-error-${member.id}`}>
          {error}
        </p>
      )}
    </form>
  );
}

/** One member; for people who may manage the team, every non-owner row has its controls. */
export function MemberRow({ clientName, ...row }: RowProps) {
  const { workspace, member, clients, onOutcome } = row;
  const role = useRole();
  const [busy, setBusy] = useState(false);
  const editable = member.role !== 'owner' && can(role, 'team.update');
  const canForce = member.role !== 'owner' && can(role, 'team.forceLogout');
  const ref = { workspaceId: workspace.id, memberId: member.id };

  /** Runs one change of this member and reports what it did. */
  async function change<T>(work: Promise<Result<T>>, notice: (data: T) => string) {
    setBusy(true);
    const res = await work;
    setBusy(false);
    const outcome = res.ok ? { notice: notice(res.data) } : { error: res.error };
    onOutcome(outcome);
    return outcome;
  }
  const update = (patch: Patch, notice: string) => change(act('team.updateMember', { ...ref, patch }), () => notice);
  const setActive = (active: boolean) =>
    change(
      act('team.setMemberActive', { ...ref, active }),
      () => `${member.name} is ${active ? 'active again' : 'deactivated and signed out everywhere'}.`,
    );
  const button = (label: string, name: string, onClick: () => unknown) => (
    <Action small disabled={busy} label={`${name} ${member.name}`} onClick={onClick}>
      {label}
    </Action>
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
            onChange={(e) => {
              const next = e.target.value as InvitableRole;
              void update({ role: next }, `${member.name} is now ${roleLabel(next).toLowerCase()}.`);
            }}
          >
            <Options options={invitableRoles} />
          </select>
        ) : (
          roleLabel(member.role)
        )}
      </td>
      <td>
        <span className={`badge badge-${member.status}`}>{statusLabel[member.status]}</span>
      </td>
      <td className="num">{member.liveSessions}</td>
      <td>{editable ? <SessionsLimitForm member={member} disabled={busy} onSave={update} /> : member.sessionsLimit}</td>
      <td>
        {member.allClients ? (
          <span>All clients</span>
        ) : member.clientIds.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <span>{member.clientIds.map(clientName).join(', ')}</span>
        )}
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
        {editable && <MemberCredentials {...row} />}
      </td>
      <td>
        <div className="button-row">
          {canForce &&
            button('Force logout', 'Force logout', () =>
              change(act('team.forceLogout', ref), (d) => `Signed out of ${d.ended} session(s): ${member.name}.`),
            )}
          {editable &&
            (member.status === 'deactivated'
              ? button('Reactivate', 'Reactivate', () => setActive(true))
              : button('Deactivate', 'Deactivate', () => setActive(false)))}
        </div>
      </td>
    </tr>
  );
}
