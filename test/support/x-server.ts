import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';

/**
 * A local server for the parts of X's API v2 that Postroom uses (`POST /2/tweets`,
 * `DELETE /2/tweets/:id`, `GET /2/users/me`), with X's JSON shapes. X takes no idempotency key,
 * so a repeated call makes a second post: exactly what the scheduler must never do.
 */
export interface XServer {
  readonly url: string;
  readonly token: string;
  tweets(): { id: string; text: string }[];
  setLatency(ms: number): void;
  /** From now on every refresh is refused (a revoked app, a password change). */
  refuseRefresh(): void;
  failNext(status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startXServer(): Promise<XServer> {
  const app = Fastify({ logger: false });
  const token = randomBytes(16).toString('hex');
  const tweets: { id: string; text: string }[] = [];
  const failures: { status: number; headers: Record<string, string> }[] = [];
  let latencyMs = 0;
  let nextId = 1_800_000_000_000_000_000n;

  // OAuth 2.0 with PKCE, as X's own endpoints: the consent is approved at once.
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  app.get('/i/oauth2/authorize', async (request, reply) => {
    const q = request.query as Record<string, string>;
    if (q.code_challenge_method !== 'S256' || !q.code_challenge || !q.redirect_uri) return reply.code(400).send({ error: 'invalid_request' });
    const code = randomBytes(12).toString('hex');
    codes.set(code, { challenge: q.code_challenge, redirectUri: q.redirect_uri });
    const back = new URL(q.redirect_uri);
    back.searchParams.set('code', code);
    if (q.state) back.searchParams.set('state', q.state);
    return reply.redirect(back.href, 302);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const refreshTokens = new Set<string>();
  let refusesRefresh = false;
  app.post('/2/oauth2/token', async (request, reply) => {
    const body = request.body as Record<string, string>;
    if (body.grant_type === 'refresh_token') {
      // X rotates refresh tokens: each one works once.
      if (refusesRefresh || !refreshTokens.delete(body.refresh_token ?? '')) return reply.code(400).send({ error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
      const next = randomBytes(12).toString('hex');
      refreshTokens.add(next);
      return { token_type: 'bearer', expires_in: 7200, access_token: token, scope: 'tweet.read tweet.write users.read offline.access', refresh_token: next };
    }
    const grant = codes.get(body.code ?? '');
    codes.delete(body.code ?? '');
    const verifierHash = createHash('sha256').update(body.code_verifier ?? '').digest('base64url');
    if (!grant || grant.challenge !== verifierHash || grant.redirectUri !== body.redirect_uri) return reply.code(400).send({ error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
    const refresh = randomBytes(12).toString('hex');
    refreshTokens.add(refresh);
    return { token_type: 'bearer', expires_in: 7200, access_token: token, scope: 'tweet.read tweet.write users.read offline.access', refresh_token: refresh };
  });

  app.addHook('onRequest', async (request, reply) => {
    const failure = failures.shift();
    if (failure) return reply.code(failure.status).headers(failure.headers).send({ title: 'Failure', detail: `HTTP ${failure.status}`, status: failure.status });
    if (request.url.startsWith('/i/oauth2/') || request.url.startsWith('/2/oauth2/')) return;
    if (request.headers.authorization !== `Bearer ${token}`) {
      return reply.code(401).send({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    }
  });
  app.addHook('onSend', async (_request, _reply, payload) => {
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return payload;
  });

  app.get('/2/users/me', async () => ({ data: { id: '2244994945', name: 'Client on X', username: 'clientonx' } }));
  app.post('/2/tweets', async (request, reply) => {
    const text = (request.body as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || text.length === 0) return reply.code(400).send({ title: 'Invalid Request', detail: 'text is required', status: 400 });
    const id = String(nextId++);
    tweets.push({ id, text });
    return reply.code(201).send({ data: { id, text, edit_history_tweet_ids: [id] } });
  });
  app.delete('/2/tweets/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    const i = tweets.findIndex((t) => t.id === id);
    if (i >= 0) tweets.splice(i, 1);
    return { data: { deleted: i >= 0 } };
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    tweets: () => [...tweets],
    setLatency: (ms) => void (latencyMs = ms),
    refuseRefresh: () => void (refusesRefresh = true),
    failNext: (status, headers = {}) => void failures.push({ status, headers }),
    close: () => app.close(),
  };
}
