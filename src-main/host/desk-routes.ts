import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { isChannel, type Result } from '../../src-shared/contract';
import { validationError } from '../../src-shared/errors';
import {
  channelKind,
  DESK_PATHS,
  DESK_PROTOCOL_VERSION,
  DeskCall,
  JoinRequest,
  SignInRequest,
} from '../../src-shared/team-protocol';
import type { Engine } from '../engine/engine';
import { AppError } from '../engine/kernel/errors';
import {
  deskSessionFor,
  endDeskSession,
  joinWithCode,
  liveCaller,
  sessionEndReason,
  signInWithPassword,
  type DeskCaller,
  type DeskIdentity,
} from '../engine/team/desk-sessions';
import { MAX_MESSAGE_DEPTH, nestsDeeperThan } from '../server/browser-host';
import { sendError } from '../server/loopback-guard';
import { parse } from '../server/rest-auth';
import { RateLimiter } from '../server/rate-limit';
import { bearerKey } from '../server/request-buckets';
import { DeskHub, send } from './desk-hub';
import type { SignInThrottle } from './sign-in-throttle';

/**
 * The desk endpoints of a team host (/work/coord/team-protocol.md): what a desk checks first
 * (`info`), joining and signing in (throttled per address and per account), signing out, and the
 * contract over a WebSocket whose every call is authorized as the session's member.
 */
export interface DeskRouteLimits {
  /** Contract calls per minute of one session. */
  callsPerSession: number;
  /** Requests with an unknown or ended session token per minute from one address. */
  failedAuthPerAddress: number;
}

export const DEFAULT_DESK_LIMITS: DeskRouteLimits = { callsPerSession: 600, failedAuthPerAddress: 60 };

declare module 'fastify' {
  interface FastifyRequest {
    /** The desk session a contract upgrade presented (set by its preValidation). */
    deskCaller: DeskCaller | null;
  }
}

export function registerDeskRoutes(
  app: FastifyInstance,
  engine: Engine,
  deps: { publicUrl: string; throttle: SignInThrottle; hub: DeskHub; limits: DeskRouteLimits },
): void {
  const { throttle, hub } = deps;
  const failedAuth = new RateLimiter(deps.limits.failedAuthPerAddress);
  const calls = new RateLimiter(deps.limits.callsPerSession);
  app.decorateRequest('deskCaller', null);

  app.get(DESK_PATHS.info, async () => {
    const workspace = engine.ctx.db
      .prepare<[], { id: string; name: string }>(`SELECT id, name FROM workspaces ORDER BY created_at, rowid LIMIT 1`)
      .get();
    return {
      product: 'postroom-host' as const,
      protocol: DESK_PROTOCOL_VERSION,
      publicUrl: deps.publicUrl,
      workspace: workspace ?? null,
    };
  });

  /** Join and sign-in: refused while throttled; a failure counts against the address (and account). */
  const throttled = async (
    request: FastifyRequest,
    reply: FastifyReply,
    account: string | null,
    run: () => Promise<DeskIdentity>,
  ) => {
    const wait = await throttle.refusal(request.ip, account);
    if (wait !== null) return tooMany(reply, wait);
    try {
      const identity = await run();
      if (account) await throttle.succeeded(account);
      // A new session may have evicted the oldest one past the sessions limit, on another machine.
      hub.sweep();
      return reply.header('cache-control', 'no-store').send(identity);
    } catch (err) {
      if (err instanceof AppError && ['unauthorized', 'not_found', 'validation_failed'].includes(err.code))
        await throttle.failed(request.ip, account);
      throw err;
    }
  };

  app.post(DESK_PATHS.signIn, async (request, reply) => {
    const input = parse(SignInRequest, request.body);
    return throttled(request, reply, input.email, () => signInWithPassword(engine.ctx, input));
  });

  app.post(DESK_PATHS.join, async (request, reply) => {
    const input = parse(JoinRequest, request.body);
    return throttled(request, reply, null, () => joinWithCode(engine.ctx, input));
  });

  /** The session a bearer token stands for, or a 401 (and a failure counted against the address). */
  const authenticate = (request: FastifyRequest, reply: FastifyReply): DeskCaller | null => {
    const token = bearerKey(request);
    const caller = token ? deskSessionFor(engine.ctx.db, token) : null;
    if (caller) return caller;
    const decision = failedAuth.hit(request.ip);
    if (!decision.allowed) {
      tooMany(reply, decision.resetSeconds);
      return null;
    }
    sendError(reply, {
      code: 'unauthorized',
      message: token ? 'this session has ended; sign in again' : 'Authorization: Bearer <session token> is required',
    });
    return null;
  };

  app.post(DESK_PATHS.signOut, async (request, reply) => {
    const caller = authenticate(request, reply);
    if (!caller) return reply;
    endDeskSession(engine.ctx, caller.sessionId);
    hub.sweep();
    return { signedOut: true };
  });

  app.get(
    DESK_PATHS.contract,
    {
      websocket: true,
      // Refused before the upgrade: a desk without a live session gets a plain 401.
      preValidation: async (request, reply) => {
        const caller = authenticate(request, reply);
        if (caller) request.deskCaller = caller;
        return reply.sent ? reply : undefined;
      },
    },
    (socket: WebSocket, request) => {
      const connection = { caller: request.deskCaller!, socket };
      hub.add(connection);
      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        void answer(data, isBinary);
      });

      const answer = async (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        const message = readCall(data, isBinary);
        if ('error' in message) return send(socket, { id: message.id, result: { ok: false, error: message.error } });
        // Every call: the session must still be live (force logout refuses the very next call).
        const caller = liveCaller(engine.ctx.db, connection.caller.sessionId);
        if (!caller) return hub.end(connection, sessionEndReason(engine.ctx.db, connection.caller.sessionId));
        connection.caller = caller;
        const decision = calls.hit(caller.sessionId);
        if (!decision.allowed)
          return send(socket, {
            id: message.id,
            result: {
              ok: false,
              error: {
                code: 'rate_limited',
                message: `too many calls; try again in ${decision.resetSeconds} s`,
                details: { retryAfterSeconds: decision.resetSeconds },
              },
            },
          });
        const result = await callAs(engine, caller, message);
        send(socket, { id: message.id, result });
        // A call may have ended sessions (force logout, deactivation, a lower sessions limit) or moved this one.
        if (result.ok && channelKind(message.channel as never) === 'change') hub.sweep();
      };
    },
  );
}

