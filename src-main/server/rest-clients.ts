import type { FastifyInstance, FastifyReply } from 'fastify';
import { CreateClientInput, ListClientsQuery, UpdateClientInput, UserId } from '../../src-shared/clients';
import {
  createClient,
  deleteClient,
  getClient,
  issueClientApiKey,
  listClients,
  setClientActive,
  updateClient,
} from '../engine/clients';
import type { Engine } from '../engine/engine';
import { parse, principalFrom } from './rest-auth';

const userIdOf = (params: unknown) => parse(UserId, (params as { userId?: unknown }).userId);

/**
 * Seed 000's managed-user routes, plus seed 002's admin verbs in the same style. Bodies and
 * answers use the seed's field names; a list is a bare JSON array (as the seed's examples
 * iterate it), with the paging in headers.
 */
export function registerClientRoutes(app: FastifyInstance, engine: Engine): void {
  const ctx = engine.ctx;
  const changed = (workspaceId: string) => {
    engine.clientsChanged(workspaceId);
    // Deactivation pauses, reactivation resumes and deletion cancels posts: the scheduler looks again.
    engine.postsChanged(workspaceId);
  };

  app.get('/api/v1/workspace/users', async (request, reply: FastifyReply) => {
    const principal = principalFrom(engine, request);
    const query = parse(ListClientsQuery, request.query);
    const { users, total } = listClients(ctx, principal, query);
    const pages = Math.max(1, Math.ceil(total / query.perPage));
    reply.header('x-total-count', String(total)).header('x-page', String(query.page)).header('x-per-page', String(query.perPage));
    if (query.page < pages) {
      const next = new URLSearchParams({ ...(request.query as Record<string, string>), page: String(query.page + 1) });
      reply.header('link', `</api/v1/workspace/users?${next}>; rel="next"`);
    }
    return users;
  });

  app.post('/api/v1/workspace/users', async (request, reply) => {
    const principal = principalFrom(engine, request);
    const user = createClient(ctx, principal, parse(CreateClientInput, request.body));
    changed(principal.workspaceId);
    return reply.code(201).send(user);
  });

  app.get('/api/v1/workspace/users/:userId', async (request) => {
    const principal = principalFrom(engine, request);
    return getClient(ctx, principal, userIdOf(request.params));
  });

  app.patch('/api/v1/workspace/users/:userId', async (request) => {
    const principal = principalFrom(engine, request);
    const user = updateClient(ctx, principal, userIdOf(request.params), parse(UpdateClientInput, request.body));
    changed(principal.workspaceId);
    return user;
  });

  app.delete('/api/v1/workspace/users/:userId', async (request) => {
    const principal = principalFrom(engine, request);
    const userId = userIdOf(request.params);
    await deleteClient(ctx, principal, userId);
    changed(principal.workspaceId);
    return { id: userId, deleted: true };
  });

  for (const [verb, active] of [['deactivate', false], ['reactivate', true]] as const) {
    app.post(`/api/v1/workspace/users/:userId/${verb}`, async (request) => {
      const principal = principalFrom(engine, request);
      const user = setClientActive(ctx, principal, userIdOf(request.params), active);
      changed(principal.workspaceId);
      return user;
    });
  }

  app.post('/api/v1/workspace/users/:userId/api-key', async (request) => {
    const principal = principalFrom(engine, request);
    const { apiKey } = await issueClientApiKey(ctx, principal, userIdOf(request.params));
    changed(principal.workspaceId);
    return { apiKey };
  });
}
