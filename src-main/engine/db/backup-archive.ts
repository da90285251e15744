import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { create as createTar, extract as extractTar } from 'tar';
import {
  copyWhole,
  fileHasHash,
  hashesNamedBy,
  hashesNamedByFile,
  linkOrCopyWhole,
  putBackMedia,
} from '../files/backup-media';
import { diskFullAsAppError, fsyncFile, isSha256, MEDIA_DIR, mediaFilePath, sha256OfFile } from '../files/store';
import type { Clock } from '../kernel/clock';
import { AppError } from '../kernel/errors';
import { backupDatabase, backupTo, DATABASE_FILE, openDatabase, type Db } from './database';
import { FILE_MODE, privateFolder } from './data-folder';
import { BACKUPS_DIR } from './integrity';
import { migrations } from './migrations';

/*
 * A backup a person takes away (`postroom backup --to FILE`, issue 14 item 2 "backups include the
 * media"; docs/decisions.md D106): one POSIX tar file holding a manifest, the database (SQLite's
 * online backup) and every media file the database names, each under its hash:
 *
 *   postroom-backup.json   {format, version, schemaVersion, createdAt, database: {sha256, size},
 *                           media: [{sha256, size}]}
 *   postroom.sqlite
 *   media/<aa>/<sha256>
 *
 * Written to a private temporary name beside the target, synced, then renamed: a backup file is
 * whole or absent. A restore unpacks into a private folder inside the data folder, checks every
 * file against the manifest (bytes hashed, nothing missing, nothing extra), and only then puts the
 * media into the store (each file renamed in whole) and the database in place; a failure on the way
 * (a cut-off file, a full disk) removes what it unpacked and leaves the data folder as it was.
 * A plain SQLite file (an older `backup --to`, or a file from a data folder's backups folder) is
 * still accepted, its media taken from the backups folder beside it.
 */

export const MANIFEST_FILE = 'postroom-backup.json';
const FORMAT = 'postroom-backup';
const FORMAT_VERSION = 1;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const ARCHIVE_ENTRY =
  /^(postroom-backup\.json|postroom\.sqlite|media\/|media\/[0-9a-f]{2}\/|media\/[0-9a-f]{2}\/[0-9a-f]{64})$/;

export interface BackupManifest {
  format: typeof FORMAT;
  version: number;
  schemaVersion: number;
  createdAt: string;
  database: { sha256: string; size: number };
  media: { sha256: string; size: number }[];
}

export interface WrittenBackup {
  file: string;
  mediaFiles: number;
  bytes: number;
}

const stamp = () => randomBytes(6).toString('hex');

/** A private working folder inside the data folder (same file system: its files are renamed into place). */
function workFolder(dataDir: string, kind: string): string {
  privateFolder(join(dataDir, BACKUPS_DIR));
  const dir = join(dataDir, BACKUPS_DIR, `.${kind}-${stamp()}`);
  privateFolder(dir);
  return dir;
}

/**
 * Writes the backup of a data folder to `to`: the database and its media in one tar file (0600).
 * A media file removed between the database's snapshot and its copy (a delete at that moment)
 * makes it take the snapshot again.
 */
