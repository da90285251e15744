import type { Page } from '@playwright/test';
import { pdsAvailable, startPds, type Pds } from '../support/pds';
import {
  addWorkspaceByApi,
  completeSetup,
  expect,
  newConnectionLink,
  test,
  workspaceSwitcher,
  type Host,
} from './fixtures';

/*
 * Issue 4 for Bluesky, end to end against a real PDS (@atproto/dev-env from test/peers/pds, with its
 * own PLC directory): the agency sends a client a connection link and the client connects in the
 * browser, either with "Sign in with Bluesky" (AT Protocol OAuth: PAR, PKCE, DPoP) on the PDS's own
 * sign-in and consent pages, or with an app password. The agency sees the account Active without a
 * reload; a post composed for it goes out through the scheduler inside the host and is read back
 * from the PDS.
 */

const peer = pdsAvailable();
// CI installs the PDS (.ci/run): a missing one fails there, it is never skipped.
const runAgainstPds = peer.available || process.env.CI === 'true';
const skipped = runAgainstPds ? '' : ` (skipped: ${peer.reason})`;
test.skip(!runAgainstPds, peer.reason);

// One PDS for the file (it takes seconds to start): its tests run in turn in one worker.
test.describe.configure({ mode: 'default' });
let pds: Pds | undefined;
test.beforeAll(async () => {
  test.setTimeout(120_000);
  pds = await startPds();
});
test.afterAll(async () => {
  await pds?.close();
});

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const connectionsOf = (page: Page) => page.getByRole('region', { name: 'Connections' });

/**
 * First run in the UI; then, as an agency's script would, a workspace whose Bluesky integration
 * resolves handles at the PDS (`instanceUrl`) and DIDs at its PLC directory (`issuerUrl`); then a
 * client made in the UI, and its page.
 */
async function setUpAgency(page: Page, host: Host, dataDir: string, sky: Pds, client: string) {
  // Only this machine is reachable: the app on 127.0.0.1, the PDS's pages on localhost (the name
  // its issuer has). Anything else those pages ask for (fonts, links out) is not needed.
  await page.context().route(
    (url) => url.hostname !== '127.0.0.1' && url.hostname !== 'localhost',
    (route) => route.abort(),
  );
  await page.goto(host.uiUrl);
  await completeSetup(page, { workspace: 'Agency HQ' });

  await addWorkspaceByApi(host, dataDir, {
    integrations: [{ platform: 'bluesky', instanceUrl: sky.url, issuerUrl: sky.plcUrl }],
  });

  await expect(workspaceSwitcher(page).locator('option')).toHaveText(['Agency HQ', 'Northwind Social']);
  await workspaceSwitcher(page).selectOption({ label: 'Northwind Social' });
  await mainNav(page).getByRole('button', { name: 'Clients', exact: true }).click();
  await page.getByRole('button', { name: 'New client' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await dialog.getByLabel('Email').fill(`hello@${client.toLowerCase().replace(/\W+/g, '-')}.test`);
  await dialog.getByLabel('Display name').fill(client);
  await dialog.getByRole('button', { name: 'Create client' }).click();
  await expect(dialog).toBeHidden();
  await page
    .getByRole('list', { name: 'Clients' })
    .getByRole('button', { name: new RegExp(client) })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: client })).toBeVisible();
}

/** "New connection link", opened (in a new tab, as from the agency's message) on its Bluesky form. */
async function openBlueskyForm(page: Page, client: string) {
  const { section, url: linkUrl } = await newConnectionLink(page);
  const [tab] = await Promise.all([
    page.context().waitForEvent('page'),
    section.getByRole('link', { name: 'Open', exact: true }).click(),
  ]);
  await expect(tab).toHaveURL(linkUrl);
  await expect(tab.getByRole('heading', { level: 1, name: 'Northwind Social' })).toBeVisible();
  await expect(tab.getByText(`Hello ${client}`)).toBeVisible();
  await tab.getByRole('link', { name: 'Connect Bluesky' }).click();
  await expect(tab.getByRole('heading', { level: 1, name: 'Connect Bluesky' })).toBeVisible();
  const form = (button: string) =>
    tab.locator('form').filter({ has: tab.getByRole('button', { name: button, exact: true }) });
  return { tab, linkUrl, signIn: form('Continue with Bluesky'), appPassword: form('Connect Bluesky') };
}

/** The client's tab shows the app's "Connected" page, on the loopback server's callback or form. */
async function expectConnected(tab: Page, host: Host, path: RegExp) {
  await expect(tab.getByRole('heading', { level: 1, name: 'Connected' })).toBeVisible();
  await expect(tab.locator('main')).toContainText('Your Bluesky account Agency Bot is connected');
  const url = new URL(tab.url());
  expect(url.origin).toBe(new URL(host.apiUrl).origin);
  expect(url.pathname).toMatch(path);
}

/** The connections.changed push refreshes the client page's list without a reload. */
async function expectActive(page: Page, sky: Pds) {
  const table = connectionsOf(page).getByRole('table', { name: 'Connections' });
  await expect(table.getByRole('row')).toHaveCount(2);
  const row = table.getByRole('row', { name: /^Bluesky / });
  await expect(row).toContainText(`@${sky.handle}`);
  await expect(row).toContainText('Agency Bot');
  await expect(row).toContainText('Active');
}

