import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UserId } from '../../src-shared/clients';
import { UpdateConnectionInput } from '../../src-shared/connections';
import type { Principal } from '../engine/kernel/access';
import {
  listConnectionLinks,
  listConnections,
  removeConnection,
  revokeConnectionLink,
} from '../engine/connections/connections';
import type { Engine } from '../engine/engine';
import { connectionCredentials, listPostAsPages, setPostAs } from '../engine/connections/credentials';
import { AppError } from '../engine/kernel/errors';
import { parse, principalFrom } from './rest-auth';
import { ID_MAX, pathId, userIdParam } from './rest-params';
import { createConnectionLink } from '../engine/queries/connection-links';

/**
 * Seed 000: "always include both headers when acting on behalf of a user". A per-client key acts
 * for its own client; the workspace key needs `x-publora-user-id`, and a missing or unknown one is 404.
 */
export function actingUserId(principal: Principal, request: FastifyRequest): string {
  const header = request.headers['x-publora-user-id'];
  const given = typeof header === 'string' && header.trim() ? header.trim() : null;
  if (principal.kind === 'client_key') {
    if (given && given !== principal.managedUserId)
      throw new AppError('not_found', 'user not found', { userId: given });
    return principal.managedUserId;
  }
  if (!given) throw new AppError('not_found', 'x-publora-user-id header is required to act on behalf of a user');
  const parsed = UserId.safeParse(given);
  if (!parsed.success) throw new AppError('not_found', 'user not found');
  return parsed.data;
}

export function registerConnectionRoutes(app: FastifyInstance, engine: Engine, baseUrl: () => string): void {
  const ctx = engine.ctx;

  app.post('/api/v1/workspace/users/:userId/connection-url', async (request) => {
    const p = principalFrom(engine, request);
    const userId = userIdParam(request);
    const { connectionUrl, expiresAt } = await engine.perform('connection.createLink', p.workspaceId, () =>
      createConnectionLink(ctx, p, userId, baseUrl()),
    );
    return { connectionUrl, expiresAt };
  });

  app.get('/api/v1/workspace/users/:userId/connection-urls', async (request) =>
    listConnectionLinks(ctx, principalFrom(engine, request), userIdParam(request)),
  );

  app.delete('/api/v1/workspace/users/:userId/connection-urls/:linkId', async (request) => {
    const p = principalFrom(engine, request);
    const linkId = pathId(request, 'linkId');
    const userId = userIdParam(request);
    await engine.perform('connection.revokeLink', p.workspaceId, () => revokeConnectionLink(ctx, p, userId, linkId));
    return { id: linkId, revoked: true };
  });

  app.get('/api/v1/connections', async (request) => {
    const p = principalFrom(engine, request);
    return listConnections(ctx, p, actingUserId(p, request));
  });

  // "Post as" belongs to whoever may manage the connection's credentials (seed 003): the client's
  // own key may; the workspace key, which acts for no person, may not.
  app.patch('/api/v1/connections/:platformId', async (request) => {
    const p = principalFrom(engine, request);
    const platformId = pathId(request, 'platformId', ID_MAX.platform);
    const userId = actingUserId(p, request);
    const input = parse(UpdateConnectionInput, request.body);
    await engine.perform('connection.setPostAs', p.workspaceId, () =>
      setPostAs(ctx, p, userId, platformId, input.postAs),
    );
    return connectionCredentials(ctx, p, userId, platformId);
  });

  app.get('/api/v1/connections/:platformId/pages', async (request) => {
    const p = principalFrom(engine, request);
    const platformId = pathId(request, 'platformId', ID_MAX.platform);
    return listPostAsPages(ctx, p, actingUserId(p, request), platformId);
  });

  app.delete('/api/v1/connections/:platformId', async (request) => {
    const p = principalFrom(engine, request);
    const platformId = pathId(request, 'platformId', ID_MAX.platform);
    const userId = actingUserId(p, request);
    await engine.perform('connection.remove', p.workspaceId, () => removeConnection(ctx, p, userId, platformId));
    return { platformId, removed: true };
  });
}
