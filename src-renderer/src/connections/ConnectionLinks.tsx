import { useId, useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import type { ConnectionLink } from '../../../src-shared/connections';
import { useContract, useContractMutation } from '../data/queries';
import { formatDateTime } from '../format';
import { CopyField } from '../ui/CopyField';
import { DataTable } from '../ui/DataTable';
import { clientLinkColumns } from '../clients/clientLinkColumns';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Notice } from '../ui/Section';
import { Action } from '../ui/Action';
import { NO_PLATFORM_READY, readyPlatforms } from '../../../src-shared/integration-fields';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { useStore } from '../store';

/** The connection links a client opens to connect accounts: made, listed with their expiry, revoked. */
export function ConnectionLinks({
  workspace,
  user,
  manage,
}: {
  workspace: Workspace;
  user: ManagedUser;
  manage: boolean;
}) {
  const id = useId();
  const tz = user.timezone;
  const ref = { workspaceId: workspace.id, userId: user.id };
  const links = useContract('connection.listLinks', ref);
  const create = useContractMutation('connection.createLink');
  const revoke = useContractMutation('connection.revokeLink');
  const [created, setCreated] = useState<{ connectionUrl: string; expiresAt: string } | null>(null);
  const ready = readyPlatforms(workspace.integrations).length > 0;
  const canSetUp = can(useRole(), 'workspace.update');
  const setView = useStore((s) => s.setView);
  const busy = create.isPending || revoke.isPending;
  const error = create.error ?? revoke.error;

  const columns = clientLinkColumns<ConnectionLink>({
    tz,
    revoke: manage
      ? {
          what: 'link',
          busy,
          onRevoke: (l) => revoke.mutate({ ...ref, linkId: l.id }, { onSuccess: () => setCreated(null) }),
        }
      : undefined,
  });

  return (
    <>
      <h3 id={`${id}-links`} className="subheading">
        Connection links
      </h3>
      <p className="muted">
        A connection link opens a page where {user.displayName} signs in to each platform and allows posting. It works
        for 7 days unless revoked.
      </p>
      {manage &&
        (ready ? (
          <div className="button-row">
            <Action disabled={busy} onClick={() => create.mutate(ref, { onSuccess: (data) => setCreated(data) })}>
              New connection link
            </Action>
          </div>
        ) : (
          // A link offering nothing to connect would be a dead end for the client (D108).
          <div className="notice" role="note" aria-label="Set up a platform first">
            <p>{NO_PLATFORM_READY}</p>
            {canSetUp && (
              <div className="button-row">
                <Action onClick={() => setView('settings')}>Open Settings</Action>
              </div>
            )}
          </div>
        ))}
      {error && <ErrorAlert error={error} />}
      <Notice>{revoke.isSuccess && 'The link was revoked: it no longer opens.'}</Notice>
      {created && (
        <div className="secret-panel">
          <CopyField
            label="Connection link"
            value={created.connectionUrl}
            hint={`Expires ${formatDateTime(created.expiresAt, tz)}.`}
          />
          <p>
            <a className="button small" href={created.connectionUrl} target="_blank" rel="noreferrer">
              Open
            </a>
          </p>
        </div>
      )}
      {links.data && links.data.length > 0 && (
        <DataTable labelledBy={`${id}-links`} columns={columns} rows={links.data} rowKey={(l) => l.id} />
      )}
    </>
  );
}
