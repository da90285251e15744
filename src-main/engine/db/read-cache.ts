import type { Db } from './database';

/**
 * Memoises hot reads until the database changes. The version is `total_changes()` (every row
 * written by this connection) plus `PRAGMA data_version` (bumped when another connection, such as
 * a CLI process on the same file, commits), so no write anywhere can leave a stale answer behind.
 */
export class ReadCache {
  private version = '';
  private readonly entries = new Map<string, unknown>();
  private readonly versionQuery;

  constructor(
    db: Db,
    private readonly maxEntries = 256,
  ) {
    this.versionQuery = db.prepare<[], { c: number; v: number }>(`SELECT total_changes() AS c, (SELECT data_version FROM pragma_data_version) AS v`);
  }

  get<T>(key: string, compute: () => T): T {
    const row = this.versionQuery.get()!;
    const version = `${row.c}:${row.v}`;
    if (version !== this.version) {
      this.entries.clear();
      this.version = version;
    }
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = compute();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
