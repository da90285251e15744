import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

const repoRoot = resolve(__dirname, '../..');
const mainEntry = join(repoRoot, 'out/main/index.js');
const requireFromRoot = createRequire(join(repoRoot, 'package.json'));

/**
 * The Electron executable, or undefined. `require('electron')` starts a download when the
 * binary is missing, so electron's path.txt and the file it names are checked first.
 */
function findElectronBinary(): string | undefined {
  try {
    const pkgDir = dirname(requireFromRoot.resolve('electron/package.json'));
    if (!process.env['ELECTRON_OVERRIDE_DIST_PATH']) {
      const pathTxt = join(pkgDir, 'path.txt');
      if (!existsSync(pathTxt) || !existsSync(join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8')))) return undefined;
    }
    const binary: unknown = requireFromRoot('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const electronBinary = findElectronBinary();
const electronBinaryAvailable = electronBinary !== undefined;

test('the desktop app opens its window titled Postroom', async () => {
  test.skip(
    !electronBinaryAvailable,
    'Electron binary not installed on this machine (node_modules/electron has no dist/); this test runs wherever it is',
  );
  expect(existsSync(mainEntry), 'build first: npx electron-vite build').toBe(true);

  const userDataDir = mkdtempSync(join(tmpdir(), 'postroom-electron-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  delete env['ELECTRON_RUN_AS_NODE'];
  delete env['ELECTRON_RENDERER_URL']; // always the built renderer, never a dev server

  const app = await electron.launch({
    executablePath: electronBinary,
    args: [mainEntry, `--user-data-dir=${userDataDir}`],
    cwd: repoRoot,
    env,
  });
  try {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle(/Postroom/);
    // Issue 9 item 9: the renderer comes from its own scheme, never file://.
    expect(page.url()).toMatch(/^app:\/\/postroom\/index\.html/);

    // The page sees the contract bridge and no Node.
    const globals = await page.evaluate(() => {
      const g = globalThis as Record<string, unknown> & { postroom?: Record<string, unknown> };
      return {
        invoke: typeof g.postroom?.['invoke'],
        on: typeof g.postroom?.['on'],
        bridgeKeys: Object.keys(g.postroom ?? {}).sort(),
        require: typeof g['require'],
        process: typeof g['process'],
      };
    });
    expect(globals).toEqual({
      invoke: 'function',
      on: 'function',
      bridgeKeys: ['invoke', 'on'],
      require: 'undefined',
      process: 'undefined',
    });

    // One window, and the engine got the data folder we passed.
    const shell = await app.evaluate(({ app: electronApp, BrowserWindow }) => ({
      windows: BrowserWindow.getAllWindows().length,
      userData: electronApp.getPath('userData'),
    }));
    expect(shell).toEqual({ windows: 1, userData: userDataDir });
  } finally {
    await app.close(); // goes through the graceful quit (before-quit → stop → exit)
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
