import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { XServer } from './x-server';
import { listenOnLoopback } from './loopback';

/**
 * X's OAuth 2.0 endpoints in front of the local X server (which has none), so an X account can be
 * connected the way a client does it, through a connection link: `GET /i/oauth2/authorize`
 * consents at once (no sign-in page) and `POST /2/oauth2/token` checks the code, the redirect URI
 * and the PKCE verifier, then hands out the X server's token. Every other request goes through to
 * the X server unchanged (JSON, or a media upload's multipart bytes), so posts land in `x.tweets()`.
 */
export interface XOAuthFront {
  /** Use as the X integration's `instanceUrl` (it stands for both x.com and api.x.com). */
  readonly url: string;
  /** Authorization codes exchanged so far. */
  exchanges(): number;
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  used: boolean;
}

export async function startXOAuthFront(x: XServer): Promise<XOAuthFront> {
  const app = Fastify({ logger: false });
  const grants = new Map<string, Grant>();
  let exchanges = 0;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Media uploads go through as the bytes they are (the multipart boundary is in the Content-Type).
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/i/oauth2/authorize', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (!q.redirect_uri || !URL.canParse(q.redirect_uri))
      return reply.code(400).type('text/html').send('<p>Invalid redirect_uri</p>');
    const back = new URL(q.redirect_uri);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    if (q.response_type !== 'code' || !q.client_id || !q.code_challenge || q.code_challenge_method !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
      return reply.redirect(back.href, 302);
    }
    const code = randomBytes(24).toString('base64url');
    grants.set(code, {
      clientId: q.client_id,
      redirectUri: q.redirect_uri,
      challenge: q.code_challenge,
      scope: q.scope ?? '',
      used: false,
    });
    back.searchParams.set('code', code);
    return reply.redirect(back.href, 302);
  });

  app.post('/2/oauth2/token', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    const grant = grants.get(body.code ?? '');
    const verifier = body.code_verifier ?? '';
    const invalid = () =>
      reply
        .code(400)
        .send({ error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
    if (body.grant_type !== 'authorization_code' || !grant || grant.used) return invalid();
    if (body.client_id !== grant.clientId || body.redirect_uri !== grant.redirectUri) return invalid();
    if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return invalid();
    grant.used = true;
    exchanges++;
    return { token_type: 'bearer', access_token: x.token, scope: grant.scope };
  });

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      const headers: Record<string, string> = {};
      if (request.headers.authorization) headers.authorization = request.headers.authorization;
      if (request.headers['content-type']) headers['content-type'] = request.headers['content-type'];
      const res = await fetch(new URL(request.url, x.url), {
        method: request.method,
        headers,
        body:
          request.method !== 'POST'
            ? undefined
            : Buffer.isBuffer(request.body)
              ? new Uint8Array(request.body)
              : JSON.stringify(request.body ?? {}),
      });
      const text = await res.text();
      const type = res.headers.get('content-type');
      if (type) reply.type(type);
      return reply.code(res.status).send(text);
    },
  });

  return {
    url: await listenOnLoopback(app),
    exchanges: () => exchanges,
    close: () => app.close(),
  };
}
