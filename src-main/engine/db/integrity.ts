import { chmodSync, copyFileSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../kernel/clock';
import { hashesNamedByFile, putBackMedia } from '../files/backup-media';
import { AppError } from '../kernel/errors';
import { FILE_MODE, privateFolder } from './data-folder';

/*
 * A damaged database file (issue 9 item 11): a flipped page, or a WAL cut off after a checkpoint
 * had copied part of it. `PRAGMA quick_check` at open finds both (a b-tree that no longer holds
 * together); the app then offers the newest automatic backup and keeps the damaged file aside.
 */

export const BACKUPS_DIR = 'backups';
export const DAMAGED_DIR = 'damaged';
/** Automatic backups: one a day, the newest seven kept (SPEC §9 "daily … several kept"). */
export const AUTOMATIC_LABEL = 'auto';
export const AUTOMATIC_KEPT = 7;
export const AUTOMATIC_EVERY_MS = 24 * 3600_000;

const STAMPED = /^postroom-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-(.+)\.sqlite$/;

/** One line of `PRAGMA quick_check`'s answer: 'ok', or a problem it found. */
export interface QuickCheckRow {
  quick_check: string;
}

/** What `quick_check`'s rows say is wrong, or null when they say ok. */
export function problemOf(rows: readonly QuickCheckRow[]): string | null {
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  return problems.length === 0 ? null : problems.slice(0, 3).join('; ');
}

/** What SQLite finds wrong with an open database, or null when `quick_check` says ok. */
export function integrityProblem(db: Database.Database): string | null {
  try {
    return problemOf(db.pragma('quick_check') as QuickCheckRow[]);
  } catch (err) {
    if (isDamage(err)) return (err as Error).message;
    throw err;
  }
}

/** SQLite's own words for a file that is not (or no longer) a sound database. */
export function isDamage(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_INDEX';
}

export interface StampedBackup {
  file: string;
  takenAt: string;
}

/** The backups of one kind in `dir`, oldest first, with the time in their names. */
export function backupsOf(dir: string, label: string): StampedBackup[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, m: STAMPED.exec(name) }))
    .filter(({ m }) => m !== null && m[6] === label)
    .map(({ name, m }) => ({
      file: join(dir, name),
      takenAt: new Date(`${m![1]}T${m![2]}:${m![3]}:${m![4]}.${m![5]}Z`).toISOString(),
    }))
    .sort((a, b) => a.takenAt.localeCompare(b.takenAt));
}

export function latestAutomaticBackup(dataDir: string): StampedBackup | null {
  return backupsOf(join(dataDir, BACKUPS_DIR), AUTOMATIC_LABEL).at(-1) ?? null;
}

/** Whether a day has passed since the newest automatic backup (or there is none). */
export function automaticBackupDue(dataDir: string, now: Date): boolean {
  const latest = latestAutomaticBackup(dataDir);
  return latest === null || now.getTime() - new Date(latest.takenAt).getTime() >= AUTOMATIC_EVERY_MS;
}

/** The error a damaged database opens with: what is wrong, and what can be done about it. */
export function damagedDatabase(dataDir: string, problem: string): AppError {
  const latest = latestAutomaticBackup(dataDir);
  return new AppError(
    'database_damaged',
    `The Postroom database in ${dataDir} is damaged (${problem}), so Postroom did not open it and changed nothing. ` +
      (latest
        ? `The latest automatic backup is from ${latest.takenAt}: restore it from the app, or with ` +
          `\`postroom restore --data-dir ${dataDir} --latest-backup\`; ` +
          `the damaged file is kept in ${join(dataDir, DAMAGED_DIR)}.`
        : 'There is no automatic backup yet: restore a backup of your own with `postroom restore --from FILE`.'),
    { dataDir, problem, latestBackup: latest },
  );
}

/**
 * Restores the newest automatic backup that passes its own check: the damaged database (with
 * its WAL and SHM) is moved into `damaged/` first, never deleted. The caller holds the data
 * folder's lock and has nothing open on the database.
 */
export function restoreLatestAutomaticBackup(
  dataDir: string,
  databaseFile: string,
  clock: Clock,
): { restoredFrom: StampedBackup; damagedKeptAs: string } {
  const sound = backupsOf(join(dataDir, BACKUPS_DIR), AUTOMATIC_LABEL)
    .reverse()
    .find((b) => {
      const probe = new Database(b.file, { readonly: true, fileMustExist: true });
      try {
        return integrityProblem(probe) === null;
      } catch {
        return false;
      } finally {
        probe.close();
      }
    });
  if (!sound) throw new AppError('not_found', `there is no sound automatic backup in ${join(dataDir, BACKUPS_DIR)}`);
  const aside = join(dataDir, DAMAGED_DIR);
  privateFolder(aside);
  const target = join(dataDir, databaseFile);
  const damagedKeptAs = join(aside, `postroom-${clock.now().toISOString().replace(/[:.]/g, '-')}-damaged.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${damagedKeptAs}${suffix}`);
  }
  // Its media first (kept beside the backups, D106), so the database never names a file the store lacks.
  putBackMedia(dataDir, hashesNamedByFile(sound.file), [join(dataDir, BACKUPS_DIR)]);
  copyFileSync(sound.file, target);
  chmodSync(target, FILE_MODE);
  rmSync(`${target}-wal`, { force: true });
  return { restoredFrom: sound, damagedKeptAs };
}
