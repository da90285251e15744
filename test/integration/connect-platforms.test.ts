import { describe, expect, it } from 'vitest';
import { registerMastodonApp } from '../../src-main/engine/platforms/mastodon/adapter';
import { startTestApp } from '../support/app';
import { browse } from '../support/browse';
import { startMastodonServer } from '../support/mastodon-server';
import { startXServer } from '../support/x-server';
import { addWorkspaceWithAdminKey, clientWithConnectionLink } from '../support/rest';

describe('connecting Mastodon and X through a connection link', () => {
  it('runs the authorization-code flow with PKCE on each platform and records <platform>-<accountId>', async () => {
    const t = await startTestApp();
    const mastodon = await startMastodonServer({ username: 'acme' });
    const x = await startXServer();
    try {
      const callback = `${t.url}/oauth/callback`;
      const app = await registerMastodonApp(mastodon.url, callback);
      const { apiKey: key } = await addWorkspaceWithAdminKey(t.url, t.adminKey, {
        name: 'Acme Social',
        planId: 'team',
        integrations: [
          { platform: 'mastodon', clientId: app.clientId, clientSecret: app.clientSecret, instanceUrl: mastodon.url },
          { platform: 'x', clientId: 'x-client', instanceUrl: x.url },
        ],
      });
      const { userId, connectionUrl } = await clientWithConnectionLink(t.url, key, {
        email: 'c@acme.test',
        displayName: 'Acme',
      });

      const page = await browse(connectionUrl);
      expect(page.text).toContain('Connect Mastodon');
      expect(page.text).toContain('Connect X');
      for (const platform of ['mastodon', 'x']) {
        const done = await browse(`${connectionUrl}/${platform}`);
        expect(done.status).toBe(200);
        expect(done.text).toContain('Connected');
        const authorize = new URL(done.hops[1]!);
        expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      }
      const connections = (await (
        await fetch(`${t.url}/api/v1/connections`, { headers: { 'x-publora-key': key, 'x-publora-user-id': userId } })
      ).json()) as { platformId: string; status: string }[];
      expect(connections.map((c) => [c.platformId, c.status])).toEqual([
        [`mastodon-${mastodon.account.id}`, 'active'],
        ['x-2244994945', 'active'],
      ]);
      const missing = await fetch(`${t.url}/api/v1/connections`, { headers: { 'x-publora-key': key } });
      expect(missing.status).toBe(404);
    } finally {
      await mastodon.close();
      await x.close();
    }
  });
});
