import type { Page } from '@playwright/test';
import { startLinkedInServer } from '../support/linkedin-server';
import {
  SCRIPTED_CLIENT,
  expect,
  localLinkedInIntegration,
  openClientPage,
  openScriptedClient,
  scriptedAgency,
  test,
  connectionRow,
  connectWithNewLink,
} from './fixtures';

/*
 * Choosing the LinkedIn page to post as from a list, end to end: a workspace whose LinkedIn
 * integration has organisation pages on (pointing at a local LinkedIn for both the sign-in and the
 * API), the client's account connected through a connection link, then on the client page "Find
 * pages", a page picked by name and saved; a post to that account goes out as the page.
 */

const CLIENT = SCRIPTED_CLIENT;
const BAKERY = 'urn:li:organization:1001';
const SOCIAL = 'urn:li:organization:2414183';

const linkedinRow = (page: Page) => connectionRow(page, 'LinkedIn');

test('a LinkedIn page is chosen by name from the pages the account administers, and posts go out as it', async ({
  page,
  host,
  dataDir,
}) => {
  const li = await startLinkedInServer({
    administeredOrganizations: [SOCIAL, BAKERY],
    organizationNames: { [SOCIAL]: 'Northwind Social', [BAKERY]: 'Northwind Bakery' },
    // A page the member only analyses: not one to post as.
    otherOrganizationRoles: [{ organization: 'urn:li:organization:3003', role: 'ANALYST', state: 'APPROVED' }],
  });
  try {
    // 1. First run; the agency's workspace with a LinkedIn integration (organisation pages on), and a client.
    const { workspaceKey, userId } = await scriptedAgency(
      page,
      host,
      dataDir,
      [localLinkedInIntegration(li, { organizationPages: true })],
      { ownerName: 'Olivia Owner' },
    );
    await openScriptedClient(page);

    // 2. The client connects LinkedIn through a connection link; the sign-in asks for the page scopes.
    await connectWithNewLink(page, 'LinkedIn');
    expect(li.grantedScope.split(',')).toEqual(
      expect.arrayContaining(['w_organization_social', 'r_organization_admin']),
    );

    // 3. "Find pages", pick one by name, save.
    const postAs = linkedinRow(page).getByRole('form', { name: /^Post as for LinkedIn / });
    await expect(postAs.getByRole('textbox', { name: 'Post as' })).toHaveValue('');
    await postAs.getByRole('button', { name: 'Find pages' }).click();
    await expect(postAs.getByRole('status')).toHaveText('2 pages found. Choose one and save.');
    const choice = postAs.getByRole('combobox', { name: 'Post as' });
    await expect(choice.locator('option')).toHaveText([
      'The person who connected',
      'Northwind Bakery',
      'Northwind Social',
    ]);
    await expect(choice).toHaveValue('');
    await choice.selectOption({ label: 'Northwind Bakery' });
    await postAs.getByRole('button', { name: 'Save' }).click();
    await expect(postAs.getByRole('status')).toHaveText('Posts as Northwind Bakery.');
    await expect(postAs.getByRole('alert')).toHaveCount(0);
    // Stored: a fresh page shows the page's URN in the field again.
    await page.reload();
    await openClientPage(page, CLIENT);
    await expect(linkedinRow(page).getByRole('textbox', { name: 'Post as' })).toHaveValue(BAKERY);

    // 4. A post to the account goes out as the page.
    const posted = await fetch(`${host.apiUrl}/api/v1/post-groups`, {
      method: 'POST',
      headers: { 'x-publora-key': workspaceKey, 'x-publora-user-id': userId, 'content-type': 'application/json' },
      body: JSON.stringify({
        text: 'Fresh bread at 7',
        platformIds: [`linkedin-${li.sub}`],
        scheduledTime: new Date().toISOString(),
      }),
    });
    expect(posted.status, await posted.clone().text()).toBe(201);
    await expect
      .poll(() => li.posts().map((p) => [p.author, p.text]), { timeout: 30_000 })
      .toEqual([[BAKERY, 'Fresh bread at 7']]);
  } finally {
    await li.close();
  }
});
