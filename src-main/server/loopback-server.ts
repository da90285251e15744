import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine';
import { openApiDocument, routeFor, successSchemas } from './api-spec';
import { registerClientPages, type ClientPages } from './client-pages';
import { frameworkErrors, installLoopbackGuards } from './loopback-guard';
import { DEFAULT_LIMITS, rateLimitCheck } from './request-buckets';
import { registerApprovalRoutes } from './rest-approvals';
import { registerClientRoutes } from './rest-clients';
import { registerConnectionRoutes } from './rest-connections';
import { registerPostRoutes } from './rest-posts';
import { registerMediaRoutes } from './rest-media';
import { registerTeamRoutes } from './rest-team';
import { registerIntegrationRoutes } from './rest-integrations';
import { registerWorkspaceRoutes } from './rest-workspaces';
import type { Site } from './site';

export const JSON_BODY_LIMIT = 1024 * 1024;

export interface LoopbackServer {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The one loopback HTTP server of the engine: the REST API, connection pages and OAuth
 * callbacks. Bound to 127.0.0.1 only, never to all interfaces.
 */
export interface LoopbackOptions {
  port?: number;
  /** Requests per verified key (or per first-party caller without a key) per minute. */
  rateLimitPerMinute?: number;
  /** Requests per connection link, OAuth state or invitation per minute. */
  pageRequestsPerMinute?: number;
  /** Failed authentications per source address per minute. */
  failedAuthPerMinute?: number;
  /** Called for every answer with its route pattern; the API tests check answers against the spec. */
  onAnswer?: (answer: {
    method: string;
    route: string | undefined;
    status: number;
    contentType: string;
    body: string;
  }) => void;
}

export async function startLoopbackServer(engine: Engine, options: LoopbackOptions = {}): Promise<LoopbackServer> {
  const port = options.port ?? 0;
  const app = Fastify({ bodyLimit: JSON_BODY_LIMIT, logger: false, trustProxy: false, frameworkErrors });
  let boundPort = port;
  const baseUrl = () => `http://127.0.0.1:${boundPort}`;
  app.decorateRequest('apiKeyDigest', null);
  installLoopbackGuards(
    app,
    () => boundPort,
    rateLimitCheck(engine, {
      perKey: options.rateLimitPerMinute ?? DEFAULT_LIMITS.perKey,
      perPage: options.pageRequestsPerMinute ?? DEFAULT_LIMITS.perPage,
      failedAuth: options.failedAuthPerMinute ?? DEFAULT_LIMITS.failedAuth,
    }),
  );
  if (options.onAnswer) {
    const report = options.onAnswer;
    app.addHook('onSend', async (request, reply, payload) => {
      report({
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
        contentType: String(reply.getHeader('content-type') ?? ''),
        body: typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '',
      });
      return payload;
    });
  }
  const pages = await registerEngineRoutes(app, engine, { kind: 'desk', baseUrl, forms: null });
  await app.listen({ host: '127.0.0.1', port });
  boundPort = (app.server.address() as AddressInfo).port;
  return {
    url: baseUrl(),
    port: boundPort,
    app,
    close: async () => {
      await pages.close();
      await app.close();
    },
  };
}

/**
 * The engine's routes, the same on a single desk's loopback server and on a team host: the OpenAPI
 * document, the REST API, and every page a client or invitee opens (client-pages.ts). The caller
 * installs its guards (which names it answers to) before, and listens after.
 */
export async function registerEngineRoutes(app: FastifyInstance, engine: Engine, site: Site): Promise<ClientPages> {
  const baseUrl = () => site.baseUrl();
  // Every documented route answers through a serializer compiled from its documented schema:
  // faster than JSON.stringify, and what goes out is exactly what the OpenAPI document says.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const spec = methods.map((m) => routeFor(m, route.url)).find(Boolean);
    if (spec) route.schema = { ...route.schema, response: successSchemas(spec) };
  });
  app.get('/api/v1/openapi.json', async () => openApiDocument(baseUrl()));
  // Seed 000's fetch, curl and Python examples send `Content-Type: application/json` with no body
  // on POSTs that take none; an empty body is "no body", not malformed JSON.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    return parseJson(request, body.toString(), done);
  });
  await registerWorkspaceRoutes(app, engine);
  registerClientRoutes(app, engine);
  registerTeamRoutes(app, engine);
  registerIntegrationRoutes(app, engine);
  registerConnectionRoutes(app, engine, baseUrl);
  registerPostRoutes(app, engine);
  registerApprovalRoutes(app, engine, baseUrl);
  await registerMediaRoutes(app, engine);
  // Only the pages' forms (Bluesky's app password and handle) post urlencoded bodies: the parser
  // lives in their scope, so no API route takes a body a plain HTML form can send.
  let pages: ClientPages | null = null;
  await app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 16 * 1024 });
    pages = registerClientPages(scope, engine, site);
  });
  return { close: () => pages?.close() ?? Promise.resolve() };
}
