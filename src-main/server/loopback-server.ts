import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine';
import { ConnectRoutes } from './connect-routes';
import { installLoopbackGuards } from './loopback-guard';
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
export async function startLoopbackServer(engine: Engine, port = 0): Promise<LoopbackServer> {
  const app = Fastify({ bodyLimit: JSON_BODY_LIMIT, logger: false, trustProxy: false });
  let boundPort = port;
  const baseUrl = () => `http://127.0.0.1:${boundPort}`;
  installLoopbackGuards(app, () => boundPort);
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
