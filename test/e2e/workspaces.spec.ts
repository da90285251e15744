import { readFileSync } from 'node:fs';
import {
  adminKey,
  OWNER_PASSWORD,
  completeSetup,
  createWorkspace,
  expect,
  expectLogoShown,
  openNewWorkspaceDialog,
  openSettings,
  test,
  workspaceSwitcher,
} from './fixtures';

const mainNav = (page: import('@playwright/test').Page) => page.getByRole('navigation', { name: 'Main' });
const fact = (page: import('@playwright/test').Page, term: string) =>
  page
    .locator('dl.facts > div')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
    .locator('dd');

test('first run: the owner sets up the first workspace', async ({ page, host }) => {
  await page.goto(host.uiUrl);
  await expect(page).toHaveTitle('Postroom');
  // The per-run token leaves the address bar once read.
  await expect.poll(() => page.url()).not.toContain('token=');

  await expect(page.getByRole('heading', { name: 'Welcome to Postroom' })).toBeVisible();
  await page.getByLabel('Your name').fill('Ada Owner');
  await page.getByLabel('Your email').fill('ada@agency.example');
  await page.getByLabel('Choose a password').fill(OWNER_PASSWORD);

  // No workspace name: the contract's own error is shown beside the field.
  await page.getByRole('button', { name: 'Set up workspace' }).click();
  await expect(page.getByLabel('Workspace name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Workspace name')).toHaveAccessibleDescription("Enter the workspace's name.");
  await expect(page.getByLabel('Workspace name')).toBeFocused();

  await page.getByLabel('Workspace name').fill('Agency HQ');
  await page.getByLabel('Plan').selectOption({ label: 'Team' });
  await page.getByRole('button', { name: 'Set up workspace' }).click();

  const shell = page.locator('.shell');
  await expect(shell).toHaveAttribute('data-layout', 'left navigation');
  await expect(mainNav(page)).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Agency HQ' })).toBeVisible();
  await expect(workspaceSwitcher(page).locator('option:checked')).toHaveText('Agency HQ');
  await expect(page.getByRole('banner').getByText('Ada Owner')).toBeVisible();

  await mainNav(page).getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(mainNav(page).getByRole('button', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
  await expect(fact(page, 'Slug')).toHaveText('agency-hq');
  await expect(fact(page, 'Type')).toHaveText('iframe embed');
  await expect(fact(page, 'Layout')).toHaveText('left navigation');
  await expect(fact(page, 'Plan').first()).toHaveText('Team');
  await expect(fact(page, 'Subscription start')).not.toBeEmpty();
  await expect(page.getByText('No logo')).toHaveCount(2);
  await expect(page.getByRole('img', { name: 'Square logo' })).toHaveCount(0);
  // Creating the workspace wrote an activity entry.
  await expect(page.getByRole('table', { name: 'Recent activity' }).getByRole('row')).not.toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Recent activity' })).toContainText(/workspace/i);

  // A reload keeps working: the token was kept for this tab.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Agency HQ' })).toBeVisible();
});

test('workspaces: logos, layouts by type, errors and switching', async ({ page, host, images }) => {
  await page.goto(host.uiUrl);
  await completeSetup(page, { workspace: 'Agency HQ' });

  // Errors are shown beside their fields: the contract's own checks, then the engine's.
  const dialog = await openNewWorkspaceDialog(page);
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(dialog.getByLabel('Workspace name')).toHaveAccessibleDescription("Enter the workspace's name.");

  await dialog.getByLabel('Workspace name').fill('Too Big Ltd');
  await expect(dialog.getByLabel('Workspace name')).not.toHaveAttribute('aria-invalid', 'true');
  await dialog.getByLabel('Square logo').setInputFiles(images.bigPng);
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(dialog.getByLabel('Square logo')).toHaveAccessibleDescription(/file size must be less than 10mb/, {
    timeout: 30_000,
  });
  await expect(dialog.getByLabel('Square logo')).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  // Focus returns to the button that opened the dialog.
  await expect(page.getByRole('button', { name: 'New workspace' })).toBeFocused();
  await expect(workspaceSwitcher(page).locator('option')).toHaveText(['Agency HQ']);

  // A "jwt full embed" workspace opens as a focused view with no navigation.
  await createWorkspace(page, {
    name: 'Finance Department',
    type: 'jwt full embed',
    squareLogo: images.png,
    imageLogo: images.jpeg,
  });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'no navigation');
  await expect(page.locator('nav[aria-label="Main"]')).toHaveCount(0);
  await expect(page.getByRole('navigation')).toHaveCount(0);

  // Settings stay reachable from the header, and show both logos.
  await openSettings(page);
  await expect(fact(page, 'Name')).toHaveText('Finance Department');
  await expect(fact(page, 'Slug')).toHaveText('finance-department');
  await expect(fact(page, 'Type')).toHaveText('jwt full embed');
  await expect(fact(page, 'Layout')).toHaveText('no navigation');
  await expect(fact(page, 'Plan').first()).toHaveText('Free');
  await expectLogoShown(page, 'Square logo');
  await expectLogoShown(page, 'Image logo');
  await expect(page.getByText('No logo')).toHaveCount(0);

  // An "iframe embed" workspace uses left navigation; a WebP logo works too.
  await createWorkspace(page, { name: 'Acme Social', type: 'iframe embed', squareLogo: images.webp });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'left navigation');
  await expect(mainNav(page)).toBeVisible();
  await mainNav(page).getByRole('button', { name: 'Settings' }).click();
  await expectLogoShown(page, 'Square logo');
  await expect(page.getByText('No logo')).toHaveCount(1);

  // Slugs stay unique.
  await createWorkspace(page, { name: 'Acme Social' });
  await openSettings(page);
  await expect(fact(page, 'Slug')).toHaveText('acme-social-2');

  // The switcher lists every workspace and switching changes the layout.
  await expect(workspaceSwitcher(page).locator('option')).toHaveText([
    'Agency HQ',
    'Finance Department',
    'Acme Social',
    'Acme Social',
  ]);
  await workspaceSwitcher(page).selectOption({ label: 'Finance Department' });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'no navigation');
  await expect(page.locator('.brand-name')).toHaveText('Finance Department');
  await expect(mainNav(page)).toHaveCount(0);

  await workspaceSwitcher(page).selectOption({ label: 'Agency HQ' });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'left navigation');
  await expect(page.locator('.brand-name')).toHaveText('Agency HQ');
  await expect(mainNav(page)).toBeVisible();
});

