import { startMastodonServer } from '../support/mastodon-server';
import { connectionsOf, go, mainNav } from './agency';
import { completeSetup, connectWithNewLink, expect, newClient, openClientPage, test } from './fixtures';

/*
 * Issue 10 item 7 as an agency owner meets it (D107, D108): no connection link while nothing is set
 * up (the client page says what to set up, and leads there); the integration form refuses empty
 * required fields beside each field; Mastodon needs only the instance's address, and the client's
 * first connection registers Postroom there by itself.
 */
test('an owner sets up Mastodon by typing only the instance, after being told to, and a client connects', async ({
  page,
  host,
}) => {
  const mastodon = await startMastodonServer({ username: 'casey' });
  try {
    await page.goto(host.uiUrl);
    await completeSetup(page, { workspace: 'Agency HQ', plan: 'Team' });

    // A client, with nothing set up yet: no link to send, but what to do instead.
    await go(page, 'Clients');
    await expect(await newClient(page, 'hello@casey.test', 'Casey Bakery')).toBeHidden();
    await openClientPage(page, 'Casey Bakery');
    const section = connectionsOf(page);
    const setUpFirst = section.getByRole('note', { name: 'Set up a platform first' });
    await expect(setUpFirst).toContainText('No platform is set up yet');
    await expect(section.getByRole('button', { name: 'New connection link' })).toHaveCount(0);
    await setUpFirst.getByRole('button', { name: 'Open Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();

    // Empty required fields are refused, each beside its field.
    const integrations = page.getByRole('region', { name: 'Integrations' });
    await integrations.getByRole('button', { name: 'Add integration' }).click();
    const form = integrations.getByRole('form', { name: 'Add integration' });
    await form.getByLabel('Platform').selectOption({ label: 'Mastodon' });
    await expect(form.getByLabel('Client ID')).toBeHidden();
    await form.getByRole('button', { name: 'Add integration' }).click();
    const instance = form.getByLabel('Instance URL');
    await expect(instance).toHaveAttribute('aria-invalid', 'true');
    await expect(instance).toHaveAccessibleDescription(/Enter the instance's address/);
    await expect(form).toBeVisible();

    await form.getByLabel('Platform').selectOption({ label: 'LinkedIn' });
    await form.getByRole('button', { name: 'Add integration' }).click();
    await expect(form.getByLabel('Client ID')).toHaveAccessibleDescription(/client ID of your LinkedIn app/);
    await expect(form.getByLabel('Client secret')).toHaveAccessibleDescription(/client secret of your LinkedIn app/);
    await expect(integrations).toContainText('No platform integrations yet.');

    // Mastodon: only the address.
    await form.getByLabel('Platform').selectOption({ label: 'Mastodon' });
    await form.getByLabel('Instance URL').fill(mastodon.url);
    await form.getByRole('button', { name: 'Add integration' }).click();
    await expect(form).toBeHidden();
    const row = integrations.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /mastodon/ });
    await expect(row).toContainText("Postroom's own, registered on the instance");
    await row.getByRole('button', { name: 'Test the Mastodon integration' }).click();
    await expect(integrations.getByRole('status')).toHaveText(
      'Mastodon: Reached Postroom test instance. Postroom registers itself there when a client first connects.',
    );
    expect(mastodon.registeredApps()).toEqual([]);

    // Back on the client's page, the link can be made; the client connects Mastodon with it.
    await openClientPage(page, 'Casey Bakery');
    await expect(section.getByRole('note', { name: 'Set up a platform first' })).toHaveCount(0);
    await connectWithNewLink(page, 'Mastodon');

    // Postroom registered itself once, with the app's loopback callback and the scopes it asks for.
    expect(mastodon.registeredApps()).toEqual([
      expect.objectContaining({
        name: 'Postroom',
        redirectUris: [`http://127.0.0.1:${new URL(host.apiUrl).port}/oauth/callback`],
        scopes: ['read', 'write'],
      }),
    ]);
    await expect(mainNav(page)).toBeVisible();
  } finally {
    await mastodon.close();
  }
});
