import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FILE_MODE } from '../engine/db/data-folder';

/**
 * Opens (or makes) one of a desk's own SQLite files in its data folder (the outbox, D111; the read
 * copy, D118): readable by this user only, like the engine's database, and write-ahead logged.
 * `synchronous` is what the file promises after a power cut: FULL for changes that must not be
 * lost, NORMAL for a copy that a reload makes again (SQLite's `PRAGMA synchronous`).
 */
export function openDeskFile(dataDir: string, fileName: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  const file = join(dataDir, fileName);
  const db = new Database(file);
  chmodSync(file, FILE_MODE);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  return db;
}
