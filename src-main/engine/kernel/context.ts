import type { Clock } from './clock';
import type { Db } from '../db/database';
import type { IntegrityCheck } from '../db/integrity-check';
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
  /**
   * The database's integrity check, running in the background from the open: nothing is written
   * and nothing is published before it passed (see db/integrity-check.ts).
   */
  integrity: IntegrityCheck;
  /** Where the pages a client or owner opens are served, for the links the engine hands out. */
  links: PublicLinks;
}

export interface PublicLinks {
  /**
   * The loopback server's URL on a single desk, the public URL on a team host (set by the host
   * once it listens); connection, approval, invitation and upgrade links start with it.
   */
  baseUrl: string;
  /**
   * Signs short-lived links that need no row of their own (upgrade links): random per process,
   * never stored, so such a link ends at the latest when the app stops.
   */
  readonly signingKey: Buffer;
}
