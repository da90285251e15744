import type { Page } from '@playwright/test';
import {
  SCRIPTED_CLIENT,
  expect,
  go,
  OWNER_PASSWORD,
  openClientPage,
  openScriptedClient,
  scriptedAgency,
  signInAs,
  test,
  workspaceSwitcher,
  localXIntegration,
  connectionRow,
  connectWithNewLink,
  joinWithInvitation,
} from './fixtures';

/*
 * Seed 003 end to end: an editor posts to a client's X account with the owner's credentials and
 * cannot reconnect it; once the owner switches them to their own credentials, they reconnect it
 * themselves through X's consent (a local server that approves at once), and the activity log
 * records it. A connection that needs re-authentication is covered by
 * test/integration/token-keeper.test.ts (the X server refusing refreshes).
 */

const CLIENT = SCRIPTED_CLIENT;
const OWNER = 'Olivia Owner';
const EDITOR = 'Eddie Editor';

const connectionsOf = (page: Page) => page.getByRole('region', { name: 'Connections' });
const xRow = (page: Page) => connectionRow(page, 'X');

const openClient = (page: Page) => openClientPage(page, CLIENT);

const EDITOR_PASSWORD = 'eddies own password';

/** Signs out and back in as `name` with their password, in the agency's workspace. */
async function switchTo(page: Page, name: string) {
  await signInAs(page, name, name === EDITOR ? EDITOR_PASSWORD : OWNER_PASSWORD);
  await expect(page.getByRole('banner')).toContainText(name);
  const switcher = workspaceSwitcher(page);
  if ((await switcher.count()) > 0 && (await switcher.locator('option:checked').textContent()) !== 'Northwind Social') {
    await switcher.selectOption({ label: 'Northwind Social' });
  }
}

test("credential modes: the owner's credentials, then the member's own and a reconnect", async ({
  page,
  context,
  host,
  dataDir,
  localX,
}) => {
  const { front } = localX;
  // 1. First run (team plan); the agency's workspace with an X integration, and a client.
  await scriptedAgency(page, host, dataDir, [localXIntegration(front)], {
    ownerName: OWNER,
  });
  await openScriptedClient(page);

  // 2. X connected through a connection link, as the client does it.
  await connectWithNewLink(page, 'X');
  // The owner may always reconnect; the owner has no mode.
  await expect(xRow(page).getByRole('button', { name: /^Reconnect X/ })).toBeVisible();
  await expect(xRow(page)).not.toContainText('Posting with');

  // 3. An editor of that client is invited and joins.
  await go(page, 'Team');
  const invite = page.getByRole('form', { name: 'Invite a team member' });
  await invite.getByLabel('Email', { exact: true }).fill('eddie@agency.example');
  await invite.getByLabel('Role', { exact: true }).selectOption({ label: 'Editor' });
  await invite.getByRole('checkbox', { name: CLIENT }).check();
  await invite.getByRole('checkbox', { name: /Skip the invitation email/ }).check();
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  const codeField = page.getByLabel('Invitation code', { exact: true });
  await expect(codeField).not.toHaveValue('');
  const code = await codeField.inputValue();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await joinWithInvitation(page, { code, name: EDITOR, password: EDITOR_PASSWORD });

  // 4. As the editor: the owner's credentials, and no Reconnect.
  await openClient(page);
  await expect(xRow(page)).toContainText("Posting with: the owner's credentials");
  await expect(xRow(page).getByRole('button', { name: /^Reconnect/ })).toHaveCount(0);
  await expect(xRow(page).getByRole('button', { name: /^Remove/ })).toHaveCount(0);

  // 5. The owner switches the editor to their own credentials on the Team page.
  await switchTo(page, OWNER);
  await go(page, 'Team');
  const eddieRow = page.getByRole('table', { name: 'Members' }).getByRole('row', { name: new RegExp(EDITOR) });
  await eddieRow.getByText('Social accounts').click();
  const mode = eddieRow.getByLabel(`Credentials of ${EDITOR} for ${CLIENT} · X @clientonx`);
  await expect(mode).toHaveValue('owner');
  await mode.selectOption({ label: "Member's own credentials" });
  await expect(
    page
      .getByRole('status')
      .filter({ hasText: `${EDITOR} now posts to ${CLIENT} · X @clientonx with their own credentials` }),
  ).toBeVisible();
  await expect(mode).toHaveValue('member');
  // The owner's own page shows it only after the choice is stored: a fresh page keeps it.
  await page.reload();
  await go(page, 'Team');
  await page
    .getByRole('table', { name: 'Members' })
    .getByRole('row', { name: new RegExp(EDITOR) })
    .getByText('Social accounts')
    .click();
  await expect(page.getByLabel(`Credentials of ${EDITOR} for ${CLIENT} · X @clientonx`)).toHaveValue('member');

  // 6. As the editor: their own credentials, and Reconnect opens X's consent in a new window.
  await switchTo(page, EDITOR);
  await openClient(page);
  await expect(xRow(page)).toContainText('Posting with: your own credentials');
  const reconnect = xRow(page).getByRole('button', { name: 'Reconnect X @clientonx' });
  const [popup] = await Promise.all([context.waitForEvent('page'), reconnect.click()]);
  await expect(
    connectionsOf(page).getByRole('status').filter({ hasText: 'Finish signing in in the browser window' }),
  ).toBeVisible();
  await expect(popup.getByRole('heading', { level: 1, name: 'Connected' })).toBeVisible();
  await popup.close();
  await expect(xRow(page)).toContainText('Active');

  // 7. The owner finds it in the activity log.
  await switchTo(page, OWNER);
  await go(page, 'Activity');
  await page.getByLabel('Action').selectOption({ label: 'Connections' });
  const log = page.getByRole('table', { name: 'Activity log' });
  await expect(log).toContainText("re-authenticated with the member's own credentials");
  await expect(log).toContainText('uses their own credentials');
});
