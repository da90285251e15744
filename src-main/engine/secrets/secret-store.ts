/**
 * Where secrets live: tokens, client secrets, raw API keys. Never SQLite, never logs.
 * `account` names are opaque keys chosen by the engine, e.g. `<installId>/apikey/<keyId>`.
 */
export interface SecretStore {
  readonly kind: 'keychain' | 'memory';
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}
