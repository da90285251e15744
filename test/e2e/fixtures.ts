import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Browser, type Locator, type Page } from '@playwright/test';
import { watchForRawText } from './human-text';
import { startXServer, type XServer } from '../support/x-server';
import { startXOAuthFront, type XOAuthFront } from '../support/x-oauth-front';

/*
 * Each test gets its own data folder and its own browser host (`postroom serve`), so tests
 * never share state. `hosts.start()` may be called again on the same folder to check that
 * everything survives a restart.
 */

const repoRoot = resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli', { paths: [repoRoot] });
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface Host {
  readonly uiUrl: string;
  readonly apiUrl: string;
  /** SIGTERM, then wait for the process to exit; resolves to its exit code (null if killed). */
  stop(): Promise<number | null>;
  readonly output: () => string;
}

function startHost(dataDir: string): Promise<Host & { child: ChildProcess }> {
  // `node --import tsx src-main/cli.ts serve ...`: one process, so SIGTERM reaches the server's
  // own handler. Neither npx (it exits and leaves the server running) nor the tsx CLI (it relays
  // the signal, but SIGKILLs the server when it has not acknowledged within ~60 ms, which a busy
  // machine can miss, and exits 143) stands in between.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/cli.ts', 'serve', '--data-dir', dataDir, '--ui-port', '0', '--api-port', '0'],
    { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let out = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? null : 0);
      done(exitCode);
    }),
  );
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (out += chunk));

  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };

  const stop = async (): Promise<number | null> => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(killGroup, STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolveHost, reject) => {
    let uiUrl: string | undefined;
    let apiUrl: string | undefined;
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`postroom serve did not print its URLs within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      uiUrl ??= /Postroom UI: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out)?.[1];
      apiUrl ??= /Postroom API: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (uiUrl && apiUrl) {
        clearTimeout(timer);
        resolveHost({ uiUrl, apiUrl, stop, output: () => out, child });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`postroom serve exited (${code}) before printing its URLs:\n${out}`));
    });
  });
}

/** `postroom admin-key`: the install admin key for `POST /api/workspaces/add` (read from the keychain). */
export function adminKey(dataDir: string): Promise<string> {
  return new Promise((done, fail) =>
    execFile(
      process.execPath,
      [tsxCli, 'src-main/cli.ts', 'admin-key', '--data-dir', dataDir],
      { cwd: repoRoot },
      (err, stdout, stderr) =>
        err ? fail(new Error(`admin-key failed: ${stderr || err.message}`)) : done(stdout.trim()),
    ),
  );
}

type Fixtures = {
  /** A fresh, empty data folder, removed after the test. */
  dataDir: string;
  /** Starts browser hosts on `dataDir`; all are stopped after the test. */
  hosts: { start(): Promise<Host>; origins(): string[] };
  /** The first host, already started. */
  host: Host;
  /** Small real images plus an oversized PNG, written to a temp folder. */
  images: TestImages;
  /** Fails the test on uncaught page errors and Content-Security-Policy violations. */
  pageHealth: void;
  /** Fails the test when a screen of the app shows a raw id or an ISO timestamp (./human-text.ts). */
  humanText: void;
  /** A local X and its OAuth front (the consent page X's sign-in shows), closed after the test. */
  localX: { x: XServer; front: XOAuthFront };
  /**
   * Makes a fresh temp folder named from `prefix` (for a host's or a desk's data, a certificate);
   * all removed after the test.
   */
  tempFolder: (prefix: string) => string;
};

export interface TestImages {
  png: string;
  jpeg: string;
  webp: string;
  /** A real PNG header followed by padding up to 10.5 MB. */
  bigPng: string;
}

// 4×4 images encoded by Chromium (canvas.toDataURL), so they decode for real in <img>.
const PNG_4x4 =
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAI0lEQVR4AYTIMQ0AAAwCwQZDlVbJlQIrYeGTXw57Tx8TdRAAAAD//zYqNowAAAAG' +
  'SURBVAMASz4J+cEhjTkAAAAASUVORK5CYII=';
// Chromium puts the same sRGB colour profile into the JPEG and the WebP, at the same offset: the same base64 in both.
const SRGB_PROFILE =
  'AAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAA' +
  'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABR' +
  'iWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAE' +
  'AAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9' +
  'YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACA' +
  'AAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxAD';
const JPEG_4x4 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQE' +
  SRGB_PROFILE +
  'b/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKCh' +
  'MoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAEAAQDASIAAhEBAxEB/8QAFQABAQAAAA' +
  'AAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABgf/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADA' +
  'MBAAIRAxEAPwCwAFUZ/9k=';
const WEBP_4x4 =
  'UklGRhwCAABXRUJQVlA4WAoAAAAgAAAAAwAAAwAASUNDUMgBAAA' +
  SRGB_PROFILE +
  'ZWUDggLgAAAJABAJ0BKgQABAABQCYloAJ0ugADmAD+7OMv+AunujFv/3T1/3T1/3T1/JQAAAA=';

export const IMAGE_SIZE = 4;

function writeImages(dir: string): TestImages {
  const write = (name: string, data: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  const png = Buffer.from(PNG_4x4, 'base64');
  const big = Buffer.alloc(Math.round(10.5 * 1024 * 1024));
  png.copy(big);
  return {
    png: write('square.png', png),
    jpeg: write('banner.jpg', Buffer.from(JPEG_4x4, 'base64')),
    webp: write('mark.webp', Buffer.from(WEBP_4x4, 'base64')),
    bigPng: write('huge.png', big),
  };
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  dataDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'postroom-e2e-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  hosts: async ({ dataDir }, use, testInfo) => {
    const started: Host[] = [];
    await use({
      async start() {
        const host = await startHost(dataDir);
        started.push(host);
        return host;
      },
      origins: () => started.flatMap((h) => [new URL(h.uiUrl).origin, new URL(h.apiUrl).origin]),
    });
    const codes = await Promise.all(started.map((h) => h.stop()));
    if (testInfo.status !== testInfo.expectedStatus) {
      started.forEach(
        (h, i) => void testInfo.attach(`postroom-serve-${i + 1}.log`, { body: h.output(), contentType: 'text/plain' }),
      );
    }
    expect(codes, 'every browser host stops cleanly on SIGTERM').toEqual(codes.map(() => 0));
  },
  host: async ({ hosts }, use) => {
    await use(await hosts.start());
  },
  pageHealth: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
          problems.push(`csp: ${msg.text()}`);
      });
      await use();
      expect(problems, 'the page ran without uncaught errors or CSP violations').toEqual([]);
    },
    { auto: true },
  ],
  humanText: [
    async ({ context, hosts }, use) => {
      const found = await watchForRawText(context);
      await use();
      // Pages of the app's own hosts only (not a platform's sign-in page).
      const ours = new Set(hosts.origins());
      const raw = found()
        .filter((r) => ours.has(r.origin))
        .map((r) => `on "${r.screen}": ${r.kind} in "${r.text}"`);
      expect(raw, 'every screen speaks human: handles and names, local times, no raw ids').toEqual([]);
    },
    { auto: true },
  ],
  // eslint-disable-next-line no-empty-pattern
  tempFolder: async ({}, use) => {
    const folders: string[] = [];
    await use((prefix) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      folders.push(dir);
      return dir;
    });
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  },
  // eslint-disable-next-line no-empty-pattern
  localX: async ({}, use) => {
    const x = await startXServer();
    const front = await startXOAuthFront(x);
    try {
      await use({ x, front });
    } finally {
      await Promise.all([front.close(), x.close()]);
    }
  },
  // eslint-disable-next-line no-empty-pattern
  images: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'postroom-e2e-img-'));
    await use(writeImages(dir));
    rmSync(dir, { recursive: true, force: true });
  },
});

export { expect };

/* ---- steps a person takes, shared by the specs ---- */

/** The password the owner chooses at first run in `completeSetup`. */
export const OWNER_PASSWORD = 'owner password 42';

/** Signs out, chooses `name` on the profile chooser and signs in with `password`. */
export async function signInAs(page: Page, name: string | RegExp, password: string) {
  const chooser = page.getByRole('heading', { name: 'Choose your profile' });
  if (!(await chooser.isVisible())) {
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expect(chooser).toBeVisible();
  }
  await page.getByRole('button', { name: typeof name === 'string' ? new RegExp(name) : name }).click();
  const form = page.getByRole('form', { name: /^Sign in as / });
  await form.getByLabel(/^(Password|Choose a password)$/).fill(password);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('.shell')).toBeVisible();
}

export async function completeSetup(
  page: Page,
  opts: {
    ownerName?: string;
    ownerEmail?: string;
    workspace?: string;
    type?: 'iframe embed' | 'jwt full embed';
    plan?: string;
  } = {},
) {
  await expect(page.getByRole('heading', { name: 'Welcome to Postroom' })).toBeVisible();
  await page.getByLabel('Your name').fill(opts.ownerName ?? 'Ada Owner');
  await page.getByLabel('Your email').fill(opts.ownerEmail ?? 'ada@agency.example');
  await page.getByLabel('Choose a password').fill(OWNER_PASSWORD);
  await page.getByLabel('Workspace name').fill(opts.workspace ?? 'Agency HQ');
  if (opts.type) await page.getByLabel('Workspace type').selectOption(opts.type);
  if (opts.plan) await page.getByLabel('Plan').selectOption({ label: opts.plan });
  await page.getByRole('button', { name: 'Set up workspace' }).click();
  await expect(page.locator('.shell')).toBeVisible();
}

export async function openNewWorkspaceDialog(page: Page) {
  await page.getByRole('button', { name: 'New workspace' }).click();
  const dialog = page.getByRole('dialog', { name: 'New workspace' });
  await expect(dialog).toBeVisible();
  return dialog;
}

export async function createWorkspace(
  page: Page,
  opts: {
    name: string;
    type?: 'iframe embed' | 'jwt full embed';
    plan?: string;
    squareLogo?: string;
    imageLogo?: string;
  },
) {
  const dialog = await openNewWorkspaceDialog(page);
  await dialog.getByLabel('Workspace name').fill(opts.name);
  if (opts.type) await dialog.getByLabel('Workspace type').selectOption(opts.type);
  if (opts.plan) await dialog.getByLabel('Plan').selectOption({ label: opts.plan });
  if (opts.squareLogo) await dialog.getByLabel('Square logo').setInputFiles(opts.squareLogo);
  if (opts.imageLogo) await dialog.getByLabel('Image logo').setInputFiles(opts.imageLogo);
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(dialog).toBeHidden();
  await expect(workspaceSwitcher(page)).toHaveValue(/.+/);
  await expect(workspaceSwitcher(page).locator('option:checked')).toHaveText(opts.name);
}

export const workspaceSwitcher = (page: Page) => page.getByRole('combobox', { name: 'Workspace', exact: true });

export const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

/** The pages of the main navigation, by the name a person reads on its button and heading. */
export type Place = 'Clients' | 'Queue' | 'Calendar' | 'Drafts' | 'Team' | 'Plan' | 'Activity' | 'API' | 'Settings';

/** Goes to a page of the main navigation and waits for its heading. */
export async function go(page: Page, place: Place) {
  await mainNav(page).getByRole('button', { name: place, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: place, exact: true })).toBeVisible();
}

/** What the page put on the clipboard (the test's context is granted clipboard access). */
export const readClipboard = (page: Page) =>
  page.evaluate(() =>
    (
      globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
    ).navigator.clipboard.readText(),
  );

export async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
}

/** A logo <img> that really decoded (not just present): its natural size is the test image's. */
export async function expectLogoShown(page: Page, alt: 'Square logo' | 'Image logo') {
  const img = page.getByRole('img', { name: alt, exact: true });
  await expect(img).toBeVisible();
  await expect
    .poll(() =>
      img.evaluate((el) => {
        const image = el as unknown as { complete: boolean; naturalWidth: number };
        return image.complete ? image.naturalWidth : 0;
      }),
    )
    .toBe(IMAGE_SIZE);
}

/**
 * What an agency's script does before a person opens the app (seed 001, then seed 000): adds the
 * "Northwind Social" workspace with its integrations through the install admin key and, when
 * asked, creates one client in it with the workspace key. Returns the workspace key and the client.
 */
interface AddWorkspaceOptions {
  integrations: unknown[];
  plan?: string;
  timezone?: string;
  client?: { email: string; displayName: string; timezone?: string };
}
export async function addWorkspaceByApi(
  host: Host,
  dataDir: string,
  opts: AddWorkspaceOptions & { client: object },
): Promise<{ workspaceKey: string; userId: string }>;
export async function addWorkspaceByApi(
  host: Host,
  dataDir: string,
  opts: AddWorkspaceOptions,
): Promise<{ workspaceKey: string; userId: string | null }>;
export async function addWorkspaceByApi(
  host: Host,
  dataDir: string,
  opts: AddWorkspaceOptions,
): Promise<{ workspaceKey: string; userId: string | null }> {
  const form = new FormData();
  form.append('name', 'Northwind Social');
  if (opts.plan) form.append('plan_id', opts.plan);
  if (opts.timezone) form.append('timezone', opts.timezone);
  form.append('integrations', JSON.stringify(opts.integrations));
  const added = await fetch(`${host.apiUrl}/api/workspaces/add`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await adminKey(dataDir)}` },
    body: form,
  });
  expect(added.status, await added.clone().text()).toBe(200);
  const workspaceKey = ((await added.json()) as { data: { apiKey: string } }).data.apiKey;
  if (!opts.client) return { workspaceKey, userId: null };
  const created = await fetch(`${host.apiUrl}/api/v1/workspace/users`, {
    method: 'POST',
    headers: { 'x-publora-key': workspaceKey, 'content-type': 'application/json' },
    body: JSON.stringify(opts.client),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  return { workspaceKey, userId: ((await created.json()) as { id: string }).id };
}

/** The client of the workspaces the specs make by script (addWorkspaceByApi). */
export const SCRIPTED_CLIENT = 'Casey Client Co';

/**
 * First run in the UI (team plan; the owner named as `options.ownerName`, or completeSetup's), then,
 * as an agency's script would, the "Northwind Social" workspace (team plan, in `options.timezone`:
 * UTC unless given, none when null) with `integrations` and a client (Casey Client Co in UTC
 * unless given). Returns the workspace key and the client's id.
 */
export async function scriptedAgency(
  page: Page,
  host: Host,
  dataDir: string,
  integrations: unknown[],
  options: {
    ownerName?: string;
    timezone?: string | null;
    client?: { email: string; displayName: string; timezone?: string };
  } = {},
) {
  await page.goto(host.uiUrl);
  await completeSetup(page, { ownerName: options.ownerName, workspace: 'Agency HQ', plan: 'Team' });
  return addWorkspaceByApi(host, dataDir, {
    plan: 'team',
    timezone: options.timezone === null ? undefined : (options.timezone ?? 'UTC'),
    integrations,
    client: options.client ?? { email: 'casey@client.test', displayName: SCRIPTED_CLIENT, timezone: 'UTC' },
  });
}

/** Picks the client by name on Clients and waits for the client's page. */
export async function openClientPage(page: Page, client: string) {
  await go(page, 'Clients');
  await page
    .getByRole('list', { name: 'Clients' })
    .getByRole('button', { name: new RegExp(client) })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: client })).toBeVisible();
}

