import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JoseKey } from '@atproto/oauth-client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlueskyAdapter, parseAtUri } from '../../src-main/engine/platforms/bluesky/adapter';
import {
  BlueskyOAuthError,
  beginBlueskyAuthorization,
  completeBlueskyAuthorization,
  loopbackClientId,
  type BlueskyServers,
  type BlueskyTokens,
} from '../../src-main/engine/platforms/bluesky/atproto-oauth';
import { PlatformError, type PlatformClient } from '../../src-main/engine/platforms/types';
import { PNG_1x1 } from '../support/images';
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

  it('refuses plain http to a server that is not on this machine', async () => {
    const begun = beginBlueskyAuthorization({
      handleOrDid: 'someone.example',
      redirectUri: 'http://127.0.0.1:5123/oauth/callback',
      servers: { handleResolver: 'http://pds.example', fetch: () => Promise.reject(new Error('no request may leave')) },
    });
    await expect(begun).rejects.toThrow(/https/);
  });
});

const peer = pdsAvailable();
const runAgainstPds = peer.available || process.env.CI === 'true';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(!runAgainstPds)(
  `Bluesky OAuth (loopback client) against a real PDS${runAgainstPds ? '' : ` (skipped: ${peer.reason})`}`,
  () => {
    let pds: Pds;
    let callbackServer: Server;
    let redirectUri: string;
    const callbacks: string[] = [];
    // Every request of the client library, to see PAR, PKCE and the DPoP nonce dance happen.
    const seen: { method: string; path: string; status: number; dpop: boolean; body: string; challenge: string }[] = [];
    const watched = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const body = request.method === 'POST' ? await request.clone().text() : '';
      const res = await fetch(request);
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        status: res.status,
        dpop: request.headers.has('dpop'),
        body,
        challenge: `${res.headers.get('www-authenticate') ?? ''} ${res.status === 400 ? await res.clone().text() : ''}`,
      });
      return res;
    };
    const servers = (): BlueskyServers => ({ handleResolver: pds.url, plcDirectoryUrl: pds.plcUrl, fetch: watched });

    beforeAll(async () => {
      pds = await startPds({ handle: 'oauth-agency.test' });
      callbackServer = createServer((req, res) => {
        callbacks.push(new URL(req.url ?? '/', redirectUri).href);
        res
          .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
          .end('Postroom is connected; you can close this window.');
      });
      await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
      redirectUri = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/callback`;
    }, 120_000);

    afterAll(async () => {
      await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
      await pds?.close();
    });

    it('resolves, authorizes (PAR + PKCE + DPoP), exchanges the code and posts with the DPoP-bound token', async () => {
      expect(pds.plcUrl, 'start-pds.mjs prints the PLC directory URL').toBeTruthy();
      const port = new URL(pds.url).port;
      seen.length = 0;
      const { authorizationUrl, pending } = await beginBlueskyAuthorization({
        handleOrDid: `@${pds.handle}`,
        redirectUri,
        servers: servers(),
      });
      expect(pending.did).toBe(pds.did);
      expect(pending.handle).toBe(pds.handle);
      // The dev PDS's public URL (in the DID document, and its issuer) is http://localhost:<port>.
      expect(pending.pdsUrl).toBe(`http://localhost:${port}`);
      expect(pending.issuer).toBe(`http://localhost:${port}`);
      expect(pending.clientId).toBe(loopbackClientId(redirectUri));

      // The handle was resolved at the configured server, the DID at the configured PLC directory.
      expect(seen.some((r) => r.path === '/xrpc/com.atproto.identity.resolveHandle' && r.status === 200)).toBe(true);
      expect(seen.some((r) => decodeURIComponent(r.path) === `/${pds.did}` && r.status === 200)).toBe(true);
      // PAR with a DPoP proof: the PDS demands a server nonce, so the first push is refused with
      // use_dpop_nonce and the library's retry succeeds.
      const pushes = seen.filter((r) => r.path === '/oauth/par');
      expect(pushes.map((r) => r.status)).toEqual([400, 201]);
      expect(pushes.every((r) => r.dpop)).toBe(true);
      expect(pushes[0]?.challenge).toContain('use_dpop_nonce');
      const pushed = new URLSearchParams(pushes[1]!.body);
      expect(pushed.get('client_id')).toBe(pending.clientId);
      expect(pushed.get('redirect_uri')).toBe(redirectUri);
      expect(pushed.get('code_challenge_method')).toBe('S256');
      expect(pushed.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(pushed.get('state')).toBe(pending.state);
      expect(pushed.get('login_hint')).toBe(pds.handle);
      expect(pushed.get('scope')).toBe('atproto transition:generic');
      // The browser gets only the pushed request's reference.
      const authUrl = new URL(authorizationUrl);
      expect(authUrl.origin + authUrl.pathname).toBe(`http://localhost:${port}/oauth/authorize`);
      expect([...authUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      expect(authUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);

      const location = await signInAndAccept(authorizationUrl, pds.did, pds.handle, pds.password);
      expect(location.startsWith(`${redirectUri}?`)).toBe(true);
      const delivered = await fetch(location);
      expect(delivered.status).toBe(200);
      const callbackUrl = callbacks.at(-1) ?? '';
      const callback = new URL(callbackUrl);
      expect(callback.searchParams.get('state')).toBe(pending.state);
      expect(callback.searchParams.get('iss')).toBe(pending.issuer);
      expect(callback.searchParams.get('code')).toBeTruthy();

      // The callback checks run before the code is spent: a wrong state, a wrong or missing iss fail.
      const tampered = (edit: (u: URL) => void) => {
        const u = new URL(callbackUrl);
        edit(u);
        return rejection(completeBlueskyAuthorization({ pending, callbackUrl: u.href, fetch: watched }));
      };
      const forged = await tampered((u) => u.searchParams.set('state', 'forged'));
      expect(forged).toMatchObject({ kind: 'forged', message: expect.stringMatching(/state/i) });
      expect(await tampered((u) => u.searchParams.set('iss', 'https://evil.example'))).toMatchObject({
        kind: 'forged',
        message: expect.stringMatching(/iss/i),
      });
      expect(await tampered((u) => u.searchParams.delete('iss'))).toMatchObject({
        kind: 'forged',
        message: expect.stringMatching(/iss/i),
      });
      expect(seen.filter((r) => r.path === '/oauth/token')).toEqual([]);

      const tokens = await completeBlueskyAuthorization({ pending, callbackUrl, fetch: watched });
      // The code was exchanged with the PKCE verifier and a DPoP proof.
      const exchange = seen.filter((r) => r.path === '/oauth/token').at(-1)!;
      expect(exchange).toMatchObject({ status: 200, dpop: true });
      expect(new URLSearchParams(exchange.body).get('grant_type')).toBe('authorization_code');
      expect(new URLSearchParams(exchange.body).get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
      expect(tokens).toMatchObject({
        did: pds.did,
        handle: pds.handle,
        tokenType: 'DPoP',
        oauthIssuer: pending.issuer,
        oauthClientId: pending.clientId,
        plcDirectoryUrl: pds.plcUrl,
      });
      expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['atproto', 'transition:generic']));
      expect(tokens.refreshToken).toBeTruthy();
      expect(Date.parse(tokens.expiresAt ?? '')).toBeGreaterThan(Date.now());
      // The DPoP key pair travels with the tokens as a private JWK (for the keychain).
      expect(tokens.dpopJwk).toMatchObject({
        kty: 'EC',
        d: expect.any(String),
        x: expect.any(String),
        y: expect.any(String),
      });

      // Through the keychain (JSON) and back: the adapter posts with the DPoP-bound token, image included.
      const stored = JSON.parse(JSON.stringify(tokens)) as BlueskyTokens;
      const adapter = createBlueskyAdapter({ fetch: watched });
      const client: PlatformClient = { clientId: '', clientSecret: null, apiBaseUrl: pds.url };
      const text = `Posted over AT Protocol OAuth ${Date.now()}`;
      const published = await adapter.publish(client, stored, {
        text,
        media: [{ mimeType: 'image/png', data: PNG_1x1, altText: 'One pixel' }],
        idempotencyKey: `oauth-${Date.now()}`,
      });
      const { rkey } = parseAtUri(published.postId)!;
      expect(published.postId).toBe(`at://${pds.did}/app.bsky.feed.post/${rkey}`);
      const created = seen.filter((r) => r.path === '/xrpc/com.atproto.repo.createRecord').at(-1)!;
      expect(created).toMatchObject({ status: 200, dpop: true });
      const read = await fetch(
        `${pds.url}/xrpc/com.atproto.repo.getRecord?repo=${encodeURIComponent(pds.did)}` +
          `&collection=app.bsky.feed.post&rkey=${rkey}`,
      );
      expect(read.status).toBe(200);
      const record = ((await read.json()) as { value: { text: string; embed: { images: { alt: string }[] } } }).value;
      expect(record.text).toBe(text);
      expect(record.embed.images).toEqual([expect.objectContaining({ alt: 'One pixel' })]);

      // Bound means bound: the same token with another key is refused, and the connection needs a reconnect…
      const otherKey = await JoseKey.generate(['ES256']);
      const stolen = await rejection(
        adapter.profile(client, { ...stored, dpopJwk: otherKey.privateJwk as BlueskyTokens['dpopJwk'] }),
      );
      expect(stolen).toBeInstanceOf(PlatformError);
      expect(stolen).toMatchObject({ retryable: false, needsReauth: true, status: 401 });
      // …and not for want of a nonce (that one is retried): the last answer is a plain refusal.
      const last = seen.at(-1);
      expect(last?.path).toBe('/xrpc/com.atproto.server.getSession');
      expect(last?.status).toBe(401);
      expect(last?.challenge).not.toContain('use_dpop_nonce');
      // No token or key in what the person (or a log) would see.
      for (const secret of [stored.accessToken, stored.refreshToken!, String(stored.dpopJwk!.d)])
        expect(stolen.message).not.toContain(secret);

      // Two renewals of the session at once (the TokenKeeper and the scheduler) spend its single-use
      // refresh token once and share the answer; the renewed session works.
      const [first, second] = await Promise.all([adapter.refresh(client, stored), adapter.refresh(client, stored)]);
      expect(second).toEqual(first);
      expect(first).toMatchObject({ tokenType: 'DPoP', dpopJwk: stored.dpopJwk, did: pds.did });
      expect(first.refreshToken).not.toBe(stored.refreshToken);
      expect(
        seen.filter(
          (r) =>
            r.path === '/oauth/token' &&
            new URLSearchParams(r.body).get('grant_type') === 'refresh_token' &&
            r.status === 200,
        ),
      ).toHaveLength(1);
      expect((await adapter.profile(client, first)).accountId).toBe(pds.did);

      // The code is single use at the server too (a replay also makes the PDS revoke what the code gave,
      // which is why this comes last).
      expect(await rejection(completeBlueskyAuthorization({ pending, callbackUrl, fetch: watched }))).toMatchObject({
        kind: 'refused',
      });
    }, 60_000);

    it('refuses tokens for another account than the one the sign-in was for', async () => {
      // A second account on the same PDS, made through its own API.
      const other = { handle: 'second-account.test', password: 'second-account-password' };
      const made = await fetch(`${pds.url}/xrpc/com.atproto.server.createAccount`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...other, email: 'second@example.com' }),
      });
      expect(made.status, await made.clone().text()).toBe(200);
      const otherDid = ((await made.json()) as { did: string }).did;

      const { authorizationUrl, pending } = await beginBlueskyAuthorization({
        handleOrDid: pds.handle,
        redirectUri,
        servers: servers(),
      });
      const location = await signInAndAccept(authorizationUrl, otherDid, other.handle, other.password);
      const err = await rejection(completeBlueskyAuthorization({ pending, callbackUrl: location, fetch: watched }));
      expect(err).toBeInstanceOf(BlueskyOAuthError);
      expect(err).toMatchObject({ kind: 'account', message: expect.stringContaining(otherDid) });
    }, 60_000);
  },
);
