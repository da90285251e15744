import type { SecretStore } from './secret-store';

/** For unit tests only: the app itself always uses the keychain (see KeychainSecretStore.open). */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly secrets = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    return this.secrets.get(account) ?? null;
  }
  async set(account: string, secret: string): Promise<void> {
    this.secrets.set(account, secret);
  }
  async delete(account: string): Promise<boolean> {
    return this.secrets.delete(account);
  }
  async usable(): Promise<boolean> {
    return true;
  }
  /** Test helper: every stored value, to prove a secret did (or did not) land here. */
  values(): string[] {
    return [...this.secrets.values()];
  }
}
