import { afterEach, expect } from 'vitest';
import { ApiAnswerChecker } from './api-validator';
import { startApp, type StartAppOptions, type StartedApp } from '../../src-main/app';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { OWNER, FakeClock, TEST_PASSWORD } from './engine';
import { browse } from './browse';
import { addConnection } from './posting';
import { createClientOverRest, restCall } from './rest';
import { tempDir } from './temp';

const running: StartedApp[] = [];

/** Every answer of every API test is checked against the OpenAPI document. */
export const answers = new ApiAnswerChecker();

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  const violations = answers.violations.splice(0);
  expect(violations, 'answers that do not match the OpenAPI document').toEqual([]);
});

/** The engine and its loopback server on a real port and a real SQLite file, set up with one workspace. */
export async function startTestApp(
  options: {
    setUp?: boolean;
    rateLimitPerMinute?: number;
    pageRequestsPerMinute?: number;
    now?: Date;
    scheduler?: StartAppOptions['scheduler'];
  } = {},
) {
  const secrets = new MemorySecretStore();
  const dataDir = tempDir();
  const clock = new FakeClock(options.now);
  const app = await startApp({
    dataDir,
    secrets,
    clock,
    scheduler: { monotonicNow: () => clock.monotonic(), ...options.scheduler },
    loopback: {
      onAnswer: (answer) => answers.check(answer),
      ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
      ...(options.pageRequestsPerMinute ? { pageRequestsPerMinute: options.pageRequestsPerMinute } : {}),
    },
  });
  running.push(app);
  let workspaceApiKey = '';
  let workspaceId = '';
  if (options.setUp !== false) {
    const created = await app.engine.createOwnerWithWorkspace({
      ...OWNER,
      // Bluesky needs nothing, and a connection link needs one platform ready to offer (D108).
      workspace: {
        name: 'Acme Agency',
        workspaceType: 'iframe embed',
        planId: 'free',
        integrations: [{ platform: 'bluesky' }],
      },
    });
    workspaceApiKey = created.apiKey;
    workspaceId = created.workspace.id;
    await app.engine.signIn(app.engine.state().profiles[0]!.id, TEST_PASSWORD, workspaceId);
  }
  const adminKey = await app.engine.revealInstallAdminKey();
  return { app, secrets, dataDir, adminKey, workspaceApiKey, workspaceId, url: app.apiUrl, clock };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** A client in UTC with a connected Mastodon account. */
export async function clientWithMastodon(
  t: TestApp,
  workspaceId = t.workspaceId,
  email = 'casey@client.test',
  accountId = '42',
) {
  const engine = t.app.engine;
  const client = await engine.call('client.create', {
    workspaceId,
    client: { email, displayName: 'Casey Client Co', timezone: 'UTC' },
  });
  const platformId = await addConnection(engine.ctx, workspaceId, client.id, 'mastodon', accountId, {
    accessToken: 'a-mastodon-token',
  });
  return { client, platformId };
}

/** A client made in the app (the engine's contract) in the workspace, and a new connection link for it. */
export async function clientAndLinkInApp(
  t: TestApp,
  client: { email: string; displayName: string },
  workspaceId = t.workspaceId,
) {
  const made = await t.app.engine.call('client.create', { workspaceId, client });
  const link = await t.app.engine.call('connection.createLink', { workspaceId, userId: made.id });
  return { client: made, link };
}

/**
 * The workspace's X integration (its app on `xUrl`, a local X) and a client who connected X
 * through a connection link, as a client does in the browser.
 */
export async function clientConnectedToX(t: TestApp, xUrl: string) {
  const engine = t.app.engine;
  const ws = t.workspaceId;
  await engine.call('integration.add', {
    workspaceId: ws,
    integration: { platform: 'x', clientId: 'x-app', instanceUrl: xUrl },
  });
  const { client, link } = await clientAndLinkInApp(t, { email: 'c@acme.test', displayName: 'Acme' }, ws);
  expect((await browse(`${link.connectionUrl}/x`)).text).toContain('Connected');
  return client;
}

/** A client made over REST with the workspace key, as a script makes one, with a connected Mastodon account. */
export async function restClientWithMastodon(t: TestApp) {
  const userId = await createClientOverRest(t.url, t.workspaceApiKey, {
    email: 'client@example.com',
    displayName: 'Acme Corp',
  });
  const platformId = await addConnection(t.app.engine.ctx, t.workspaceId, userId, 'mastodon', '42', {
    accessToken: 'token',
  });
  return { userId, platformId };
}

/** A REST call with the workspace API key (or the key in `headers`); the answer's status and JSON body. */
export const rest = (t: TestApp, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  restCall(t.url, method, path, { key: t.workspaceApiKey, body, headers }).then(({ status, body }) => ({
    status,
    body: body as Record<string, unknown>,
  }));
