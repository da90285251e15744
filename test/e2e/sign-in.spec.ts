import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from './fixtures';

/*
 * Issue 10 item 3: the owner chooses a password at first run and signs in with it; a forgotten one
 * is reset with `postroom reset-password` on the computer that keeps the data (README, D87).
 */

const repoRoot = resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli', { paths: [repoRoot] });

/** `postroom reset-password`, the new password typed into its stdin. */
function resetPassword(dataDir: string, email: string, password: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(
      process.execPath,
      [tsxCli, 'src-main/cli.ts', 'reset-password', '--data-dir', dataDir, '--profile', email],
      { cwd: repoRoot },
      (err, stdout, stderr) =>
        err ? fail(new Error(`reset-password failed: ${stderr || err.message}`)) : done(stdout),
    );
    child.stdin!.end(`${password}\n`);
  });
}

test('the owner chooses a password at first run, signs in with it, resets a forgotten one where the data is', async ({
  page,
  hosts,
  host,
  dataDir,
}) => {
  await page.goto(host.uiUrl);
  await expect(page.getByRole('heading', { name: 'Welcome to Postroom' })).toBeVisible();
  await page.getByLabel('Your name').fill('Ada Owner');
  await page.getByLabel('Your email').fill('ada@agency.example');
  await page.getByLabel('Workspace name').fill('Agency HQ');
  const choose = page.getByLabel('Choose a password');
  const setUp = page.getByRole('button', { name: 'Set up workspace' });

  // No password, then a too-short one: each refused beside the field, and nothing is set up.
  await setUp.click();
  await expect(choose).toHaveAttribute('aria-invalid', 'true');
  await expect(choose).toHaveAccessibleDescription(/Choose a password for your profile\./);
  await expect(choose).toBeFocused();
  await choose.fill('short');
  await setUp.click();
  await expect(choose).toHaveAccessibleDescription(/Choose a password of at least 8 characters\./);
  await expect(page.locator('.shell')).toHaveCount(0);

  await choose.fill('first password');
  await setUp.click();
  await expect(page.getByRole('banner')).toContainText('Ada Owner');

  // Signing out is no longer one click away from signing back in.
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: /Ada Owner/ }).click();
  const password = page.getByLabel('Password', { exact: true });
  const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
  await signIn.click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(/Enter your password\./);
  await password.fill('not my password');
  await signIn.click();
  await expect(password).toHaveAccessibleDescription(/Wrong password\. Check it and try again\./);
  await expect(page.locator('.shell')).toHaveCount(0);
  await password.fill('first password');
  await signIn.click();
  await expect(page.getByRole('banner')).toContainText('Ada Owner');

  // Forgotten: Postroom is stopped, the password reset on this computer, and Postroom started again.
  expect(await host.stop()).toBe(0);
  expect(await resetPassword(dataDir, 'ada@agency.example', 'second password')).toBe(
    'Ada Owner (ada@agency.example) has a new password. 1 session(s) signed out.\n',
  );
  const again = await hosts.start();
  await page.goto(again.uiUrl);
  await expect(page.getByRole('heading', { name: 'Choose your profile' })).toBeVisible();
  await page.getByRole('button', { name: /Ada Owner/ }).click();
  await password.fill('first password');
  await signIn.click();
  await expect(password).toHaveAccessibleDescription(/Wrong password/);
  await password.fill('second password');
  await signIn.click();
  await expect(page.getByRole('banner')).toContainText('Ada Owner');
});
