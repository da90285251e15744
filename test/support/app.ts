import { afterEach } from 'vitest';
import { startApp, type StartedApp } from '../../src-main/app';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { OWNER, FakeClock } from './engine';
import { tempDir } from './temp';

const running: StartedApp[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

/** The engine and its loopback server on a real port and a real SQLite file, set up with one workspace. */
export async function startTestApp(options: { setUp?: boolean } = {}) {
  const secrets = new MemorySecretStore();
  const dataDir = tempDir();
  const app = await startApp({ dataDir, secrets, clock: new FakeClock() });
  running.push(app);
  let workspaceApiKey = '';
  let workspaceId = '';
  if (options.setUp !== false) {
    const created = await app.engine.createOwnerWithWorkspace({
      ...OWNER,
      workspace: { name: 'Acme Agency', workspaceType: 'iframe embed', planId: 'free', integrations: [] },
    });
    workspaceApiKey = created.apiKey;
    workspaceId = created.workspace.id;
    await app.engine.signIn(app.engine.state().profiles[0]!.id, undefined, workspaceId);
  }
  const adminKey = await app.engine.revealInstallAdminKey();
  return { app, secrets, dataDir, adminKey, workspaceApiKey, workspaceId, url: app.apiUrl };
}
