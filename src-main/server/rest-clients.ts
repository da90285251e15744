import type { FastifyInstance, FastifyReply } from 'fastify';
import { CreateClientInput, ListClientsQuery, UpdateClientInput, UserId } from '../../src-shared/clients';
import { authorize, clientScope } from '../engine/kernel/access';
import {
  createClient,
  deleteClient,
  getClient,
  issueClientApiKey,
  listClients,
  setClientActive,
  updateClient,
} from '../engine/clients/clients';
import type { Engine } from '../engine/engine';
import { parse, principalFrom } from './rest-auth';

const JSON_TYPE = 'application/json; charset=utf-8';

/** What follows `?` in a request URL, as sent. */
const queryStringOf = (url: string) => {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
};

const userIdOf = (params: unknown) => parse(UserId, (params as { userId?: unknown }).userId);

/**
 * Seed 000's managed-user routes, plus seed 002's admin verbs in the same style. Bodies and
 * answers use the seed's field names; a list is a bare JSON array (as the seed's examples
 * iterate it), with the paging in headers.
 */
export function registerClientRoutes(app: FastifyInstance, engine: Engine): void {
  const ctx = engine.ctx;

  // The API's hottest read. Its whole answer (serialised body and paging headers) is kept in the
  // engine's read cache, so it is dropped at the next write anywhere, also by another process.
  // The entry is filed under everything the answer depends on: the workspace, the clients the key
  // may see and the raw query string (only a query that validated is ever filed, so a hit is a
  // query that passes validation). A hit skips `listClients`, so the route authorises first.
  app.get('/api/v1/workspace/users', (request, reply: FastifyReply) => {
    // The key and the answer are read against one look at other processes' commits.
    const answer = ctx.readCache.batch(() => {
      const principal = principalFrom(engine, request);
      authorize(principal, 'client.list');
      const scope = clientScope(principal);
      const scopeKey = scope === 'all' ? '*' : scope.join(',');
      const key = `rest:users:${principal.workspaceId}:${scopeKey}:${queryStringOf(request.url)}`;
      return ctx.readCache.get(key, () => {
        const query = parse(ListClientsQuery, request.query);
        const { users, total } = listClients(ctx, principal, query);
        const pages = Math.max(1, Math.ceil(total / query.perPage));
        const headers: Record<string, string> = {
          'content-type': JSON_TYPE,
          'x-total-count': String(total),
          'x-page': String(query.page),
          'x-per-page': String(query.perPage),
        };
        if (query.page < pages) {
          const next = new URLSearchParams({
            ...(request.query as Record<string, string>),
            page: String(query.page + 1),
          });
          headers.link = `</api/v1/workspace/users?${next}>; rel="next"`;
        }
        // The route's compiled serializer (from its documented schema), as for every other answer;
        // kept as bytes, so a hit neither encodes nor measures the text again.
        const body = reply.serialize(users) as string;
        return { body: Buffer.from(body, 'utf8'), headers };
      });
    });
    reply.headers(answer.headers).send(answer.body);
  });

  app.post('/api/v1/workspace/users', async (request, reply) => {
    const principal = principalFrom(engine, request);
    const input = parse(CreateClientInput, request.body);
    const user = await engine.perform('client.create', principal.workspaceId, () =>
      createClient(ctx, principal, input),
    );
    return reply.code(201).send(user);
  });

  app.get('/api/v1/workspace/users/:userId', async (request) => {
    const principal = principalFrom(engine, request);
    return getClient(ctx, principal, userIdOf(request.params));
  });

  app.patch('/api/v1/workspace/users/:userId', async (request) => {
    const principal = principalFrom(engine, request);
    const userId = userIdOf(request.params);
    const patch = parse(UpdateClientInput, request.body);
    return engine.perform('client.update', principal.workspaceId, () => updateClient(ctx, principal, userId, patch));
  });

  app.delete('/api/v1/workspace/users/:userId', async (request) => {
    const principal = principalFrom(engine, request);
    const userId = userIdOf(request.params);
    await engine.perform('client.delete', principal.workspaceId, () => deleteClient(ctx, principal, userId));
    return { id: userId, deleted: true };
  });

  for (const [verb, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(`/api/v1/workspace/users/:userId/${verb}`, async (request) => {
      const principal = principalFrom(engine, request);
      const userId = userIdOf(request.params);
      return engine.perform('client.setActive', principal.workspaceId, () =>
        setClientActive(ctx, principal, userId, active),
      );
    });
  }

  app.post('/api/v1/workspace/users/:userId/api-key', async (request) => {
    const principal = principalFrom(engine, request);
    const userId = userIdOf(request.params);
    const { apiKey } = await engine.perform('client.issueApiKey', principal.workspaceId, () =>
      issueClientApiKey(ctx, principal, userId),
    );
    return { apiKey };
  });
}
