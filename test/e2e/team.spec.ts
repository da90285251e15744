import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Locator, Page } from '@playwright/test';
import {
  completeSetup,
  expect,
  go,
  mainNav,
  OWNER_PASSWORD,
  readClipboard,
  signInAs,
  test,
  joinWithInvitation,
} from './fixtures';

const clientList = (page: Page) => page.getByRole('list', { name: 'Clients' });
const chooser = (page: Page) => page.getByRole('heading', { name: 'Choose your profile' });
const fact = (page: Page, term: string) =>
  page
    .locator('dl.facts > div')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
    .locator('dd');

async function createClient(page: Page, email: string, displayName: string) {
  await page.getByRole('button', { name: 'New client' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Display name').fill(displayName);
  // The timezone starts as the workspace's.
  await expect(dialog.getByLabel('Timezone')).not.toHaveValue('');
  await dialog.getByRole('button', { name: 'Create client' }).click();
  await expect(dialog).toBeHidden();
  await expect(clientList(page).getByRole('button', { name: new RegExp(displayName) })).toBeVisible();
}

/** Fills the invite form; the clients are checked by name. */
async function invite(
  page: Page,
  opts: { email: string; role: 'Manager' | 'Editor' | 'Collaborator' | 'Client'; clients?: string[] },
) {
  const form = page.getByRole('form', { name: 'Invite a team member' });
  await form.getByLabel('Email', { exact: true }).fill(opts.email);
  await form.getByLabel('Role', { exact: true }).selectOption({ label: opts.role });
  for (const name of opts.clients ?? []) await form.getByRole('checkbox', { name }).check();
  await form.getByRole('checkbox', { name: /Skip the invitation email/ }).check();
  await form.getByRole('button', { name: 'Send invitation' }).click();
  return form;
}

async function signOut(page: Page) {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(chooser(page)).toBeVisible();
}

/** The cell of `row` under the column headed `header`. */
async function cell(table: Locator, row: Locator, header: string): Promise<Locator> {
  const headers = (await table.getByRole('columnheader').allTextContents()).map((h) => h.trim());
  const index = headers.indexOf(header);
  expect(index, `column ${header} in ${headers.join(', ')}`).toBeGreaterThanOrEqual(0);
  return row.locator(':scope > th, :scope > td').nth(index);
}

test('clients, team and keys: invite after upgrading, join, scoped clients, keys that stop, force logout', async ({
  page,
  context,
  host,
  dataDir,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(host.uiUrl);

  // 1. First run on the free plan, then two clients created in the UI.
  await completeSetup(page, { ownerName: 'Ada Owner', workspace: 'Agency HQ' });
  await go(page, 'Clients');
  await expect(page.getByText('No clients yet.')).toBeVisible();
  await createClient(page, 'north@clients.example', 'Northwind');
  await createClient(page, 'south@clients.example', 'Southbank');
  await expect(clientList(page).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('status').filter({ hasText: '2 clients' })).toBeVisible();
  await page.getByLabel('Search by name or email').fill('north@');
  await expect(clientList(page).getByRole('listitem')).toHaveCount(1);
  await expect(clientList(page)).toContainText('Northwind');
  await page.getByLabel('Search by name or email').fill('');
  await expect(clientList(page).getByRole('listitem')).toHaveCount(2);

  // 2. The free plan has no seats: the error offers the upgrade, which opens the Plan page.
  await go(page, 'Team');
  const form = await invite(page, { email: 'eddie@agency.example', role: 'Editor', clients: ['Northwind'] });
  const limit = form.getByRole('alert');
  await expect(limit).toContainText('no seats for team members');
  await expect(limit).toHaveAttribute('data-code', 'user_limit_reached');
  await limit.getByRole('button', { name: 'Upgrade to Team' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Plan' })).toBeVisible();
  await expect(page.getByRole('article', { name: 'Free', exact: true })).toContainText('Current plan');
  await expect(page.getByRole('article', { name: 'Enterprise', exact: true })).toContainText('unlimited');
  await page.getByRole('button', { name: 'Switch to Team' }).click();
  await expect(page.getByRole('article', { name: 'Team', exact: true })).toContainText('Current plan');
  await expect(page.getByRole('article', { name: 'Free', exact: true })).not.toContainText('Current plan');

  await go(page, 'Team');
  await invite(page, { email: 'eddie@agency.example', role: 'Editor', clients: ['Northwind'] });
  const codeField = page.getByLabel('Invitation code', { exact: true });
  await expect(codeField).not.toHaveValue('');
  const code = await codeField.inputValue();
  await page.getByRole('button', { name: 'Copy invitation code' }).click();
  await expect.poll(() => readClipboard(page)).toBe(code);
  await expect(page.getByLabel('Invitation link', { exact: true })).toHaveValue(new RegExp(`/invitations/${code}$`));
  await expect(page.getByText('No email was sent')).toBeVisible();
  const invitations = page.getByRole('table', { name: 'Invitations' });
  await expect(invitations.getByRole('row', { name: /eddie@agency\.example/ })).toContainText('Pending');
  await expect(invitations.getByRole('row', { name: /eddie@agency\.example/ })).toContainText('Northwind');

  // 3. A second profile joins with the code; as an editor they see only their client.
  await signOut(page);
  await expect(page.getByRole('button', { name: /Ada Owner/ })).toBeVisible();
  const copied = await readClipboard(page);
  await joinWithInvitation(page, { code: copied, name: 'Eddie Editor', password: 'correct horse battery' });
  await expect(mainNav(page).getByRole('button', { name: 'Activity' })).toHaveCount(0);
  await go(page, 'Clients');
  await expect(clientList(page).getByRole('listitem')).toHaveCount(1);
  await expect(clientList(page)).toContainText('Northwind');
  await expect(clientList(page)).not.toContainText('Southbank');
  await expect(page.getByRole('button', { name: 'New client' })).toHaveCount(0);
  await clientList(page)
    .getByRole('button', { name: /Northwind/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Northwind' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Generate API key' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Deactivate' })).toHaveCount(0);
  await go(page, 'Team');
  await expect(page.getByRole('form', { name: 'Invite a team member' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Force logout/ })).toHaveCount(0);

  await signOut(page);
  await expect(page.getByRole('button', { name: /Eddie Editor/ })).toBeVisible();
  await signInAs(page, 'Ada Owner', OWNER_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Ada Owner');

  // 4. A client's own key works until the client is deactivated, then the API answers 401.
  await go(page, 'Clients');
  await clientList(page)
    .getByRole('button', { name: /Southbank/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Southbank' })).toBeVisible();
  const userId = await page.getByLabel('Client ID', { exact: true }).inputValue();
  expect(userId).toMatch(/^user_/);
  await page.getByRole('button', { name: 'Generate API key' }).click();
  const keyField = page.getByLabel('New API key', { exact: true });
  await expect(keyField).not.toHaveValue('');
  const apiKey = await keyField.inputValue();
  await expect(page.getByText('Any older key of this client stopped working.')).toBeVisible();
  await page.getByRole('button', { name: 'Reveal key' }).click();
  await expect(page.getByLabel('Current API key', { exact: true })).toHaveValue(apiKey);

  const getClient = async () =>
    (
      await fetch(`${host.apiUrl}/api/v1/workspace/users/${userId}`, {
        headers: { 'x-publora-key': apiKey, accept: 'application/json' },
      })
    ).status;
  expect(await getClient()).toBe(200);
  await page.getByRole('button', { name: 'Deactivate' }).click();
  await expect(page.getByRole('button', { name: 'Reactivate' })).toBeVisible();
  await expect(fact(page, 'Status')).toContainText('Deactivated');
  await expect.poll(getClient).toBe(401);
  await page.getByRole('button', { name: 'All clients' }).click();
  await page.getByLabel('Status').selectOption({ label: 'Deactivated' });
  await expect(clientList(page).getByRole('listitem')).toHaveCount(1);
  await expect(clientList(page)).toContainText('Southbank');

  // 5. Force logout. Postroom keeps one app session per install and signing Ada in ended Eddie's,
  // so Eddie's sessions elsewhere (as the sessions limit allows) are recorded here directly.
  const db = new Database(join(dataDir, 'postroom.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    const eddie = db
      .prepare<[string], { id: string }>(
        `SELECT m.id FROM members m JOIN profiles p ON p.id = m.profile_id WHERE p.email = ?`,
      )
      .get('eddie@agency.example');
    expect(eddie).toBeTruthy();
    const open = db.prepare(`INSERT INTO sessions (id, member_id, kind, created_at) VALUES (?, ?, 'app', ?)`);
    for (const n of [1, 2]) open.run(`ses_e2e_${n}`, eddie!.id, new Date().toISOString());
  } finally {
    db.close();
  }

  await go(page, 'Team');
  const members = page.getByRole('table', { name: 'Members' });
  const eddieRow = members.getByRole('row', { name: /Eddie Editor/ });
  await expect(eddieRow).toContainText('Editor');
  await expect(eddieRow).toContainText('Northwind');
  const live = await cell(members, eddieRow, 'Live sessions');
  await expect(live).toHaveText('2');
  await eddieRow.getByRole('button', { name: 'Force logout Eddie Editor' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Signed out of 2 session(s)' })).toBeVisible();
  await expect(live).toHaveText('0');
  // The owner stays signed in.
  await expect(page.getByRole('banner')).toContainText('Ada Owner');

  // The activity log has it, filtered by family, and exports as CSV.
  await go(page, 'Activity');
  await page.getByLabel('Action').selectOption({ label: 'Team' });
  const log = page.getByRole('table', { name: 'Activity log' });
  await expect(log).toContainText('team.force_logout');
  await expect(log).not.toContainText('client.created');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^postroom-activity-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.split('\n')[0]).toBe('at,actor_kind,actor_id,action,object_kind,object_id,detail');
  expect(csv).toContain('team.force_logout');
  expect(csv).not.toContain('client.created');
});

test('the profile chooser: a wrong password is refused, and a forced logout returns to the chooser', async ({
  page,
  host,
}) => {
  await page.goto(host.uiUrl);
  await completeSetup(page, { ownerName: 'Ada Owner', workspace: 'Agency HQ', plan: 'Team' });

  // The workspace key, to act as a script would.
  await go(page, 'Settings');
  await page.getByRole('button', { name: 'Reveal workspace API key' }).click();
  const workspaceKey = await page.getByLabel('Workspace API key', { exact: true }).inputValue();
  expect(workspaceKey).not.toBe('');

  await go(page, 'Team');
  await invite(page, { email: 'cora@agency.example', role: 'Collaborator' });
  const link = page.getByLabel('Invitation link', { exact: true });
  await expect(link).toHaveValue(/\/invitations\/\S+$/);
  const invitationLink = await link.inputValue();

  // The pasted link works as well as the code.
  await signOut(page);
  await joinWithInvitation(page, {
    code: invitationLink,
    name: 'Cora Collaborator',
    password: 'correct horse battery',
  });
  await signOut(page);

  await page.getByRole('button', { name: /Cora Collaborator/ }).click();
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('not her password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(/Wrong password\. Check it and try again\./);
  await expect(page.locator('.shell')).toHaveCount(0);

  await password.fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText('Cora Collaborator');

  // Someone ends all of Cora's sessions (here a script with the workspace key): the app returns to the chooser.
  const headers = { 'x-publora-key': workspaceKey, accept: 'application/json' };
  const members = (await (await fetch(`${host.apiUrl}/api/v1/workspace/members`, { headers })).json()) as {
    id: string;
    email: string;
  }[];
  const cora = members.find((m) => m.email === 'cora@agency.example');
  expect(cora).toBeTruthy();
  const res = await fetch(`${host.apiUrl}/api/v1/workspace/members/${cora!.id}/force-logout`, {
    method: 'POST',
    headers,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  await expect(chooser(page)).toBeVisible();
  await expect(page.locator('.shell')).toHaveCount(0);
});
