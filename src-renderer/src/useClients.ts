import { useMemo } from 'react';
import type { Workspace } from '../../src-shared/contract';
import type { ManagedUser } from '../../src-shared/clients';
import { useStore } from './store';
import { useResult, type Loaded } from './useResult';

/**
 * Every client the signed-in person may see, by id (names and time zones for post lists).
 * With `enabled` false nothing is loaded (for roles that may not list clients).
 */
export function useClients(
  workspace: Workspace,
  enabled = true,
): { clients: Loaded<{ users: ManagedUser[]; total: number }>; byId: Map<string, ManagedUser> } {
  const call = useStore((s) => s.call);
  const version = useStore((s) => s.clientsVersion);
  const clients = useResult(enabled ? `${workspace.id}|${version}` : null, () =>
    call('client.list', { workspaceId: workspace.id, perPage: 10_000 }),
  );
  const byId = useMemo(() => new Map((clients.data?.users ?? []).map((u) => [u.id, u])), [clients.data]);
  return { clients, byId };
}
