import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FILE_MODE, privateFolder } from '../db/data-folder';
import { diskFullAsAppError, fsyncFile, incomingPath, isSha256, MEDIA_DIR, mediaFilePath } from './store';

/*
 * The media a backup needs (issue 14 item 2 "backups include the media"; docs/decisions.md D106).
 * A backup's database names its files by hash (`media.sha256`, `media.thumbnail_sha256`); the
 * files themselves are immutable and content-addressed, so one `media/<aa>/<sha256>` folder beside
 * the backups of a data folder serves all of them: hard links cost no space, a file shared by seven
 * daily backups is there once, and a file the library deleted since stays as long as a backup
 * names it. A backup file a person takes away (`backup --to`) carries its files inside it instead
 * (backup-archive.ts).
 */

/** The hashes of every file a database names (none for a schema older than the library). */
export function hashesNamedBy(db: Database.Database): Set<string> {
  const out = new Set<string>();
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'media'`).get();
  if (!hasTable) return out;
  for (const r of db
    .prepare<[], { sha256: string; thumbnail_sha256: string | null }>(`SELECT sha256, thumbnail_sha256 FROM media`)
    .all()) {
    if (isSha256(r.sha256)) out.add(r.sha256);
    if (r.thumbnail_sha256 && isSha256(r.thumbnail_sha256)) out.add(r.thumbnail_sha256);
  }
  return out;
}

/** The hashes a database file names, read through a read-only connection. */
export function hashesNamedByFile(file: string): Set<string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return hashesNamedBy(db);
  } finally {
    db.close();
  }
}

/**
 * Puts the file `from` at `to` (0600, in 0700 folders) whole or not at all: a hard link where the
 * file system allows one (the bytes are never rewritten, so sharing them is safe), else a copy to a
 * temporary name, synced, then renamed. A file already at `to` is kept (same name, same bytes).
 */
export function linkOrCopyWhole(from: string, to: string, temp: string): void {
  if (existsSync(to)) return;
  privateFolder(join(to, '..'));
  try {
    linkSync(from, to);
    return;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw err;
  }
  copyWhole(from, to, temp);
}

/**
 * Copies `from` to `to` whole or not at all: to a temporary name (0600), synced, then renamed; a
 * failed copy leaves no temporary file, and a full disk is said as such (DISK_FULL).
 */
export function copyWhole(from: string, to: string, temp: string): void {
  try {
    copyFileSync(from, temp);
    chmodSync(temp, FILE_MODE);
    fsyncFile(temp);
    renameSync(temp, to);
  } catch (err) {
    rmSync(temp, { force: true });
    throw diskFullAsAppError(err);
  }
}

/**
 * Keeps the files a backup in `backupsDir` names beside it, under `backupsDir/media`. A file the
 * store no longer has is skipped here (it was removed after the snapshot: no row names it any more
 * in the live database, and an older backup that names it already kept it).
 */
export function keepMediaOfBackup(dataDir: string, backupFile: string, backupsDir: string): number {
  let kept = 0;
  for (const hash of hashesNamedByFile(backupFile)) {
    const from = mediaFilePath(dataDir, hash);
    if (!existsSync(from)) continue;
    privateFolder(join(backupsDir, MEDIA_DIR));
    linkOrCopyWhole(from, mediaFilePath(backupsDir, hash), `${mediaFilePath(backupsDir, hash)}.part`);
    kept++;
  }
  return kept;
}

/**
 * Removes from `backupsDir/media` every file no backup there names any more (after old backups
 * were removed). A backup that cannot be read (damaged) makes it keep everything: the files might
 * be what someone needs to recover with.
 */
export function pruneBackupMedia(backupsDir: string): string[] {
  const root = join(backupsDir, MEDIA_DIR);
  if (!existsSync(root)) return [];
  const named = new Set<string>();
  for (const name of readdirSync(backupsDir).filter((f) => f.endsWith('.sqlite'))) {
    try {
      for (const hash of hashesNamedByFile(join(backupsDir, name))) named.add(hash);
    } catch {
      return [];
    }
  }
  const removed: string[] = [];
  for (const dir of readdirSync(root).filter((d) => /^[0-9a-f]{2}$/.test(d))) {
    for (const hash of readdirSync(join(root, dir)).filter(isSha256)) {
      if (named.has(hash)) continue;
      rmSync(join(root, dir, hash), { force: true });
      removed.push(hash);
    }
  }
  return removed;
}

/** Whether the bytes of `file` hash to `sha256` (a backup's file that rotted or was cut is refused). */
export function fileHasHash(file: string, sha256: string): boolean {
  // Read in pieces: a video is never held in memory whole.
  const hash = createHash('sha256');
  const piece = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, piece); n > 0; n = readSync(fd, piece)) hash.update(piece.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex') === sha256;
}

/**
 * Puts each named file the store lacks back into it, from the first of `sources` (folders laid out
 * as `media/<aa>/<sha256>`) that has it with the right bytes. Returns the hashes found nowhere.
 */
export function putBackMedia(dataDir: string, hashes: Iterable<string>, sources: readonly string[]): string[] {
  const missing: string[] = [];
  for (const hash of hashes) {
    const target = mediaFilePath(dataDir, hash);
    if (existsSync(target)) continue;
    const source = sources.map((root) => mediaFilePath(root, hash)).find((p) => existsSync(p) && fileHasHash(p, hash));
    if (!source) {
      missing.push(hash);
      continue;
    }
    privateFolder(join(dataDir, MEDIA_DIR));
    linkOrCopyWhole(source, target, incomingPath(dataDir));
  }
  return missing;
}
