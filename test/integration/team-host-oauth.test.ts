import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlueskyAdapter, parseAtUri } from '../../src-main/engine/platforms/bluesky/adapter';
import type { BlueskyTokens } from '../../src-main/engine/platforms/bluesky/atproto-oauth';
import { KeychainSecretStore } from '../../src-main/engine/secrets/keychain-store';
import { NO_KEYCHAIN_REASON, keychainAvailable } from '../support/keychain';
import { consentAtServer } from '../support/oauth-consent';
import { startOAuthServer, type OAuthServer } from '../support/oauth-server';
import { pdsAvailable, startPds } from '../support/pds';
import { signInAndAccept } from '../support/pds-sign-in';
import {
  DeskSocket,
  deskJoin,
  hostRequest,
  makeTestCertificate,
  startTestHost,
  TEAM_HOST_PUBLIC_NAME,
} from '../support/team-host';

/*
 * Issue 12 item 5: OAuth on a team host. A client opens a connection link on the host's public URL
 * in a browser that has nothing of the desks, signs in at a real OpenID Connect server
 * (oidc-provider, standing in for LinkedIn, with the host registered as a web app whose redirect
 * URI is the public URL's callback), and the browser comes back to the host. The tokens end in the
 * host's keychain (the real Secret Service) only: not in its SQLite files, not on any desk's wire.
 * A desk signed in to the host sees the connection appear live. Bluesky likewise against the real
 * PDS, where the host is a web client whose client_id is the metadata document it serves on its
 * public URL (a name, not an address: atproto refuses IPs and loopback there). No browser:
 * redirects are followed by hand (test/support/oauth-consent.ts), as for a single desk.
 */

const available = await keychainAvailable();

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/**
 * A host whose secrets go to a keychain service of its own (removed afterwards), an owner on a desk (every frame it
 * receives kept), and a client.
 */
async function hostWithOwnerDesk(options: Parameters<typeof startTestHost>[0] = {}) {
  const service = `Postroom-test-host-oauth-${randomBytes(6).toString('hex')}`;
  cleanups.push(async () => {
    for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
  });
  const secretStore = await KeychainSecretStore.open(service);
  const h = await startTestHost({ ...options, secretStore });
  cleanups.push(() => h.stop());

  const joined = await deskJoin(h.url, h.tls.ca, {
    invitationCode: h.ownerCode,
    name: 'Olivia Owner',
    password: 'owner password 1',
  });
  expect(joined.status, joined.text).toBe(200);
  const desk = await DeskSocket.open(h.url, h.tls.ca, joined.body.sessionToken);
  cleanups.push(async () => desk.close());
  // Everything the desk receives, to check no token ever reaches it.
  const frames: string[] = [];
  desk.socket.on('message', (data) => frames.push(String(data)));
  const client = await desk.change<{ id: string }>('client.create', {
    workspaceId: h.workspaceId,
    client: { email: 'casey@client.test', displayName: 'Casey Client Co' },
  });
  if (!client.ok) throw new Error(JSON.stringify(client));
  return { h, service, desk, frames, clientId: client.data.id };
}

