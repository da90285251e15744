import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src-main/app';
import { KeychainSecretStore } from '../../src-main/engine/secrets/keychain-store';
import { OWNER } from '../support/engine';
import { NO_KEYCHAIN_REASON, keychainAvailable } from '../support/keychain';
import { tempDir } from '../support/temp';

const available = await keychainAvailable();

describe.skipIf(!available)(`the OS keychain (real Secret Service) — skipped only when ${NO_KEYCHAIN_REASON}`, () => {
  it('stores, reads back and deletes a secret', async () => {
    const store = await KeychainSecretStore.open('Postroom-test');
    const account = `test/${Date.now()}`;
    await store.set(account, 'tok-123');
    expect(await store.get(account)).toBe('tok-123');
    expect(await keytar.getPassword('Postroom-test', account)).toBe('tok-123');
    expect(await store.delete(account)).toBe(true);
    expect(await store.get(account)).toBeNull();
  });

  it('keeps the workspace API key and integration secrets in the keychain and none in the SQLite file', async () => {
    const dataDir = tempDir();
    const running = await startApp({ dataDir });
    const { workspace, apiKey } = await running.engine.createOwnerWithWorkspace({
      ...OWNER,
      workspace: {
        name: 'Keychain Co',
        workspaceType: 'iframe embed',
        planId: 'free',
        integrations: [{ platform: 'x', clientId: 'x-client', clientSecret: 'x-secret-value-42' }],
      },
    });
    const adminKey = await running.engine.revealInstallAdminKey();
    expect(await keytar.findCredentials('Postroom')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ password: 'x-secret-value-42' }),
        expect.objectContaining({ password: apiKey }),
      ]),
    );
    expect(workspace.integrations[0]?.hasSecret).toBe(true);
    await running.stop();
    const files = readdirSync(dataDir).filter((f) => f.startsWith('postroom.sqlite'));
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dataDir, f))));
    for (const secret of ['x-secret-value-42', apiKey, adminKey, apiKey.split('.')[1]!]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });
});

describe('without a keychain', () => {
  it('says so plainly and never falls back to plain text', () => {
    // A child process with no D-Bus session: libsecret cannot reach any Secret Service.
    const out = execFileSync(join('node_modules', '.bin', 'tsx'), [join('test', 'support', 'open-keychain.ts')], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
        XDG_RUNTIME_DIR: tempDir(),
        DISPLAY: '',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result.code).toBe('keychain_unavailable');
    expect(result.message).toBe(
      'Postroom keeps its passwords, tokens and keys only in the system keychain, and this session has no D-Bus ' +
        '(as over SSH or on a server), so no keychain can be reached.',
    );
    expect(result.details).toMatchObject({ problem: 'no_session_bus', reason: expect.stringMatching(/connect/i) });
    expect(result.details.fix).toContain('bash scripts/with-keyring.sh npm start');
  });
});
