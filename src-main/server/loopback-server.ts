import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine';
import { installLoopbackGuards } from './loopback-guard';
import { registerClientRoutes } from './rest-clients';
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
 * The one loopback HTTP server of the engine: the REST API now, connection pages and OAuth
 * callbacks as they arrive. Bound to 127.0.0.1 only, never to all interfaces.
 */
export async function startLoopbackServer(engine: Engine, port = 0): Promise<LoopbackServer> {
  const app = Fastify({ bodyLimit: JSON_BODY_LIMIT, logger: false, trustProxy: false });
  let boundPort = port;
  installLoopbackGuards(app, () => boundPort);
  await registerWorkspaceRoutes(app, engine);
  registerClientRoutes(app, engine);
  registerTeamRoutes(app, engine);
  await app.listen({ host: '127.0.0.1', port });
  boundPort = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    port: boundPort,
    app,
    close: () => app.close(),
  };
}
