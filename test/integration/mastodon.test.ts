import { createHash, randomBytes } from 'node:crypto';
import { createOAuthAPIClient, createRestAPIClient } from 'masto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMastodonAdapter,
  instanceLimits,
  mastodonAdapter,
  registerMastodonApp,
} from '../../src-main/engine/platforms/mastodon/adapter';
import type { PlatformClient, TokenSet } from '../../src-main/engine/platforms/types';
import { PNG_1x1, pngOfSize } from '../support/images';
import { startMastodonServer, type MastodonServer, type MastodonServerOptions } from '../support/mastodon-server';
import { platformFailure } from '../support/platform-failure';

const servers: MastodonServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function setup(options: MastodonServerOptions = {}) {
  const server = await startMastodonServer(options);
  servers.push(server);
  const { accessToken } = server.issueToken('read write');
  const client: PlatformClient = { clientId: 'unused', clientSecret: null, apiBaseUrl: server.url };
  const tokens: TokenSet = { accessToken, refreshToken: null, expiresAt: null, scope: 'read write' };
  return { server, client, tokens };
}

const post = (text: string, idempotencyKey = randomBytes(8).toString('hex')) => ({ text, media: [], idempotencyKey });

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Mastodon adapter against a local Mastodon', () => {
  it('reads the profile behind the tokens', async () => {
    const { server, client, tokens } = await setup();
    await expect(mastodonAdapter.profile(client, tokens)).resolves.toEqual({
      accountId: server.account.id,
      handle: 'agency',
      displayName: 'Agency Bot',
    });
  });

  it('falls back to the username when the display name is empty', async () => {
    const { client, tokens } = await setup({ username: 'studio', displayName: '' });
    expect((await mastodonAdapter.profile(client, tokens)).displayName).toBe('studio');
  });

  it('publishes text with an image and reads it back', async () => {
    const { server, client, tokens } = await setup();
    const published = await mastodonAdapter.publish(client, tokens, {
      text: 'Launch day!\nNew menu in store.',
      media: [{ mimeType: 'image/png', data: PNG_1x1, altText: 'The new menu' }],
      idempotencyKey: 'delivery-1',
    });
    expect(published.url).toBe(`${server.url}/@agency/${published.postId}`);

    const { status, body } = await getJson(`${server.url}/api/v1/statuses/${published.postId}`);
    expect(status).toBe(200);
    expect(body.content).toBe('<p>Launch day!<br />New menu in store.</p>');
    const attachments = body.media_attachments as Array<{ type: string; url: string; description: string }>;
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ type: 'image', description: 'The new menu' });
    const image = await fetch(attachments[0]?.url ?? '');
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG_1x1)).toBe(true);
    expect(server.stats).toMatchObject({ statusesCreated: 1, mediaUploaded: 1 });
  });

  it('waits for a large image Mastodon processes in the background (202, then 206, then 200)', async () => {
    const { server, client, tokens } = await setup({ mediaProcessingPolls: 1 });
    const adapter = createMastodonAdapter({ mediaPollDelaysMs: [10, 10, 10] });
    const big = pngOfSize(1_500_000);
    const published = await adapter.publish(client, tokens, {
      ...post('Big picture'),
      media: [{ mimeType: 'image/png', data: big }],
    });
    const { body } = await getJson(`${server.url}/api/v1/statuses/${published.postId}`);
    const [attachment] = body.media_attachments as Array<{ url: string }>;
    const image = await fetch(attachment?.url ?? '');
    expect(Buffer.from(await image.arrayBuffer()).equals(big)).toBe(true);
  });

  it('gives up, retryably, on an image that never finishes processing', async () => {
    const { server, client, tokens } = await setup({ mediaProcessingPolls: 100 });
    const adapter = createMastodonAdapter({ mediaPollDelaysMs: [5, 5] });
    const err = await platformFailure(
      adapter.publish(client, tokens, { ...post('x'), media: [{ mimeType: 'image/png', data: pngOfSize(1_100_000) }] }),
    );
    expect(err).toMatchObject({ retryable: true, needsReauth: false });
    expect(err.message).toMatch(/still processing image 1/);
    expect(server.stats.statusesCreated).toBe(0);
  });

  it('sends the idempotency key: the same delivery twice makes one status', async () => {
    const { server, client, tokens } = await setup();
    const first = await mastodonAdapter.publish(client, tokens, post('Only once', 'delivery-42'));
    const second = await mastodonAdapter.publish(client, tokens, post('Only once', 'delivery-42'));
    expect(second).toEqual(first);
    expect(server.stats.statusesCreated).toBe(1);
    const other = await mastodonAdapter.publish(client, tokens, post('Only once', 'delivery-43'));
    expect(other.postId).not.toBe(first.postId);
    expect(server.stats.statusesCreated).toBe(2);
  });

  it('maps 429 with Retry-After (seconds or HTTP date) or X-RateLimit-Reset to a retryable error', async () => {
    const { server, client, tokens } = await setup();
    server.failNext(429, { 'Retry-After': '120' });
    const seconds = await platformFailure(mastodonAdapter.publish(client, tokens, post('hello')));
    expect(seconds).toMatchObject({ retryable: true, status: 429, retryAfterMs: 120_000, needsReauth: false });
    expect(seconds.message).toContain('Too many requests');

    server.failNext(429, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() });
    const date = await platformFailure(mastodonAdapter.publish(client, tokens, post('hello')));
    expect(date.retryAfterMs).toBeGreaterThan(55_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(60_000);

    server.failNext(429, { 'X-RateLimit-Reset': new Date(Date.now() + 300_000).toISOString() });
    const reset = await platformFailure(mastodonAdapter.publish(client, tokens, post('hello')));
    expect(reset.retryAfterMs).toBeGreaterThan(295_000);
    expect(reset.retryAfterMs).toBeLessThanOrEqual(300_000);
    expect(server.stats.statusesCreated).toBe(0);
  });

  it('maps 5xx to a retryable error', async () => {
    const { server, client, tokens } = await setup();
    server.failNext(500);
    const err = await platformFailure(mastodonAdapter.publish(client, tokens, post('hello')));
    expect(err).toMatchObject({ retryable: true, status: 500, retryAfterMs: null, needsReauth: false });
    server.failNext(503, { 'Retry-After': '30' });
    expect(await platformFailure(mastodonAdapter.profile(client, tokens))).toMatchObject({
      retryable: true,
      status: 503,
      retryAfterMs: 30_000,
    });
  });

  it('maps 401 to needs-reauth, from failNext and from a revoked token', async () => {
    const { server, client, tokens } = await setup();
    server.failNext(401);
    expect(await platformFailure(mastodonAdapter.publish(client, tokens, post('hello')))).toMatchObject({
      retryable: false,
      status: 401,
      needsReauth: true,
    });
    const err = await platformFailure(mastodonAdapter.profile(client, { ...tokens, accessToken: 'not-a-token' }));
    expect(err).toMatchObject({ retryable: false, status: 401, needsReauth: true });
    expect(err.message).toContain('The access token is invalid');
  });

  it("maps 422 to a permanent error carrying Mastodon's message", async () => {
    const { server, client, tokens } = await setup();
    const blank = await platformFailure(mastodonAdapter.publish(client, tokens, post('   ')));
    expect(blank).toMatchObject({ retryable: false, status: 422, needsReauth: false });
    expect(blank.message).toContain("Validation failed: Text can't be blank");

    const long = await platformFailure(mastodonAdapter.publish(client, tokens, post('x'.repeat(501))));
    expect(long.message).toContain('Validation failed: Text character limit of 500 exceeded');

    const badType = await platformFailure(
      mastodonAdapter.publish(client, tokens, {
        ...post('x'),
        media: [{ mimeType: 'application/pdf', data: Buffer.from('%PDF-1.7') }],
      }),
    );
    expect(badType).toMatchObject({ retryable: false, status: 422 });
    expect(badType.message).toContain('File content type is invalid');

    server.failNext(403);
    expect(await platformFailure(mastodonAdapter.remove(client, tokens, '1'))).toMatchObject({
      retryable: false,
      status: 403,
      needsReauth: false,
    });
    expect(server.stats.statusesCreated).toBe(0);
  });

  it('maps a server that is down to a retryable network error, and works again when it is back', async () => {
    const { server, client, tokens } = await setup();
    const url = server.url;
    await server.down();
    const err = await platformFailure(mastodonAdapter.publish(client, tokens, post('offline')));
    expect(err).toMatchObject({ retryable: true, status: null, needsReauth: false });
    expect(err.message).toMatch(/could not be reached \(ECONNREFUSED\)/);

    await server.up();
    expect(server.url).toBe(url);
    await expect(mastodonAdapter.publish(client, tokens, post('back online'))).resolves.toMatchObject({
      postId: expect.any(String),
    });
  });

  it('removes a status, and removing it again is not an error', async () => {
    const { server, client, tokens } = await setup();
    const { postId } = await mastodonAdapter.publish(client, tokens, post('Short-lived'));
    await mastodonAdapter.remove(client, tokens, postId);
    expect((await getJson(`${server.url}/api/v1/statuses/${postId}`)).status).toBe(404);
    await expect(mastodonAdapter.remove(client, tokens, postId)).resolves.toBeUndefined();
    expect(server.stats.statusesDeleted).toBe(1);
  });

  it("reads the instance's own limits", async () => {
    const { server } = await setup({ maxCharacters: 1000 });
    await expect(instanceLimits(server.url)).resolves.toEqual({
      maxTextLength: 1000,
      maxImages: 4,
      maxImageBytes: 16 * 1024 * 1024,
      imageTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
      mediaRequired: false,
      // Mastodon's own poll bounds: 300 s is 5 minutes; 2,629,746 s is 43,829 whole minutes.
      poll: { maxOptions: 4, maxOptionLength: 50, minMinutes: 5, maxMinutes: 43_829 },
    });
    expect(mastodonAdapter.limits.maxTextLength).toBe(500);
    const { server: fork } = await setup({
      polls: { max_options: 8, max_characters_per_option: 100, min_expiration: 90, max_expiration: 86_400 },
    });
    expect((await instanceLimits(fork.url)).poll).toEqual({
      maxOptions: 8,
      maxOptionLength: 100,
      minMinutes: 2,
      maxMinutes: 1440,
    });
  });

  describe('app registration, OAuth and refresh', () => {
    async function connect(server: MastodonServer) {
      const redirectUri = 'http://127.0.0.1:53682/oauth/callback';
      const app = await registerMastodonApp(server.url, redirectUri);
      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URL('/oauth/authorize', server.url);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: redirectUri,
        scope: 'read write',
        state: 'state-123',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const redirect = await fetch(authorize, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const callback = new URL(redirect.headers.get('location') ?? '');
      expect(callback.origin + callback.pathname).toBe(redirectUri);
      expect(callback.searchParams.get('state')).toBe('state-123');
      const code = callback.searchParams.get('code') ?? '';
      const exchange = (codeVerifier: string) =>
        fetch(new URL('/oauth/token', server.url), {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: redirectUri,
            client_id: app.clientId,
            client_secret: app.clientSecret,
            code_verifier: codeVerifier,
          }),
        });
      return { app, verifier, exchange };
    }

    it('registers the app, checks PKCE, and refreshes tokens', async () => {
      const server = await startMastodonServer();
      servers.push(server);
      const { app, verifier, exchange } = await connect(server);

      const wrong = await exchange('not-the-verifier');
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });

      const ok = await exchange(verifier);
      expect(ok.status).toBe(200);
      const granted = (await ok.json()) as {
        access_token: string;
        refresh_token: string;
        scope: string;
        token_type: string;
      };
      expect(granted).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
      expect((await exchange(verifier)).status).toBe(400); // a code is single-use

      const client: PlatformClient = { clientId: app.clientId, clientSecret: app.clientSecret, apiBaseUrl: server.url };
      const tokens: TokenSet = {
        accessToken: granted.access_token,
        refreshToken: granted.refresh_token,
        expiresAt: null,
        scope: granted.scope,
      };
      expect((await mastodonAdapter.profile(client, tokens)).handle).toBe('agency');

      const refreshed = await mastodonAdapter.refresh(client, tokens);
      expect(refreshed.accessToken).not.toBe(tokens.accessToken);
      expect(refreshed.refreshToken).toEqual(expect.any(String));
      expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
      expect(refreshed.scope).toBe('read write');
      expect((await mastodonAdapter.profile(client, refreshed)).accountId).toBe(server.account.id);
      // The old token is revoked.
      expect(await platformFailure(mastodonAdapter.profile(client, tokens))).toMatchObject({ needsReauth: true });

      // The used refresh token is dead: a person must reconnect.
      const dead = await platformFailure(mastodonAdapter.refresh(client, tokens));
      expect(dead).toMatchObject({ retryable: false, status: 400, needsReauth: true });
      expect(dead.message).toContain('invalid_grant');

      // No refresh token (Mastodon's usual case): the same tokens come back, no call is made.
      const before = server.stats.requests;
      const plain = { ...refreshed, refreshToken: null };
      expect(await mastodonAdapter.refresh(client, plain)).toBe(plain);
      expect(server.stats.requests).toBe(before);
    });

    it('keeps the stored refresh token when the server sends none back, and reads expiry', async () => {
      const server = await startMastodonServer({ refreshReturnsRefreshToken: false, tokenExpiresIn: 3600 });
      servers.push(server);
      const { app, verifier, exchange } = await connect(server);
      const granted = (await (await exchange(verifier)).json()) as {
        access_token: string;
        refresh_token: string;
        expires_in: number;
      };
      expect(granted.expires_in).toBe(3600);
      const client: PlatformClient = { clientId: app.clientId, clientSecret: app.clientSecret, apiBaseUrl: server.url };
      const tokens: TokenSet = {
        accessToken: granted.access_token,
        refreshToken: granted.refresh_token,
        expiresAt: null,
        scope: null,
      };
      const refreshed = await mastodonAdapter.refresh(client, tokens);
      expect(refreshed.refreshToken).toBe(granted.refresh_token);
      expect(Date.parse(refreshed.expiresAt ?? '') - Date.now()).toBeGreaterThan(3500_000);
      await expect(mastodonAdapter.refresh(client, refreshed)).resolves.toMatchObject({
        refreshToken: granted.refresh_token,
      });
    });
  });

  describe('the official masto client against the local server', () => {
    it('registers an app, gets a token, verifies credentials, posts with media, fetches and deletes', async () => {
      const server = await startMastodonServer({ maxCharacters: 800 });
      servers.push(server);
      const redirectUri = 'http://127.0.0.1:53682/oauth/callback';

      const anonymous = createRestAPIClient({ url: server.url });
      const app = await anonymous.v1.apps.create({
        clientName: 'masto test',
        redirectUris: redirectUri,
        scopes: 'read write',
      });
      expect(app.clientId).toEqual(expect.any(String));
      const instance = await anonymous.v2.instance.fetch();
      expect(instance.configuration.statuses.maxCharacters).toBe(800);

      const authorize = new URL('/oauth/authorize', server.url);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId ?? '',
        redirect_uri: redirectUri,
        scope: 'read write',
      }).toString();
      const code =
        new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get(
          'code',
        ) ?? '';
      const token = await createOAuthAPIClient({ url: server.url }).token.create({
        grantType: 'authorization_code',
        clientId: app.clientId ?? '',
        clientSecret: app.clientSecret ?? '',
        redirectUri,
        code,
        scope: 'read write',
      });
      expect(token.accessToken).toEqual(expect.any(String));

      const masto = createRestAPIClient({ url: server.url, accessToken: token.accessToken });
      const me = await masto.v1.accounts.verifyCredentials();
      expect(me).toMatchObject({ id: server.account.id, acct: 'agency', displayName: 'Agency Bot' });

      const attachment = await masto.v2.media.create({
        file: new Blob([new Uint8Array(PNG_1x1)], { type: 'image/png' }),
        description: 'alt',
      });
      expect(attachment.url).toEqual(expect.any(String));

      const idem = { requestInit: { headers: { 'Idempotency-Key': 'masto-1' } } };
      const status = await masto.v1.statuses.create(
        { status: 'Hello from masto', mediaIds: [attachment.id], visibility: 'unlisted' },
        idem,
      );
      const again = await masto.v1.statuses.create(
        { status: 'Hello from masto', mediaIds: [attachment.id], visibility: 'unlisted' },
        idem,
      );
      expect(again.id).toBe(status.id);
      expect(server.stats.statusesCreated).toBe(1);

      const fetched = await masto.v1.statuses.$select(status.id).fetch();
      expect(fetched).toMatchObject({
        id: status.id,
        content: '<p>Hello from masto</p>',
        visibility: 'unlisted',
        application: { name: 'masto test' },
      });
      expect(fetched.mediaAttachments[0]).toMatchObject({ id: attachment.id, description: 'alt' });
      expect(fetched.account.acct).toBe('agency');

      const deleted = await masto.v1.statuses.$select(status.id).remove();
      expect(deleted.text).toBe('Hello from masto');
      await expect(masto.v1.statuses.$select(status.id).fetch()).rejects.toMatchObject({ statusCode: 404 });

      // The adapter reads what masto posted, and masto reads what the adapter posted.
      const client: PlatformClient = {
        clientId: app.clientId ?? '',
        clientSecret: app.clientSecret ?? '',
        apiBaseUrl: server.url,
      };
      const tokens: TokenSet = {
        accessToken: token.accessToken,
        refreshToken: null,
        expiresAt: null,
        scope: token.scope,
      };
      const published = await mastodonAdapter.publish(client, tokens, post('From the adapter'));
      expect((await masto.v1.statuses.$select(published.postId).fetch()).url).toBe(published.url);
    });
  });
});
