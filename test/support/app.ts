import { afterEach, expect } from 'vitest';
import { ApiAnswerChecker } from './api-validator';
import { startApp, type StartAppOptions, type StartedApp } from '../../src-main/app';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { OWNER, FakeClock, TEST_PASSWORD } from './engine';
import { browse } from './browse';
import { closedAfterTest } from './closers';
import { addConnection } from './posting';
import { callWithKey, createClientOverRest, restCall } from './rest';
import { tempDir } from './temp';
import { startXServer } from './x-server';

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

/** A test app, a local X (closed after the test) and a client who connected X through a connection link. */
export async function appWithXClient() {
  const t = await startTestApp();
  const x = closedAfterTest(await startXServer());
  return { t, x, client: await clientConnectedToX(t, x.url) };
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

/**
 * A post made over REST as a script makes one (seed 000: `POST /api/v1/post-groups` with the workspace
 * key, the client named by its `x-publora-user-id` header); the answer's status and JSON body.
 */
export const restPostFor = (t: TestApp, userId: string, post: Record<string, unknown>) =>
  rest(t, 'POST', '/api/v1/post-groups', post, { 'x-publora-user-id': userId });

/**
 * A test app with a client made over REST, and the calls of the media library (issue 14 item 2):
 * `send` uploads a file as that client (multipart, as a script does), `call` asks the engine in the
 * workspace. `headers` carry the workspace key; `acting` adds the client.
 */
export async function appWithMediaLibrary() {
  const t = await startTestApp();
  const headers = { 'x-publora-key': t.workspaceApiKey };
  const userId = await createClientOverRest(t.url, t.workspaceApiKey, {
    email: 'client@example.com',
    displayName: 'Acme Corp',
  });
  const acting = { ...headers, 'x-publora-user-id': userId };
  const send = (data: Buffer, fileName: string, altText?: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)]), fileName);
    if (altText !== undefined) form.append('altText', altText);
    return fetch(`${t.url}/api/v1/media`, { method: 'POST', headers: acting, body: form });
  };
  const call = <T>(channel: string, request: Record<string, unknown>) =>
    t.app.engine.call(channel as never, { workspaceId: t.workspaceId, ...request }) as Promise<T>;
  return { ...t, userId, headers, acting, send, call };
}

/** An invitation sent over REST with the workspace key (`POST /api/v1/workspace/invitations`); the answer. */
export const inviteOverRest = (t: TestApp, invite: { email: string; role: string; skipInvitationEmail?: boolean }) =>
  callWithKey(t.url, t.workspaceApiKey, 'POST', '/api/v1/workspace/invitations', invite);
