import type { Channel } from '../../src-shared/contract';
import { activityChannels } from './activity/channels';
import { approvalChannels, approvalPageOperations, type ApprovalsHost } from './approvals/channels';
import { clientChannels } from './clients/channels';
import { connectionChannels, connectionPageOperations, type ConnectionsHost } from './connections/channels';
import type { Change, ChannelDef } from './kernel/channels';
import { mediaChannels } from './media/channels';
import { postChannels, type PostsHost } from './posts/channels';
import { sessionChannels, type SessionsHost } from './sessions/channels';
import { teamChannels, type TeamHost } from './team/channels';
import { workspaceChannels, type WorkspacesHost } from './workspaces/channels';

/** Everything the domains need from the engine that hosts them; `Engine` implements it. */
export type EngineHost = SessionsHost & WorkspacesHost & ConnectionsHost & PostsHost & TeamHost & ApprovalsHost;

/** Each domain's channels, as the domain declares them (handler and changes). */
export const domainChannels = {
  sessions: sessionChannels,
  workspaces: workspaceChannels,
  activity: activityChannels,
  clients: clientChannels,
  connections: connectionChannels,
  posts: postChannels,
  media: mediaChannels,
  approvals: approvalChannels,
  team: teamChannels,
};

/**
 * Every channel of the contract with its handler and the changes it causes: a channel added to
 * the contract fails to compile here until a domain declares it.
 */
export const channelTable: { readonly [C in Channel]: ChannelDef<C, EngineHost> } = {
  ...sessionChannels,
  ...workspaceChannels,
  ...activityChannels,
  ...clientChannels,
  ...connectionChannels,
  ...postChannels,
  ...mediaChannels,
  ...approvalChannels,
  ...teamChannels,
};

/** Work outside the contract (the loopback server's pages) that changes what renderers show. */
export const pageOperations = { ...connectionPageOperations, ...approvalPageOperations };

/** What the engine can announce changes for: a channel, or a page operation. */
export type Operation = Channel | keyof typeof pageOperations;

/** The changes a successful operation causes, as its domain declares them. */
export function changesOf(operation: Operation): readonly Change[] {
  if (operation in pageOperations) return pageOperations[operation as keyof typeof pageOperations];
  return channelTable[operation as Channel].changes ?? [];
}
