import type { Connection } from '../../../src-shared/connections';
import { useContract } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { atHandle, platformName, platformOf } from '../posts/posts';

/** "Active", "Needs re-authentication", "Removed": a connection's status as people say it. */
export const connectionStatus: Record<Connection['status'], string> = {
  active: 'Active',
  needs_reauth: 'Needs re-authentication',
  revoked: 'Removed',
};

/** "X @clientonx": how a connection is named in buttons, questions and notices. */
export const accountName = (c: Pick<Connection, 'platform' | 'handle'>) =>
  `${platformName(c.platform)} ${atHandle(c.handle)}`;

/** "X account": a platform id's platform when its connection is not at hand. */
export function platformAccount(platformId: string): string {
  const platform = platformOf(platformId);
  return platform ? `${platformName(platform)} account` : 'an account that is no longer connected';
}

/**
 * Names a client's accounts by platform id ("X @clientonx"), never by the id itself. Roles that
 * may not read connections see the platform only ("X account").
 */
export function useAccountNames(workspaceId: string, userId: string | null): (platformId: string) => string {
  const mayRead = can(useRole(), 'connection.read');
  const connections = useContract(
    'connection.list',
    { workspaceId, userId: userId ?? '' },
    { enabled: mayRead && userId !== null },
  );
  return (platformId) => {
    const c = connections.data?.find((x) => x.platformId === platformId);
    return c ? accountName(c) : platformAccount(platformId);
  };
}
