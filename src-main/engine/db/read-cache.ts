import { closeSync, openSync, readSync } from 'node:fs';
import type { Db } from './database';

/**
 * Memoises hot reads until the database changes, from this connection or any other:
 *
 * - this connection's writes: `total_changes()` counts every row it wrote, from any path
 *   (statements, `exec`, triggers). It touches no table, so reading it costs next to nothing.
 * - other connections' commits (a CLI process on the same file, a second connection here): the
 *   WAL-index header moved (see `WalIndexHeader`), or, where there is no WAL index to read,
 *   `PRAGMA data_version` moved.
 *
 * A value computed inside a transaction is served but never kept: the transaction may still roll
 * back, and `total_changes()` does not move back when it does.
 *
 * `batch` lets the reads of one synchronous piece of work (an API request: its key, then its
 * answer) share one look at other connections' commits, as if they were read at the same instant;
 * this connection's own writes are still seen by every read.
 */
export class ReadCache {
  private changes = -1;
  private batched = false;
  private readonly entries = new Map<string, unknown>();
  private readonly changesQuery;
  private readonly otherCommits: CommitWatch;

  constructor(
    private readonly db: Db,
    private readonly maxEntries = 256,
  ) {
    this.changesQuery = db.prepare<[], number>(`SELECT total_changes()`).pluck();
    this.otherCommits = WalIndexHeader.open(db) ?? new DataVersion(db);
  }

  get<T>(key: string, compute: () => T): T {
    this.sync();
    const cached = this.entries.get(key);
    if (cached !== undefined || this.entries.has(key)) return cached as T;
    const value = compute();
    if (this.db.inTransaction) return value;
    // Filed under the version read before computing: had anything changed meanwhile, the next
    // look sees a new version and drops it, so a value is never older than its version.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  /**
   * Runs `fn`, which must be synchronous, with other connections' commits looked at once, at its
   * start: reads inside it are answered as of that instant.
   */
  batch<T>(fn: () => T): T {
    if (this.batched) return fn();
    this.sync();
    this.batched = true;
    try {
      return fn();
    } finally {
      this.batched = false;
    }
  }

  /** How other connections' commits are noticed: `wal-index` or `data_version`. */
  get watching(): string {
    return this.otherCommits.kind;
  }

  close(): void {
    this.otherCommits.close();
    this.entries.clear();
  }

  /** Drops every entry when this connection wrote or another one committed since the last look. */
  private sync(): void {
    const changes = this.changesQuery.get()!;
    const committed = !this.batched && this.otherCommits.moved();
    if (committed || changes !== this.changes) {
      this.entries.clear();
      this.changes = changes;
    }
  }
}

interface CommitWatch {
  readonly kind: string;
  /** True when another connection may have committed since the last call (and on the first). */
  moved(): boolean;
  close(): void;
}

/**
 * `PRAGMA data_version`: moves when another connection commits. Each read opens and closes a read
 * transaction, which in WAL mode is two `fcntl` locks on the `-shm` file.
 */
class DataVersion implements CommitWatch {
  readonly kind = 'data_version';
  private last = -1;
  private readonly query;

  constructor(db: Db) {
    this.query = db.prepare<[], number>(`PRAGMA data_version`).pluck();
  }

  moved(): boolean {
    const version = this.query.get()!;
    if (version === this.last) return false;
    this.last = version;
    return true;
  }

  close(): void {}
}

/**
 * The WAL-index header: the first 96 bytes of the `-shm` file, two copies of the 48-byte header
 * that every connection of every process rewrites when it commits (its `iChange` counter, frame
 * count, salts and checksums: https://www.sqlite.org/walformat.html, part of the file format all
 * SQLite versions share). It is what SQLite itself compares to answer `PRAGMA data_version`, read
 * here with one `pread` and no locks: identical bytes mean nobody committed since the last look;
 * a read racing a commit sees bytes that differ, which only drops the cache early.
 *
 * Used only when the database is in WAL mode with its index in a `-shm` file whose header says
 * it is the known format; anything else falls back to `PRAGMA data_version`.
 */
class WalIndexHeader implements CommitWatch {
  static readonly BYTES = 96;
  private static readonly VERSION = 3007000;
  readonly kind = 'wal-index';
  private current = Buffer.alloc(WalIndexHeader.BYTES);
  private last = Buffer.alloc(WalIndexHeader.BYTES);

  private constructor(private fd: number | null) {}

  static open(db: Db): WalIndexHeader | null {
    if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
    // A read makes sure the WAL index exists and is initialised before its header is trusted.
    db.prepare(`SELECT count(*) FROM sqlite_schema`).get();
    let fd: number;
    try {
      fd = openSync(`${db.name}-shm`, 'r');
    } catch {
      return null;
    }
    const header = new WalIndexHeader(fd);
    const read = readSync(fd, header.current, 0, WalIndexHeader.BYTES, 0);
    const version =
      header.current.readUInt32LE(0) === WalIndexHeader.VERSION ||
      header.current.readUInt32BE(0) === WalIndexHeader.VERSION;
    const initialised = header.current[12] === 1;
    if (read !== WalIndexHeader.BYTES || !version || !initialised) {
      header.close();
      return null;
    }
    return header;
  }

  moved(): boolean {
    // A closed watch or a short read (never expected while the database is open) counts as a
    // change: the cache is then merely bypassed, never stale.
    if (this.fd === null || readSync(this.fd, this.current, 0, WalIndexHeader.BYTES, 0) !== WalIndexHeader.BYTES)
      return true;
    if (this.current.equals(this.last)) return false;
    [this.current, this.last] = [this.last, this.current];
    return true;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
