import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { httpStatusOf, validationError, type ErrorObject } from '../../src-shared/errors';
import { AppError, toErrorObject } from '../engine/kernel/errors';
import { page, PAGE_CSP } from './pages';

/** Sends the SPEC §7 body with the status its code maps to. */
export function sendError(reply: FastifyReply, error: ErrorObject, status = httpStatusOf[error.code]): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error });
}

/** A check run on every request before routing; true when it has answered the request itself. */
export type RequestCheck = (request: FastifyRequest, reply: FastifyReply) => boolean;

/** The only authorities a loopback server answers to: 127.0.0.1 or localhost on its own port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/**
 * Guards every loopback server (RFC 8252 §8.3, SPEC §6): a foreign Host header is a DNS-rebinding
 * attempt, a foreign Origin is a page on another site reaching in; both are refused before any
 * route runs. No CORS headers are ever sent, so browsers keep other origins out of the answers.
 * The hook is synchronous (no promise per request) and compares with strings made once per port.
 * `thenCheck` runs in the same hook once the guards pass (the API's rate limit); it answers and
 * returns true to stop the request there.
 */
export function installLoopbackGuards(app: FastifyInstance, port: () => number, thenCheck?: RequestCheck): void {
  let knownPort = -1;
  let hosts: [string, string] = ['', ''];
  let origins: [string, string] = ['', ''];
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const current = port();
    if (current !== knownPort) {
      knownPort = current;
      hosts = [...allowedHosts(current)] as [string, string];
      origins = [`http://${hosts[0]}`, `http://${hosts[1]}`];
    }
    const host = request.headers.host ?? '';
    if (host !== hosts[0] && host !== hosts[1] && !oneOf(host.toLowerCase(), hosts)) {
      reply.header('connection', 'close');
      sendError(reply, { code: 'forbidden', message: 'this server only answers to 127.0.0.1 and localhost' }, 421);
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !oneOf(origin.toLowerCase(), origins)) {
      reply.header('connection', 'close');
      sendError(reply, { code: 'forbidden', message: 'cross-origin requests are not accepted' });
      return;
    }
    if (thenCheck?.(request, reply)) return;
    done();
  });
  installErrorAnswers(app);
}

/**
 * Unknown routes and every failure answered in the SPEC §7 shape: the loopback servers and the
 * team host (whose own guards check its public name instead of loopback's) share these.
 */
export function installErrorAnswers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.setErrorHandler((err: unknown, _request, reply) => {
    if (err instanceof AppError) return sendError(reply, err.toObject());
    if (err instanceof ZodError) return sendError(reply, validationError(err.issues));
    const fastifyCode = (err as { code?: string }).code ?? '';
    const statusCode = (err as { statusCode?: number }).statusCode ?? 500;
    if (fastifyCode.startsWith('FST_CSRF_')) {
      // A page's form posted without its token (a team host's forms): another site, or a stale page.
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', PAGE_CSP)
        .send(
          page(
            'Form expired',
            '<h1>This form has expired</h1><p>It was open too long, or it was not sent from this page. ' +
              'Open your link again and send the form from there.</p>',
          ),
        );
    }
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413) {
      return sendError(reply, { code: 'payload_too_large', message: 'the request body is too large' });
    }
    if (statusCode >= 400 && statusCode < 500) {
      return sendError(
        reply,
        {
          code: 'validation_failed',
          message: 'the request could not be read',
          details: { reason: fastifyCode || 'bad_request' },
        },
        400,
      );
    }
    app.log.error({ err }, 'unexpected failure');
    return sendError(reply, toErrorObject(err));
  });
}

const oneOf = (value: string, allowed: readonly [string, string]) => value === allowed[0] || value === allowed[1];

/**
 * Errors Fastify raises before routing (an over-long path parameter, a malformed URL): answered in
 * the SPEC §7 shape like everything else. Pass as the `frameworkErrors` option.
 */
export function frameworkErrors(
  error: { code?: string; message: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void sendError(
    reply,
    tooLong
      ? { code: 'not_found', message: 'no such resource (a path segment is too long)' }
      : {
          code: 'validation_failed',
          message: 'the request could not be read',
          details: { reason: error.code ?? 'bad_request' },
        },
  );
}
