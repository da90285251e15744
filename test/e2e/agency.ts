import { DateTime } from 'luxon';
import type { Locator, Page } from '@playwright/test';
import { startMastodonServer, type MastodonServer, type MastodonServerOptions } from '../support/mastodon-server';
import { startXServer, type XServer } from '../support/x-server';
import { startXOAuthFront, type XOAuthFront } from '../support/x-oauth-front';
import {
  expect,
  newConnectionLink,
  openScriptedClient,
  test as base,
  type Host,
  localXIntegration,
  registeredMastodonIntegration,
  scriptedAgency,
} from './fixtures';

// The specs that post reach the navigation through this module.
export { go, mainNav } from './fixtures';

/*
 * An agency as the posting specs meet it: a workspace with Mastodon and X integrations, a client in
 * Tokyo, the client's accounts connected through a connection link, and the composer's helpers.
 */

export const CLIENT = 'Casey Client Co';
/** No daylight saving, so "the same time on another day" is plain arithmetic in the test. */
export const CLIENT_ZONE = 'Asia/Tokyo';
export const WORKSPACE_ZONE = 'UTC';
export const X_ACCOUNT = 'x-2244994945';

export const composer = (page: Page, name: 'New post' | 'Edit post' = 'New post') => page.getByRole('dialog', { name });
export const connectionsOf = (page: Page) => page.getByRole('region', { name: 'Connections' });

export interface Agency {
  mastodon: MastodonServer;
  x: XServer;
  front: XOAuthFront;
  workspaceKey: string;
  userId: string;
  close(): Promise<void>;
}

export interface AgencyOptions {
  /** How the Mastodon instance is set up (its limits); Mastodon's defaults otherwise. */
  instance?: MastodonServerOptions;
  /** The client; `CLIENT` in `CLIENT_ZONE` otherwise. */
  client?: { email: string; displayName: string; timezone: string };
  /** The workspace's time zone; `WORKSPACE_ZONE` otherwise, null for none. */
  workspaceZone?: string | null;
}

/**
 * First run in the UI (team plan); then, as an agency's script would, a workspace with Mastodon and
 * X integrations (admin key) and a client (workspace key); then the client page in the UI.
 */
export async function setUpAgency(
  page: Page,
  host: Host,
  dataDir: string,
  {
    instance = {},
    client = { email: 'casey@client.test', displayName: CLIENT, timezone: CLIENT_ZONE },
    workspaceZone = WORKSPACE_ZONE,
  }: AgencyOptions = {},
): Promise<Agency> {
  const mastodon = await startMastodonServer(instance);
  const x = await startXServer();
  const front = await startXOAuthFront(x);
  const close = async () => {
    await Promise.all([mastodon.close(), front.close(), x.close()]);
  };
  try {
    // The agency's Mastodon app, registered on the instance with the app's loopback callback.
    const mastodonIntegration = await registeredMastodonIntegration(host, mastodon.url);
    const { workspaceKey, userId } = await scriptedAgency(
      page,
      host,
      dataDir,
      [mastodonIntegration, localXIntegration(front)],
      { timezone: workspaceZone, client },
    );

    await openScriptedClient(page, client.displayName);
    return { mastodon, x, front, workspaceKey, userId, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The posting specs' test: its `agency` fixture is `setUpAgency` on the test's page, host and data
 * folder, closed after the test (whether it passed or not).
 */
export const test = base.extend<{ agency: Agency }>({
  agency: async ({ page, host, dataDir }, use) => {
    const agency = await setUpAgency(page, host, dataDir);
    try {
      await use(agency);
    } finally {
      await agency.close();
    }
  },
});

/**
 * "New connection link" on the client page; the link opens (in a new tab, as the client would from
 * the agency's message) and each platform's consent completes on the app's "Connected" page.
 */
export async function connectThroughLink(page: Page, platforms: ('Mastodon' | 'X')[]) {
  const { section, url } = await newConnectionLink(page);
  const open = section.getByRole('link', { name: 'Open', exact: true });
  await expect(open).toHaveAttribute('href', url);
  await expect(open).toHaveAttribute('target', '_blank');
  await expect(open).toHaveAttribute('rel', 'noreferrer');
  await expect(section.getByRole('table', { name: 'Connection links' }).getByRole('row')).toHaveCount(2);
  await expect(section.getByRole('table', { name: 'Connection links' })).toContainText('Active');

  const [tab] = await Promise.all([page.context().waitForEvent('page'), open.click()]);
  for (const platform of platforms) {
    if (tab.url() !== url) await tab.goto(url);
    await expect(tab.getByRole('heading', { level: 1, name: 'Northwind Social' })).toBeVisible();
    await tab.getByRole('link', { name: `Connect ${platform}` }).click();
    await expect(tab.getByRole('heading', { level: 1, name: 'Connected' })).toBeVisible();
  }
  await tab.close();

  // The connections.changed push refreshes the list without a reload.
  const table = section.getByRole('table', { name: 'Connections' });
  await expect(table.getByRole('row')).toHaveCount(platforms.length + 1);
  for (const platform of platforms)
    await expect(table.getByRole('row', { name: new RegExp(`^${platform} `) })).toContainText('Active');
}

/** A wall-clock time in the client's zone as the engine stores it (UTC ISO). */
export const clientTime = (day: string, time: string) =>
  DateTime.fromISO(`${day}T${time}`, { zone: CLIENT_ZONE }).toUTC().toISO()!;

/** Fills the composer's targets and text. */
export async function compose(dialog: Locator, targets: string[], text: string) {
  for (const t of targets) await dialog.getByRole('checkbox', { name: t, exact: true }).check();
  await dialog.getByLabel('Text', { exact: true }).fill(text);
}

/** From the banner: "New post" for the client, `targets` and `text`, "Now", "Schedule"; the composer closes. */
export async function postNowFromBanner(page: Page, targets: string[], text: string) {
  await page.getByRole('banner').getByRole('button', { name: 'New post' }).click();
  const dialog = composer(page);
  await dialog.getByLabel('Client', { exact: true }).selectOption({ label: CLIENT });
  await compose(dialog, targets, text);
  await dialog.getByRole('button', { name: 'Now', exact: true }).click();
  await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(dialog).toBeHidden();
}

/**
 * What an agency's script does to fill the client's `day` (in the client's zone) to its daily
 * limit: 100 Mastodon posts at `time`, "Filler 1" to "Filler 100", sent ten at a time.
 */
export async function fillClientDay(host: Host, agency: Agency, day: string, time: string) {
  const headers = {
    'x-publora-key': agency.workspaceKey,
    'x-publora-user-id': agency.userId,
    'content-type': 'application/json',
  };
  for (let batch = 0; batch < 10; batch++) {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${host.apiUrl}/api/v1/post-groups`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            text: `Filler ${batch * 10 + i + 1}`,
            platformIds: [`mastodon-${agency.mastodon.account.id}`],
            scheduledTime: clientTime(day, time),
          }),
        }),
      ),
    );
    for (const a of answers) expect(a.status, await a.clone().text()).toBe(201);
  }
}
