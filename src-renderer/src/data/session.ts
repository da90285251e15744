import { useMutation, useQuery } from '@tanstack/react-query';
import type { AppState, RequestOf, Result, Workspace } from '../../../src-shared/contract';
import type { Role } from '../../../src-shared/team';
import { call, request, type ContractError } from './contract';
import { queryClient, useContract } from './queries';

/*
 * The app state (who is signed in, which workspace is current) is a query like any other: pushed
 * by `state.changed` and by every call that answers with it.
 */

export const APP_STATE_KEY = ['app.getState', {}] as const;

export function useAppState(): AppState | undefined {
  return useQuery({ queryKey: APP_STATE_KEY, queryFn: () => request('app.getState', {}) }).data;
}

export const setAppState = (state: AppState) => queryClient.setQueryData(APP_STATE_KEY, state);

/** The signed-in person's role in the current workspace. */
export const useRole = (): Role | null | undefined => useAppState()?.role;

type StateChannel =
  | 'app.setup'
  | 'session.signIn'
  | 'session.signOut'
  | 'session.acceptInvitation'
  | 'workspace.select'
  | 'desk.join'
  | 'desk.signIn';

/** A call that answers with the new app state, which applies at once. */
export function useSessionMutation<C extends StateChannel>(channel: C) {
  return useMutation<AppState, ContractError, RequestOf<C>>({
    mutationFn: (req) => request(channel, req) as Promise<AppState>,
    onSuccess: setAppState,
  });
}

/** The same, for forms that keep their own busy and error state; never rejects. */
export async function sessionCall<C extends StateChannel>(channel: C, req: RequestOf<C>): Promise<Result<AppState>> {
  const res = (await call(channel, req)) as Result<AppState>;
  if (res.ok) setAppState(res.data);
  return res;
}

/** Makes `workspaceId` current (e.g. to open a post of another workspace from a notification). */
export async function selectWorkspace(workspaceId: string): Promise<boolean> {
  if (queryClient.getQueryData<AppState>(APP_STATE_KEY)?.currentWorkspaceId === workspaceId) return true;
  try {
    setAppState(await request('workspace.select', { workspaceId }));
    return true;
  } catch {
    return false;
  }
}

/** The current workspace in full; undefined while none is selected or it is loading. */
export function useCurrentWorkspace(): Workspace | undefined {
  const id = useAppState()?.currentWorkspaceId ?? null;
  return useContract('workspace.get', { workspaceId: id ?? '' }, { enabled: id !== null }).data;
}

export type LogoKind = 'square' | 'image';

/** The data URL of a workspace logo (loaded once per content hash), null if none, undefined while loading. */
export function useLogo(workspace: Workspace | undefined, kind: LogoKind): string | null | undefined {
  const info = workspace ? (kind === 'square' ? workspace.squareLogo : workspace.imageLogo) : null;
  const logo = useContract(
    'workspace.getLogo',
    { workspaceId: workspace?.id ?? '', kind },
    { enabled: Boolean(info), version: info?.sha256 ?? '' },
  );
  if (!info) return null;
  if (logo.data === undefined) return undefined;
  return logo.data ? `data:${logo.data.mimeType};base64,${logo.data.dataBase64}` : null;
}
