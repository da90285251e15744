import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Starts a local server on a free port of this machine; its address, `http://127.0.0.1:<port>`. */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
