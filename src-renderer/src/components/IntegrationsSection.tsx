import { useId, useState, type FormEvent } from 'react';
import { platforms, type IntegrationInput, type Platform, type Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { fieldErrors } from '../errors';
import { can } from '../permissions';
import { platformName } from '../posts';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act } from '../data/queries';

interface Draft {
  platform: Platform;
  clientId: string;
  clientSecret: string;
  instanceUrl: string;
  issuerUrl: string;
  redirectPort: string;
  organizationPages: boolean;
}

const empty: Draft = {
  platform: 'mastodon',
  clientId: '',
  clientSecret: '',
  instanceUrl: '',
  issuerUrl: '',
  redirectPort: '',
  organizationPages: false,
};

/** The platform app credentials of the workspace (SPEC §5); secrets go to the keychain and never come back. */
export function IntegrationsSection({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const id = useId();
  const manage = can(role, 'workspace.update');
  const [draft, setDraft] = useState<Draft>(empty);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Workspace['integrations'][number] | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [formError, setFormError] = useState<ErrorObject | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const invalid = fieldErrors(formError);
  const bad = (field: string) => Object.keys(invalid).some((k) => k.endsWith(field));

  async function add(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const port = draft.redirectPort.trim();
    if (port !== '' && !/^\d+$/.test(port)) {
      setFormError({
        code: 'validation_failed',
        message: 'the redirect port is a number from 1024 to 65535',
        details: { fields: { 'integration.redirectPort': 'the redirect port is a number from 1024 to 65535' } },
      });
      return;
    }
    const integration: IntegrationInput = {
      platform: draft.platform,
      ...(draft.clientId.trim() ? { clientId: draft.clientId.trim() } : {}),
      ...(draft.clientSecret ? { clientSecret: draft.clientSecret } : {}),
      ...(draft.platform === 'mastodon' && draft.instanceUrl.trim() ? { instanceUrl: draft.instanceUrl.trim() } : {}),
      ...(draft.issuerUrl.trim() ? { issuerUrl: draft.issuerUrl.trim() } : {}),
      ...(port ? { redirectPort: Number(port) } : {}),
      ...(draft.platform === 'linkedin' && draft.organizationPages ? { organizationPages: true } : {}),
    };
    setBusy(true);
    setFormError(null);
    const res = await act('integration.add', { workspaceId: workspace.id, integration });
    setBusy(false);
    if (!res.ok) {
      setFormError(res.error);
      return;
    }
    setDraft(empty);
    setAdding(false);
    setResult({ ok: true, message: `Added the ${platformName(res.data.platform)} app.` });
  }

  async function test(integrationId: string, platform: Platform) {
    setBusy(true);
    setError(null);
    setResult(null);
    const res = await act('integration.test', { workspaceId: workspace.id, integrationId });
    setBusy(false);
    if (res.ok) setResult({ ok: res.data.ok, message: `${platformName(platform)}: ${res.data.message}` });
    else setError(res.error);
  }

  async function remove(integrationId: string) {
    setBusy(true);
    setError(null);
    setResult(null);
    const res = await act('integration.remove', { workspaceId: workspace.id, integrationId });
    setBusy(false);
    setRemoving(null);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setResult({ ok: true, message: 'The integration was removed.' });
  }

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  return (
    <section className="card" aria-labelledby="settings-integrations">
      <h2 id="settings-integrations">Integrations</h2>
      <p className="muted">
        The apps clients sign in with when they connect an account. Secrets are kept in the system keychain.
      </p>
      {workspace.integrations.length === 0 ? (
        <p className="muted">No platform integrations yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-labelledby="settings-integrations">
            <thead>
              <tr>
                <th scope="col">Platform</th>
                <th scope="col">Client ID</th>
                <th scope="col">Secret</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {workspace.integrations.map((i) => (
                <tr key={i.id}>
                  <td>
                    {i.platform}
                    {i.instanceUrl && <span className="muted"> ({i.instanceUrl})</span>}
                    {i.issuerUrl && <span className="muted"> · issuer {i.issuerUrl}</span>}
                    {i.redirectPort !== null && <span className="muted"> · port {i.redirectPort}</span>}
                    {i.organizationPages && <span className="muted"> · organisation pages</span>}
                  </td>
                  <td>{i.clientId ? <code>{i.clientId}</code> : <span className="muted">none</span>}</td>
                  <td>{i.hasSecret ? 'secret stored in keychain' : <span className="muted">no secret</span>}</td>
                  <td>
                    <div className="button-row">
                      <button
                        type="button"
                        className="button small"
                        disabled={busy}
                        aria-label={`Test the ${platformName(i.platform)} integration`}
                        onClick={() => void test(i.id, i.platform)}
                      >
                        Test
                      </button>
                      {manage && (
                        <button
                          type="button"
                          className="button small danger"
                          disabled={busy}
                          aria-haspopup="dialog"
                          aria-label={`Remove the ${platformName(i.platform)} integration`}
                          onClick={() => setRemoving(i)}
                        >
                          Remove
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && <ErrorAlert error={error} />}
      <p role="status" className={result && !result.ok ? 'notice notice-bad' : 'notice'}>
        {result?.message ?? ''}
      </p>

      {manage &&
        (adding ? (
          <form
            aria-labelledby={`${id}-add`}
            noValidate
            onSubmit={(e) => void add(e)}
            aria-busy={busy}
            className="subform"
          >
            <h3 id={`${id}-add`} className="subheading">
              Add integration
            </h3>
            <fieldset disabled={busy} className="plain">
              <div className="field">
                <label htmlFor={`${id}-platform`}>Platform</label>
                <select
                  id={`${id}-platform`}
                  value={draft.platform}
                  onChange={(e) => set('platform', e.target.value as Platform)}
                >
                  {platforms.map((p) => (
                    <option key={p} value={p}>
                      {platformName(p)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${id}-client`}>Client ID</label>
                <input
                  id={`${id}-client`}
                  type="text"
                  autoComplete="off"
                  value={draft.clientId}
                  aria-invalid={bad('clientId') || undefined}
                  onChange={(e) => set('clientId', e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor={`${id}-secret`}>Client secret</label>
                <input
                  id={`${id}-secret`}
                  type="password"
                  autoComplete="new-password"
                  value={draft.clientSecret}
                  aria-invalid={bad('clientSecret') || undefined}
                  onChange={(e) => set('clientSecret', e.target.value)}
                />
                <p className="hint">Optional for public clients. Stored in the keychain only.</p>
              </div>
              {draft.platform === 'mastodon' && (
                <div className="field">
                  <label htmlFor={`${id}-instance`}>Instance URL</label>
                  <input
                    id={`${id}-instance`}
                    type="url"
                    placeholder="https://mastodon.social"
                    value={draft.instanceUrl}
                    aria-invalid={bad('instanceUrl') || undefined}
                    onChange={(e) => set('instanceUrl', e.target.value)}
                  />
                </div>
              )}
              {draft.platform === 'linkedin' && (
                <div className="field">
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={draft.organizationPages}
                      onChange={(e) => set('organizationPages', e.target.checked)}
                    />
                    Organisation pages
                  </label>
                  <p className="hint">
                    Lets connections post as a LinkedIn page the person administers. Needs LinkedIn&apos;s Community
                    Management API approved for this app; LinkedIn refuses the sign-in otherwise.
                  </p>
                </div>
              )}
              <details className="advanced">
                <summary>Advanced</summary>
                <div className="field">
                  <label htmlFor={`${id}-issuer`}>Issuer URL</label>
                  <input
                    id={`${id}-issuer`}
                    type="url"
                    value={draft.issuerUrl}
                    aria-invalid={bad('issuerUrl') || undefined}
                    onChange={(e) => set('issuerUrl', e.target.value)}
                  />
                  <p className="hint">The OpenID Connect issuer, when it is not the platform's own.</p>
                </div>
                <div className="field">
                  <label htmlFor={`${id}-port`}>Redirect port</label>
                  <input
                    id={`${id}-port`}
                    type="number"
                    min={1024}
                    max={65535}
                    inputMode="numeric"
                    value={draft.redirectPort}
                    aria-invalid={bad('redirectPort') || undefined}
                    onChange={(e) => set('redirectPort', e.target.value)}
                  />
                  <p className="hint">
                    For platforms that match the registered redirect URI exactly: http://127.0.0.1:PORT/oauth/callback.
                  </p>
                </div>
              </details>
            </fieldset>
            {formError && <ErrorAlert error={formError} />}
            <div className="form-actions">
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => {
                  setAdding(false);
                  setFormError(null);
                }}
              >
                Cancel
              </button>
              <button type="submit" className="button primary" disabled={busy}>
                Add integration
              </button>
            </div>
          </form>
        ) : (
          <div className="button-row">
            <button type="button" className="button" onClick={() => setAdding(true)}>
              Add integration
            </button>
          </div>
        ))}

      {removing && (
        <ConfirmDialog
          title={`Remove the ${platformName(removing.platform)} integration?`}
          confirmLabel="Remove integration"
          busy={busy}
          onCancel={() => setRemoving(null)}
          onConfirm={() => void remove(removing.id)}
        >
          <p>
            Clients can no longer connect {platformName(removing.platform)} accounts with this app. Its secret leaves
            the keychain.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
