import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { httpStatusOf, validationError, type ErrorObject } from '../../src-shared/errors';
import { AppError, toErrorObject } from '../engine/errors';

/** Sends the SPEC §7 body with the status its code maps to. */
export function sendError(reply: FastifyReply, error: ErrorObject, status = httpStatusOf[error.code]): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error });
}

/** The only authorities a loopback server answers to: 127.0.0.1 or localhost on its own port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/**
 * Guards every loopback server (RFC 8252 §8.3, SPEC §6): a foreign Host header is a DNS-rebinding
 * attempt, a foreign Origin is a page on another site reaching in; both are refused before any
 * route runs. No CORS headers are ever sent, so browsers keep other origins out of the answers.
 */
export function installLoopbackGuards(app: FastifyInstance, port: () => number): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const hosts = allowedHosts(port());
    const host = request.headers.host ?? '';
    if (!hosts.has(host.toLowerCase())) {
      reply.header('connection', 'close');
      return sendError(reply, { code: 'forbidden', message: 'this server only answers to 127.0.0.1 and localhost' }, 421);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && ![...hosts].some((h) => origin.toLowerCase() === `http://${h}`)) {
      reply.header('connection', 'close');
      return sendError(reply, { code: 'forbidden', message: 'cross-origin requests are not accepted' });
    }
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.setErrorHandler((err: unknown, _request, reply) => {
    if (err instanceof AppError) return sendError(reply, err.toObject());
    if (err instanceof ZodError) return sendError(reply, validationError(err.issues));
    const fastifyCode = (err as { code?: string }).code ?? '';
    const statusCode = (err as { statusCode?: number }).statusCode ?? 500;
    if (statusCode === 429) {
      const built = (err as { error?: { message?: string; details?: Record<string, unknown> } }).error;
      return sendError(reply, { code: 'rate_limited', message: built?.message ?? 'too many requests', ...(built?.details ? { details: built.details } : {}) });
    }
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413) {
      return sendError(reply, { code: 'payload_too_large', message: 'the request body is too large' });
    }
    if (statusCode >= 400 && statusCode < 500) {
      return sendError(
        reply,
        { code: 'validation_failed', message: 'the request could not be read', details: { reason: fastifyCode || 'bad_request' } },
        400,
      );
    }
    app.log.error({ err }, 'unexpected failure');
    return sendError(reply, toErrorObject(err));
  });
}

/**
 * Errors Fastify raises before routing (an over-long path parameter, a malformed URL): answered in
 * the SPEC §7 shape like everything else. Pass as the `frameworkErrors` option.
 */
export function frameworkErrors(error: { code?: string; message: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void sendError(reply, tooLong ? { code: 'not_found', message: 'no such resource (a path segment is too long)' } : { code: 'validation_failed', message: 'the request could not be read', details: { reason: error.code ?? 'bad_request' } });
}
