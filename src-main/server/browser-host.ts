import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify from 'fastify';
import { z } from 'zod';
import type { RunningApp } from '../app-types';
import { frameworkErrors, installLoopbackGuards, sendError } from './loopback-guard';

/** The renderer's Content-Security-Policy when served by the browser host (the Electron shell sets its own). */
export const BROWSER_HOST_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "media-src 'self' blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Logos travel as base64 inside contract messages (two logos under 10 MB each: 2 × 13.4 MB of
 * base64), so a message may be a little over 27 MB; nothing legitimate is larger.
 */
export const MAX_MESSAGE_BYTES = 28 * 1024 * 1024;

/**
 * How deeply a contract message may nest. The deepest request (a workspace with integrations) is
 * under 10 levels; `JSON.parse` of 15 million nested brackets blocks the event loop for seconds,
 * so depth is checked before parsing (issue 9).
 */
export const MAX_MESSAGE_DEPTH = 32;

/**
 * Whether a JSON text nests deeper than `max`, in one pass over its bytes: brackets inside
 * strings (after an unescaped quote) do not count. UTF-8 continuation bytes are all ≥ 0x80, so
 * they never look like a bracket, quote or backslash.
 */
export function nestsDeeperThan(json: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i]!;
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

const ClientMessage = z.object({
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  request: z.unknown(),
});

export interface BrowserHost {
  /** The URL to open, with the per-run secret in the fragment (never sent to the server in requests). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Finds the built renderer whether running from source (tsx) or from the electron-vite bundle. */
export function defaultRendererDir(): string | null {
  const candidates = [
    join(__dirname, '../renderer'),
    join(__dirname, '../../out/renderer'),
    join(process.cwd(), 'out/renderer'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The browser host (SPEC §1): serves the built renderer and carries the same contract as the
 * Electron IPC over a WebSocket on 127.0.0.1. A per-run secret, checked in constant time, plus the
 * Host and Origin guards keep other local processes' pages and other sites out.
 */
export async function startBrowserHost(
  running: RunningApp,
  options: { port?: number; rendererDir?: string | null } = {},
): Promise<BrowserHost> {
  const token = randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const rendererDir = options.rendererDir === undefined ? defaultRendererDir() : options.rendererDir;

  const app = Fastify({ logger: false, bodyLimit: 1024, frameworkErrors });
  // The WebSocket plugin goes first: its hooks mark upgrade requests so that a refused upgrade's
  // raw socket is destroyed after the refusal instead of lingering and holding up a stop.
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  let boundPort = options.port ?? 0;
  installLoopbackGuards(app, () => boundPort);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', BROWSER_HOST_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  app.register(async (scope) => {
    scope.get('/contract', { websocket: true }, (socket, request) => {
      const presented = (request.query as Record<string, unknown>).token;
      if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), tokenDigest)) {
        socket.close(4401, 'unauthorized');
        return;
      }
      const send = (message: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      const unsubscribe = running.subscribe((event, payload) => send({ event, payload }));
      socket.on('close', unsubscribe);
      socket.on('message', async (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        let message: z.infer<typeof ClientMessage>;
        try {
          if (isBinary) throw new Error('binary');
          const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
          if (nestsDeeperThan(bytes, MAX_MESSAGE_DEPTH)) throw new Error('too deep');
          message = ClientMessage.parse(JSON.parse(bytes.toString('utf8')));
        } catch {
          send({
            id: null,
            result: { ok: false, error: { code: 'validation_failed', message: 'malformed contract message' } },
          });
          return;
        }
        const result = await running.dispatch(message.channel, message.request);
        send({ id: message.id, result });
      });
    });
  });

  if (rendererDir) {
    await app.register(fastifyStatic, { root: rendererDir, index: 'index.html', wildcard: false });
  } else {
    app.get('/', (_request, reply) =>
      sendError(reply, { code: 'not_found', message: 'the renderer is not built; run `npm run build` first' }),
    );
  }

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  boundPort = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${boundPort}/#token=${token}`,
    port: boundPort,
    close: () => app.close(),
  };
}
