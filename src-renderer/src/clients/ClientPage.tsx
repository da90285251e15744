import { useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { DailyUsage } from '../connections/DailyUsage';
import { ConnectionsSection } from '../connections/ConnectionsSection';
import { QueueSlotsSection } from '../connections/QueueSlotsSection';
import { useContract, useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { useStore } from '../store';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { BackButton, Notice, PageHeader, PageLoading, Section } from '../ui/Section';
import { ClientFacts, EditClientForm } from './ClientDetails';
import { ClientKeyPanels } from './ClientKeyPanels';
import { useClientKey } from './useClientKey';
import { Action } from '../ui/Action';
import { NewPostButton } from '../posts/NewPostButton';
import { ApprovalSection } from '../approvals/ApprovalSection';
import { MediaLibrarySection } from '../media/MediaLibrarySection';

/** Generates (shown once) or reveals the client's own API key. */
function ApiKeySection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const keys = useClientKey(workspace, user.id);
  return (
    <Section
      title="API key"
      intro={
        <>
          A key of this client's own: scripts using it see only {user.displayName}'s data, through the{' '}
          <code>x-publora-key</code> header. Generating a new key replaces the current one at once.
          {user.deactivated && ' While the client is deactivated its key is refused.'}
        </>
      }
    >
      <div className="button-row">
        <Action disabled={keys.busy} onClick={keys.generate}>
          Generate API key
        </Action>
        <Action disabled={keys.busy} onClick={keys.reveal}>
          Reveal key
        </Action>
      </div>
      <ClientKeyPanels
        keys={keys}
        issued={{
          label: 'New API key',
          hint: 'Copy it now and keep it safe. Any older key of this client stopped working.',
        }}
        revealed={{ label: 'Current API key' }}
        none="This client has no API key yet."
      />
    </Section>
  );
}

/** The buttons of a client's page: new post, edit, deactivate or reactivate, delete. */
function ClientActions({ workspace, user, onEdit }: { workspace: Workspace; user: ManagedUser; onEdit?: () => void }) {
  const role = useRole();
  const setView = useStore((s) => s.setView);
  const setActive = useContractMutation('client.setActive');
  const remove = useContractMutation('client.delete');
  const [deleting, setDeleting] = useState(false);
  const ref = { workspaceId: workspace.id, userId: user.id };
  const busy = setActive.isPending || remove.isPending;
  const error = setActive.error ?? remove.error;
  const active = setActive.data?.id === user.id && setActive.variables?.active;

  return (
    <>
      <div className="button-row">
        {!user.deactivated && <NewPostButton clientId={user.id} />}
        {can(role, 'client.update') && onEdit && <Action onClick={onEdit}>Edit</Action>}
        {can(role, 'client.deactivate') && (
          <Action disabled={busy} onClick={() => setActive.mutate({ ...ref, active: user.deactivated })}>
            {user.deactivated ? 'Reactivate' : 'Deactivate'}
          </Action>
        )}
        {can(role, 'client.delete') && (
          <Action tone="danger" opensDialog disabled={busy} onClick={() => setDeleting(true)}>
            Delete
          </Action>
        )}
      </div>
      {error && <ErrorAlert error={error} />}
      <Notice>
        {setActive.isSuccess &&
          (active
            ? `${user.displayName} is active again.`
            : `${user.displayName} is deactivated: their API key and sessions stop working.`)}
      </Notice>
      {deleting && (
        <ConfirmDialog
          title={`Delete ${user.displayName}?`}
          confirmLabel="Delete client"
          busy={busy}
          onCancel={() => setDeleting(false)}
          onConfirm={() =>
            remove.mutate(ref, { onSuccess: () => setView('clients'), onError: () => setDeleting(false) })
          }
        >
          <p>
            Their posts are cancelled, their API key is revoked and their connections' tokens leave the keychain. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** One client: details, edit, deactivate or reactivate, delete, connections, usage, slots and their API key. */
export function ClientPage({ workspace, clientId }: { workspace: Workspace; clientId: string }) {
  const role = useRole();
  const setView = useStore((s) => s.setView);
  const client = useContract('client.get', { workspaceId: workspace.id, userId: clientId });
  const [editing, setEditing] = useState(false);

  const back = <BackButton label="All clients" onClick={() => setView('clients')} />;
  const user = client.data;
  if (!user) return <PageLoading back={back} error={client.error} what="client" />;

  return (
    <div className="page">
      {back}
      <PageHeader
        title={user.displayName}
        subtitle={
          <>
            {user.email} ·{' '}
            <span className={user.deactivated ? 'badge badge-off' : 'badge badge-on'}>
              {user.deactivated ? 'Deactivated' : 'Active'}
            </span>
          </>
        }
      />
      <ClientActions workspace={workspace} user={user} onEdit={editing ? undefined : () => setEditing(true)} />

      <Section title="Details">
        {editing ? (
          <EditClientForm workspace={workspace} user={user} onDone={() => setEditing(false)} />
        ) : (
          <ClientFacts workspace={workspace} user={user} />
        )}
      </Section>

      {can(role, 'client.read') && <ApprovalSection workspace={workspace} user={user} />}
      {can(role, 'connection.read') && <ConnectionsSection workspace={workspace} user={user} />}
      {can(role, 'post.read') && <MediaLibrarySection workspace={workspace} user={user} />}
      {can(role, 'post.read') && <DailyUsage workspace={workspace} user={user} />}
      {can(role, 'post.read') && <QueueSlotsSection workspace={workspace} user={user} />}
      {can(role, 'client.apiKey') && <ApiKeySection workspace={workspace} user={user} />}
    </div>
  );
}
