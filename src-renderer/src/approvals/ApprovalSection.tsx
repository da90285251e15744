import { useEffect, useId, useState } from 'react';
import { z } from 'zod';
import {
  ApprovalPolicy,
  CreateApprovalLinkInput,
  type ApprovalLink,
  type NewApprovalLink,
} from '../../../src-shared/approvals';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { act, useContract, useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { formatDateTime } from '../format';
import { useContractForm } from '../forms/useContractForm';
import { can } from '../permissions';
import { CopyField } from '../ui/CopyField';
import { DataTable } from '../ui/DataTable';
import { ErrorAlert } from '../ui/ErrorAlert';
import { CheckField, NumberField, SelectField } from '../ui/Field';
import { FormShell } from '../ui/FormShell';
import { Facts, Notice, Section } from '../ui/Section';
import { clientLinkColumns } from '../clients/clientLinkColumns';
import { policyLabel, policyOptions } from './approvalText';

const PolicyForm = z.strictObject({ policy: ApprovalPolicy });

/** The client's approval policy: shown to everyone who sees the client, changed by whoever may edit the client. */
function PolicyEditor({
  workspace,
  user,
  policy,
}: {
  workspace: Workspace;
  user: ManagedUser;
  policy: ApprovalPolicy;
}) {
  const [saved, setSaved] = useState(false);
  const form = useContractForm<{ policy: ApprovalPolicy }>({ schema: PolicyForm, defaultValues: { policy } });
  // Changed elsewhere (another window, the API): shown here unless the person is choosing.
  const { isDirty } = form.formState;
  useEffect(() => {
    if (!isDirty) form.reset({ policy });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [policy]);
  const onSubmit = form.submit(async ({ policy: chosen }) => {
    setSaved(false);
    const res = await act('approval.setPolicy', { workspaceId: workspace.id, userId: user.id, policy: chosen });
    if (!res.ok) return res.error;
    form.reset({ policy: res.data.policy });
    setSaved(true);
  });
  return (
    <FormShell
      form={form}
      onSubmit={onSubmit}
      submit="Save approval policy"
      busyLabel="Saving…"
      label="Approval policy"
      after={<Notice>{saved && `Saved: ${policyLabel(form.getValues('policy')).toLowerCase()}.`}</Notice>}
    >
      <SelectField form={form} name="policy" label="Who approves posts" options={policyOptions} />
    </FormShell>
  );
}

/** Approval links for the client: made with how long they work, copied, listed and revoked. */
function ApprovalLinks({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const id = useId();
  const tz = user.timezone;
  const ref = { workspaceId: workspace.id, userId: user.id };
  const links = useContract('approvalLink.list', ref);
  const revoke = useContractMutation('approvalLink.revoke');
  const mail = useContract('approvalLink.mailReadiness', ref);
  const canEmail = mail.data?.smtpConfigured === true;
  const [created, setCreated] = useState<NewApprovalLink | null>(null);
  const form = useContractForm<{ validDays: string; sendEmail: boolean }, z.input<typeof CreateApprovalLinkInput>>({
    schema: CreateApprovalLinkInput,
    defaultValues: { validDays: '7', sendEmail: true },
    toInput: ({ validDays }) => ({ validDays: validDays.trim() === '' ? Number.NaN : Number(validDays) }),
  });
  const onSubmit = form.submit(async ({ sendEmail }, input) => {
    // Without SMTP there is nothing to send it with: the link is made to be copied.
    const res = await act('approvalLink.create', { ...ref, link: { ...input, sendEmail: canEmail && sendEmail } });
    if (!res.ok) return res.error;
    setCreated(res.data);
  });

  const columns = clientLinkColumns<ApprovalLink>({
    tz,
    covers: [
      {
        header: 'Covers',
        cell: (l) =>
          l.postGroupIds === null
            ? 'Every post waiting for the client'
            : `${l.postGroupIds.length} ${l.postGroupIds.length === 1 ? 'post' : 'posts'}`,
      },
    ],
    revoke: {
      what: 'approval link',
      busy: revoke.isPending,
      onRevoke: (l) => revoke.mutate({ ...ref, linkId: l.id }, { onSuccess: () => setCreated(null) }),
    },
  });

  return (
    <>
      <h3 id={`${id}-links`} className="subheading">
        Approval links
      </h3>
      <p className="muted">
        An approval link opens a page where {user.displayName} sees the posts waiting for them and approves them or asks
        for changes, without an account.
      </p>
      <FormShell
        form={form}
        onSubmit={onSubmit}
        submit="New approval link"
        busyLabel="Making…"
        label="New approval link"
      >
        <NumberField form={form} name="validDays" label="Works for (days)" range={[1, 30]} hint="From 1 to 30 days." />
        {canEmail ? (
          <CheckField form={form} name="sendEmail" label={`Email it to ${mail.data!.clientEmail}`} />
        ) : (
          mail.data && (
            <p className="hint" data-testid="approval-mail-off">
              Email is not set up for this workspace (Settings → Email), so the link is not emailed: copy it and send it
              to {user.displayName} yourself.
            </p>
          )
        )}
      </FormShell>
      {revoke.error && <ErrorAlert error={revoke.error} />}
      <Notice>{revoke.isSuccess && 'The approval link was revoked: it no longer opens.'}</Notice>
      {created && (
        <div className="secret-panel">
          <CopyField
            label="Approval link"
            value={created.approvalUrl}
            hint={`${
              created.email?.sentAt
                ? `Emailed to ${created.email.to} at ${formatDateTime(created.email.sentAt, tz)}.`
                : `Send it to ${user.displayName}.`
            } It works until ${formatDateTime(created.expiresAt, tz)}.`}
          />
          {created.email?.error && (
            <ErrorAlert error={created.email.error}>
              <p>The link was made and works: copy it above and send it yourself.</p>
            </ErrorAlert>
          )}
        </div>
      )}
      {links.data && links.data.length > 0 && (
        <DataTable labelledBy={`${id}-links`} columns={columns} rows={links.data} rowKey={(l) => l.id} />
      )}
    </>
  );
}

/** A client's approval: the policy, and the approval links when the client approves (issue 13 items 1, 2, 6). */
export function ApprovalSection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const role = useRole();
  const policy = useContract('approval.getPolicy', { workspaceId: workspace.id, userId: user.id });
  const current = policy.data?.policy;
  return (
    <Section title="Approval">
      {policy.error && <ErrorAlert error={policy.error} />}
      {current &&
        (can(role, 'client.update') ? (
          <PolicyEditor workspace={workspace} user={user} policy={current} />
        ) : (
          <Facts items={[['Who approves posts', policyLabel(current)]]} />
        ))}
      {current && current !== 'none' && can(role, 'approvalLink.manage') && !user.deactivated && (
        <ApprovalLinks workspace={workspace} user={user} />
      )}
    </Section>
  );
}