/** Runs one desk call: desk-local channels refused, changes need an idempotency key, then the engine. */
async function callAs(engine: Engine, caller: DeskCaller, message: DeskCall): Promise<Result<unknown>> {
  if (!isChannel(message.channel))
    return { ok: false, error: { code: 'not_found', message: `unknown channel ${message.channel.slice(0, 80)}` } };
  const kind = channelKind(message.channel);
  if (kind === 'desk-local')
    return {
      ok: false,
      error: { code: 'forbidden', message: `${message.channel} is answered by the desk, not the team host` },
    };
  if (kind === 'change' && !message.idempotencyKey)
    return {
      ok: false,
      error: {
        code: 'parameter_missing',
        message: `${message.channel} changes something: send it with an idempotencyKey (a UUID)`,
        details: { fields: { idempotencyKey: 'required' } },
      },
    };
  return engine.dispatchAs(caller, message.channel, message.request, message.idempotencyKey ?? null);
}

type ReadCall = DeskCall | { id: number | null; error: { code: 'validation_failed'; message: string } };

function readCall(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ReadCall {
  const malformed = (id: number | null = null): ReadCall => ({
    id,
    error: { code: 'validation_failed', message: 'malformed contract message' },
  });
  if (isBinary) return malformed();
  const bytes = Buffer.isBuffer(data)
    ? data
    : Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.from(data as ArrayBuffer);
  if (nestsDeeperThan(bytes, MAX_MESSAGE_DEPTH)) return malformed();
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    return malformed();
  }
  const parsed = DeskCall.safeParse(raw);
  if (parsed.success) return parsed.data;
  const id = (raw as { id?: unknown } | null)?.id;
  return {
    id: typeof id === 'number' && Number.isInteger(id) ? id : null,
    error: { code: 'validation_failed', message: validationError(parsed.error.issues).message },
  };
}

function tooMany(reply: FastifyReply, seconds: number): FastifyReply {
  reply.header('retry-after', seconds);
  return sendError(reply, {
    code: 'rate_limited',
    message: `too many attempts; try again in ${seconds} s`,
    details: { retryAfterSeconds: seconds },
  });
}
