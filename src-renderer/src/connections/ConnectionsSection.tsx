import { useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import type { Connection } from '../../../src-shared/connections';
import { useContract, useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { TableHead } from '../ui/DataTable';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Loading, Notice, Section } from '../ui/Section';
import { BlueskyAppPasswordForm } from './BlueskyAppPasswordForm';
import { ConnectionLinks } from './ConnectionLinks';
import { ConnectionRow } from './ConnectionRow';
import { accountName } from './names';

const columns = [
  { header: 'Platform' },
  { header: 'Account' },
  { header: 'Status' },
  { header: 'Token expires' },
  { header: 'Actions', hideHeader: true },
];

/**
 * A client's social accounts (SPEC §3 Connection, §5): their status and token expiry, removal,
 * and the connection links a client opens to connect more.
 */
export function ConnectionsSection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const manage = can(useRole(), 'connection.manage');
  const ref = { workspaceId: workspace.id, userId: user.id };
  const connections = useContract('connection.list', ref);
  const remove = useContractMutation('connection.remove');
  const reconnect = useContractMutation('connection.reauthenticate');
  const [removing, setRemoving] = useState<Connection | null>(null);
  const [notice, setNotice] = useState('');
  const busy = remove.isPending || reconnect.isPending;
  const error = remove.error ?? reconnect.error;

  function reconnectTo(c: Connection) {
    setNotice('');
    reconnect.mutate(
      { ...ref, platformId: c.platformId },
      {
        onSuccess: ({ authorizationUrl }) => {
          window.open(authorizationUrl, '_blank', 'noopener');
          setNotice(`Finish signing in in the browser window (${accountName(c)}).`);
        },
      },
    );
  }

  function removeChosen(c: Connection) {
    remove.mutate(
      { ...ref, platformId: c.platformId },
      {
        onSuccess: () => setNotice(`${accountName(c)} was removed.`),
        onSettled: () => setRemoving(null),
      },
    );
  }

  const list = connections.data ?? [];
  return (
    <Section title="Connections">
      {(titleId) => (
        <>
          {connections.error && <ErrorAlert error={connections.error} />}
          {connections.isPending ? (
            <Loading what="connections" />
          ) : list.length === 0 ? (
            <p className="muted">No social accounts connected yet. Send {user.displayName} a connection link.</p>
          ) : (
            <div className="table-scroll">
              <table className="table" aria-labelledby={titleId}>
                <TableHead columns={columns} />
                <tbody>
                  {list.map((c) => (
                    <ConnectionRow
                      key={c.id}
                      workspace={workspace}
                      user={user}
                      connection={c}
                      manage={manage}
                      busy={busy}
                      onRemove={() => setRemoving(c)}
                      onReconnect={() => reconnectTo(c)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {error && <ErrorAlert error={error} />}
          <Notice>{notice}</Notice>

          {manage && workspace.integrations.some((i) => i.platform === 'bluesky') && (
            <BlueskyAppPasswordForm workspace={workspace} user={user} onConnected={setNotice} />
          )}

          <ConnectionLinks workspace={workspace} user={user} manage={manage} />

          {removing && (
            <ConfirmDialog
              title={`Remove ${accountName(removing)}?`}
              confirmLabel="Remove connection"
              busy={busy}
              onCancel={() => setRemoving(null)}
              onConfirm={() => removeChosen(removing)}
            >
              <p>
                Its tokens leave the keychain at once. Posts waiting for this account will fail until it is connected
                again.
              </p>
            </ConfirmDialog>
          )}
        </>
      )}
    </Section>
  );
}
