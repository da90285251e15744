import { describe, expect, it } from 'vitest';
import { TokenKeeper } from '../../src-main/engine/connections/token-keeper';
import { startTestApp } from '../support/app';
import { browse } from '../support/browse';
import { startFacebookServer } from '../support/facebook-server';
import { startInstagramServer } from '../support/instagram-server';
import { startThreadsServer } from '../support/threads-server';
import { addWorkspaceWithAdminKey, clientWithConnectionLink } from '../support/rest';
import { metaIntegrations } from '../support/meta-integrations';

describe('connecting Instagram, Facebook and Threads through a connection link', () => {
  it('signs in at each platform, gets a long-lived token for the code, records <platform>-<accountId>', async () => {
    const t = await startTestApp();
    const [ig, fb, th] = await Promise.all([startInstagramServer(), startFacebookServer(), startThreadsServer()]);
    try {
      const added = await addWorkspaceWithAdminKey(t.url, t.adminKey, {
        name: 'Acme Social',
        planId: 'team',
        integrations: metaIntegrations(ig, fb, th),
      });
      const { userId, connectionUrl } = await clientWithConnectionLink(t.url, added.apiKey, {
        email: 'c@acme.test',
        displayName: 'Acme',
      });

      const page = await browse(connectionUrl);
      for (const name of ['Instagram', 'Facebook', 'Threads']) expect(page.text).toContain(`Connect ${name}`);
      for (const [platform, server] of [
        ['instagram', ig.url],
        ['facebook', fb.url],
        ['threads', th.url],
      ] as const) {
        const done = await browse(`${connectionUrl}/${platform}`);
        expect(done.status).toBe(200);
        expect(done.text).toContain('Connected');
        const authorize = new URL(done.hops[1]!);
        expect(authorize.origin).toBe(new URL(server).origin);
        expect(authorize.searchParams.get('scope')).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
      }
      const connections = (await (
        await fetch(`${t.url}/api/v1/connections`, {
          headers: { 'x-publora-key': added.apiKey, 'x-publora-user-id': userId },
        })
      ).json()) as { platformId: string; status: string }[];
      expect(connections.map((c) => [c.platformId, c.status]).sort()).toEqual([
        [`facebook-${fb.member.id}`, 'active'],
        [`instagram-${ig.igUserId}`, 'active'],
        [`threads-${th.userId}`, 'active'],
      ]);
    } finally {
      await Promise.all([ig.close(), fb.close(), th.close()]);
    }
  });

  it('renews an Instagram token before its 60 days are up; asks for a reconnect when Facebook’s runs out', async () => {
    const t = await startTestApp();
    const [ig, fb] = await Promise.all([startInstagramServer(), startFacebookServer()]);
    try {
      const engine = t.app.engine;
      const ws = t.workspaceId;
      for (const integration of [
        { platform: 'instagram' as const, clientId: ig.clientId, clientSecret: ig.clientSecret, instanceUrl: ig.url },
        { platform: 'facebook' as const, clientId: fb.appId, clientSecret: fb.appSecret, instanceUrl: fb.url },
      ])
        await engine.call('integration.add', { workspaceId: ws, integration });
      const client = await engine.call('client.create', {
        workspaceId: ws,
        client: { email: 'c@acme.test', displayName: 'Acme' },
      });
      const link = await engine.call('connection.createLink', { workspaceId: ws, userId: client.id });
      for (const platform of ['instagram', 'facebook'])
        expect((await browse(`${link.connectionUrl}/${platform}`)).text).toContain('Connected');
      const list = async () => engine.call('connection.list', { workspaceId: ws, userId: client.id });
      const byPlatform = async (p: string) => (await list()).find((c) => c.platform === p)!;
      const igBefore = new Date((await byPlatform('instagram')).tokenExpiresAt!).getTime();
      expect(igBefore - Date.now()).toBeGreaterThan(59 * 86_400_000);

      const keeper = new TokenKeeper(engine.ctx);
      t.clock.advance(igBefore - t.clock.now().getTime() - 5 * 60_000);
      await keeper.refreshDue();
      const igAfter = await byPlatform('instagram');
      expect(igAfter.status).toBe('active');
      expect(new Date(igAfter.tokenExpiresAt!).getTime()).toBeGreaterThan(igBefore);

      const fbExpiry = new Date((await byPlatform('facebook')).tokenExpiresAt!).getTime();
      t.clock.advance(fbExpiry - t.clock.now().getTime() + 1000);
      await keeper.refreshDue();
      expect((await byPlatform('facebook')).status).toBe('needs_reauth');
    } finally {
      await Promise.all([ig.close(), fb.close()]);
    }
  });
});