/** The workspace made by script, chosen in the switcher beside the owner's own, and its client's page. */
export async function openScriptedClient(page: Page, client = SCRIPTED_CLIENT) {
  await expect(workspaceSwitcher(page).locator('option')).toHaveText(['Agency HQ', 'Northwind Social']);
  await workspaceSwitcher(page).selectOption({ label: 'Northwind Social' });
  await openClientPage(page, client);
}

/**
 * "New connection link" on the page of a client with no accounts yet: the Connections section, and the
 * link it shows (on the app's loopback address).
 */
export async function newConnectionLink(page: Page) {
  const section = page.getByRole('region', { name: 'Connections' });
  await expect(section).toContainText('No social accounts connected yet');
  await section.getByRole('button', { name: 'New connection link' }).click();
  const field = section.getByLabel('Connection link', { exact: true });
  await expect(field).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/connect\/\S+$/);
  return { section, url: await field.inputValue() };
}

/** "New connection link" on the client page, opened in a new tab as the client would from the agency's message. */
export async function openConnectionLink(page: Page) {
  const section = page.getByRole('region', { name: 'Connections' });
  await section.getByRole('button', { name: 'New connection link' }).click();
  const url = await section.getByLabel('Connection link', { exact: true }).inputValue();
  const [tab] = await Promise.all([
    page.context().waitForEvent('page'),
    section.getByRole('link', { name: 'Open', exact: true }).click(),
  ]);
  return { tab, url };
}

