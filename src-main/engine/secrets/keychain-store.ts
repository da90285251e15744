import { randomBytes } from 'node:crypto';
import { AppError } from '../kernel/errors';
import { keychainHelp } from './keychain-help';
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
    } catch (err) {
      throw keychainUnavailable(err instanceof Error ? err.message : String(err), true);
    }
    const store = new KeychainSecretStore(keytar, service);
    const problem = await store.probe();
    if (problem !== null) throw keychainUnavailable(problem);
    return store;
  }

  /** A write, read and delete of a throwaway entry: null when all worked, else what failed. */
  private async probe(): Promise<string | null> {
    const probeAccount = `probe/${randomBytes(8).toString('hex')}`;
    const probeValue = randomBytes(8).toString('hex');
    try {
      await this.keytar.setPassword(this.service, probeAccount, probeValue);
      const readBack = await this.keytar.getPassword(this.service, probeAccount);
      await this.keytar.deletePassword(this.service, probeAccount);
      return readBack === probeValue ? null : 'read back a different value';
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  async usable(): Promise<boolean> {
    return (await this.probe()) === null;
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

/**
 * `keychain_unavailable` in plain words for this OS: `message` says what is wrong, `details.fix`
 * what to install, start or unlock, `details.reason` the library's own words.
 */
function keychainUnavailable(reason: string, libraryMissing = false): AppError {
  const help = keychainHelp(process.platform, reason, libraryMissing);
  return new AppError('keychain_unavailable', help.message, { reason, problem: help.problem, fix: help.fix });
}
