import { completeSetup, expect, test } from './fixtures';

test('an enterprise agency raises one client’s daily limit and the meter follows', async ({ page, host }) => {
  await page.goto(host.uiUrl);
  await completeSetup(page, { plan: 'Enterprise' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Clients', exact: true }).click();
  await page.getByRole('button', { name: 'New client' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await dialog.getByLabel('Email').fill('big@client.test');
  await dialog.getByLabel('Display name').fill('Big Client');
  await dialog.getByRole('button', { name: 'Create client' }).click();
  await page
    .getByRole('list', { name: 'Clients' })
    .getByRole('button', { name: /Big Client/ })
    .click();

  const meter = page.getByRole('meter');
  await expect(meter).toHaveAttribute('aria-valuetext', '100 of 100 posts left today');
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Daily post limit').fill('250');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(
    page.getByRole('term').filter({ hasText: 'Daily post limit' }).locator('xpath=following-sibling::dd[1]'),
  ).toHaveText('250');
  await expect(meter).toHaveAttribute('aria-valuetext', '250 of 250 posts left today');
});
