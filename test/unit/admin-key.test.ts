import { describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/engine/engine';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { FakeClock } from '../support/engine';
import { tempDir } from '../support/temp';

/*
 * Issue 10 item 1: a keyring lost the install's admin key (a fresh keyring, the same data folder).
 * Each start says so and how to make a new one; regenerating revokes the old key (D112).
 */
describe('the install admin key after the keychain lost it', () => {
  it('is said at start, and regenerating gives a new key and revokes the old one', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const first = await Engine.open({ dataDir, secrets: new MemorySecretStore(), clock });
    const old = await first.revealInstallAdminKey();
    expect(await first.installAdminKeyLost()).toBe(false);
    first.close();

    // The same data folder with a fresh keychain: the start says so, with the command to run.
    const warnings: string[] = [];
    const logError = (message: string, detail: unknown) => warnings.push(`${message}: ${String(detail)}`);
    const fresh = new MemorySecretStore();
    const again = await Engine.open({ dataDir, secrets: fresh, clock, logError });
    expect(warnings).toEqual([
      'the install admin key is not in the keychain open now: ' +
        `run "postroom admin-key --data-dir ${dataDir} --regenerate" for a new one (the old one stops working)`,
    ]);
    expect(await again.installAdminKeyLost()).toBe(true);
    await expect(again.revealInstallAdminKey()).rejects.toMatchObject({ code: 'not_found' });

    const renewed = await again.regenerateInstallAdminKey();
    expect(renewed).toMatch(/^key_[\w-]+\.[\w-]+$/);
    expect(renewed).not.toBe(old);
    expect(await again.revealInstallAdminKey()).toBe(renewed);
    expect(again.authenticateKey(renewed)).toMatchObject({ scope: 'install_admin' });
    expect(again.authenticateKey(old)).toBeNull();
    expect(fresh.values()).toEqual([renewed]);
    again.close();

    // The next start is quiet.
    warnings.length = 0;
    const third = await Engine.open({ dataDir, secrets: fresh, clock, logError });
    expect(warnings).toEqual([]);
    expect(await third.revealInstallAdminKey()).toBe(renewed);
    third.close();
  });
});
