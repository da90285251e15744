import type { Clock } from './clock';
import type { Db } from '../db/database';
import type { ReadCache } from '../db/read-cache';
import type { SecretStore } from '../secrets/secret-store';

/** The injected side effects every engine rule runs with. */
export interface EngineContext {
  db: Db;
  secrets: SecretStore;
  clock: Clock;
  /** Random per data folder; namespaces keychain entries so installs never collide. */
  installId: string;
  dataDir: string;
  /** Hot reads memoised until the next write (see ReadCache). */
  readCache: ReadCache;
}
