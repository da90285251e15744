import { defineConfig } from '@playwright/test';

/*
 * The desktop shell's smoke test (SPEC §1, §10): Playwright's `_electron` launches the built app
 * (out/main/index.js, so run `electron-vite build` first). Kept apart from playwright.config.ts,
 * whose tests drive the browser host in Chromium. The test skips itself, with its reason, where
 * the Electron binary is not installed. Like the browser host, the app needs the OS keychain.
 */
export default defineConfig({
  testDir: 'test/electron',
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  use: { trace: 'retain-on-failure' },
  projects: [{ name: 'electron' }],
});
