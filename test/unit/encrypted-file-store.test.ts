import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EncryptedFileSecretStore,
  readKeyMaterial,
  SECRETS_FILE,
} from '../../src-main/engine/secrets/encrypted-file-store';
import { tempDir } from '../support/temp';

function keyFile(dir: string, content = randomBytes(32).toString('base64'), mode = 0o600): string {
  const path = join(dir, 'postroom.key');
  writeFileSync(path, `${content}\n`, { mode });
  chmodSync(path, mode);
  return path;
}

describe('the encrypted secret store of a headless host (issue 12 item 1)', () => {
  it('keeps secrets sealed on disk: nothing readable without the key, all back after a restart with it', async () => {
    const dataDir = tempDir();
    const key = readKeyMaterial({ kind: 'file', path: keyFile(tempDir()) });
    const store = EncryptedFileSecretStore.open(dataDir, key);
    await store.set('install/apikey/k1', 'pk_live_very_secret_value');
    await store.set('install/token/c1', 'oauth-access-token-abc');
    await store.delete('install/token/c1');
    const onDisk = readFileSync(join(dataDir, SECRETS_FILE), 'utf8');
    expect(onDisk).not.toContain('pk_live_very_secret_value');
    expect(onDisk).not.toContain(Buffer.from('pk_live_very_secret_value').toString('base64'));
    expect(statSync(join(dataDir, SECRETS_FILE)).mode & 0o777).toBe(0o600);

    const reopened = EncryptedFileSecretStore.open(dataDir, key);
    expect(await reopened.get('install/apikey/k1')).toBe('pk_live_very_secret_value');
    expect(await reopened.get('install/token/c1')).toBeNull();
    expect(await reopened.usable()).toBe(true);
  });

  it('refuses another key at open, and changes nothing', async () => {
    const dataDir = tempDir();
    const store = EncryptedFileSecretStore.open(dataDir, randomBytes(32));
    await store.set('a', 'secret');
    const before = readFileSync(join(dataDir, SECRETS_FILE));
    expect(() => EncryptedFileSecretStore.open(dataDir, randomBytes(32))).toThrow(
      expect.objectContaining({
        code: 'secrets_key_invalid',
        message: expect.stringMatching(/sealed with another key/),
      }),
    );
    expect(readFileSync(join(dataDir, SECRETS_FILE))).toEqual(before);
  });

  it('a sealed value moved to another account does not open there', async () => {
    const dataDir = tempDir();
    const key = randomBytes(32);
    const store = EncryptedFileSecretStore.open(dataDir, key);
    await store.set('owner-token', 'the owner secret');
    const file = JSON.parse(readFileSync(join(dataDir, SECRETS_FILE), 'utf8'));
    file.entries['attacker-account'] = file.entries['owner-token'];
    writeFileSync(join(dataDir, SECRETS_FILE), JSON.stringify(file));
    await expect(EncryptedFileSecretStore.open(dataDir, key).get('attacker-account')).rejects.toThrow(/does not open/);
  });

  it('keeps every write when many run at once', async () => {
    const dataDir = tempDir();
    const key = randomBytes(32);
    const store = EncryptedFileSecretStore.open(dataDir, key);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`k${i}`, `v${i}`)));
    const reopened = EncryptedFileSecretStore.open(dataDir, key);
    for (let i = 0; i < 50; i++) expect(await reopened.get(`k${i}`)).toBe(`v${i}`);
  });

  it.each([
    ['missing', (dir: string) => join(dir, 'nope.key'), /does not exist/],
    [
      'readable by others',
      (dir: string) => keyFile(dir, randomBytes(32).toString('base64'), 0o644),
      /can be read by other users/,
    ],
    ['too short', (dir: string) => keyFile(dir, 'short'), /too short/],
  ])('a key file that is %s is refused with what to do', (_name, make, message) => {
    const path = make(tempDir());
    expect(() => readKeyMaterial({ kind: 'file', path })).toThrow(
      expect.objectContaining({ code: 'secrets_key_invalid', message: expect.stringMatching(message) }),
    );
  });

  it('reads a systemd credential from $CREDENTIALS_DIRECTORY, and says so when it is not set', () => {
    const dir = tempDir();
    const material = randomBytes(48).toString('base64');
    writeFileSync(join(dir, 'postroom-secrets'), material, { mode: 0o400 });
    expect(
      readKeyMaterial({ kind: 'credential', name: 'postroom-secrets' }, { CREDENTIALS_DIRECTORY: dir }).toString(),
    ).toBe(material);
    expect(() => readKeyMaterial({ kind: 'credential', name: 'postroom-secrets' }, {})).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/CREDENTIALS_DIRECTORY is not set/),
        details: { fix: expect.stringMatching(/LoadCredential=postroom-secrets/) },
      }),
    );
  });
});
