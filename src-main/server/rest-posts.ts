import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CreatePostGroupInput,
  ListPostGroupsQuery,
  RetryDeliveriesInput,
  UpdatePostGroupInput,
} from '../../src-shared/posts';
import type { Engine } from '../engine/engine';
import {
  cancelPostGroup,
  createPostGroup,
  dailyPostsLeft,
  getPostGroup,
  listPostGroups,
  retryDeliveries,
  updatePostGroup,
} from '../engine/posts/posts';
import { parse, principalFrom } from './rest-auth';
import { actingUserId } from './rest-connections';

const idOf = (request: FastifyRequest) => parse(z.string().min(1).max(64), (request.params as { id?: unknown }).id);

/**
 * Seed 000's post groups: `POST /api/v1/post-groups` with `{text, platformIds, scheduledTime}` and
 * `x-publora-user-id`; no scheduledTime makes a draft. Reads carry each delivery's state.
 */
export function registerPostRoutes(app: FastifyInstance, engine: Engine): void {
  const ctx = engine.ctx;

  app.post('/api/v1/post-groups', async (request, reply) => {
    const p = principalFrom(engine, request);
    const userId = actingUserId(p, request);
    const input = parse(CreatePostGroupInput, request.body);
    const group = await engine.perform('post.create', p.workspaceId, () =>
      createPostGroup(ctx, p, userId, input, engine.publicBaseUrl),
    );
    return reply.code(201).send({ ...group, dailyPostsLeft: dailyPostsLeft(ctx, p.workspaceId, userId) });
  });

  app.get('/api/v1/post-groups', async (request, reply) => {
    const p = principalFrom(engine, request);
    const header = request.headers['x-publora-user-id'];
    const userId = p.kind === 'client_key' || (typeof header === 'string' && header) ? actingUserId(p, request) : null;
    const query = parse(ListPostGroupsQuery, request.query);
    const { groups, total, totalCapped, nextCursor } = listPostGroups(ctx, p, userId, query);
    reply.header('x-total-count', String(total));
    if (totalCapped) reply.header('x-total-count-capped', 'true');
    if (nextCursor) reply.header('x-next-cursor', nextCursor);
    return groups;
  });

  app.get('/api/v1/post-groups/:id', async (request) =>
    getPostGroup(ctx, principalFrom(engine, request), idOf(request)),
  );

  app.patch('/api/v1/post-groups/:id', async (request) => {
    const p = principalFrom(engine, request);
    const id = idOf(request);
    const patch = parse(UpdatePostGroupInput, request.body);
    return engine.perform('post.update', p.workspaceId, () => updatePostGroup(ctx, p, id, patch));
  });

  // Issue 10 item 6: the failed deliveries of a post go out again (all, or those of `platformIds`).
  app.post('/api/v1/post-groups/:id/retry', async (request) => {
    const p = principalFrom(engine, request);
    const { platformIds } = parse(RetryDeliveriesInput, request.body ?? {});
    const id = idOf(request);
    return engine.perform('post.retry', p.workspaceId, () => retryDeliveries(ctx, p, id, platformIds));
  });

  app.delete('/api/v1/post-groups/:id', async (request) => {
    const p = principalFrom(engine, request);
    const id = idOf(request);
    return engine.perform('post.cancel', p.workspaceId, () => cancelPostGroup(ctx, p, id));
  });
}
