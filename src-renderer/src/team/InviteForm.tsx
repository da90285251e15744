import { useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { InviteInput, type InviteResult } from '../../../src-shared/team';
import { act } from '../data/queries';
import { formatDateTime } from '../format';
import { useContractForm } from '../forms/useContractForm';
import { useStore } from '../store';
import { CopyField } from '../ui/CopyField';
import { CheckField, SelectField, TextField } from '../ui/Field';
import { FormShell } from '../ui/FormShell';
import { Section } from '../ui/Section';
import { ClientChecklist } from './ClientChecklist';
import { invitableRoles, type InvitableRole } from './roles';

interface InviteValues {
  email: string;
  role: InvitableRole;
  managedUserIds: string[];
  skipInvitationEmail: boolean;
}

const blank: InviteValues = { email: '', role: 'editor', managedUserIds: [], skipInvitationEmail: false };

/** The code and link of a new invitation, shown once, to copy. */
function InvitationCreated({ result, zone }: { result: InviteResult; zone: string }) {
  const { email, expiresAt } = result.invitation;
  return (
    <div className="secret-panel" aria-label={`Invitation for ${email}`} role="group">
      <h3>Invitation for {email}</h3>
      <p role="status">
        {result.emailSent
          ? `An invitation email was sent to ${email}.`
          : `No email was sent: give ${email} the code or the link.`}
      </p>
      <CopyField
        label="Invitation code"
        value={result.code}
        hint="Shown once. The invitee pastes it in “Join with an invitation”."
      />
      <CopyField label="Invitation link" value={result.acceptUrl} />
      <p className="hint">
        Valid until <time dateTime={expiresAt}>{formatDateTime(expiresAt, zone)}</time>.
      </p>
    </div>
  );
}

/** Invites a person by email; the code and link are shown once, to copy. */
export function InviteForm({ workspace, clients }: { workspace: Workspace; clients: ManagedUser[] }) {
  const setView = useStore((s) => s.setView);
  const [result, setResult] = useState<InviteResult | null>(null);
  const form = useContractForm({
    schema: InviteInput,
    defaultValues: blank,
    toInput: ({ email, role, managedUserIds, skipInvitationEmail }) => ({
      email: email.trim(),
      role,
      ...(role === 'manager' ? {} : { managedUserIds }),
      skipInvitationEmail,
    }),
  });
  const role = form.watch('role');
  const managedUserIds = form.watch('managedUserIds');

  const onSubmit = form.submit(async (values, invite) => {
    setResult(null);
    const res = await act('team.invite', { workspaceId: workspace.id, invite });
    if (!res.ok) return res.error;
    setResult(res.data);
    form.reset({ ...blank, role: values.role, skipInvitationEmail: values.skipInvitationEmail });
  });

  return (
    <Section title="Invite">
      <FormShell
        form={form}
        onSubmit={onSubmit}
        label="Invite a team member"
        submit="Send invitation"
        busyLabel="Inviting…"
        onUpgrade={() => setView('plan')}
      >
        <TextField form={form} name="email" label="Email" type="email" autoComplete="off" required />
        <SelectField form={form} name="role" label="Role" options={invitableRoles} />
        {role !== 'manager' && (
          <ClientChecklist
            legend="Clients"
            clients={clients}
            selected={managedUserIds}
            onChange={(ids) => form.setValue('managedUserIds', ids)}
          />
        )}
        <CheckField
          form={form}
          name="skipInvitationEmail"
          label="Skip the invitation email (copy the link or code instead)"
        />
      </FormShell>
      {result && <InvitationCreated result={result} zone={workspace.timezone} />}
    </Section>
  );
}
