import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { platformName } from '../posts/posts';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { DataTable, type Column } from '../ui/DataTable';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Notice, Section } from '../ui/Section';
import { IntegrationForm } from './IntegrationForm';
import { Action, RemoveAction } from '../ui/Action';

type Integration = Workspace['integrations'][number];

/** Where staff entered no app: the platforms that need none say how they sign in instead (D107). */
const automaticApp: Partial<Record<Integration['platform'], string>> = {
  mastodon: "Postroom's own, registered on the instance",
  bluesky: 'none needed',
};

/** The platform app credentials of the workspace (SPEC §5); secrets go to the keychain and never come back. */
export function IntegrationsSection({ workspace }: { workspace: Workspace }) {
  const manage = can(useRole(), 'workspace.update');
  const test = useContractMutation('integration.test');
  const remove = useContractMutation('integration.remove');
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Integration | null>(null);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const busy = test.isPending || remove.isPending;
  const error = test.error ?? remove.error;
  const ref = { workspaceId: workspace.id };

  function testIntegration(i: Integration) {
    setResult(null);
    remove.reset();
    test.mutate(
      { ...ref, integrationId: i.id },
      { onSuccess: (r) => setResult({ ok: r.ok, message: `${platformName(i.platform)}: ${r.message}` }) },
    );
  }

  function removeIntegration(i: Integration) {
    setResult(null);
    test.reset();
    remove.mutate(
      { ...ref, integrationId: i.id },
      {
        onSuccess: () => setResult({ ok: true, message: 'The integration was removed.' }),
        onSettled: () => setRemoving(null),
      },
    );
  }

  const columns: Column<Integration>[] = [
    {
      header: 'Platform',
      cell: (i) => (
        <>
          {i.platform}
          {i.instanceUrl && <span className="muted"> ({i.instanceUrl})</span>}
          {i.issuerUrl && <span className="muted"> · issuer {i.issuerUrl}</span>}
          {i.redirectPort !== null && <span className="muted"> · port {i.redirectPort}</span>}
          {i.organizationPages && <span className="muted"> · organisation pages</span>}
        </>
      ),
    },
    {
      header: 'Client ID',
      cell: (i) =>
        i.clientId ? <code>{i.clientId}</code> : <span className="muted">{automaticApp[i.platform] ?? 'none'}</span>,
    },
    {
      header: 'Secret',
      cell: (i) =>
        i.hasSecret ? (
          'secret stored in keychain'
        ) : (
          <span className="muted">{!i.clientId && automaticApp[i.platform] ? 'none needed' : 'no secret'}</span>
        ),
    },
    {
      header: 'Actions',
      hideHeader: true,
      cell: (i) => (
        <div className="button-row">
          <Action
            small
            disabled={busy}
            label={`Test the ${platformName(i.platform)} integration`}
            onClick={() => testIntegration(i)}
          >
            Test
          </Action>
          {manage && (
            <RemoveAction
              what={`the ${platformName(i.platform)} integration`}
              disabled={busy}
              onClick={() => setRemoving(i)}
            />
          )}
        </div>
      ),
    },
  ];

  return (
    <Section
      title="Integrations"
      intro="The apps clients sign in with when they connect an account. Secrets are kept in the system keychain."
    >
      {(titleId) => (
        <>
          {workspace.integrations.length === 0 ? (
            <p className="muted">No platform integrations yet.</p>
          ) : (
            <DataTable labelledBy={titleId} columns={columns} rows={workspace.integrations} rowKey={(i) => i.id} />
          )}
          {error && <ErrorAlert error={error} />}
          <Notice bad={result !== null && !result.ok}>{result?.message}</Notice>

          {manage &&
            (adding ? (
              <IntegrationForm
                workspace={workspace}
                onCancel={() => setAdding(false)}
                onAdded={(message) => {
                  setAdding(false);
                  setResult({ ok: true, message });
                }}
              />
            ) : (
              <div className="button-row">
                <Action onClick={() => setAdding(true)}>Add integration</Action>
              </div>
            ))}

          {removing && (
            <ConfirmDialog
              title={`Remove the ${platformName(removing.platform)} integration?`}
              confirmLabel="Remove integration"
              busy={busy}
              onCancel={() => setRemoving(null)}
              onConfirm={() => removeIntegration(removing)}
            >
              <p>
                Clients can no longer connect {platformName(removing.platform)} accounts with this app. Its secret
                leaves the keychain.
              </p>
            </ConfirmDialog>
          )}
        </>
      )}
    </Section>
  );
}