/** On the connection link's page: "Connect <platform>", whose local server consents at once, to "Connected". */
export async function connectOnLinkPage(tab: Page, platform: string) {
  await tab.getByRole('link', { name: `Connect ${platform}` }).click();
  await expect(tab.getByRole('heading', { level: 1, name: 'Connected' })).toBeVisible();
}

/**
 * The integration for a local LinkedIn (test/support/linkedin-server.ts):
 * its sign-in under /oauth, its API at its root.
 */
export const localLinkedInIntegration = (
  li: { url: string; clientId: string; clientSecret: string },
  extra: { organizationPages?: boolean } = {},
) => ({
  platform: 'linkedin',
  clientId: li.clientId,
  clientSecret: li.clientSecret,
  issuerUrl: `${li.url}/oauth`,
  instanceUrl: li.url,
  ...extra,
});

/**
 * The agency's app registered on a (local) Mastodon instance with the callback of `host` (its API
 * origin), as the agency would: the Mastodon integration that names it.
 */
export async function registeredMastodonIntegration(host: { apiUrl: string }, mastodonUrl: string) {
  const registered = await fetch(`${mastodonUrl}/api/v1/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Postroom',
      redirect_uris: `${host.apiUrl}/oauth/callback`,
      scopes: 'read write',
    }),
  });
  expect(registered.status).toBe(200);
  const app = (await registered.json()) as { client_id: string; client_secret: string };
  return { platform: 'mastodon', clientId: app.client_id, clientSecret: app.client_secret, instanceUrl: mastodonUrl };
}

/** The integration for the local X of `localX`: its app's client id, signing in through the OAuth front. */
export const localXIntegration = (front: { url: string }) => ({
  platform: 'x',
  clientId: 'x-app',
  instanceUrl: front.url,
});

/** The row of the client's `platform` account in the Connections table of the client page. */
export const connectionRow = (page: Page, platform: string) =>
  page
    .getByRole('region', { name: 'Connections' })
    .getByRole('table', { name: 'Connections' })
    .getByRole('row', { name: new RegExp(`^${platform} `) });

/** A new connection link opened in its tab, `platform` connected there, the tab closed: the account is active. */
export async function connectWithNewLink(page: Page, platform: string) {
  const { tab } = await openConnectionLink(page);
  await connectOnLinkPage(tab, platform);
  await tab.close();
  await expect(connectionRow(page, platform)).toContainText('Active');
}

/**
 * The client at their connection link in a browser that has nothing of the agency's (a context of
 * its own): `platform` connected there, to "Connected". With `agency`, the link's page names it first.
 */
export async function connectAsClient(
  browser: Browser,
  link: string,
  platform: string,
  options: { agency?: string; ignoreHTTPSErrors?: boolean } = {},
) {
  const context = await browser.newContext({ ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
  const tab = await context.newPage();
  await tab.goto(link);
  if (options.agency) await expect(tab.getByRole('heading', { level: 1, name: options.agency })).toBeVisible();
  await connectOnLinkPage(tab, platform);
  await context.close();
}

/** An invitation form filled (the code, a name, a password) and sent with `button`: the app opens as them. */
async function sendInvitation(
  page: Page,
  form: Locator,
  button: string,
  opts: { code: string; name: string; password: string },
) {
  await form.getByLabel('Invitation code or link').fill(opts.code);
  await form.getByLabel('Your name').fill(opts.name);
  await form.getByLabel('Choose a password').fill(opts.password);
  await form.getByRole('button', { name: button }).click();
  await expect(page.locator('.shell')).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(opts.name);
}

/** On the profile chooser: "Join with an invitation" with the code, a name and a password; the app opens as them. */
export async function joinWithInvitation(page: Page, opts: { code: string; name: string; password: string }) {
  await sendInvitation(page, page.getByRole('form', { name: 'Join with an invitation' }), 'Join', opts);
}

/** The owner of a team host the specs start (its first run names her; the password is the one her join sets). */
export const HOST_OWNER = { name: 'Olivia Owner', email: 'olivia@agency.test', password: OWNER_PASSWORD } as const;

/** A desk's line about its team host ("Connected to …", "Offline …", "Signed out of …"), above every page. */
export const hostStatus = (page: Page) => page.getByRole('status', { name: 'Team host' });

/**
 * First run on a desk: "Join a team host" with the host's address and an invitation
 * (or the owner's first sign-in code).
 */
export async function joinTeamHost(
  page: Page,
  opts: { hostUrl: string; code: string; name: string; password: string },
) {
  await expect(page.getByRole('heading', { name: 'Welcome to Postroom' })).toBeVisible();
  await page.getByRole('radio', { name: 'Join a team host' }).check();
  const form = page.getByRole('form', { name: 'Join a team host' });
  await form.getByLabel('Team host address').fill(opts.hostUrl);
  await sendInvitation(page, form, 'Join the team', opts);
}

/** "New client" on Clients: the dialog filled with the email and name and sent (the dialog, to check what it says). */
export async function newClient(page: Page, email: string, name: string) {
  await page.getByRole('button', { name: 'New client' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Display name').fill(name);
  await dialog.getByRole('button', { name: 'Create client' }).click();
  return dialog;
}

/**
 * On a desk: a client made on Clients, its page, and a new connection link there
 * on the team host's address (`hostUrl`).
 */
export async function newClientLinkOnHost(page: Page, hostUrl: string, client: { email: string; name: string }) {
  await go(page, 'Clients');
  await expect(await newClient(page, client.email, client.name)).toBeHidden();
  await openClientPage(page, client.name);
  const connections = page.getByRole('region', { name: 'Connections' });
  await connections.getByRole('button', { name: 'New connection link' }).click();
  const linkField = connections.getByLabel('Connection link', { exact: true });
  await expect(linkField).toHaveValue(new RegExp(`^${hostUrl}/connect/\\S+$`));
  return linkField.inputValue();
}
