import { useEffect, useRef } from 'react';
import { IntegrationInput, platforms, type Platform, type Workspace } from '../../../src-shared/contract';
import { INTEGRATION_REQUIRED, type IntegrationField } from '../../../src-shared/integration-fields';
import { act } from '../data/queries';
import { useContractForm } from '../forms/useContractForm';
import { platformName } from '../posts/posts';
import { CheckField, NumberField, SelectField, TextField } from '../ui/Field';
import { FormShell } from '../ui/FormShell';

const blank = {
  platform: 'mastodon' as Platform,
  clientId: '',
  clientSecret: '',
  instanceUrl: '',
  issuerUrl: '',
  redirectPort: '',
  organizationPages: false,
};
type IntegrationValues = typeof blank;

/** The contract's integration from the form: empty fields are left out, the port is a number. */
function toIntegration(v: IntegrationValues): IntegrationInput {
  const port = v.redirectPort.trim();
  return {
    platform: v.platform,
    ...(v.clientId.trim() ? { clientId: v.clientId.trim() } : {}),
    ...(v.clientSecret ? { clientSecret: v.clientSecret } : {}),
    ...(v.platform === 'mastodon' && v.instanceUrl.trim() ? { instanceUrl: v.instanceUrl.trim() } : {}),
    ...(v.issuerUrl.trim() ? { issuerUrl: v.issuerUrl.trim() } : {}),
    ...(port ? { redirectPort: Number(port) } : {}),
    ...(v.platform === 'linkedin' && v.organizationPages ? { organizationPages: true } : {}),
  };
}

const platformOptions = platforms.map((p) => ({ value: p, label: platformName(p) }));

/** Adds a platform app credential to the workspace; the secret goes to the keychain. */
export function IntegrationForm({
  workspace,
  onAdded,
  onCancel,
}: {
  workspace: Workspace;
  onAdded: (message: string) => void;
  onCancel: () => void;
}) {
  const form = useContractForm({ schema: IntegrationInput, defaultValues: blank, toInput: toIntegration });
  const platform = form.watch('platform');
  // An error on an advanced field opens the advanced part, so the error is seen beside its field.
  const advanced = useRef<HTMLDetailsElement>(null);
  // Mastodon and Bluesky need no app of staff's own: its fields wait under Advanced (D107).
  const ownApp = platform !== 'mastodon' && platform !== 'bluesky';
  const required = INTEGRATION_REQUIRED[platform] as Partial<Record<IntegrationField, string>>;
  const advancedError = Boolean(
    form.errorOf('issuerUrl') ||
    form.errorOf('redirectPort') ||
    (!ownApp && (form.errorOf('clientId') || form.errorOf('clientSecret'))),
  );
  const appFields = (
    <>
      <TextField
        form={form}
        name="clientId"
        label="Client ID"
        autoComplete="off"
        required={Boolean(required.clientId)}
        hint={ownApp ? undefined : 'Only to sign in with an app of your own instead of Postroom.'}
      />
      <TextField
        form={form}
        name="clientSecret"
        label="Client secret"
        type="password"
        autoComplete="new-password"
        required={Boolean(required.clientSecret)}
        hint={required.clientSecret ? 'Stored in the keychain only.' : 'Optional. Stored in the keychain only.'}
      />
    </>
  );
  useEffect(() => {
    if (advancedError && advanced.current) advanced.current.open = true;
  }, [advancedError]);

  const onSubmit = form.submit(async (_values, integration) => {
    const res = await act('integration.add', { workspaceId: workspace.id, integration });
    if (!res.ok) return res.error;
    onAdded(`Added the ${platformName(res.data.platform)} app.`);
  });

  return (
    <FormShell
      form={form}
      onSubmit={onSubmit}
      title="Add integration"
      level={3}
      submit="Add integration"
      onCancel={onCancel}
      className="subform"
    >
      <SelectField form={form} name="platform" label="Platform" options={platformOptions} />
      {platform === 'mastodon' && (
        <TextField
          form={form}
          name="instanceUrl"
          label="Instance URL"
          type="url"
          required
          placeholder="https://mastodon.social"
          hint="Only the address: Postroom registers itself on the instance when a client first connects."
        />
      )}
      {platform === 'bluesky' && <p className="hint">Bluesky needs nothing more: clients sign in with their handle.</p>}
      {ownApp && appFields}
      {platform === 'linkedin' && (
        <CheckField
          form={form}
          name="organizationPages"
          label="Organisation pages"
          hint={
            "Lets connections post as a LinkedIn page the person administers. Needs LinkedIn's Community " +
            'Management API approved for this app; LinkedIn refuses the sign-in otherwise.'
          }
        />
      )}
      <details className="advanced" ref={advanced}>
        <summary>Advanced</summary>
        {!ownApp && appFields}
        <TextField
          form={form}
          name="issuerUrl"
          label="Issuer URL"
          type="url"
          hint="The OpenID Connect issuer, when it is not the platform's own."
        />
        <NumberField
          form={form}
          name="redirectPort"
          label="Redirect port"
          range={[1024, 65535]}
          hint="For platforms that match the registered redirect URI exactly: http://127.0.0.1:PORT/oauth/callback."
        />
      </details>
    </FormShell>
  );
}
