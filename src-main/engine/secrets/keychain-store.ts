import { randomBytes } from 'node:crypto';
import { AppError } from '../errors';
import type { SecretStore } from './secret-store';

export const KEYCHAIN_SERVICE = 'Postroom';

type Keytar = typeof import('keytar');

/** The OS keychain (macOS Keychain, Windows Credential Manager, libsecret) through keytar. */
export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;

  private constructor(
    private readonly keytar: Keytar,
    private readonly service: string,
  ) {}

  /**
   * Opens the keychain and proves it works with a write, read and delete. Where no keychain is
   * reachable this fails with `keychain_unavailable`: Postroom never falls back to plaintext.
   */
  static async open(service = KEYCHAIN_SERVICE): Promise<KeychainSecretStore> {
    let keytar: Keytar;
    try {
      keytar = (await import('keytar')).default ?? (await import('keytar'));
    } catch {
      throw keychainUnavailable('the keychain library could not be loaded');
    }
    const store = new KeychainSecretStore(keytar, service);
    const probeAccount = `probe/${randomBytes(8).toString('hex')}`;
    const probeValue = randomBytes(8).toString('hex');
    try {
      await keytar.setPassword(service, probeAccount, probeValue);
      const readBack = await keytar.getPassword(service, probeAccount);
      await keytar.deletePassword(service, probeAccount);
      if (readBack !== probeValue) throw new Error('read back a different value');
    } catch (err) {
      throw keychainUnavailable(err instanceof Error ? err.message : String(err));
    }
    return store;
  }

  async get(account: string): Promise<string | null> {
    return this.keytar.getPassword(this.service, account);
  }

  async set(account: string, secret: string): Promise<void> {
    await this.keytar.setPassword(this.service, account, secret);
  }

  async delete(account: string): Promise<boolean> {
    return this.keytar.deletePassword(this.service, account);
  }
}

function keychainUnavailable(reason: string): AppError {
  return new AppError(
    'keychain_unavailable',
    'No OS keychain is available (on Linux: a Secret Service such as gnome-keyring must be running and unlocked). ' +
      'Postroom keeps tokens and keys only in the keychain and will not store them in plain text.',
    { reason },
  );
}
