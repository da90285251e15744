import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import type { Connection } from '../../../src-shared/connections';
import { useContract } from '../data/queries';
import { formatDateTime } from '../format';
import { atHandle, platformName } from '../posts/posts';
import { ErrorAlert } from '../ui/ErrorAlert';
import { accountName, connectionStatus } from './names';
import { PostAsForm } from './PostAsForm';
import { Action, RemoveAction } from '../ui/Action';

interface Props {
  workspace: Workspace;
  user: ManagedUser;
  connection: Connection;
  manage: boolean;
  busy: boolean;
  onRemove: () => void;
  onReconnect: () => void;
}

/**
 * One connection, with what the signed-in person may do with its credentials (seed 003): who may
 * reconnect it when it needs re-authentication, whose credentials their posts use, "Reconnect"
 * for those who may re-authenticate, and LinkedIn's "post as".
 */
export function ConnectionRow({ workspace, user, connection: c, manage, busy, onRemove, onReconnect }: Props) {
  const creds = useContract('connection.credentials', {
    workspaceId: workspace.id,
    userId: user.id,
    platformId: c.platformId,
  });
  const cr = creds.data;
  const who = cr?.whoMayReconnect.length ? cr.whoMayReconnect.join(' or ') : 'the owner';
  return (
    <tr>
      <th scope="row">{platformName(c.platform)}</th>
      <td>
        {atHandle(c.handle)}
        {c.displayName && c.displayName !== c.handle && <span className="muted"> · {c.displayName}</span>}
        {c.platform === 'linkedin' && cr && (
          <PostAsForm workspace={workspace} user={user} connection={c} credentials={cr} who={who} />
        )}
      </td>
      <td>
        <span className={c.status === 'active' ? 'badge badge-active' : 'badge badge-pending'}>
          {connectionStatus[c.status]}
        </span>
        {c.status === 'needs_reauth' && cr && <p className="hint">Needs re-authentication — {who} can reconnect it</p>}
        {cr?.mode && (
          <p className="hint">
            Posting with: {cr.mode === 'owner' ? "the owner's credentials" : 'your own credentials'}
          </p>
        )}
        {creds.error && <ErrorAlert error={creds.error} />}
      </td>
      <td>
        {c.tokenExpiresAt ? (
          <time dateTime={c.tokenExpiresAt}>{formatDateTime(c.tokenExpiresAt, user.timezone)}</time>
        ) : (
          <span className="muted">No expiry</span>
        )}
      </td>
      <td>
        <div className="button-row">
          {cr?.canReauthenticate && (
            <Action small disabled={busy} label={`Reconnect ${accountName(c)}`} onClick={onReconnect}>
              Reconnect
            </Action>
          )}
          {manage && <RemoveAction what={accountName(c)} disabled={busy} onClick={onRemove} />}
        </div>
      </td>
    </tr>
  );
}