test('everything is still there after the app restarts on the same data folder', async ({ page, hosts, images }) => {
  const first = await hosts.start();
  await page.goto(first.uiUrl);
  await completeSetup(page, { workspace: 'Agency HQ' });
  await createWorkspace(page, {
    name: 'Finance Department',
    type: 'jwt full embed',
    squareLogo: images.png,
    imageLogo: images.webp,
  });
  await createWorkspace(page, { name: 'Acme Social', imageLogo: images.jpeg });

  // Stop the app: the page notices and says it is reconnecting.
  expect(await first.stop()).toBe(0);
  await expect(page.getByRole('status').filter({ hasText: 'Reconnecting' })).toBeVisible();

  const second = await hosts.start();
  await page.goto(second.uiUrl);
  await expect(page.locator('.shell')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Welcome to Postroom' })).toHaveCount(0);
  await expect(workspaceSwitcher(page).locator('option')).toHaveText([
    'Agency HQ',
    'Finance Department',
    'Acme Social',
  ]);

  await workspaceSwitcher(page).selectOption({ label: 'Finance Department' });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'no navigation');
  await openSettings(page);
  await expect(fact(page, 'Slug')).toHaveText('finance-department');
  await expectLogoShown(page, 'Square logo');
  await expectLogoShown(page, 'Image logo');

  await workspaceSwitcher(page).selectOption({ label: 'Acme Social' });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'left navigation');
  await mainNav(page).getByRole('button', { name: 'Settings' }).click();
  await expect(fact(page, 'Name')).toHaveText('Acme Social');
  await expectLogoShown(page, 'Image logo');
  await expect(page.getByText('No logo')).toHaveCount(1);
});

test('a workspace added through the REST API appears live, with its integrations', async ({
  page,
  host,
  dataDir,
  images,
}) => {
  await page.goto(host.uiUrl);
  await completeSetup(page, { workspace: 'Agency HQ' });

  const form = new FormData();
  form.append('name', 'API Client Co');
  form.append('workspace_type', 'jwt full embed');
  form.append('plan_id', 'team');
  form.append(
    'integrations',
    JSON.stringify([
      { platform: 'bluesky', clientId: 'bsky-app-id', clientSecret: 'bsky-very-secret' },
      { platform: 'mastodon', clientId: 'masto-app-id', instanceUrl: 'https://mastodon.example' },
    ]),
  );
  form.append('square_logo', new Blob([readFileSync(images.png)], { type: 'image/png' }), 'square.png');
  const res = await fetch(`${host.apiUrl}/api/workspaces/add`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await adminKey(dataDir)}`, accept: 'application/json' },
    body: form,
  });
  expect(res.status, await res.clone().text()).toBe(200);

  // No reload: the state.changed push updates the switcher.
  await expect(workspaceSwitcher(page).locator('option')).toHaveText(['Agency HQ', 'API Client Co']);
  await workspaceSwitcher(page).selectOption({ label: 'API Client Co' });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'no navigation');
  await openSettings(page);
  await expect(fact(page, 'Plan').first()).toHaveText('Team');
  await expectLogoShown(page, 'Square logo');

  const integrations = page.getByRole('table', { name: 'Integrations' });
  await expect(integrations.getByRole('row', { name: /bluesky/ })).toContainText('bsky-app-id');
  await expect(integrations.getByRole('row', { name: /bluesky/ })).toContainText('secret stored in keychain');
  await expect(integrations.getByRole('row', { name: /mastodon/ })).toContainText('https://mastodon.example');
  await expect(integrations.getByRole('row', { name: /mastodon/ })).not.toContainText('secret stored in keychain');
  // The secret itself never reaches the window.
  await expect(page.locator('body')).not.toContainText('bsky-very-secret');
});