/** The host's keychain entries that hold a connection's tokens. */
async function tokensIn(service: string): Promise<BlueskyTokens[]> {
  return (await keytar.findCredentials(service)).flatMap(({ password }) => {
    try {
      const parsed = JSON.parse(password) as BlueskyTokens;
      return typeof parsed.accessToken === 'string' ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

/** Every byte of the host's database files. */
const databaseBytes = (dataDir: string) =>
  Buffer.concat(
    readdirSync(dataDir)
      .filter((f) => f.startsWith('postroom.sqlite'))
      .map((f) => readFileSync(join(dataDir, f))),
  );

/**
 * The same, with LinkedIn: the agency registered the host as a web app whose redirect URI is the public URL's
 * callback.
 */
async function hostWithLinkedIn() {
  const team = await hostWithOwnerDesk();
  const as: OAuthServer = await startOAuthServer({
    applicationType: 'web',
    redirectUris: [`${team.h.url}/oauth/callback`],
  });
  cleanups.push(() => as.close());
  const added = await team.desk.change('integration.add', {
    workspaceId: team.h.workspaceId,
    integration: { platform: 'linkedin', clientId: as.clientId, clientSecret: as.clientSecret, issuerUrl: as.issuer },
  });
  expect(added.ok, JSON.stringify(added)).toBe(true);
  return { ...team, as };
}

describe.skipIf(!available)(
  'OAuth through a team host, against a real OpenID Connect server (issue 12 item 5)' +
    ` — skipped only when ${NO_KEYCHAIN_REASON}`,
  () => {
    it(
      'a client connects through a link on the public URL, the redirect lands on the host, ' +
        'the tokens go to the host’s keychain only, and the desk sees it live',
      async () => {
        const { h, as, service, desk, frames, clientId } = await hostWithLinkedIn();
        const ref = { workspaceId: h.workspaceId, userId: clientId };

        // The owner makes the link on the desk: it is on the host's public URL.
        const link = await desk.change<{ connectionUrl: string }>('connection.createLink', ref);
        if (!link.ok) throw new Error(JSON.stringify(link));
        expect(link.data.connectionUrl).toMatch(new RegExp(`^${h.url}/connect/[A-Za-z0-9_-]+$`));

        // The client's browser, which has nothing of the desk: the link page, then "Connect LinkedIn".
        const page = await hostRequest(link.data.connectionUrl, h.tls.ca);
        expect(page.status).toBe(200);
        expect(page.text).toContain('Casey Client Co');
        const href = /<a class="button" href="([^"]+)">Connect LinkedIn<\/a>/.exec(page.text)?.[1];
        expect(href, page.text).toBeTruthy();
        const start = await hostRequest(new URL(href!, h.url).href, h.tls.ca);
        expect(start.status, start.text).toBe(303);
        const authorization = new URL(String(start.headers.location));
        expect(authorization.origin + authorization.pathname).toBe(`${as.issuer}/auth`);
        // The redirect URI is the host's public callback, not a loopback one (RFC 8252 is for desks).
        expect(authorization.searchParams.get('redirect_uri')).toBe(`${h.url}/oauth/callback`);
        expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');

        const back = await consentAtServer(authorization.href);
        expect(back.origin + back.pathname).toBe(`${h.url}/oauth/callback`);
        expect(back.searchParams.get('iss')).toBe(as.issuer);
        desk.events.length = 0;
        const done = await hostRequest(back.href, h.tls.ca);
        expect(done.status, done.text).toBe(200);
        expect(done.text).toContain('<h1>Connected</h1>');
        expect(done.text).toContain('Casey Client');

        // The desk is told at once, and its list shows the account active.
        await expect
          .poll(() => desk.events)
          .toContainEqual({ event: 'connections.changed', payload: { workspaceId: h.workspaceId } });
        const listed = await desk.call<Array<Record<string, unknown>>>('connection.list', ref);
        expect(listed).toMatchObject({
          ok: true,
          data: [{ platform: 'linkedin', accountId: 'li-casey', status: 'active', displayName: 'Casey Client' }],
        });

        // The tokens are in the host's keychain (the real Secret Service) …
        const inKeychain = await tokensIn(service);
        expect(inKeychain).toHaveLength(1);
        const { accessToken, refreshToken } = inKeychain[0]!;
        expect(refreshToken).toBeTruthy();
        // … they are the live ones (the platform accepts the access token) …
        const me = await fetch(`${as.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
        expect(me.status).toBe(200);
        // … and nowhere else: not in the host's data folder, not in anything the desk received.
        const bytes = databaseBytes(h.dataDir);
        expect(bytes.includes('li-casey')).toBe(true);
        const desksWire = frames.join('\n');
        expect(desksWire).toContain('li-casey');
        for (const secret of [accessToken!, refreshToken!, as.clientSecret]) {
          expect(bytes.includes(secret)).toBe(false);
          expect(desksWire).not.toContain(secret);
        }
      },
      60_000,
    );

    it('a desk’s re-authentication also returns to the host’s public URL and renews the same connection', async () => {
      const { h, as, service, desk, clientId } = await hostWithLinkedIn();
      const ref = { workspaceId: h.workspaceId, userId: clientId };
      const link = await desk.change<{ connectionUrl: string }>('connection.createLink', ref);
      if (!link.ok) throw new Error(JSON.stringify(link));
      const start = await hostRequest(`${link.data.connectionUrl}/linkedin`, h.tls.ca);
      expect((await hostRequest((await consentAtServer(String(start.headers.location))).href, h.tls.ca)).status).toBe(
        200,
      );
      const tokensBefore = (await keytar.findCredentials(service))
        .map((c) => c.password)
        .filter((p) => p.includes('accessToken'));

      // The owner renews it from the desk: the desk opens this URL in the person's browser.
      const renew = await desk.change<{ authorizationUrl: string }>('connection.reauthenticate', {
        ...ref,
        platformId: 'linkedin-li-casey',
      });
      if (!renew.ok) throw new Error(JSON.stringify(renew));
      const authorization = new URL(renew.data.authorizationUrl);
      expect(authorization.origin).toBe(as.issuer);
      expect(authorization.searchParams.get('redirect_uri')).toBe(`${h.url}/oauth/callback`);
      const done = await hostRequest((await consentAtServer(authorization.href)).href, h.tls.ca);
      expect(done.status, done.text).toBe(200);
      expect(done.text).toContain('<h1>Connected</h1>');

      const listed = await desk.call<Array<{ platformId: string; status: string }>>('connection.list', ref);
      expect(listed.ok && listed.data.map((c) => [c.platformId, c.status])).toEqual([['linkedin-li-casey', 'active']]);
      const tokensAfter = (await keytar.findCredentials(service))
        .map((c) => c.password)
        .filter((p) => p.includes('accessToken'));
      expect(tokensAfter).toHaveLength(1);
      expect(tokensAfter).not.toEqual(tokensBefore);
    }, 60_000);
  },
);

const peer = pdsAvailable();
const runAgainstPds = available && (peer.available || process.env.CI === 'true');

describe.skipIf(!runAgainstPds)(
  'Bluesky OAuth through a team host against a real PDS (issue 12 item 5)' +
    (runAgainstPds ? '' : ` — skipped: ${available ? peer.reason : NO_KEYCHAIN_REASON}`),
  () => {
    it(
      'the host is a web client with its metadata on the public URL: a client connects through a link, ' +
        'the tokens go to the host’s keychain only, the desk sees it live, and the host posts and renews with them',
      async () => {
        const tls = await makeTestCertificate();
        // The PDS fetches the host's client metadata over https: it knows the host's name and trusts its CA.
        const pds = await startPds({
          handle: 'host-client.test',
          loopbackNames: [TEAM_HOST_PUBLIC_NAME],
          extraCaFile: tls.caFile,
        });
        cleanups.push(() => pds.close());
        const { h, service, desk, frames, clientId } = await hostWithOwnerDesk({
          tls,
          publicName: TEAM_HOST_PUBLIC_NAME,
        });
        expect(new URL(h.url).hostname).toBe(TEAM_HOST_PUBLIC_NAME);
        const added = await desk.change('integration.add', {
          workspaceId: h.workspaceId,
          integration: { platform: 'bluesky', instanceUrl: pds.url, issuerUrl: pds.plcUrl },
        });
        expect(added.ok, JSON.stringify(added)).toBe(true);

        // The host's client_id is this document's URL; it names the public callback and no secret.
        const clientIdUrl = `${h.url}/oauth/bluesky/client-metadata.json`;
        const metadata = await hostRequest<Record<string, unknown>>(clientIdUrl, h.tls.ca);
        expect(metadata.status).toBe(200);
        expect(metadata.headers['content-type']).toMatch(/^application\/json/);
        expect(metadata.body).toMatchObject({
          client_id: clientIdUrl,
          application_type: 'web',
          redirect_uris: [`${h.url}/oauth/callback`],
          scope: 'atproto transition:generic',
          token_endpoint_auth_method: 'none',
          dpop_bound_access_tokens: true,
        });

        const ref = { workspaceId: h.workspaceId, userId: clientId };
        const link = await desk.change<{ connectionUrl: string }>('connection.createLink', ref);
        if (!link.ok) throw new Error(JSON.stringify(link));
        // The client's browser: the Bluesky form (with its CSRF token and cookie), then "Continue with Bluesky".
        const form = await hostRequest(`${link.data.connectionUrl}/bluesky`, h.tls.ca);
        expect(form.status).toBe(200);
        const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
        const cookie = String(form.headers['set-cookie']).split(';')[0]!;
        expect(csrf).toBeTruthy();
        const start = await hostRequest(`${link.data.connectionUrl}/bluesky/oauth`, h.tls.ca, {
          method: 'POST',
          rawBody: new URLSearchParams({ handle: `@${pds.handle}`, _csrf: csrf! }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: h.url },
        });
        expect(start.status, start.text.slice(0, 500)).toBe(303);
        const authorization = new URL(String(start.headers.location));
        expect(authorization.searchParams.get('client_id')).toBe(clientIdUrl);

        const back = new URL(await signInAndAccept(authorization.href, pds.did, pds.handle, pds.password));
        expect(back.origin + back.pathname).toBe(`${h.url}/oauth/callback`);
        desk.events.length = 0;
        const done = await hostRequest(back.href, h.tls.ca);
        expect(done.status, done.text).toBe(200);
        expect(done.text).toContain('<h1>Connected</h1>');

        await expect
          .poll(() => desk.events)
          .toContainEqual({ event: 'connections.changed', payload: { workspaceId: h.workspaceId } });
        const listed = await desk.call('connection.list', ref);
        expect(listed).toMatchObject({
          ok: true,
          data: [{ platform: 'bluesky', accountId: pds.did, handle: pds.handle, status: 'active' }],
        });

        // In the host's keychain: DPoP-bound tokens for this client_id …
        const stored = await tokensIn(service);
        expect(stored).toHaveLength(1);
        const tokens = stored[0]!;
        expect(tokens).toMatchObject({ tokenType: 'DPoP', did: pds.did, oauthClientId: clientIdUrl });
        // … nowhere else: not in the host's database, not on the desk's wire.
        const bytes = databaseBytes(h.dataDir);
        const wire = frames.join('\n');
        for (const secret of [tokens.accessToken, tokens.refreshToken!, String(tokens.dpopJwk!.d)]) {
          expect(bytes.includes(secret)).toBe(false);
          expect(wire).not.toContain(secret);
        }

        // What the host's scheduler and token keeper do with them: post, and renew as the same web client.
        const adapter = createBlueskyAdapter();
        const client = { clientId: '', clientSecret: null, apiBaseUrl: pds.url };
        const text = `Posted from a team host ${Date.now()}`;
        const published = await adapter.publish(client, tokens, {
          text,
          media: [],
          idempotencyKey: `host-${Date.now()}`,
        });
        expect(parseAtUri(published.postId)).toMatchObject({ repo: pds.did, collection: 'app.bsky.feed.post' });
        const renewed = await adapter.refresh(client, tokens);
        expect(renewed).toMatchObject({ tokenType: 'DPoP', oauthClientId: clientIdUrl, did: pds.did });
        expect(renewed.refreshToken).not.toBe(tokens.refreshToken);
      },
      120_000,
    );
  },
);
