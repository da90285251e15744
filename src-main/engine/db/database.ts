import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../kernel/errors';
import type { Clock } from '../kernel/clock';
import { prepareDataFolder, privateFile, privateFolder } from './data-folder';
import {
  AUTOMATIC_KEPT,
  AUTOMATIC_LABEL,
  automaticBackupDue,
  BACKUPS_DIR,
  damagedDatabase,
  integrityProblem,
  isDamage,
} from './integrity';
import type { Migration } from './migration';
import { migrations as allMigrations } from './migrations';

export type Db = Database.Database;

export const DATABASE_FILE = 'postroom.sqlite';
const BACKUPS_KEPT = 5;

export interface OpenDatabaseOptions {
  dataDir: string;
  clock: Clock;
  /** Overridable for migration tests. */
  migrations?: readonly Migration[];
}

/**
 * Opens the one SQLite file of a data folder: WAL, foreign keys, a busy timeout, then the
 * numbered migrations. A database written by a newer Postroom is refused rather than guessed at.
 */
export async function openDatabase({ dataDir, clock, migrations = allMigrations }: OpenDatabaseOptions): Promise<Db> {
  // 0700 folder, 0600 files (the WAL and SHM take the database file's mode): issue 9 item 6.
  prepareDataFolder(dataDir, DATABASE_FILE);
  // A flipped page or a cut-off WAL is found here, before anything is written (issue 9 item 11),
  // through a read-only connection: closing a writable one would checkpoint the WAL into the
  // damaged file, and the damaged file is to be kept as it was found.
  checkIntegrity(dataDir);
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    // A queue page reads rows scattered over a large file: a 64 MiB page cache and reads through
    // mmap keep those off the system-call path (issue 11; docs/decisions.md).
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    await migrate(db, { dataDir, clock, migrations });
    cacheStatements(db);
    return db;
  } catch (err) {
    db.close();
    if (isDamage(err)) throw damagedDatabase(dataDir, (err as Error).message);
    throw err;
  }
}

function checkIntegrity(dataDir: string): void {
  let problem: string | null;
  try {
    const probe = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      problem = integrityProblem(probe);
    } finally {
      probe.close();
    }
  } catch (err) {
    if (!isDamage(err)) throw err;
    problem = (err as Error).message;
  }
  if (problem !== null) throw damagedDatabase(dataDir, problem);
}

/**
 * The daily automatic backup (issue 9 item 11): taken when a day has passed since the newest
 * one, the newest seven kept. Returns the file, or null when none was due.
 */
export async function takeAutomaticBackupIfDue(db: Db, dataDir: string, clock: Clock): Promise<string | null> {
  if (!automaticBackupDue(dataDir, clock.now())) return null;
  return backupDatabase(db, join(dataDir, BACKUPS_DIR), AUTOMATIC_LABEL, clock, AUTOMATIC_KEPT);
}

/**
 * Compiling SQL costs more than running it: each distinct statement is prepared once and reused.
 * The engine only runs statements to completion (`get`, `all`, `run`), never holds an iterator,
 * so one cached statement per SQL text is safe. The set of texts is finite (a few dynamic WHERE
 * combinations at most).
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

async function migrate(db: Db, { dataDir, clock, migrations }: Required<OpenDatabaseOptions>): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new AppError(
      'unsupported_database_version',
      `This data folder was written by a newer version of Postroom (schema ${current}; this version knows up to ${latest}). ` +
        'Update Postroom to open it; nothing was changed.',
      { schemaVersion: current, supportedVersion: latest },
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  // A database with data in it is copied aside first, so a failed or regretted upgrade is recoverable.
  if (current > 0) await backupDatabase(db, join(dataDir, 'backups'), `before-v${latest}`, clock);
  for (const migration of pending) {
    db.transaction(() => {
      migration.up(db, { dataDir });
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

/** Online backup through SQLite's backup API; keeps the newest few of each kind. */
export async function backupDatabase(
  db: Db,
  dir: string,
  label: string,
  clock: Clock,
  kept = BACKUPS_KEPT,
): Promise<string> {
  privateFolder(dir);
  const stamp = clock.now().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `postroom-${stamp}-${label}.sqlite`);
  await backupTo(db, file);
  const mine = readdirSync(dir)
    .filter((f) => f.endsWith(`-${label}.sqlite`))
    .sort();
  for (const old of mine.slice(0, Math.max(0, mine.length - kept))) rmSync(join(dir, old));
  return file;
}

/** An online backup into `file`, which is made private (0600) before a byte of data lands in it. */
export async function backupTo(db: Db, file: string): Promise<void> {
  privateFile(file);
  await db.backup(file);
}
