/**
 * Where secrets live: tokens, client secrets, raw API keys. Never SQLite, never logs.
 * `account` names are opaque keys chosen by the engine, e.g. `<installId>/apikey/<keyId>`.
 */
export interface SecretStore {
  /** `encrypted-file`: a team host without a keychain (EncryptedFileSecretStore). */
  readonly kind: 'keychain' | 'memory' | 'encrypted-file';
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /**
   * Whether secrets can be written and read right now. A locked keychain (libsecret) answers a
   * read with "nothing there", exactly like a secret that does not exist: this tells them apart.
   */
  usable(): Promise<boolean>;
}
