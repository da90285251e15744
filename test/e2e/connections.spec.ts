import { startOAuthServer } from '../support/oauth-server';
import { addWorkspaceByApi, completeSetup, expect, test } from './fixtures';

/*
 * SPEC §5 end to end: the agency adds a workspace with a LinkedIn integration (pointing at a real
 * OpenID Connect server on loopback), sends a client a connection link, and the client connects
 * their account in a browser of their own: link page, the server's sign-in and consent pages, back
 * to the app's "Connected" page. The browser host keeps the secrets in the real keychain.
 */

test('a client connects LinkedIn through a connection link', async ({ page, host, dataDir, browser }) => {
  const oauthServer = await startOAuthServer();
  try {
    await page.goto(host.uiUrl);
    await completeSetup(page, { workspace: 'Agency HQ' });

    const { workspaceKey, userId } = await addWorkspaceByApi(host, dataDir, {
      integrations: [
        {
          platform: 'linkedin',
          clientId: oauthServer.clientId,
          clientSecret: oauthServer.clientSecret,
          issuerUrl: oauthServer.issuer,
        },
      ],
      client: { email: 'casey@client.test', displayName: 'Casey Client Co' },
    });

    const linked = await fetch(`${host.apiUrl}/api/v1/workspace/users/${userId}/connection-url`, {
      method: 'POST',
      headers: { 'x-publora-key': workspaceKey },
    });
    expect(linked.status, await linked.clone().text()).toBe(200);
    const { connectionUrl } = (await linked.json()) as { connectionUrl: string };
    expect(connectionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/connect\//);

    // The client, in a browser of their own. Only loopback is reachable (the server's dev pages
    // import a web font, which is not needed).
    const clientContext = await browser.newContext();
    await clientContext.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => route.abort(),
    );
    const client = await clientContext.newPage();
    try {
      await client.goto(connectionUrl);
      await expect(client.getByRole('heading', { level: 1, name: 'Northwind Social' })).toBeVisible();
      await expect(client.getByText('Hello Casey Client Co')).toBeVisible();
      await client.getByRole('link', { name: 'Connect LinkedIn' }).click();

      // oidc-provider's sign-in page, then its consent page.
      await expect(client.getByRole('heading', { name: 'Sign-in' })).toBeVisible();
      expect(new URL(client.url()).origin).toBe(oauthServer.issuer);
      await client.getByPlaceholder('Enter any login').fill('li-casey');
      await client.getByPlaceholder('and password').fill('correct horse battery staple');
      await client.getByRole('button', { name: 'Sign-in' }).click();

      await expect(client.getByRole('heading', { name: 'Authorize' })).toBeVisible();
      await expect(client.getByRole('listitem').filter({ hasText: /^w_member_social$/ })).toBeVisible();
      await client.getByRole('button', { name: 'Continue' }).click();

      await expect(client.getByRole('heading', { level: 1, name: 'Connected' })).toBeVisible();
      await expect(client.locator('main')).toContainText('Your LinkedIn account Casey Client is connected');
      expect(new URL(client.url()).origin).toBe(new URL(host.apiUrl).origin);
      expect(new URL(client.url()).pathname).toBe('/oauth/callback');
    } finally {
      await clientContext.close();
    }

    const listed = await fetch(`${host.apiUrl}/api/v1/connections`, {
      headers: { 'x-publora-key': workspaceKey, 'x-publora-user-id': userId },
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual([
      expect.objectContaining({
        platformId: 'linkedin-li-casey',
        platform: 'linkedin',
        status: 'active',
        displayName: 'Casey Client',
        handle: 'casey@client.test',
      }),
    ]);
  } finally {
    await oauthServer.close();
  }
});
