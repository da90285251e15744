import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { completeSetup, createWorkspace, expect, go, readClipboard, test } from './fixtures';

const run = promisify(execFile);

async function createClient(page: Page, email: string, displayName: string) {
  await page.getByRole('button', { name: 'New client' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Display name').fill(displayName);
  await dialog.getByRole('button', { name: 'Create client' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByRole('list', { name: 'Clients' }).getByRole('button', { name: new RegExp(displayName) }),
  ).toBeVisible();
}

/** Runs a command copied from the page the way a person pasting it into a terminal would. */
async function runInShell(command: string): Promise<unknown> {
  const { stdout } = await run('bash', ['-c', command], { timeout: 30_000 });
  return JSON.parse(stdout) as unknown;
}

test('the API page: base URL, OpenAPI, a curl example that runs, key rotation and client keys', async ({
  page,
  context,
  host,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(host.uiUrl);
  await completeSetup(page, { ownerName: 'Ada Owner', workspace: 'Agency HQ' });
  await go(page, 'Clients');
  await createClient(page, 'north@clients.example', 'Northwind');

  // 1. The address and the OpenAPI document.
  await go(page, 'API');
  await expect(page.getByLabel('Base URL', { exact: true })).toHaveValue(host.apiUrl);
  const openApi = page.getByRole('link', { name: 'OpenAPI document' });
  await expect(openApi).toHaveAttribute('target', '_blank');
  await expect(openApi).toHaveAttribute('rel', 'noreferrer');
  const openApiUrl = await openApi.getAttribute('href');
  expect(openApiUrl).toBe(`${host.apiUrl}/api/v1/openapi.json`);
  const doc = await fetch(openApiUrl!);
  expect(doc.status).toBe(200);
  expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');

  // 2. The key stays hidden, and the example holds a placeholder, until revealed.
  const listExample = page.getByRole('figure', { name: 'List clients' });
  const listCode = listExample.locator('pre');
  await expect(listCode).toContainText(`curl -s '${host.apiUrl}/api/v1/workspace/users'`);
  await expect(listCode).toContainText('YOUR_API_KEY');
  const keyField = page.getByLabel('Workspace API key', { exact: true });
  await expect(keyField).toHaveCount(0);
  await page.getByRole('button', { name: 'Reveal', exact: true }).click();
  await expect(keyField).not.toHaveValue('');
  const oldKey = await keyField.inputValue();
  await expect(listCode).toContainText(`x-publora-key: ${oldKey}`);
  await expect(listCode).not.toContainText('YOUR_API_KEY');

  // 3. The copied example runs as it is and prints the clients.
  await listExample.getByRole('button', { name: 'Copy the list clients example' }).click();
  await expect(listExample.getByRole('status')).toHaveText('Copied to the clipboard.');
  const command = await readClipboard(page);
  expect(command).toBe(await listCode.textContent());
  const listed = (await runInShell(command)) as { id: string; email: string }[];
  expect(listed.map((u) => u.email)).toEqual(['north@clients.example']);
  const northId = listed[0]!.id;

  // 4. Rotating asks first; then the old key is refused and the new one works.
  await page.getByRole('button', { name: 'Rotate key', exact: true }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Rotate the workspace key?' });
  await expect(dialog).toContainText('the old key stops working at once');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(keyField).toHaveValue(oldKey);
  await page.getByRole('button', { name: 'Rotate key', exact: true }).click();
  await dialog.getByRole('button', { name: 'Rotate key' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'the old key no longer works' })).toBeVisible();
  await expect(keyField).not.toHaveValue(oldKey);
  const newKey = await keyField.inputValue();
  expect(newKey).not.toBe('');
  await expect(listCode).toContainText(`x-publora-key: ${newKey}`);
  const usersWith = async (key: string) =>
    (
      await fetch(`${host.apiUrl}/api/v1/workspace/users`, {
        headers: { 'x-publora-key': key, accept: 'application/json' },
      })
    ).status;
  expect(await usersWith(oldKey)).toBe(401);
  expect(await usersWith(newKey)).toBe(200);

  // 5. The post group example is for the chosen client, with the new key; it runs as it is.
  const postExample = page.getByRole('figure', { name: 'Create a post group' });
  const postCode = postExample.locator('pre');
  await expect(postExample.getByLabel('For client')).toHaveValue(northId);
  await expect(postCode).toContainText(`x-publora-user-id: ${northId}`);
  await expect(postCode).toContainText(`x-publora-key: ${newKey}`);
  await expect(postCode).toContainText(`-d '{"text":"Hello","platformIds":["PLATFORM_ID"]}'`);
  await expect(postExample).toContainText('Northwind has no connected account yet');
  const posted = (await runInShell((await postCode.textContent())!)) as { error?: { code: string } };
  // Past the key, the client and the JSON body: only the placeholder platform is refused.
  expect(posted.error?.code).toBe('invalid_platform');

  // 6. A client's own key: generated once, revealed later, and it reads that client.
  const clientKeys = page.getByRole('list', { name: 'Client keys' });
  await clientKeys.getByRole('button', { name: 'Generate key for Northwind' }).click();
  const issued = page.getByLabel('New API key for Northwind', { exact: true });
  await expect(issued).not.toHaveValue('');
  const clientKey = await issued.inputValue();
  await expect(clientKeys).toContainText("Northwind's old key stopped working.");
  await clientKeys.getByRole('button', { name: 'Reveal key of Northwind' }).click();
  await expect(page.getByLabel('API key of Northwind', { exact: true })).toHaveValue(clientKey);
  const ownRecord = (key: string) =>
    fetch(`${host.apiUrl}/api/v1/workspace/users/${northId}`, {
      headers: { 'x-publora-key': key, accept: 'application/json' },
    });
  const own = await ownRecord(clientKey);
  expect(own.status).toBe(200);
  expect(((await own.json()) as { email: string }).email).toBe('north@clients.example');

  // 7. In the "no navigation" layout the API page is a header button; another workspace's key starts hidden.
  await createWorkspace(page, { name: 'Finance Department', type: 'jwt full embed' });
  await expect(page.locator('.shell')).toHaveAttribute('data-layout', 'no navigation');
  await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'API', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'API', exact: true })).toBeVisible();
  await expect(page.getByLabel('Base URL', { exact: true })).toHaveValue(host.apiUrl);
  await expect(keyField).toHaveCount(0);
  await expect(page.getByRole('figure', { name: 'List clients' }).locator('pre')).toContainText('YOUR_API_KEY');
  await expect(page.getByRole('figure', { name: 'Create a post group' })).toContainText('There is no client yet');
});
