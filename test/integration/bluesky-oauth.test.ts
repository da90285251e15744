import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlueskyOAuthError,
  completeBlueskyAuthorization,
  dpopCall,
  exportDpopKeyPair,
  generateDpopKeyPair,
  importDpopKeyPair,
  loopbackClientId,
  resolveAuthorizationServer,
  startBlueskyAuthorization,
  type BlueskyAuthorizationServer,
  type DpopJwk,
} from '../../src-main/engine/platforms/bluesky-oauth';
import { pdsAvailable, startPds, type Pds } from '../support/pds';
import { signInAndAccept } from '../support/pds-sign-in';

describe('Bluesky OAuth, without a server', () => {
  it('builds the loopback client_id of the atproto spec', () => {
    expect(loopbackClientId('http://127.0.0.1:5123/oauth/callback')).toBe(
      'http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A5123%2Foauth%2Fcallback&scope=atproto%20transition%3Ageneric',
    );
    expect(() => loopbackClientId('http://localhost:5123/oauth/callback')).toThrow(BlueskyOAuthError);
    expect(() => loopbackClientId('https://example.com/cb')).toThrow(BlueskyOAuthError);
  });
});

const peer = pdsAvailable();
const runAgainstPds = peer.available || process.env.CI === 'true';

describe.skipIf(!runAgainstPds)(`Bluesky OAuth (loopback client) against a real PDS${runAgainstPds ? '' : ` (skipped: ${peer.reason})`}`, () => {
  let pds: Pds & { plcUrl?: string };
  let callbackServer: Server;
  let redirectUri: string;
  const callbacks: string[] = [];

  beforeAll(async () => {
    pds = await startPds({ handle: 'oauth-agency.test' });
    callbackServer = createServer((req, res) => {
      callbacks.push(new URL(req.url ?? '/', redirectUri).href);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Postroom is connected; you can close this window.');
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/callback`;
  }, 120_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
    await pds?.close();
  });

  it('resolves, authorizes through PAR + PKCE + DPoP, exchanges the code, and posts with the DPoP-bound token', async () => {
    expect(pds.plcUrl, 'start-pds.mjs prints the PLC directory URL').toBeTruthy();
    const server: BlueskyAuthorizationServer = await resolveAuthorizationServer(`@${pds.handle}`, pds.url, { plcDirectoryUrl: pds.plcUrl });
    expect(server.did).toBe(pds.did);
    expect(server.handle).toBe(pds.handle);
    // The dev PDS's public URL (in the DID document, and its issuer) is http://localhost:<port>.
    const port = new URL(pds.url).port;
    expect(server.pdsUrl).toBe(`http://localhost:${port}`);
    expect(server.issuer).toBe(`http://localhost:${port}`);
    expect(server.metadata.require_pushed_authorization_requests).toBe(true);

    // Every OAuth and XRPC request, to see the DPoP nonce dance happen.
    const seen: { path: string; status: number; challenge: string }[] = [];
    const watched: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      seen.push({ path: url.pathname, status: res.status, challenge: `${res.headers.get('www-authenticate') ?? ''} ${res.status === 400 ? await res.clone().text() : ''}` });
      return res;
    };
    const options = { fetch: watched };

    const pending = await startBlueskyAuthorization({ server, redirectUri, options });
    // The PDS demands a server nonce in DPoP proofs: the first PAR is refused with use_dpop_nonce, the retry succeeds.
    expect(seen.map((r) => [r.path, r.status])).toEqual([
      ['/oauth/par', 400],
      ['/oauth/par', 201],
    ]);
    expect(seen[0]?.challenge).toContain('use_dpop_nonce');
    const authUrl = new URL(pending.authorizationUrl);
    expect(authUrl.origin + authUrl.pathname).toBe(`http://localhost:${port}/oauth/authorize`);
    expect(authUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(pending.clientId).toBe(loopbackClientId(redirectUri));

    const location = await signInAndAccept(pending.authorizationUrl, pds.did, pds.handle, pds.password);
    expect(location.startsWith(`${redirectUri}?`)).toBe(true);
    const delivered = await fetch(location);
    expect(delivered.status).toBe(200);
    const callbackUrl = callbacks.at(-1) ?? '';
    const callback = new URL(callbackUrl);
    expect(callback.searchParams.get('state')).toBe(pending.state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer);
    expect(callback.searchParams.get('code')).toBeTruthy();

    // The callback checks run before the code is spent: a wrong state, a wrong or missing iss fail.
    const tampered = (edit: (u: URL) => void) => {
      const u = new URL(callbackUrl);
      edit(u);
      return completeBlueskyAuthorization({ server, pending, callbackUrl: u.href });
    };
    await expect(tampered((u) => u.searchParams.set('state', 'forged'))).rejects.toThrow(/state/i);
    await expect(tampered((u) => u.searchParams.set('iss', 'https://evil.example'))).rejects.toThrow(/iss/i);
    await expect(tampered((u) => u.searchParams.delete('iss'))).rejects.toThrow(/iss/i);

    const tokens = await completeBlueskyAuthorization({ server, pending, callbackUrl, options });
    expect(tokens.did).toBe(pds.did);
    expect(tokens.tokenType).toBe('DPoP');
    expect(tokens.scope.split(' ')).toEqual(expect.arrayContaining(['atproto', 'transition:generic']));
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt).toBeGreaterThan(Date.now());

    // The key pair survives the keychain as a JWK; the token stays bound to it.
    const jwk = await exportDpopKeyPair(pending.dpopKeyPair);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwk.d).toBeTruthy();
    const restoredKey = await importDpopKeyPair(JSON.parse(JSON.stringify(jwk)) as DpopJwk);

    const text = `Posted over AT Protocol OAuth ${Date.now()}`;
    const created = await dpopCall({
      accessToken: tokens.accessToken,
      dpopKeyPair: restoredKey,
      method: 'POST',
      options,
      url: `${server.pdsUrl}/xrpc/com.atproto.repo.createRecord`,
      json: {
        repo: tokens.did,
        collection: 'app.bsky.feed.post',
        record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
      },
    });
    const createdBody = await created.text();
    expect(created.status, createdBody).toBe(200);
    const { uri } = JSON.parse(createdBody) as { uri: string };
    const rkey = uri.split('/').at(-1) ?? '';
    expect(uri).toBe(`at://${pds.did}/app.bsky.feed.post/${rkey}`);

    const read = await dpopCall({
      accessToken: tokens.accessToken,
      dpopKeyPair: restoredKey,
      method: 'GET',
      url: `${server.pdsUrl}/xrpc/com.atproto.repo.getRecord?repo=${encodeURIComponent(pds.did)}&collection=app.bsky.feed.post&rkey=${rkey}`,
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { value: { text: string } }).value.text).toBe(text);

    // Bound means bound: the same token with another key is refused.
    const stolen = await dpopCall({
      accessToken: tokens.accessToken,
      dpopKeyPair: await generateDpopKeyPair(),
      method: 'GET',
      options,
      url: `${server.pdsUrl}/xrpc/com.atproto.server.getSession`,
    }).then(
      (res) => `status ${res.status}`,
      (err: unknown) => `${(err as Error).name}: ${(err as Error).message} ${(err as { status?: number }).status}`,
    );
    expect(stolen).toMatch(/WWWAuthenticateChallengeError.*401/);
    // …and not for want of a nonce (that one is retried): the last answer is a plain refusal.
    const last = seen.at(-1);
    expect(last?.path).toBe('/xrpc/com.atproto.server.getSession');
    expect(last?.status).toBe(401);
    expect(last?.challenge).not.toContain('use_dpop_nonce');
  }, 60_000);
});