export async function writeBackupArchive(db: Db, dataDir: string, to: string, clock: Clock): Promise<WrittenBackup> {
  const work = workFolder(dataDir, 'backup');
  const temp = join(dirname(to), `.${basename(to)}.${stamp()}.part`);
  try {
    let manifest: BackupManifest | null = null;
    for (let attempt = 0; attempt < 3 && !manifest; attempt++) manifest = await stage(db, dataDir, work, clock);
    if (!manifest) throw new AppError('conflict', 'The media library kept changing during the backup; run it again.');
    writeFileSync(join(work, MANIFEST_FILE), JSON.stringify(manifest, null, 2), { mode: FILE_MODE });
    const out = createWriteStream(temp, { flags: 'wx', mode: FILE_MODE });
    await pipeline(createTar({ cwd: work, portable: true }, [MANIFEST_FILE, DATABASE_FILE, MEDIA_DIR]), out);
    chmodSync(temp, FILE_MODE);
    fsyncFile(temp);
    renameSync(temp, to);
    return { file: to, mediaFiles: manifest.media.length, bytes: statSync(to).size };
  } catch (err) {
    rmSync(temp, { force: true });
    throw diskFullAsAppError(err);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The database snapshot and its media, linked into `work`; null when a named file vanished meanwhile. */
async function stage(db: Db, dataDir: string, work: string, clock: Clock): Promise<BackupManifest | null> {
  rmSync(join(work, MEDIA_DIR), { recursive: true, force: true });
  rmSync(join(work, DATABASE_FILE), { force: true });
  privateFolder(join(work, MEDIA_DIR));
  const copy = join(work, DATABASE_FILE);
  await backupTo(db, copy);
  const media: BackupManifest['media'] = [];
  const snapshot = new Database(copy, { readonly: true });
  let schemaVersion: number;
  let hashes: Set<string>;
  try {
    schemaVersion = snapshot.pragma('user_version', { simple: true }) as number;
    hashes = hashesNamedBy(snapshot);
  } finally {
    snapshot.close();
  }
  for (const hash of [...hashes].sort()) {
    const from = mediaFilePath(dataDir, hash);
    if (!existsSync(from)) {
      // Named by the snapshot but gone from the store: deleted after the snapshot (a retry sees it
      // unnamed), or lost before it (then no retry helps, and the backup says so).
      const live = hashesNamedBy(db);
      if (live.has(hash))
        throw new AppError(
          'not_found',
          `The media file ${hash} is missing from ${join(dataDir, MEDIA_DIR)}, so this backup would not be whole.`,
          {
            sha256: hash,
            fix: 'Restore an earlier backup, or remove the item from the media library, then back up again.',
          },
        );
      return null;
    }
    const to = mediaFilePath(work, hash);
    linkOrCopyWhole(from, to, `${to}.part`);
    media.push({ sha256: hash, size: statSync(to).size });
  }
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    schemaVersion,
    createdAt: clock.now().toISOString(),
    database: { sha256: await sha256OfFile(copy), size: statSync(copy).size },
    media,
  };
}

/** What kind of file a person gave `restore`: the first bytes say. */
function kindOf(file: string): 'sqlite' | 'other' {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(SQLITE_HEADER) ? 'sqlite' : 'other';
}

const notABackup = (from: string) =>
  new AppError('validation_failed', `${from} is not a Postroom backup.`, {
    file: from,
    fix: "Give --from a file written by postroom backup (or one from a data folder's backups folder).",
  });

const notWhole = (from: string, problem: string) =>
  new AppError('validation_failed', `${from} is not a whole Postroom backup (${problem}), so nothing was restored.`, {
    file: from,
    problem,
    fix: 'Restore another backup (an earlier one, or a fresh copy of this one); the data folder was left as it was.',
  });

/** The schema version of a database file, after checking it is a Postroom database this version opens. */
function checkedSchemaVersion(file: string, from: string): number {
  let version: number;
  try {
    const probe = new Database(file, { readonly: true, fileMustExist: true });
    try {
      version = probe.pragma('user_version', { simple: true }) as number;
      probe.prepare(`SELECT count(*) FROM workspaces`).get();
    } finally {
      probe.close();
    }
  } catch {
    throw notABackup(from);
  }
  const latest = migrations.at(-1)?.version ?? 0;
  if (version > latest)
    throw new AppError(
      'unsupported_database_version',
      `The backup was written by a newer Postroom (schema ${version}).`,
      { fix: 'Update Postroom to the version that wrote it (or newer), then restore again.' },
    );
  return version;
}

export interface RestoredBackup {
  mediaFiles: number;
  /** Files the database names that neither the backup nor the data folder had (older plain backups). */
  missingMedia: string[];
}

/**
 * Restores `from` into `dataDir`; the caller holds the data folder's lock. The current database
 * (if any) is backed up first (`before-restore`, its media kept beside it).
 */
export async function restoreBackupFile(dataDir: string, from: string, clock: Clock): Promise<RestoredBackup> {
  if (!existsSync(from))
    throw new AppError('not_found', `There is no backup file ${from}.`, {
      fix: `Check the path given to --from (Postroom's own backups are in the backups folder of a data folder).`,
    });
  privateFolder(dataDir);
  if (kindOf(from) === 'sqlite') {
    checkedSchemaVersion(from, from);
    // A file from a backups folder has its media beside it; so may the data folder's own.
    const sources = [dirname(from), join(dataDir, BACKUPS_DIR)];
    const missing = putBackMedia(dataDir, hashesNamedByFile(from), sources);
    await swapDatabase(dataDir, clock, (target) => copyWhole(from, target, `${target}.${stamp()}.part`));
    return { mediaFiles: 0, missingMedia: missing };
  }
  const work = workFolder(dataDir, 'restore');
  try {
    const manifest = await unpack(from, work);
    const database = join(work, DATABASE_FILE);
    checkedSchemaVersion(database, from);
    const named = hashesNamedByFile(database);
    const carried = new Set(manifest.media.map((m) => m.sha256));
    const lacking = [...named].filter((h) => !carried.has(h));
    if (lacking.length > 0) throw notWhole(from, `${lacking.length} media file(s) the database names are not in it`);
    // The media first, each file whole: the database never names a file the store lacks.
    const missing = putBackMedia(dataDir, named, [work]);
    if (missing.length > 0) throw notWhole(from, `${missing.length} media file(s) could not be read back`);
    await swapDatabase(dataDir, clock, (target) => {
      chmodSync(database, FILE_MODE);
      fsyncFile(database);
      renameSync(database, target);
    });
    return { mediaFiles: manifest.media.length, missingMedia: [] };
  } catch (err) {
    throw diskFullAsAppError(err);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Unpacks an archive into `work` and checks it against its manifest; refuses anything else. */
async function unpack(from: string, work: string): Promise<BackupManifest> {
  const unexpected: string[] = [];
  try {
    // Synchronously: a failure is thrown once nothing more is being written, so the folder can go.
    extractTar({
      sync: true,
      file: from,
      cwd: work,
      strict: true,
      preserveOwner: false,
      filter: (path, entry) => {
        const type = (entry as { type?: string }).type;
        const allowed = ARCHIVE_ENTRY.test(path) && (type === 'File' || type === 'Directory');
        if (!allowed) unexpected.push(path);
        return allowed;
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOSPC') throw err;
    const problem = (err as Error).message;
    // Not a tar file at all, or one cut off or damaged on the way.
    if (!existsSync(join(work, MANIFEST_FILE))) throw notABackup(from);
    throw notWhole(from, `the file is cut off or damaged: ${problem}`);
  }
  if (!existsSync(join(work, MANIFEST_FILE))) throw notABackup(from);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(work, MANIFEST_FILE), 'utf8')) as BackupManifest;
  } catch {
    throw notWhole(from, 'its manifest is not readable');
  }
  if (manifest.format !== FORMAT || !Array.isArray(manifest.media) || !manifest.database) throw notABackup(from);
  if (manifest.version > FORMAT_VERSION)
    throw new AppError(
      'unsupported_database_version',
      `The backup was written by a newer Postroom (format ${manifest.version}).`,
      {
        fix: 'Update Postroom to the version that wrote it (or newer), then restore again.',
      },
    );
  if (unexpected.length > 0)
    throw notWhole(from, `it holds files a Postroom backup does not: ${unexpected.slice(0, 3).join(', ')}`);
  const database = join(work, DATABASE_FILE);
  if (!existsSync(database) || !fileHasHash(database, manifest.database.sha256))
    throw notWhole(from, 'its database is missing or not as it was written');
  for (const m of manifest.media) {
    const path = isSha256(m.sha256) ? mediaFilePath(work, m.sha256) : '';
    if (!path || !existsSync(path) || statSync(path).size !== m.size || !fileHasHash(path, m.sha256))
      throw notWhole(from, `the media file ${m.sha256.slice(0, 12)}… is missing or not as it was written`);
  }
  return manifest;
}

/** Puts a database file in place of the data folder's own, the current one backed up first. */
async function swapDatabase(dataDir: string, clock: Clock, place: (target: string) => void): Promise<void> {
  const target = join(dataDir, DATABASE_FILE);
  if (existsSync(target) && statSync(target).size > 0) {
    const current = await openDatabase({ dataDir, clock });
    try {
      await backupDatabase(current, join(dataDir, BACKUPS_DIR), 'before-restore', clock);
    } finally {
      current.close();
    }
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  place(target);
  chmodSync(target, FILE_MODE);
}
