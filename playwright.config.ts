import { defineConfig } from '@playwright/test';

/*
 * End-to-end tests drive the real renderer (built into out/renderer by `electron-vite build`)
 * in Debian's Chromium against the real engine through the browser host. Every test starts its
 * own `postroom serve` on a temporary data folder (see test/e2e/fixtures.ts). The host needs the
 * OS keychain: run under dbus-run-session with gnome-keyring unlocked (see README).
 */
export default defineConfig({
  testDir: 'test/e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: 'list',
  timeout: 120_000,
  expect: { timeout: 10_000 },
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
