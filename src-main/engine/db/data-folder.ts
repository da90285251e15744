import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../kernel/errors';

/**
 * The data folder holds client PII and password hashes (issue 9 item 6): the folder is 0700 and
 * every file in it 0600, made so from the start rather than tightened afterwards. SQLite gives
 * its `-wal` and `-shm` files the database file's own mode, so creating that file 0600 first is
 * what keeps them private too. Existing folders and files of older installs are tightened when
 * opened. (Windows has no such modes; there the profile folder's ACL already keeps others out.)
 */
export const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates (or tightens) a private folder. */
export function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  if ((statSync(dir).mode & 0o777) !== FOLDER_MODE) chmodSync(dir, FOLDER_MODE);
}

/** Makes sure `file` exists (empty when new) and only its owner can read it, before anything writes to it. */
export function privateFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  if ((statSync(file).mode & 0o777) !== FILE_MODE) chmodSync(file, FILE_MODE);
}

/**
 * The data folder, its database (with `-wal` and `-shm`) and `backups/` made private; files
 * already there (older installs) are tightened.
 */
export function prepareDataFolder(dataDir: string, databaseFile: string): void {
  privateFolder(dataDir);
  privateFile(join(dataDir, databaseFile));
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      privateFolder(path);
      for (const inner of readdirSync(path)) {
        const innerPath = join(path, inner);
        if (statSync(innerPath).isFile() && (statSync(innerPath).mode & 0o777) !== FILE_MODE)
          chmodSync(innerPath, FILE_MODE);
      }
    } else if (stat.isFile() && (stat.mode & 0o777) !== FILE_MODE) chmodSync(path, FILE_MODE);
  }
}

// ---- one instance per data folder (issue 9 item 12) -----------------------------------------------

export const LOCK_FILE = 'postroom.lock';
const HOLDER_FILE = 'postroom.lock.json';

/** What holds the lock, for the message the next one gets. */
export interface LockHolder {
  pid: number;
  what: string;
  since: string;
}

/**
 * One running Postroom per data folder: two schedulers over one database would both publish, and
 * a restore under a running app would be overwritten. The lock is the operating system's: an
 * exclusive SQLite lock (POSIX `fcntl` on Linux and macOS, `LockFileEx` on Windows) on
 * `postroom.lock`, taken in `locking_mode = EXCLUSIVE` so it is never let go until the
 * connection closes. The kernel drops it when the process ends, however it ends (a crash, a
 * SIGKILL), so the next start never waits for a stale lock to age, and a process that is alive
 * but slow never loses it (unlike lock files judged by their age). SQLite also tracks its locks
 * per file within a process, so a second open in the same process is refused too.
 */
export class DataFolderLock {
  private constructor(
    private readonly db: Database.Database,
    readonly dataDir: string,
  ) {}

  /** Takes the lock or fails with `data_folder_in_use`, naming what holds it. */
  static acquire(dataDir: string, what: string): DataFolderLock {
    privateFolder(dataDir);
    const file = join(dataDir, LOCK_FILE);
    privateFile(file);
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = MEMORY');
      db.exec(
        `BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at TEXT); DELETE FROM held;
         INSERT INTO held VALUES (datetime('now')); COMMIT;`,
      );
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw inUse(dataDir);
      throw err;
    }
    const holder: LockHolder = { pid: process.pid, what, since: new Date().toISOString() };
    const holderFile = join(dataDir, HOLDER_FILE);
    privateFile(holderFile);
    writeFileSync(holderFile, JSON.stringify(holder));
    return new DataFolderLock(db, dataDir);
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}

function inUse(dataDir: string): AppError {
  const holder = readHolder(dataDir);
  const who = holder ? `${holder.what}, process ${holder.pid}, since ${holder.since}` : 'another process';
  return new AppError(
    'data_folder_in_use',
    `Another Postroom (${who}) is using the data folder ${dataDir}. ` +
      'Only one Postroom may run on a data folder at a time: stop the other one first, or use another --data-dir.',
    { dataDir, ...(holder ? { holder } : {}) },
  );
}

function readHolder(dataDir: string): LockHolder | null {
  const file = join(dataDir, HOLDER_FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}
