import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { apiKeyDigest } from '../engine/api-keys';
import type { Engine } from '../engine/engine';
import { openApiDocument, routeFor, successSchemas } from './api-spec';
import { ConnectRoutes } from './connect-routes';
import { frameworkErrors, installLoopbackGuards, sendError, type RequestCheck } from './loopback-guard';
import { RateLimiter } from './rate-limit';
import { presentedApiKey } from './rest-auth';
import { registerClientRoutes } from './rest-clients';
import { registerConnectionRoutes } from './rest-connections';
import { registerPostRoutes } from './rest-posts';
import { registerTeamRoutes } from './rest-team';
import { registerWorkspaceRoutes } from './rest-workspaces';

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
  /** Requests per key (or per caller without a key) per minute. */
  rateLimitPerMinute?: number;
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
  installLoopbackGuards(app, () => boundPort, rateLimitCheck(new RateLimiter(options.rateLimitPerMinute ?? 600)));
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
  // Every documented route answers through a serializer compiled from its documented schema:
  // faster than JSON.stringify, and what goes out is exactly what the OpenAPI document says.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const spec = methods.map((m) => routeFor(m, route.url)).find(Boolean);
    if (spec) route.schema = { ...route.schema, response: successSchemas(spec) };
  });
  // The connection pages' forms (Bluesky's app password) post urlencoded bodies.
  await app.register(formbody, { bodyLimit: 16 * 1024 });
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
  registerConnectionRoutes(app, engine, baseUrl);
  registerPostRoutes(app, engine);
  const connect = new ConnectRoutes(engine, baseUrl);
  connect.register(app);
  await app.listen({ host: '127.0.0.1', port });
  boundPort = (app.server.address() as AddressInfo).port;
  return {
    url: baseUrl(),
    port: boundPort,
    app,
    close: async () => {
      await connect.close();
      await app.close();
    },
  };
}

/**
 * Per-key rate limits (SPEC §6) on every route, checked right after the guards in the same hook.
 * A key's SHA-256 names its bucket (and is kept on the request for authentication, so a key is
 * hashed once); other bearers of a key (`Authorization`) likewise; callers without one share their
 * address's bucket. Answers carry `X-RateLimit-Limit`, `-Remaining` and `-Reset`; past the limit,
 * 429 `rate_limited` with `Retry-After`.
 */
function rateLimitCheck(limiter: RateLimiter): RequestCheck {
  return (request, reply) => {
    // Unknown paths answer 404 without any work, as before; only routes count.
    if (request.is404) return false;
    const key = presentedApiKey(request);
    let bucket: string;
    if (key) {
      request.apiKeyDigest = apiKeyDigest(key);
      bucket = `key:${request.apiKeyDigest}`;
    } else {
      const other = request.headers.authorization;
      bucket = typeof other === 'string' ? `key:${apiKeyDigest(other)}` : `ip:${request.ip}`;
    }
    const decision = limiter.hit(bucket);
    reply
      .header('x-ratelimit-limit', decision.limit)
      .header('x-ratelimit-remaining', decision.remaining)
      .header('x-ratelimit-reset', decision.resetSeconds);
    if (decision.allowed) return false;
    reply.header('retry-after', decision.resetSeconds);
    sendError(reply, {
      code: 'rate_limited',
      message: `too many requests; try again in ${decision.resetSeconds} s`,
      details: { limit: decision.limit, retryAfterSeconds: decision.resetSeconds },
    });
    return true;
  };
}
