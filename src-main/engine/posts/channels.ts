import { authorize, type Principal } from '../kernel/access';
import type { EngineContext } from '../kernel/context';
import { defineChannels, type ChannelHostBase } from '../kernel/channels';
import { AppError } from '../kernel/errors';
import { findClientRow, type ManagedUserRow } from '../queries/clients';
import {
  cancelPostGroup,
  createPostGroup,
  dailyLimitOf,
  dailyPostsLeft,
  getPostGroup,
  getQueueSlots,
  listPostGroups,
  localDay,
  retryDeliveries,
  setQueueSlots,
  updatePostGroup,
} from './posts';
import { needsAttention } from './attention';
import { calendarDays } from './calendar';

/** A client of the principal's workspace that they may read; absent and out of scope are both 404. */
function requireVisibleClient(ctx: EngineContext, p: Principal, userId: string): ManagedUserRow {
  authorize(p, 'client.read', { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  return client;
}

/** What the post channels need from their host: the base of the connection link a refusal offers. */
export interface PostsHost extends ChannelHostBase {
  readonly publicBaseUrl: string;
}

/** Post groups, the daily limit and queue slots. `posts` also wakes the scheduler, which looks again at once. */
export const postChannels = defineChannels<PostsHost>()({
  'post.create': {
    changes: ['posts'],
    handle: (host, req) =>
      createPostGroup(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.post, host.publicBaseUrl),
  },
  'post.list': {
    builtToContract: true,
    handle: (host, req) =>
      listPostGroups(host.ctx, host.memberPrincipal(req.workspaceId), req.userId ?? null, req.query),
  },
  'post.calendar': {
    builtToContract: true,
    handle: (host, req) => calendarDays(host.ctx, host.memberPrincipal(req.workspaceId), req.userId ?? null, req.query),
  },
  'post.get': { handle: (host, req) => getPostGroup(host.ctx, host.memberPrincipal(req.workspaceId), req.id) },
  'post.update': {
    changes: ['posts'],
    handle: (host, req) => updatePostGroup(host.ctx, host.memberPrincipal(req.workspaceId), req.id, req.patch),
  },
  'post.cancel': {
    changes: ['posts'],
    handle: (host, req) => cancelPostGroup(host.ctx, host.memberPrincipal(req.workspaceId), req.id),
  },
  'post.needsAttention': { handle: (host, req) => needsAttention(host.ctx, host.memberPrincipal(req.workspaceId)) },
  'post.retry': {
    changes: ['posts'],
    handle: (host, req) => retryDeliveries(host.ctx, host.memberPrincipal(req.workspaceId), req.id, req.platformIds),
  },
  'post.dailyUsage': {
    handle: (host, req) => {
      const { ctx } = host;
      const p = host.memberPrincipal(req.workspaceId);
      authorize(p, 'post.read', { managedUserId: req.userId });
      const client = requireVisibleClient(ctx, p, req.userId);
      const day = req.day ?? localDay(ctx.clock.now(), client.timezone);
      return {
        day,
        limit: dailyLimitOf(ctx.db, req.workspaceId, req.userId),
        dailyPostsLeft: dailyPostsLeft(ctx, req.workspaceId, req.userId, day),
      };
    },
  },
  'queue.getSlots': {
    handle: (host, req) => {
      const p = host.memberPrincipal(req.workspaceId);
      authorize(p, 'post.read', { managedUserId: req.userId });
      // The client must be this workspace's (issue 9 item 4): a manager's scope is "all" of theirs.
      requireVisibleClient(host.ctx, p, req.userId);
      return getQueueSlots(host.ctx.db, req.userId);
    },
  },
  'queue.setSlots': {
    handle: (host, req) => setQueueSlots(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.slots),
  },
});
