import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { keepMediaOfBackup, pruneBackupMedia } from '../files/backup-media';
import { AppError } from '../kernel/errors';
import type { Clock } from '../kernel/clock';
import { WalCheckpointer } from './checkpointer';
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
import { IntegrityCheck } from './integrity-check';
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
 * The integrity check runs first, to the end (the CLI's commands, tests): a damaged file is
 * `database_damaged` here. The app opens with `openDatabaseCheckingInBackground` instead.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Db> {
  return (await open(options, 'at-open')).db;
}

export interface CheckedDatabase {
  db: Db;
  /** The integrity check, running or done; nothing is written before it passed (see integrity-check.ts). */
  integrity: IntegrityCheck;
}

/**
 * Opens the database as `openDatabase` does, with its integrity check in a worker thread instead
 * of before the first read (issue 11 cold start; docs/decisions.md D91): reads are answered at
 * once, writes wait for the check, and a damaged file is reported through `integrity.passed`.
 * A new file has nothing to check; pending migrations wait for the check before they change anything.
 */
export async function openDatabaseCheckingInBackground(options: OpenDatabaseOptions): Promise<CheckedDatabase> {
  return open(options, 'in-background');
}

async function open(
  { dataDir, clock, migrations = allMigrations }: OpenDatabaseOptions,
  when: 'at-open' | 'in-background',
): Promise<CheckedDatabase> {
  const file = join(dataDir, DATABASE_FILE);
  // 0700 folder, 0600 files (the WAL and SHM take the database file's mode): issue 9 item 6.
  prepareDataFolder(dataDir, DATABASE_FILE);
  // A flipped page or a cut-off WAL is found before anything is written (issue 9 item 11), through
  // a read-only connection: closing a writable one would checkpoint the WAL into the damaged file,
  // and the damaged file is to be kept as it was found.
  let integrity: IntegrityCheck;
  if (statSync(file).size === 0) integrity = IntegrityCheck.passedAlready(dataDir, file);
  else if (when === 'at-open') {
    checkIntegrity(dataDir);
    integrity = IntegrityCheck.passedAlready(dataDir, file);
  } else integrity = IntegrityCheck.inBackground(dataDir, file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    // A queue page reads rows scattered over a large file: a 64 MiB page cache and reads through
    // mmap keep those off the system-call path (issue 11; docs/decisions.md).
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    // Migrations change the file: they wait for the check (and a damaged file is refused here).
    if (schemaVersion(db) < (migrations.at(-1)?.version ?? 0)) integrity.waitSync();
    await migrate(db, { dataDir, clock, migrations });
    prepareOnceAndGateWrites(db, integrity, file);
    return { db, integrity };
  } catch (err) {
    // The guard is closed after the writable connection, so that one never checkpoints.
    db.close();
    integrity.close();
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
 *
 * Writes wait for the integrity check (see integrity-check.ts): a statement that can change the
 * file (not `readonly` in SQLite's eyes), `exec` and a pragma that sets something first make sure
 * the check passed, blocking until it answers if it has not yet, and throw `database_damaged`
 * when it found damage. Once the check passed this is one property read per write.
 *
 * Each write that changed something is noted for the WAL's checkpoints, which a worker thread makes
 * (see checkpointer.ts): a statement that changed rows, `exec`, and the commit of an outermost
 * transaction in which a statement changed rows. A write that changed nothing (the scheduler's
 * recovery on an idle start) wakes nothing. Closing the connection stops the worker first.
 */
function prepareOnceAndGateWrites(db: Db, integrity: IntegrityCheck, file: string): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const checkpointer = new WalCheckpointer(db, file);
  const gate = () => {
    if (integrity.state !== 'sound') integrity.waitSync();
  };
  const wrote = () => checkpointer.noteWrite();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      if (!statement.readonly) gateStatement(statement, gate, (result) => changedRows(result) && wrote());
      cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
  const exec = db.exec.bind(db);
  db.exec = ((sql: string) => {
    gate();
    try {
      return exec(sql);
    } finally {
      wrote();
    }
  }) as Db['exec'];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: Database.PragmaOptions) => {
    if (/=|checkpoint|optimize|vacuum/i.test(source)) gate();
    return pragma(source, options);
  }) as Db['pragma'];
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const made = transaction(fn);
    const noted = (run: (...args: unknown[]) => unknown) =>
      function (this: unknown, ...args: unknown[]) {
        const writesBefore = checkpointer.writes;
        try {
          return run.apply(this, args);
        } finally {
          // A nested transaction (a savepoint) commits nothing yet; its outermost one is noted.
          if (!db.inTransaction && checkpointer.writes !== writesBefore) wrote();
        }
      };
    return Object.assign(noted(made), {
      deferred: noted(made.deferred),
      immediate: noted(made.immediate),
      exclusive: noted(made.exclusive),
      default: noted(made.default),
    });
  }) as Db['transaction'];
  const close = db.close.bind(db);
  db.close = (() => {
    checkpointer.close();
    return close();
  }) as Db['close'];
}

function gateStatement(statement: Database.Statement, before: () => void, after: (result: unknown) => void): void {
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method] as (...args: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      before();
      const result = original.apply(this, args);
      after(result);
      return result;
    };
  }
}

/**
 * Whether a writing statement's result says it changed rows: `run`'s count, or the rows a
 * `RETURNING` gave back (an iterator is taken to have).
 */
function changedRows(result: unknown): boolean {
  if (result === undefined) return false;
  if (Array.isArray(result)) return result.length > 0;
  if (typeof result === 'object' && result !== null && 'changes' in result)
    return (result as Database.RunResult).changes > 0;
  return true;
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
      `This data folder was written by a newer version of Postroom (schema ${current}; ` +
        `this version knows up to ${latest}). Update Postroom to open it; nothing was changed.`,
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

/** The data folder a backups folder belongs to. */
const dataDir = (backupsDir: string) => dirname(backupsDir);

/**
 * Online backup through SQLite's backup API, the media files it names kept beside it; keeps the
 * newest few of each kind. `dir` is a data folder's backups folder.
 */
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
  // The media files it names stay beside it, under backups/media (D106).
  keepMediaOfBackup(dataDir(dir), file, dir);
  const mine = readdirSync(dir)
    .filter((f) => f.endsWith(`-${label}.sqlite`))
    .sort();
  const old = mine.slice(0, Math.max(0, mine.length - kept));
  for (const name of old) rmSync(join(dir, name));
  if (old.length > 0) pruneBackupMedia(dir);
  return file;
}

/** An online backup into `file`, which is made private (0600) before a byte of data lands in it. */
export async function backupTo(db: Db, file: string): Promise<void> {
  privateFile(file);
  await db.backup(file);
  // The copy says WAL like its source; a backup is one file, so it keeps a rollback journal. Else
  // every read-only look into it (the media it names, D106) leaves -wal and -shm files beside it.
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}