test(`a client signs in with Bluesky from a connection link, and a post goes out to the PDS${skipped}`, async ({
  page,
  host,
  dataDir,
}) => {
  const sky = pds!;
  expect(sky.plcUrl, 'start-pds.mjs prints the PLC directory URL').toBeTruthy();
  const client = 'Skyline Bakery';
  await setUpAgency(page, host, dataDir, sky, client);
  const { tab, linkUrl, signIn } = await openBlueskyForm(page, client);

  // Nothing the PDS is sent may carry the link: whoever holds it can connect accounts to the client.
  const pdsOrigin = new URL(sky.url.replace('127.0.0.1', 'localhost')).origin;
  const toPds: Promise<Record<string, string>>[] = [];
  tab.on('request', (request) => {
    if (new URL(request.url()).origin === pdsOrigin) toPds.push(request.allHeaders());
  });

  await signIn.getByLabel('Handle').fill(`@${sky.handle}`);
  await signIn.getByRole('button', { name: 'Continue with Bluesky' }).click();

  // The PDS's own sign-in page (@atproto/oauth-provider), with the handle already filled in.
  await expect(tab).toHaveURL(new RegExp(`^${pdsOrigin}/oauth/authorize\\?`));
  await expect(tab.getByLabel('Username or Email')).toHaveValue(sky.handle);
  await tab.getByLabel('Password', { exact: true }).fill(sky.password);
  await tab.getByRole('button', { name: 'Sign in', exact: true }).click();

  // Its consent page, then back to the app.
  await expect(tab.getByText('Grant access to your account')).toContainText(sky.handle);
  await tab.getByRole('button', { name: 'Authorize', exact: true }).click();
  await expectConnected(tab, host, /^\/oauth\/callback$/);

  const headers = await Promise.all(toPds);
  expect(headers.length).toBeGreaterThan(0);
  const token = new URL(linkUrl).pathname.split('/').pop()!;
  for (const h of headers) expect(h.referer ?? '').not.toContain(token);
  await tab.close();

  await expectActive(page, sky);

  // A post for the account, composed in the app and scheduled for now.
  await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
  const composer = page.getByRole('dialog', { name: 'New post' });
  await expect(composer).toContainText(`For ${client}`);
  await composer.getByRole('checkbox', { name: `Bluesky @${sky.handle}`, exact: true }).check();
  const stamp = Date.now().toString(36);
  const text = `Fresh sourdough at 7 👩‍👩‍👧‍👦 #SkylineBakery https://skyline.example/menu ${stamp}`;
  await composer.getByLabel('Text', { exact: true }).fill(text);
  // Counted as Bluesky counts: graphemes (the family is one).
  const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;
  await expect(
    composer.getByRole('list', { name: 'Character counts' }).getByRole('listitem', { name: /^Bluesky:/ }),
  ).toHaveText(`Bluesky ${graphemes} / 300`);
  await expect(composer.getByRole('article', { name: 'Preview on Bluesky' })).toContainText(text);
  await composer.getByRole('button', { name: 'Now', exact: true }).click();
  await composer.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(composer).toBeHidden();

  // The post page follows the scheduler inside the host until it is out.
  await expect(page.getByRole('heading', { level: 1, name: `Post for ${client}` })).toBeVisible();
  await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 30_000 });
  const delivery = page.getByRole('table', { name: 'Deliveries' }).getByRole('row', { name: /^Bluesky / });
  await expect(delivery).toContainText('Published');
  const view = delivery.getByRole('link', { name: 'View on Bluesky' });
  await expect(view).toHaveAttribute(
    'href',
    new RegExp(`^https://bsky\\.app/profile/${sky.handle.replace(/\./g, '\\.')}/post/[a-z2-7]{13}$`),
  );
  const rkey = (await view.getAttribute('href'))!.split('/').pop()!;

  // …and the PDS has it: the record under that key, with the tag and the link as facets.
  const query = new URLSearchParams({ repo: sky.did, collection: 'app.bsky.feed.post', rkey });
  const res = await fetch(`${sky.url}/xrpc/com.atproto.repo.getRecord?${query}`);
  expect(res.status).toBe(200);
  const record = ((await res.json()) as { value: { text: string; facets?: { features: { $type: string }[] }[] } })
    .value;
  expect(record.text).toBe(text);
  expect(record.facets?.map((f) => f.features[0]?.$type).sort()).toEqual([
    'app.bsky.richtext.facet#link',
    'app.bsky.richtext.facet#tag',
  ]);
});

test(`a client connects Bluesky by app password from a connection link, never the account password${skipped}`, async ({
  page,
  host,
  dataDir,
}) => {
  const sky = pds!;
  const client = 'Harbour Books';
  await setUpAgency(page, host, dataDir, sky, client);
  const { tab, appPassword } = await openBlueskyForm(page, client);

  // The account's own password is refused, with the reason, on the same form.
  await appPassword.getByLabel('Handle').fill(sky.handle);
  await appPassword.getByLabel('App password').fill(sky.password);
  await appPassword.getByRole('button', { name: 'Connect Bluesky' }).click();
  await expect(tab.getByRole('alert')).toContainText('account password');
  await expect(tab.getByRole('heading', { level: 1, name: 'Connect Bluesky' })).toBeVisible();

  await appPassword.getByLabel('Handle').fill(sky.handle);
  await appPassword.getByLabel('App password').fill(sky.appPassword);
  await appPassword.getByRole('button', { name: 'Connect Bluesky' }).click();
  await expectConnected(tab, host, /^\/connect\/[^/]+\/bluesky$/);
  await tab.close();

  await expectActive(page, sky);
});
