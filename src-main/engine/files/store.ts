import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { copyFile, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { privateFolder } from '../db/data-folder';
import { AppError, DISK_FULL } from '../kernel/errors';

/*
 * The media library's files (issue 14 item 2): content-addressed in the data folder, never in
 * SQLite. A file is named by the SHA-256 of its bytes, under a folder named by the first two hex
 * digits (so no folder holds more than a few thousand files). A file is written once, to a private
 * temporary name, synced, then renamed into place: a crash leaves either nothing or a whole file,
 * and a file that is in place never changes. Which files are in use is the database's business
 * (media rows); this module only stores, reads and removes.
 */

export const MEDIA_DIR = 'media';
/** Files being written: uploads in progress and temporaries, renamed into the store when whole. */
export const INCOMING_DIR = 'incoming';
const SHA256 = /^[0-9a-f]{64}$/;
const FILE_MODE = 0o600;

export const isSha256 = (s: string) => SHA256.test(s);

/** Where a stored file lives. */
export function mediaFilePath(dataDir: string, sha256: string): string {
  if (!isSha256(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return join(dataDir, MEDIA_DIR, sha256.slice(0, 2), sha256);
}

export function incomingDir(dataDir: string): string {
  const dir = join(dataDir, MEDIA_DIR, INCOMING_DIR);
  privateFolder(join(dataDir, MEDIA_DIR));
  privateFolder(dir);
  return dir;
}

/** A fresh private path in the incoming folder. */
export function incomingPath(dataDir: string, name = randomBytes(12).toString('hex')): string {
  return join(incomingDir(dataDir), name);
}

/** ENOSPC is the same full disk as SQLITE_FULL: said the same way (issue 9 item 10). */
export function diskFullAsAppError(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code === 'ENOSPC' ? new AppError(DISK_FULL.code, DISK_FULL.message) : err;
}

/** The SHA-256 of a file, read as a stream (a video is never held in memory whole). */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Moves a whole file from the incoming folder into the store under its hash (computed before,
 * with `sha256OfFile`); when the store already has those bytes the incoming file is dropped.
 * Synchronous, so that a caller can adopt a file and insert the row that refers to it with no
 * other work in between (a sweep or a delete never sees the file unreferenced).
 */
export function adoptIncomingSync(dataDir: string, path: string, sha256: string): void {
  const target = mediaFilePath(dataDir, sha256);
  try {
    if (existsSync(target)) {
      rmSync(path, { force: true });
      return;
    }
    privateFolder(join(dataDir, MEDIA_DIR, sha256.slice(0, 2)));
    fsyncFile(path);
    renameSync(path, target);
  } catch (err) {
    throw diskFullAsAppError(err);
  }
}

/**
 * Forces a file's bytes to disk before it is renamed into the store: after a power cut the store
 * then holds the whole file or none of it, never a named file with missing bytes (fsync(2)).
 */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Stores bytes (synchronously: migrations run inside a transaction). Returns the hash. */
export function storeBytesSync(dataDir: string, data: Buffer): string {
  const hash = createHash('sha256').update(data).digest('hex');
  const target = mediaFilePath(dataDir, hash);
  if (existsSync(target)) return hash;
  privateFolder(join(dataDir, MEDIA_DIR, hash.slice(0, 2)));
  const temp = incomingPath(dataDir);
  try {
    const fd = openSync(temp, 'wx', FILE_MODE);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw diskFullAsAppError(err);
  }
  return hash;
}

export function hasFile(dataDir: string, sha256: string): boolean {
  return existsSync(mediaFilePath(dataDir, sha256));
}

export async function readStoredFile(dataDir: string, sha256: string): Promise<Buffer> {
  return readFile(mediaFilePath(dataDir, sha256));
}

export async function storedSize(dataDir: string, sha256: string): Promise<number> {
  return (await stat(mediaFilePath(dataDir, sha256))).size;
}

/** Removes a stored file; the caller has made sure nothing refers to it any more. */
export function removeStoredFile(dataDir: string, sha256: string): void {
  rmSync(mediaFilePath(dataDir, sha256), { force: true });
}

/** Every hash in the store. */
export function storedHashes(dataDir: string): string[] {
  const root = join(dataDir, MEDIA_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => readdirSync(join(root, d)).filter(isSha256));
}

/**
 * Puts a stored file into another folder under its hash (a backup's media): a hard link where
 * the file system allows it (the bytes are never rewritten, so sharing them is safe and costs no
 * space), else a copy.
 */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  if (existsSync(to)) return;
  try {
    linkSync(from, to);
  } catch {
    const temp = `${to}.${randomBytes(6).toString('hex')}.part`;
    await copyFile(from, temp);
    await rename(temp, to);
  }
}

/**
 * Files in the store that no row refers to and that are older than `graceMs` (a file being
 * adopted right now is young), and incoming files left by an upload nobody finished: removed.
 */
export function sweepUnreferenced(
  dataDir: string,
  referenced: ReadonlySet<string>,
  now: Date,
  graceMs: number,
  keepIncoming: ReadonlySet<string> = new Set(),
): string[] {
  const removed: string[] = [];
  const old = (path: string) => now.getTime() - statSync(path).mtimeMs > graceMs;
  for (const hash of storedHashes(dataDir)) {
    if (referenced.has(hash)) continue;
    const path = mediaFilePath(dataDir, hash);
    if (old(path)) {
      rmSync(path, { force: true });
      removed.push(hash);
    }
  }
  const incoming = join(dataDir, MEDIA_DIR, INCOMING_DIR);
  if (existsSync(incoming)) {
    for (const name of readdirSync(incoming)) {
      const path = join(incoming, name);
      if (!keepIncoming.has(name) && old(path)) rmSync(path, { force: true });
    }
  }
  return removed;
}
