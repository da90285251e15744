import { useMemo } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import { useContract } from '../data/queries';

/**
 * Every client the signed-in person may see, by id (names and time zones for post lists).
 * With `enabled` false nothing is loaded (for roles that may not list clients).
 */
export function useClients(workspace: Workspace, enabled = true) {
  const clients = useContract('client.list', { workspaceId: workspace.id, perPage: 10_000 }, { enabled });
  const byId = useMemo(
    () => new Map<string, ManagedUser>((clients.data?.users ?? []).map((u) => [u.id, u])),
    [clients.data],
  );
  return { clients, byId };
}
