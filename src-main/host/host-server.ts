import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Engine } from '../engine/engine';
import { MAX_MESSAGE_BYTES } from '../server/browser-host';
import { frameworkErrors, installErrorAnswers, sendError } from '../server/loopback-guard';
import { JSON_BODY_LIMIT, registerEngineRoutes } from '../server/loopback-server';
import { PAGE_CSP } from '../server/pages';
import { DEFAULT_LIMITS, rateLimitCheck, type BucketLimits } from '../server/request-buckets';
import type { FormProtection, Site } from '../server/site';
import { DeskHub } from './desk-hub';
import { DEFAULT_DESK_LIMITS, registerDeskRoutes, type DeskRouteLimits } from './desk-routes';
import type { Transport } from './host-options';
import type { PublicMediaLinks } from './public-media';
import { DEFAULT_SIGN_IN_LIMITS, SignInThrottle, type SignInLimits } from './sign-in-throttle';

/**
 * The team host's one HTTPS server (SPEC §12, issue 12 items 1, 3, 5, 6), on its public URL: the
 * REST API and every page a client or invitee opens (the same routes as a desk's loopback server,
 * registered by `registerEngineRoutes`), and the desk endpoints with the contract's WebSocket.
 *
 * Facing a network, it adds: TLS (its own, or a proxy's with `--behind-proxy`), HSTS and the
 * security headers of `@fastify/helmet` on every answer, CSRF tokens in every form
 * (`@fastify/csrf-protection`, the secret in a Secure, HttpOnly, SameSite=Strict cookie), only its
 * public name in `Host` and only its public origin in `Origin`, and limits per address, per key,
 * per link, per account and per session.
 */
export interface HostServerOptions {
  publicUrl: URL;
  listen: { host: string; port: number };
  transport: Transport;
  /** PEM certificate chain and key, for `transport.kind === 'tls'` (read by the caller). */
  tls?: { cert: Buffer; key: Buffer };
  apiLimits?: Partial<BucketLimits>;
  signInLimits?: Partial<SignInLimits>;
  deskLimits?: Partial<DeskRouteLimits>;
  /** Serves posts' media to the platforms that fetch it (Instagram, Threads). */
  publicMedia?: PublicMediaLinks;
}

export interface HostServer {
  readonly app: FastifyInstance;
  /** Where it listens (its public URL may differ, behind a proxy). */
  readonly port: number;
  readonly hub: DeskHub;
  /** Takes a renewed certificate without a restart (SIGHUP). */
  reloadTls(tls: { cert: Buffer; key: Buffer }): void;
  close(): Promise<void>;
}

const CSRF_COOKIE_SECURE = '__Host-postroom-csrf';
const CSRF_COOKIE_PLAIN = 'postroom-csrf';

export async function startHostServer(engine: Engine, options: HostServerOptions): Promise<HostServer> {
  const { publicUrl, transport } = options;
  const origin = publicUrl.origin;
  const secure = publicUrl.protocol === 'https:';
  let httpsServer: HttpsServer | null = null;
  const app = Fastify({
    bodyLimit: JSON_BODY_LIMIT,
    logger: false,
    frameworkErrors,
    // Behind a proxy, the client's address is the one the proxy (only a trusted one) says.
    trustProxy: transport.kind === 'behind-proxy' ? [...transport.trustedProxies] : false,
    serverFactory: (handler) => {
      if (transport.kind === 'tls') {
        if (!options.tls) throw new Error('TLS transport without certificate');
        httpsServer = createHttpsServer(
          { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' },
          handler,
        );
        return httpsServer as unknown as Server;
      }
      return createHttpServer(handler);
    },
  }) as unknown as FastifyInstance;

  // The WebSocket plugin goes first (as on the browser host): refused upgrades' sockets are destroyed.
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(PAGE_CSP) },
    hsts: secure ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: secure ? CSRF_COOKIE_SECURE : CSRF_COOKIE_PLAIN,
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure },
    getToken: (request) => (request.body as { _csrf?: unknown } | undefined)?._csrf as string | undefined,
  });
  app.decorateRequest('apiKeyDigest', null);

  const apiCheck = rateLimitCheck(engine, { ...DEFAULT_LIMITS, ...options.apiLimits });
  const host = publicUrl.host.toLowerCase();
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    // Only the public name: anything else is DNS rebinding, or a scanner that found the address.
    if ((request.headers.host ?? '').toLowerCase() !== host) {
      reply.header('connection', 'close');
      sendError(reply, { code: 'forbidden', message: `this server only answers to ${host}` }, 421);
      return;
    }
    const from = request.headers.origin;
    if (from !== undefined && from.toLowerCase() !== origin) {
      reply.header('connection', 'close');
      sendError(reply, { code: 'forbidden', message: 'cross-origin requests are not accepted' });
      return;
    }
    // The desk endpoints count per account, per session and per address themselves.
    if (!(request.routeOptions.url ?? '').startsWith('/desk/') && apiCheck(request, reply)) return;
    done();
  });
  installErrorAnswers(app);

  const forms: FormProtection = {
    field: async (reply) => `<input type="hidden" name="_csrf" value="${reply.generateCsrf()}">`,
    // Refused posts are answered by the error handler (an HTML page: the form expired).
    check: (request, reply, done) => app.csrfProtection(request, reply, done),
  };
  const site: Site = { kind: 'host', baseUrl: () => origin, forms };
  const pages = await registerEngineRoutes(app, engine, site);
  options.publicMedia?.register(app);

  const hub = new DeskHub(engine);
  registerDeskRoutes(app, engine, {
    publicUrl: origin,
    throttle: new SignInThrottle({ ...DEFAULT_SIGN_IN_LIMITS, ...options.signInLimits }),
    hub,
    limits: { ...DEFAULT_DESK_LIMITS, ...options.deskLimits },
  });

  await app.listen({ host: options.listen.host, port: options.listen.port });
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    port,
    hub,
    reloadTls: (tls) => (httpsServer as HttpsServer | null)?.setSecureContext({ cert: tls.cert, key: tls.key }),
    close: async () => {
      hub.close();
      await pages.close();
      await app.close();
    },
  };
}

/** `PAGE_CSP` as helmet's directives: every answer gets it unless a page sets its own. */
function cspDirectives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}
