import { useState, type ReactNode } from 'react';
import type { FieldPath } from 'react-hook-form';
import { DeskJoinInput, DeskSignInInput, type RequestOf } from '../../../src-shared/contract';
import { sessionCall } from '../data/session';
import { useContractForm, type ContractForm } from '../forms/useContractForm';
import { invitationCode } from '../team/invitations';
import { FormShell } from '../ui/FormShell';
import { ChoiceGroup } from '../ui/ChoiceGroup';
import { TextField } from '../ui/Field';
import { InvitationFields } from './InvitationFields';

/*
 * "Join a team host" (issue 12 item 2): the host's address, then either the invitation the person
 * was sent (with their name and a new password) or the email and password of their account there.
 * The desk's main process checks the address, joins or signs in on the host and keeps the session
 * in this computer's keychain; errors land beside the field they are about (a wrong address, a
 * certificate this computer does not trust, a revoked invitation, a wrong password).
 */

const WAYS = [
  { value: 'invitation', label: 'I have an invitation' },
  { value: 'account', label: 'I have an account on the team host' },
] as const;
type Way = (typeof WAYS)[number]['value'];

/** A way in: the host's address first, then the way's own fields, sent on `channel` by the desk's main process. */
function HostForm<C extends 'desk.join' | 'desk.signIn', V extends { hostUrl: string }>({
  channel,
  form,
  label,
  submit,
  busyLabel,
  children,
}: {
  channel: C;
  form: ContractForm<V, RequestOf<C>>;
  label: string;
  submit: string;
  busyLabel: string;
  children: ReactNode;
}) {
  const onSubmit = form.submit(async (_values, input) => {
    const res = await sessionCall(channel, input);
    if (!res.ok) return res.error;
  });
  return (
    <FormShell form={form} onSubmit={onSubmit} label={label} submit={submit} busyLabel={busyLabel}>
      <TextField
        form={form}
        name={'hostUrl' as FieldPath<V>}
        label="Team host address"
        type="url"
        autoComplete="url"
        spellCheck={false}
        hint="The address your agency gave you, such as https://postroom.agency.example."
        required
      />
      {children}
    </FormShell>
  );
}

function JoinWithInvitation({ hostUrl }: { hostUrl: string }) {
  const form = useContractForm({
    schema: DeskJoinInput,
    defaultValues: { hostUrl, invitationCode: '', name: '', password: '' },
    toInput: (v) => ({ ...v, invitationCode: invitationCode(v.invitationCode) }),
  });
  return (
    <HostForm channel="desk.join" form={form} label="Join a team host" submit="Join the team" busyLabel="Joining…">
      <InvitationFields
        form={form}
        codeName="invitationCode"
        passwordHint="At least 8 characters. You sign in to the team host with it from now on."
      />
    </HostForm>
  );
}

function SignInWithAccount({ hostUrl }: { hostUrl: string }) {
  const form = useContractForm({ schema: DeskSignInInput, defaultValues: { hostUrl, email: '', password: '' } });
  return (
    <HostForm channel="desk.signIn" form={form} label="Sign in to a team host" submit="Sign in" busyLabel="Signing in…">
      <TextField form={form} name="email" label="Email" type="email" autoComplete="email" required />
      <TextField
        form={form}
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
      />
    </HostForm>
  );
}

/** Joining with an invitation, or signing in with an account on the host: the person picks which. */
export function TeamHostForm({ hostUrl = '', way: initial = 'invitation' }: { hostUrl?: string; way?: Way }) {
  const [way, setWay] = useState<Way>(initial);
  return (
    <div className="team-host-form">
      <ChoiceGroup legend="How do you join?" options={WAYS} value={way} onChange={setWay} />
      {way === 'invitation' ? <JoinWithInvitation hostUrl={hostUrl} /> : <SignInWithAccount hostUrl={hostUrl} />}
    </div>
  );
}
