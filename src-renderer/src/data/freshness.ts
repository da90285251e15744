import type { QueryClient } from '@tanstack/react-query';
import type { Channel, EventName } from '../../../src-shared/contract';

/*
 * When cached answers go stale, as data. Query keys are `[channel, request, ...]`, so a channel
 * names every query of its kind; a workspace's events reach only the queries of that workspace.
 */

/** The queries each pushed event makes stale. */
export const refreshedBy: Record<EventName, readonly Channel[]> = {
  'state.changed': ['workspace.get', 'team.list', 'activity.list', 'connection.credentials'],
  'clients.changed': [
    'client.list',
    'client.get',
    'team.list',
    'activity.list',
    'post.dailyUsage',
    'post.needsAttention',
    'approval.getPolicy',
  ],
  'connections.changed': [
    'connection.list',
    'connection.listLinks',
    'connection.credentials',
    'connection.credentialModes',
    'activity.list',
    'post.needsAttention',
  ],
  'posts.changed': [
    'post.list',
    'post.calendar',
    'post.get',
    'post.dailyUsage',
    'activity.list',
    'post.needsAttention',
    'post.comments',
    'approval.reviewCount',
    // "Used by N posts" changes with the posts.
    'media.list',
    'media.get',
  ],
  'approval.decided': ['post.list', 'post.calendar', 'post.get', 'post.comments', 'approval.reviewCount'],
  'delivery.problem': ['post.list', 'post.calendar', 'post.get', 'post.needsAttention'],
  'network.status': [],
  'keychain.status': ['post.list', 'post.get'],
  'disk.status': ['post.list', 'post.get'],
};

/**
 * What a successful call makes stale that no pushed event announces (team changes, credential
 * modes, queue slots). Every change is in the activity log, so that is refreshed after any call.
 */
export const staleAfter: Partial<Record<Channel, readonly Channel[]>> = {
  'team.invite': ['team.list'],
  'team.revokeInvitation': ['team.list'],
  'team.updateMember': ['team.list'],
  'team.setMemberActive': ['team.list'],
  'team.forceLogout': ['team.list'],
  'connection.setCredentialMode': ['connection.credentialModes', 'connection.credentials'],
  'queue.setSlots': ['queue.getSlots'],
  'approvalLink.create': ['approvalLink.list', 'activity.list'],
  'approval.setSettings': ['approval.getSettings', 'activity.list'],
  'team.setSmtp': ['team.getSmtp', 'approvalLink.mailReadiness', 'activity.list'],
  'approvalLink.revoke': ['approvalLink.list'],
  // The library announces no event: what changed it refreshes it.
  'media.upload': ['media.list'],
  'media.finishUpload': ['media.list'],
  'media.update': ['media.list', 'media.get'],
  'media.delete': ['media.list'],
  'media.reshape': ['media.list'],
};

const workspaceOf = (key: readonly unknown[]): unknown =>
  (key[1] as { workspaceId?: unknown } | undefined)?.workspaceId;

/** Marks the queries of `channels` stale (refetching those on screen); only `workspaceId`'s when given. */
export function invalidate(client: QueryClient, channels: readonly Channel[], workspaceId?: string): Promise<void> {
  if (channels.length === 0) return Promise.resolve();
  const names = new Set<unknown>(channels);
  return client.invalidateQueries({
    predicate: ({ queryKey }) =>
      names.has(queryKey[0]) && (workspaceId === undefined || workspaceOf(queryKey) === workspaceId),
  });
}

/** After `channel` succeeded in `workspaceId`: what it made stale. */
export const invalidateAfter = (client: QueryClient, channel: Channel, workspaceId?: string) =>
  invalidate(client, ['activity.list', ...(staleAfter[channel] ?? [])], workspaceId);
