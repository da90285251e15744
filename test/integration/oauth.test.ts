import { TEST_PASSWORD } from '../support/engine';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app';
import type { FakeClock } from '../support/engine';
import { consentAtServer } from '../support/oauth-consent';
import { startOAuthServer, type OAuthServer } from '../support/oauth-server';
import { addWorkspaceWithAdminKey, restCall } from '../support/rest';

/*
 * SPEC §5: a client opens a connection link and connects LinkedIn through a real OpenID Connect
 * server (oidc-provider) on loopback. No browser: redirects are followed by hand with a small
 * cookie jar, and the server's development sign-in and consent forms are posted as a browser would
 * (test/support/oauth-consent.ts).
 */

const servers: OAuthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function setUp(options: { organizationPages?: boolean } = {}) {
  const t = await startTestApp();
  const as = await startOAuthServer();
  servers.push(as);

  // The integration arrives the public way: the install admin adds a workspace with it.
  const data = await addWorkspaceWithAdminKey(t.url, t.adminKey, {
    name: 'Northwind Social',
    integrations: [
      {
        platform: 'linkedin',
        clientId: as.clientId,
        clientSecret: as.clientSecret,
        issuerUrl: as.issuer,
        ...(options.organizationPages ? { organizationPages: true } : {}),
      },
    ],
  });
  const key = data.apiKey;

  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    restCall(t.url, method, path, { key, body, headers });

  const client = await api('POST', '/api/v1/workspace/users', {
    email: 'casey@client.test',
    displayName: 'Casey Client Co',
  });
  expect(client.status).toBe(201);
  const userId = client.body.id as string;

  const newLink = async () => {
    const res = await api('POST', `/api/v1/workspace/users/${userId}/connection-url`);
    expect(res.status).toBe(200);
    return res.body as { connectionUrl: string; expiresAt: string };
  };

  const connections = async () => {
    const res = await api('GET', '/api/v1/connections', undefined, { 'x-publora-user-id': userId });
    expect(res.status).toBe(200);
    return res.body as Array<Record<string, unknown>>;
  };

  /** Opens the link page and chooses LinkedIn: the app answers with a 303 to the authorization server. */
  const startFlow = async (connectionUrl: string) => {
    const page = await fetch(connectionUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Northwind Social');
    expect(html).toContain('Casey Client Co');
    const href = /<a class="button" href="([^"]+)">Connect LinkedIn<\/a>/.exec(html)?.[1];
    expect(href).toBeTruthy();
    const start = await fetch(new URL(href!, connectionUrl), { redirect: 'manual' });
    expect(start.status, await start.clone().text()).toBe(303);
    return new URL(start.headers.get('location')!);
  };

  const callback = async (url: URL) => {
    const res = await fetch(url, { redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  };

  const clock = t.app.engine.ctx.clock as FakeClock;
  return { t, as, api, userId, newLink, connections, startFlow, callback, clock, workspaceId: data.workspaceId };
}

describe('connecting LinkedIn through a connection link (SPEC §5)', () => {
  it('runs the whole authorization-code flow with PKCE against a real OpenID Connect server', async () => {
    const { t, as, newLink, startFlow, callback, connections } = await setUp();
    const { connectionUrl } = await newLink();
    const authorization = await startFlow(connectionUrl);

    expect(authorization.origin + authorization.pathname).toBe(`${as.issuer}/auth`);
    const q = authorization.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(as.clientId);
    expect(q.get('redirect_uri')).toBe(`${t.url}/oauth/callback`);
    expect(q.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'w_member_social']),
    );
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = q.get('state')!;
    expect(state).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(state, 'base64url').length * 8).toBeGreaterThanOrEqual(128);

    const back = await consentAtServer(authorization.href);
    expect(back.origin + back.pathname).toBe(`${t.url}/oauth/callback`);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('iss')).toBe(as.issuer); // RFC 9207
    expect(back.searchParams.get('code')).toBeTruthy();

    const done = await callback(back);
    expect(done.status, done.html).toBe(200);
    expect(done.html).toContain('<h1>Connected</h1>');
    expect(done.html).toContain('Casey Client');

    expect(await connections()).toEqual([
      expect.objectContaining({
        platformId: 'linkedin-li-casey',
        platform: 'linkedin',
        accountId: 'li-casey',
        status: 'active',
        displayName: 'Casey Client',
        handle: 'casey@client.test',
      }),
    ]);
  });

  it('asks for organisation-page scopes only if the integration turned them on; "post as" a page follows', async () => {
    const plain = await setUp();
    const plainAuthorization = await plain.startFlow((await plain.newLink()).connectionUrl);
    expect(plainAuthorization.searchParams.get('scope')?.split(' ')).not.toContain('w_organization_social');
    expect((await plain.callback(await consentAtServer(plainAuthorization.href))).status).toBe(200);
    await plain.t.app.engine.signIn(plain.t.app.engine.state().profiles[0]!.id, TEST_PASSWORD, plain.workspaceId);
    const plainRef = { workspaceId: plain.workspaceId, userId: plain.userId, platformId: 'linkedin-li-casey' };
    expect(
      await plain.t.app.engine.dispatch('connection.setPostAs', { ...plainRef, postAs: 'urn:li:organization:2414183' }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        message: expect.stringContaining('organisation pages turned on in the LinkedIn integration'),
      },
    });

    const pages = await setUp({ organizationPages: true });
    const authorization = await pages.startFlow((await pages.newLink()).connectionUrl);
    expect(authorization.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['w_member_social', 'w_organization_social', 'r_organization_admin']),
    );
    const back = await consentAtServer(authorization.href);
    expect((await pages.callback(back)).status).toBe(200);
    // The server granted the page scopes, and the tokens in the keychain say so.
    const granted = pages.t.secrets
      .values()
      .flatMap((v) => (v.includes('accessToken') ? [JSON.parse(v) as { scope: string | null }] : []));
    expect(granted.map((g) => g.scope?.split(/[ ,]/))).toEqual([
      expect.arrayContaining(['w_organization_social', 'r_organization_admin']),
    ]);
    const engine = pages.t.app.engine;
    await engine.signIn(engine.state().profiles[0]!.id, TEST_PASSWORD, pages.workspaceId);
    const ref = { workspaceId: pages.workspaceId, userId: pages.userId, platformId: 'linkedin-li-casey' };
    expect(await engine.call('connection.setPostAs', { ...ref, postAs: 'urn:li:organization:2414183' })).toEqual({
      postAs: 'urn:li:organization:2414183',
    });
    expect(await engine.call('connection.credentials', ref)).toMatchObject({ postAs: 'urn:li:organization:2414183' });
  });

  it('keeps the tokens in the secret store and out of the SQLite files', async () => {
    const { t, as, newLink, startFlow, callback, connections } = await setUp();
    const back = await consentAtServer((await startFlow((await newLink()).connectionUrl)).href);
    expect((await callback(back)).status).toBe(200);
    expect(await connections()).toHaveLength(1);

    const stored = t.secrets
      .values()
      .flatMap((v) => {
        try {
          return [JSON.parse(v) as { accessToken?: string; refreshToken?: string | null }];
        } catch {
          return [];
        }
      })
      .filter((v) => typeof v.accessToken === 'string');
    expect(stored).toHaveLength(1);
    const { accessToken, refreshToken } = stored[0]!;
    expect(accessToken).toBeTruthy();
    expect(refreshToken).toBeTruthy();

    // The stored access token is the live one: the server's userinfo endpoint accepts it.
    const me = await fetch(`${as.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'li-casey' });

    const files = readdirSync(t.dataDir).filter((f) => f.startsWith('postroom.sqlite'));
    expect(files).toContain('postroom.sqlite');
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(t.dataDir, f))));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(accessToken!)).toBe(false);
    expect(bytes.includes(refreshToken!)).toBe(false);
    expect(bytes.includes(as.clientSecret)).toBe(false);
    expect(bytes.includes('li-casey')).toBe(true); // the connection itself is there
  });

  it('refuses a forged callback and one whose iss is not the issuer', async () => {
    const { t, newLink, startFlow, callback, connections } = await setUp();
    const forged = await callback(
      new URL(`${t.url}/oauth/callback?code=x&state=${randomBytes(32).toString('base64url')}`),
    );
    expect(forged.status).toBe(400);
    expect(forged.html).toContain('Sign-in not recognised');

    // A real state with a response that claims to come from another server (mix-up, RFC 9207).
    const authorization = await startFlow((await newLink()).connectionUrl);
    const mixUp = new URL(`${t.url}/oauth/callback`);
    mixUp.searchParams.set('code', 'x');
    mixUp.searchParams.set('state', authorization.searchParams.get('state')!);
    mixUp.searchParams.set('iss', 'http://127.0.0.1:1');
    const refused = await callback(mixUp);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Sign-in not recognised');

    expect(await connections()).toEqual([]);
  });

  it('answers a replayed callback with "Already used"', async () => {
    const { newLink, startFlow, callback, connections } = await setUp();
    const back = await consentAtServer((await startFlow((await newLink()).connectionUrl)).href);
    expect((await callback(back)).status).toBe(200);
    const again = await callback(back);
    expect(again.status).toBe(409);
    expect(again.html).toContain('Already used');
    expect(await connections()).toHaveLength(1);
  });

  it('refuses a callback that comes back after the flow’s time limit', async () => {
    const { newLink, startFlow, callback, connections, clock } = await setUp();
    const back = await consentAtServer((await startFlow((await newLink()).connectionUrl)).href);
    clock.advance(10 * MINUTE + 1000);
    const late = await callback(back);
    expect(late.status).toBe(410);
    expect(late.html).toContain('Sign-in expired');
    expect(late.html).toContain('took too long');
    expect(await connections()).toEqual([]);
  });

  it('says nothing was connected when the person declines at the server', async () => {
    const { newLink, startFlow, callback, connections } = await setUp();
    const authorization = await startFlow((await newLink()).connectionUrl);
    const back = await consentAtServer(authorization.href, { cancel: true });
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe(authorization.searchParams.get('state'));
    const denied = await callback(back);
    expect(denied.status).toBe(200);
    expect(denied.html).toContain('Nothing was connected');
    expect(await connections()).toEqual([]);
  });

  it('shows an expired or revoked link as such, and starts no flow from it', async () => {
    const { api, userId, newLink, clock } = await setUp();

    const expiring = await newLink();
    clock.advance(7 * DAY + MINUTE);
    const expired = await fetch(expiring.connectionUrl);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('Link expired');
    const noStart = await fetch(`${expiring.connectionUrl}/linkedin`, { redirect: 'manual' });
    expect(noStart.status).toBe(410);

    const revoking = await newLink();
    expect((await fetch(revoking.connectionUrl)).status).toBe(200);
    const links = await api('GET', `/api/v1/workspace/users/${userId}/connection-urls`);
    const active = (links.body as Array<{ id: string; status: string }>).find((l) => l.status === 'active')!;
    expect((await api('DELETE', `/api/v1/workspace/users/${userId}/connection-urls/${active.id}`)).status).toBe(200);
    const revoked = await fetch(revoking.connectionUrl);
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toContain('Link revoked');
  });
});
