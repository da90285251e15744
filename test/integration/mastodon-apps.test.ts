import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientAndLinkInApp, startTestApp, type TestApp } from '../support/app';
import { browse } from '../support/browse';
import { startMastodonServer } from '../support/mastodon-server';

/*
 * Issue 10 item 7: zero-setup platforms where the platform allows (D107, D108). Staff name only a
 * Mastodon instance; Postroom registers itself there (POST /api/v1/apps) and reuses the app.
 * Integrations refuse empty required fields beside each field; no connection link while no
 * platform is ready. Against the local Mastodon server, which speaks the documented apps API.
 */

const clientLink = (t: TestApp, workspaceId: string, email: string) =>
  clientAndLinkInApp(t, { email, displayName: `Client ${email}` }, workspaceId);

/** Every byte of the data folder (database, WAL, backups), to look for a secret in. */
const dataFolderBytes = (dir: string): string =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');

describe('Mastodon registers Postroom on the instance the agency names (issue 10 item 7)', () => {
  it(
    'registers once on the first connection, keeps the secret in the keychain only, ' +
      'and reuses it for every workspace naming the instance',
    async () => {
      const t = await startTestApp();
      const mastodon = await startMastodonServer({ username: 'casey' });
      try {
        const engine = t.app.engine;
        const added = await engine.call('integration.add', {
          workspaceId: t.workspaceId,
          integration: { platform: 'mastodon', instanceUrl: mastodon.url },
        });
        expect(added).toMatchObject({ platform: 'mastodon', clientId: null, hasSecret: false });
        const test = await engine.call('integration.test', { workspaceId: t.workspaceId, integrationId: added.id });
        expect(test).toEqual({
          ok: true,
          message: 'Reached Postroom test instance. Postroom registers itself there when a client first connects.',
        });
        expect(mastodon.registeredApps()).toEqual([]);

        const first = await clientLink(t, t.workspaceId, 'one@client.test');
        expect((await browse(first.link.connectionUrl)).text).toContain('Connect Mastodon');
        const done = await browse(`${first.link.connectionUrl}/mastodon`);
        expect(done.text).toContain('Connected');
        const callback = `http://127.0.0.1:${new URL(t.url).port}/oauth/callback`;
        const [app, ...more] = mastodon.registeredApps();
        expect(more).toEqual([]);
        expect(app).toMatchObject({ name: 'Postroom', redirectUris: [callback], scopes: ['read', 'write'] });
        expect(new URL(done.hops[1]!).searchParams.get('client_id')).toBe(app!.clientId);
        expect(new URL(done.hops[1]!).searchParams.get('scope')).toBe('read write');
        const [connection] = await engine.call('connection.list', {
          workspaceId: t.workspaceId,
          userId: first.client.id,
        });
        expect(connection).toMatchObject({ platform: 'mastodon', handle: 'casey', status: 'active' });

        // The secret is in the keychain, never in SQLite (nor its WAL or backups).
        expect(t.secrets.values()).toContain(app!.clientSecret);
        expect(dataFolderBytes(t.dataDir)).not.toContain(app!.clientSecret);
        expect(dataFolderBytes(t.dataDir)).toContain(app!.clientId);

        // Another client, and another workspace naming the same instance (written differently): the same app.
        await browse(`${(await clientLink(t, t.workspaceId, 'two@client.test')).link.connectionUrl}/mastodon`);
        const other = await engine.call('workspace.create', { name: 'Second Agency', planId: 'team' });
        await engine.call('integration.add', {
          workspaceId: other.id,
          integration: { platform: 'mastodon', instanceUrl: `${mastodon.url}/` },
        });
        const third = await clientLink(t, other.id, 'three@client.test');
        expect((await browse(`${third.link.connectionUrl}/mastodon`)).text).toContain('Connected');
        expect(mastodon.registeredApps()).toHaveLength(1);

        // A fresh keyring lost the secret: the next connection registers again, and the old entry is replaced.
        await t.secrets.delete(
          engine.ctx.db.prepare<[], { secret_account: string }>(`SELECT secret_account FROM mastodon_apps`).get()!
            .secret_account,
        );
        const fourth = await clientLink(t, t.workspaceId, 'four@client.test');
        expect((await browse(`${fourth.link.connectionUrl}/mastodon`)).text).toContain('Connected');
        const apps = mastodon.registeredApps();
        expect(apps).toHaveLength(2);
        expect(t.secrets.values()).toContain(apps[1]!.clientSecret);
        expect(engine.ctx.db.prepare(`SELECT client_id FROM mastodon_apps`).all()).toEqual([
          { client_id: apps[1]!.clientId },
        ]);
      } finally {
        await mastodon.close();
      }
    },
  );

  it('says on the connection page, in plain words, when the instance cannot register Postroom', async () => {
    const t = await startTestApp();
    const mastodon = await startMastodonServer();
    const gone = mastodon.url;
    await mastodon.close();
    await t.app.engine.call('integration.add', {
      workspaceId: t.workspaceId,
      integration: { platform: 'mastodon', instanceUrl: gone },
    });
    const { link } = await clientLink(t, t.workspaceId, 'c@client.test');
    const page = await browse(`${link.connectionUrl}/mastodon`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('Cannot connect Mastodon');
    expect(page.text).toContain(`Postroom could not register itself on ${new URL(gone).origin}`);
    expect(page.text).toContain('Try again in a moment.');
    expect(t.app.engine.ctx.db.prepare(`SELECT count(*) AS n FROM mastodon_apps`).get()).toEqual({ n: 0 });
  });
});

describe('integrations refuse empty required fields (issue 10 item 7)', () => {
  it('names each empty required field and what to enter, over the contract and REST, and saves nothing', async () => {
    const t = await startTestApp();
    const engine = t.app.engine;
    const before = (await engine.call('workspace.get', { workspaceId: t.workspaceId })).integrations;

    const empty = await engine.dispatch('integration.add', {
      workspaceId: t.workspaceId,
      integration: { platform: 'mastodon' },
    });
    expect(empty).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        details: { fields: { 'integration.instanceUrl': expect.stringContaining("Enter the instance's address") } },
      },
    });
    const blank = await engine.dispatch('integration.add', {
      workspaceId: t.workspaceId,
      integration: { platform: 'x', clientId: '   ' },
    });
    expect(blank).toMatchObject({
      ok: false,
      error: { details: { fields: { 'integration.clientId': "Enter the app's client ID." } } },
    });

    // A new workspace over REST (the install admin key, seed 001) with a LinkedIn app missing both parts.
    const form = new FormData();
    form.append('name', 'Half Set Up');
    form.append('integrations', JSON.stringify([{ platform: 'bluesky' }, { platform: 'linkedin' }]));
    const rest = await fetch(`${t.url}/api/workspaces/add`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}` },
      body: form,
    });
    expect(rest.status).toBe(400);
    const body = (await rest.json()) as { error: { code: string; details: { fields: Record<string, string> } } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.fields).toEqual({
      'integrations.1.clientId': expect.stringContaining('client ID of your LinkedIn app'),
      'integrations.1.clientSecret': expect.stringContaining('client secret of your LinkedIn app'),
    });
    expect((await engine.call('workspace.get', { workspaceId: t.workspaceId })).integrations).toEqual(before);
    expect(engine.state().workspaces.map((w) => w.name)).not.toContain('Half Set Up');

    // A Mastodon instance alone is enough; the workspace key reads what is set up.
    await engine.call('integration.add', {
      workspaceId: t.workspaceId,
      integration: { platform: 'mastodon', instanceUrl: 'https://mastodon.example' },
    });
    const listed = (await (
      await fetch(`${t.url}/api/v1/workspace/integrations`, { headers: { 'x-publora-key': t.workspaceApiKey } })
    ).json()) as { platform: string; instanceUrl: string | null; clientId: string | null }[];
    expect(listed.map((i) => [i.platform, i.instanceUrl, i.clientId])).toEqual([
      ['bluesky', null, null],
      ['mastodon', 'https://mastodon.example', null],
    ]);
  });
});

describe('no connection link while no platform is ready (issue 10 item 7)', () => {
  it('refuses the link (contract and REST) with what to set up first; a refused post has no dead link', async () => {
    const t = await startTestApp();
    const engine = t.app.engine;
    const bare = await engine.call('workspace.create', { name: 'Nothing Set Up', planId: 'team' });
    const client = await engine.call('client.create', {
      workspaceId: bare.id,
      client: { email: 'c@client.test', displayName: 'Casey' },
    });
    // An integration saved before fields were required (every field empty) is not ready either.
    engine.ctx.db
      .prepare(
        `INSERT INTO integrations
           (id, workspace_id, platform, client_id, instance_url, redirect_port, secret_account, created_at)
         VALUES ('int_old', ?, 'mastodon', NULL, NULL, NULL, NULL, '2026-01-01T00:00:00.000Z')`,
      )
      .run(bare.id);

    const refused = await engine.dispatch('connection.createLink', { workspaceId: bare.id, userId: client.id });
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringContaining('Add an integration in Settings → Integrations first'),
        details: { reason: 'no_platform_ready', setUp: 'integrations' },
      },
    });
    const { apiKey } = await engine.call('workspace.revealApiKey', { workspaceId: bare.id });
    const rest = await fetch(`${t.url}/api/v1/workspace/users/${client.id}/connection-url`, {
      method: 'POST',
      headers: { 'x-publora-key': apiKey },
    });
    expect(rest.status).toBe(409);
    expect(await rest.json()).toEqual({ error: refused.ok ? null : refused.error });
    expect(await engine.call('connection.listLinks', { workspaceId: bare.id, userId: client.id })).toEqual([]);

    const post = await engine.dispatch('post.create', {
      workspaceId: bare.id,
      userId: client.id,
      post: { text: 'Hello', platformIds: ['mastodon-1'] },
    });
    expect(post).toMatchObject({ ok: false, error: { code: 'social_account_required' } });
    expect(post.ok ? null : post.error.action).toBeUndefined();

    // Once a platform is ready, the link is made.
    await engine.call('integration.add', { workspaceId: bare.id, integration: { platform: 'bluesky' } });
    const made = await engine.call('connection.createLink', { workspaceId: bare.id, userId: client.id });
    expect((await browse(made.connectionUrl)).text).toContain('Connect Bluesky');
  });
});
