import { useState } from 'react';
import type { z } from 'zod';
import { SmtpSettingsInput } from '../../../src-shared/team';
import type { ErrorObject } from '../../../src-shared/errors';
import type { Workspace } from '../../../src-shared/contract';
import { act, useContract } from '../data/queries';
import { useContractForm } from '../forms/useContractForm';
import { Action } from '../ui/Action';
import { ErrorAlert } from '../ui/ErrorAlert';
import { CheckField, NumberField, TextField } from '../ui/Field';
import { FormShell } from '../ui/FormShell';
import { Facts, Notice, Section } from '../ui/Section';

interface EmailValues {
  host: string;
  port: string;
  secure: boolean;
  username: string;
  password: string;
  from: string;
}

const blank: EmailValues = { host: '', port: '587', secure: false, username: '', password: '', from: '' };

/**
 * The workspace's outgoing email (SMTP): invitations and approval links are sent through it. The
 * password goes to the keychain; the page only learns whether one is kept.
 */
export function EmailSection({ workspace }: { workspace: Workspace }) {
  const current = useContract('team.getSmtp', { workspaceId: workspace.id });
  const [said, setSaid] = useState('');
  const [offError, setOffError] = useState<ErrorObject | null>(null);
  const smtp = current.data?.smtp ?? null;
  const form = useContractForm<EmailValues, z.input<typeof SmtpSettingsInput>>({
    schema: SmtpSettingsInput,
    defaultValues: blank,
    toInput: (v) => ({
      host: v.host.trim(),
      port: v.port.trim() === '' ? Number.NaN : Number(v.port),
      secure: v.secure,
      username: v.username.trim() || null,
      password: v.password || null,
      from: v.from.trim(),
    }),
  });
  const onSubmit = form.submit(async (_values, input) => {
    setSaid('');
    const res = await act('team.setSmtp', { workspaceId: workspace.id, smtp: input });
    if (!res.ok) return res.error;
    form.reset(blank);
    setSaid('Saved: invitations and approval links can be emailed.');
  });
  const turnOff = async () => {
    setSaid('');
    const res = await act('team.setSmtp', { workspaceId: workspace.id, smtp: null });
    setOffError(res.ok ? null : res.error);
    if (res.ok) setSaid('Email is off: links are made to be copied.');
  };
  return (
    <Section
      title="Email"
      intro={
        "Invitations and approval links can be emailed from the workspace's own mail server (SMTP). " +
        'The password is kept in the system keychain.'
      }
    >
      {current.error && <ErrorAlert error={current.error} />}
      {smtp ? (
        <Facts
          items={[
            ['Server', `${smtp.host}:${smtp.port}${smtp.secure ? ' (TLS)' : ''}`],
            ['Sign-in', smtp.username ? `${smtp.username}${smtp.hasPassword ? ', password kept' : ''}` : 'None'],
            ['From', smtp.from],
          ]}
        />
      ) : (
        current.data && <p className="muted">Email is not set up: invitations and approval links are copied by hand.</p>
      )}
      <FormShell
        form={form}
        onSubmit={onSubmit}
        submit={smtp ? 'Replace email settings' : 'Save email settings'}
        busyLabel="Saving…"
        label="Email settings"
        after={<Notice>{said}</Notice>}
      >
        <TextField form={form} name="host" label="SMTP server" placeholder="smtp.example.com" />
        <NumberField form={form} name="port" label="Port" range={[1, 65535]} hint="587 or 25 (STARTTLS), 465 (TLS)." />
        <CheckField form={form} name="secure" label="TLS from the start (port 465)" />
        <TextField form={form} name="username" label="Username (optional)" autoComplete="off" />
        <TextField
          form={form}
          name="password"
          label="Password (optional)"
          type="password"
          autoComplete="new-password"
        />
        <TextField form={form} name="from" label="From address" type="email" placeholder="team@agency.example" />
      </FormShell>
      {smtp && (
        <div className="form-actions">
          <Action onClick={() => void turnOff()}>Turn email off</Action>
        </div>
      )}
      {offError && <ErrorAlert error={offError} />}
    </Section>
  );
}
