import type { Page } from '@playwright/test';
import { setUpAgency, X_ACCOUNT } from './agency';
import { expect, mainNav, test, type Host } from './fixtures';

/*
 * Issue 10 item 6, "failures in sight": a partly published post has "Retry" on its page, and the
 * overview's "Needs attention" lists failed posts and accounts to reconnect, with the client's
 * name, the account's handle and local times; "Retry" there too.
 */

const CLIENT = 'Northwind Bakery';
const panel = (page: Page) => page.getByRole('region', { name: 'Needs attention' });

/** A post through the REST API, due now, as an agency's script would send it. */
async function postNow(host: Host, key: string, userId: string, text: string, platformIds: string[]) {
  const res = await fetch(`${host.apiUrl}/api/v1/post-groups`, {
    method: 'POST',
    headers: { 'x-publora-key': key, 'x-publora-user-id': userId, 'content-type': 'application/json' },
    body: JSON.stringify({ text, platformIds, scheduledTime: new Date().toISOString() }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

test(
  'a failed delivery is retried from its post and from the overview; an account to reconnect is listed there; ' +
    'search finds clients by name and posts by text',
  async ({ page, host, dataDir }) => {
    // The agency's workspace has no time zone of its own; the client is in Tokyo.
    const { mastodon, x, workspaceKey, userId, close } = await setUpAgency(page, host, dataDir, {
      client: { email: 'orders@northwind.test', displayName: CLIENT, timezone: 'Asia/Tokyo' },
      workspaceZone: null,
    });
    try {
      // The client connects both accounts through a connection link.
      const made = await fetch(`${host.apiUrl}/api/v1/workspace/users/${userId}/connection-url`, {
        method: 'POST',
        headers: { 'x-publora-key': workspaceKey },
      });
      const { connectionUrl } = (await made.json()) as { connectionUrl: string };
      const tab = await page.context().newPage();
      for (const platform of ['Mastodon', 'X']) {
        await tab.goto(connectionUrl);
        await tab.getByRole('link', { name: `Connect ${platform}` }).click();
        await expect(tab.getByRole('heading', { level: 1, name: 'Connected' })).toBeVisible();
      }
      await tab.close();
      const mastodonId = `mastodon-${mastodon.account.id}`;
      const xId = X_ACCOUNT;

      await mainNav(page).getByRole('button', { name: 'Overview', exact: true }).click();
      await expect(panel(page)).toContainText('Nothing needs attention');

      // 1. X refuses one post of two: the post is partly published, and "Retry" is beside X on its page.
      x.failNext(403);
      await postNow(host, workspaceKey, userId, 'Fresh rolls at seven', [mastodonId, xId]);
      const posts = panel(page).getByRole('table', { name: 'Posts that did not go out' });
      const failedX = posts.getByRole('row', { name: new RegExp(CLIENT) });
      await expect(failedX).toContainText('X @clientonx');
      await expect(failedX).toContainText('Failed');
      await expect(failedX).toContainText('HTTP 403');
      await expect(failedX).toContainText('Fresh rolls at seven');
      await failedX.getByRole('button', { name: /^Open the post/ }).click();
      await expect(page.getByTestId('post-status')).toHaveText('Partly published');
      const deliveries = page.getByRole('table', { name: 'Deliveries' });
      await expect(
        deliveries.getByRole('row', { name: /^Mastodon / }).getByRole('button', { name: /^Retry/ }),
      ).toHaveCount(0);
      await deliveries.getByRole('button', { name: 'Retry X @clientonx' }).click();
      await expect(page.getByTestId('post-status')).toHaveText('Published');
      expect(x.tweets().map((t) => t.text)).toEqual(['Fresh rolls at seven']);
      expect(mastodon.statusTexts().map((s) => s.text)).toEqual(['Fresh rolls at seven']);

      // 2. Mastodon fails for good: "Retry" in the overview's panel publishes it, once.
      await mainNav(page).getByRole('button', { name: 'Overview', exact: true }).click();
      await expect(panel(page)).toContainText('Nothing needs attention');
      mastodon.failNext(422);
      await postNow(host, workspaceKey, userId, 'Closed on Monday', [mastodonId]);
      const failedMastodon = posts.getByRole('row', { name: new RegExp(CLIENT) });
      await expect(failedMastodon).toContainText('Mastodon @agency');
      await failedMastodon.getByRole('button', { name: `Retry Mastodon @agency for ${CLIENT}` }).click();
      await expect(panel(page)).toContainText('Nothing needs attention');
      await expect
        .poll(() => mastodon.statusTexts().map((s) => s.text))
        .toEqual(['Fresh rolls at seven', 'Closed on Monday']);

      // 3. Mastodon no longer accepts the sign-in: the account is listed to reconnect, and a retry says so.
      mastodon.failNext(401);
      await postNow(host, workspaceKey, userId, 'Cakes to order', [mastodonId]);
      const accounts = panel(page).getByRole('table', { name: 'Accounts to reconnect' });
      await expect(accounts.getByRole('row', { name: new RegExp(CLIENT) })).toContainText('Mastodon @agency');
      await expect(accounts.getByRole('row', { name: new RegExp(CLIENT) })).toContainText('Must be reconnected');
      await posts.getByRole('button', { name: `Retry Mastodon @agency for ${CLIENT}` }).click();
      await expect(panel(page).getByRole('alert')).toContainText('Reconnect agency first');
      await accounts.getByRole('button', { name: `Open ${CLIENT} to reconnect Mastodon @agency` }).click();
      await expect(page.getByRole('heading', { level: 1, name: CLIENT })).toBeVisible();

      // 4. Search: a client by part of their name (not only the email), a post by a word of its text.
      await mainNav(page).getByRole('button', { name: 'Clients', exact: true }).click();
      const clientSearch = page.getByLabel('Search by name or email');
      await clientSearch.fill('bakery');
      await expect(page.getByRole('list', { name: 'Clients' }).getByRole('listitem')).toHaveCount(1);
      await expect(page.getByRole('list', { name: 'Clients' })).toContainText(CLIENT);
      await clientSearch.fill('no such bakery');
      await expect(page.getByRole('list', { name: 'Clients' }).getByRole('listitem')).toHaveCount(0);
      await mainNav(page).getByRole('button', { name: 'Queue', exact: true }).click();
      await page.getByLabel('State').selectOption({ label: 'All states' });
      await page.getByLabel('Search post text').fill('roll');
      await expect(page.getByRole('status').filter({ hasText: /posts? match/ })).toHaveText('1 post match');
      await expect(page.getByRole('list', { name: 'Posts' }).getByRole('listitem')).toContainText([
        'Fresh rolls at seven',
      ]);
      await page.getByLabel('Search post text').fill('"cakes');
      await expect(page.getByRole('list', { name: 'Posts' }).getByRole('listitem')).toContainText(['Cakes to order']);
    } finally {
      await close();
    }
  },
);
