import { existsSync, openSync, closeSync, writeSync, fsyncSync, rmSync, statSync, truncateSync } from 'node:fs';
import type { z } from 'zod';
import type { AspectRatio, MediaItem, MediaKind, MediaUpload, ReshapeInput } from '../../../src-shared/media';
import { UPLOAD_CHUNK_BYTES } from '../../../src-shared/media';
import { reshape } from '../files/images';
import { LIBRARY_LIMITS, probeFile, refused } from '../files/probe';
import { diskFullAsAppError, incomingPath, mediaFilePath, readStoredFile, sweepUnreferenced } from '../files/store';
import { thumbnailOf } from '../files/images';
import { authorize, type Principal } from '../kernel/access';
import { actorOf, recordActivityOf } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { findClientRow } from '../queries/clients';
import {
  addToLibrary,
  mediaFileOf,
  mediaRow,
  readMediaItem,
  referencedHashes,
  releaseFiles,
  toMediaItem,
  type MediaRow,
} from '../queries/media';
import { storeBytesSync } from '../files/store';

/*
 * The media library of each client (issue 14 item 2): uploads (whole, or in chunks that resume
 * after a cut), the list with thumbnails, alt text, crops to a platform's aspect ratio, and
 * deletion only of what no post uses. Reading is `post.read`, changing is `post.draft`: the
 * library is where posts come from.
 */

/** An upload nobody finished is dropped after a day. */
export const UPLOAD_EXPIRES_MS = 24 * 3600_000;
/** A file in the store that no row refers to is swept once it is this old (one being added right now is younger). */
export const SWEEP_GRACE_MS = 3600_000;

function requireClient(ctx: EngineContext, p: Principal, userId: string, action: 'post.read' | 'post.draft') {
  authorize(p, action, { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  return client;
}

function requireMedia(ctx: EngineContext, p: Principal, id: string, action: 'post.read' | 'post.draft'): MediaRow {
  const row = mediaRow(ctx.db, id);
  if (!row || row.workspace_id !== p.workspaceId) throw new AppError('not_found', 'media not found', { id });
  try {
    authorize(p, action, { managedUserId: row.managed_user_id });
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') throw new AppError('not_found', 'media not found', { id });
    throw err;
  }
  return row;
}

export function listMedia(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  query: { kind?: MediaKind | undefined; limit: number },
): MediaItem[] {
  requireClient(ctx, p, userId, 'post.read');
  const rows = ctx.db
    .prepare<[{ userId: string; kind: string | null; limit: number }], MediaRow & { used_by: number }>(
      `SELECT m.*, (SELECT count(DISTINCT post_group_id) FROM post_media p WHERE p.media_id = m.id) AS used_by
       FROM media m WHERE m.managed_user_id = @userId AND (@kind IS NULL OR m.kind = @kind)
       ORDER BY m.created_at DESC, m.rowid DESC LIMIT @limit`,
    )
    .all({ userId, kind: query.kind ?? null, limit: query.limit });
  return rows.map((r) => toMediaItem(r, r.used_by));
}

export function getMedia(ctx: EngineContext, p: Principal, id: string): MediaItem {
  requireMedia(ctx, p, id, 'post.read');
  return readMediaItem(ctx.db, id);
}

/** The item's thumbnail (a JPEG), or null for a video or an image not probed yet. */
export async function mediaThumbnail(
  ctx: EngineContext,
  p: Principal,
  id: string,
): Promise<{ mimeType: string; data: Buffer } | null> {
  const row = requireMedia(ctx, p, id, 'post.read');
  if (!row.thumbnail_sha256) return null;
  return { mimeType: 'image/jpeg', data: await readStoredFile(ctx.dataDir, row.thumbnail_sha256) };
}

/** The item's own bytes, for a preview or a download. */
export function mediaFile(ctx: EngineContext, p: Principal, id: string): { path: string; row: MediaRow } {
  const row = requireMedia(ctx, p, id, 'post.read');
  return { path: mediaFileOf(ctx.dataDir, row), row };
}

function added(ctx: EngineContext, p: Principal, row: MediaRow, how: string): MediaItem {
  recordActivityOf(ctx.db, ctx.clock.now(), p, {
    action: 'media.added',
    objectKind: 'media',
    objectId: row.id,
    detail: `${how} ${row.file_name || row.kind} (${row.kind}, ${row.mime_type}) to the media library`,
  });
  return readMediaItem(ctx.db, row.id);
}

/** A whole file in one call (the composer's images, scripts' small files). */
export async function uploadMedia(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  file: { fileName: string; data: Buffer; altText?: string | undefined },
): Promise<MediaItem> {
  requireClient(ctx, p, userId, 'post.draft');
  const path = incomingPath(ctx.dataDir);
  writeWhole(path, file.data);
  return addReceivedFile(ctx, p, userId, { path, fileName: file.fileName, altText: file.altText });
}

/**
 * A whole file already written to the incoming folder (`incomingPath`, e.g. streamed there by the
 * REST upload): probed and added, or refused and removed.
 */
export async function addReceivedFile(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  file: { path: string; fileName: string; altText?: string | undefined },
): Promise<MediaItem> {
  try {
    requireClient(ctx, p, userId, 'post.draft');
  } catch (err) {
    rmSync(file.path, { force: true });
    throw err;
  }
  const row = await addToLibrary(ctx, {
    workspaceId: p.workspaceId,
    userId,
    path: file.path,
    fileName: file.fileName,
    ...(file.altText !== undefined ? { altText: file.altText } : {}),
    createdBy: actorOf(p).id,
  });
  return added(ctx, p, row, 'Added');
}

function writeWhole(path: string, data: Buffer): void {
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(path, { force: true });
    throw diskFullAsAppError(err);
  }
}

// ---- uploads in chunks ---------------------------------------------------------------------------

interface UploadRow {
  id: string;
  workspace_id: string;
  managed_user_id: string;
  file_name: string;
  size: number;
  alt_text: string;
  created_at: string;
  created_by: string | null;
  expires_at: string;
}

const uploadPath = (ctx: EngineContext, id: string) => incomingPath(ctx.dataDir, `upload-${id}`);

/** Bytes received so far: the incoming file's length, which only ever holds a correct prefix. */
function receivedOf(ctx: EngineContext, id: string, size: number): number {
  const path = uploadPath(ctx, id);
  if (!existsSync(path)) return 0;
  const length = statSync(path).size;
  if (length > size) truncateSync(path, size);
  return Math.min(length, size);
}

function requireUpload(ctx: EngineContext, p: Principal, uploadId: string): UploadRow {
  const row = ctx.db.prepare<[string], UploadRow>(`SELECT * FROM media_uploads WHERE id = ?`).get(uploadId);
  if (!row || row.workspace_id !== p.workspaceId)
    throw new AppError('not_found', 'this upload is not known (it may have expired); start it again', { uploadId });
  authorize(p, 'post.draft', { managedUserId: row.managed_user_id });
  return row;
}

const toUpload = (ctx: EngineContext, row: UploadRow): MediaUpload => ({
  uploadId: row.id,
  fileName: row.file_name,
  size: row.size,
  received: receivedOf(ctx, row.id, row.size),
  chunkBytes: UPLOAD_CHUNK_BYTES,
});

/**
 * Starts an upload in chunks. Its size is checked against the library's limit before a byte is
 * sent (the type is known only from the bytes, so the larger, video, limit applies here).
 */
export function beginUpload(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  input: { fileName: string; size: number; altText?: string | undefined },
): MediaUpload {
  requireClient(ctx, p, userId, 'post.draft');
  const max = LIBRARY_LIMITS.video.maxBytes;
  if (input.size > max)
    throw refused(
      input.fileName,
      'too_large',
      `it is over ${Math.round(max / 1024 / 1024)} MB, the media library's limit`,
    );
  if (input.size < 1) throw refused(input.fileName, 'empty', 'the file is empty');
  const now = ctx.clock.now();
  const row: UploadRow = {
    id: newId('upl'),
    workspace_id: p.workspaceId,
    managed_user_id: userId,
    file_name: input.fileName,
    size: input.size,
    alt_text: input.altText ?? '',
    created_at: now.toISOString(),
    created_by: actorOf(p).id,
    expires_at: new Date(now.getTime() + UPLOAD_EXPIRES_MS).toISOString(),
  };
  ctx.db
    .prepare(
      `INSERT INTO media_uploads
         (id, workspace_id, managed_user_id, file_name, size, alt_text, created_at, created_by, expires_at)
       VALUES
         (@id, @workspace_id, @managed_user_id, @file_name, @size, @alt_text, @created_at, @created_by, @expires_at)`,
    )
    .run(row);
  return toUpload(ctx, row);
}

export function getUpload(ctx: EngineContext, p: Principal, uploadId: string): MediaUpload {
  return toUpload(ctx, requireUpload(ctx, p, uploadId));
}

/**
 * Appends one chunk at `offset`. A chunk that starts where the last one ended is written; one
 * already received (sent again after a lost answer) is acknowledged and skipped; one that would
 * leave a gap is refused with `conflict` and `details.received`, where the sender resumes.
 */
export function appendChunk(
  ctx: EngineContext,
  p: Principal,
  uploadId: string,
  offset: number,
  data: Buffer,
): MediaUpload {
  const row = requireUpload(ctx, p, uploadId);
  const received = receivedOf(ctx, row.id, row.size);
  if (offset + data.length <= received) return toUpload(ctx, row);
  if (offset > received || offset < received)
    throw new AppError(
      'conflict',
      `${row.file_name}: this chunk starts at byte ${offset} but ${received} bytes have arrived; ` +
        `send from byte ${received}`,
      { received, uploadId },
    );
  if (offset + data.length > row.size)
    throw refused(row.file_name, 'too_large', `the chunks add up to more than the ${row.size} bytes announced`);
  const path = uploadPath(ctx, row.id);
  try {
    const fd = openSync(path, 'a', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw diskFullAsAppError(err);
  }
  return toUpload(ctx, row);
}

/** Ends an upload: the whole file is probed and added to the library (or refused, and dropped). */
export async function finishUpload(ctx: EngineContext, p: Principal, uploadId: string): Promise<MediaItem> {
  const row = requireUpload(ctx, p, uploadId);
  const received = receivedOf(ctx, row.id, row.size);
  if (received < row.size)
    throw new AppError(
      'conflict',
      `${row.file_name}: ${received} of ${row.size} bytes have arrived; send the rest from byte ${received}`,
      { received, uploadId },
    );
  ctx.db.prepare(`DELETE FROM media_uploads WHERE id = ?`).run(row.id);
  const media = await addToLibrary(ctx, {
    workspaceId: row.workspace_id,
    userId: row.managed_user_id,
    path: uploadPath(ctx, row.id),
    fileName: row.file_name,
    altText: row.alt_text,
    createdBy: row.created_by,
  });
  return added(ctx, p, media, 'Uploaded');
}

export function cancelUpload(ctx: EngineContext, p: Principal, uploadId: string): void {
  const row = requireUpload(ctx, p, uploadId);
  ctx.db.prepare(`DELETE FROM media_uploads WHERE id = ?`).run(row.id);
  rmSync(uploadPath(ctx, row.id), { force: true });
}

// ---- changing and removing -------------------------------------------------------------------------

export function updateMedia(ctx: EngineContext, p: Principal, id: string, patch: { altText: string }): MediaItem {
  const row = requireMedia(ctx, p, id, 'post.draft');
  ctx.db.transaction(() => {
    ctx.db.prepare(`UPDATE media SET alt_text = ? WHERE id = ?`).run(patch.altText, id);
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action: 'media.edited',
      objectKind: 'media',
      objectId: id,
      detail: `Changed the alt text of ${row.file_name || row.kind}`,
    });
  })();
  return readMediaItem(ctx.db, id);
}

/** Deletes an item no post uses; its file goes when no other item (of any client) has the same bytes. */
export function deleteMedia(ctx: EngineContext, p: Principal, id: string): void {
  const row = requireMedia(ctx, p, id, 'post.draft');
  const usedBy = ctx.db
    .prepare<[string], { n: number }>(`SELECT count(DISTINCT post_group_id) AS n FROM post_media WHERE media_id = ?`)
    .get(id)!.n;
  if (usedBy > 0)
    throw new AppError(
      'conflict',
      `${row.file_name || 'this file'} is used by ${usedBy} ${usedBy === 1 ? 'post' : 'posts'}; ` +
        'it stays in the library while a post uses it',
      { usedBy },
    );
  ctx.db.transaction(() => {
    ctx.db.prepare(`DELETE FROM media WHERE id = ?`).run(id);
    recordActivityOf(ctx.db, ctx.clock.now(), p, {
      action: 'media.deleted',
      objectKind: 'media',
      objectId: id,
      detail: `Deleted ${row.file_name || row.kind} from the media library`,
    });
  })();
  releaseFiles(ctx, [row.sha256, row.thumbnail_sha256]);
}

/**
 * A copy of an image at a platform's aspect ratio, as a new library item (the original stays, for
 * the other platforms). Video is refused: cutting a video needs a video editor.
 */
export async function reshapeMedia(
  ctx: EngineContext,
  p: Principal,
  id: string,
  input: z.output<typeof ReshapeInput>,
): Promise<MediaItem> {
  const row = requireMedia(ctx, p, id, 'post.draft');
  if (row.kind !== 'image')
    throw new AppError(
      'validation_failed',
      `${row.file_name || 'this video'}: Postroom crops images only; crop a video in a video editor and add it again`,
      { fields: { aspect: 'images only' } },
    );
  if (row.width === null || row.height === null) await probeRow(ctx, row);
  const current = mediaRow(ctx.db, id)!;
  const source = mediaFileOf(ctx.dataDir, current);
  const shaped = await reshape(source, current.mime_type, current.width!, current.height!, input.aspect, input.mode);
  const path = incomingPath(ctx.dataDir);
  writeWhole(path, shaped.data);
  const base = (current.file_name || 'image').replace(/\.[a-z0-9]+$/i, '');
  const ext = shaped.mimeType === 'image/jpeg' ? 'jpg' : shaped.mimeType.split('/')[1]!;
  const made = await addToLibrary(ctx, {
    workspaceId: current.workspace_id,
    userId: current.managed_user_id,
    path,
    fileName: `${base} (${aspectLabel(input.aspect)}${input.mode === 'pad' ? ', padded' : ''}).${ext}`,
    altText: current.alt_text,
    createdBy: actorOf(p).id,
    derivedFrom: current.id,
  });
  return added(ctx, p, made, input.mode === 'crop' ? 'Cropped' : 'Padded');
}

const aspectLabel = (a: AspectRatio) => a;

// ---- upkeep at start ---------------------------------------------------------------------------------

/** Probes one item moved out of SQLite by migration 011: dimensions, animation, thumbnail. */
async function probeRow(ctx: EngineContext, row: MediaRow): Promise<void> {
  const path = mediaFilePath(ctx.dataDir, row.sha256);
  if (!existsSync(path)) return;
  try {
    const probed = await probeFile(path, row.file_name || `image.${row.mime_type.split('/')[1]}`);
    const thumbnailSha = probed.kind === 'image' ? storeBytesSync(ctx.dataDir, await thumbnailOf(path)) : null;
    ctx.db
      .prepare(
        `UPDATE media SET width = ?, height = ?, animated = ?, mime_type = ?, thumbnail_sha256 = ?, probed = 1
         WHERE id = ?`,
      )
      .run(probed.width, probed.height, probed.animated ? 1 : 0, probed.mimeType, thumbnailSha, row.id);
  } catch {
    // A file the library would refuse today (a post accepted it before these checks): it stays as
    // it was, usable by the post that has it, and is not probed again.
    ctx.db.prepare(`UPDATE media SET probed = 1 WHERE id = ?`).run(row.id);
  }
}

/**
 * At start: probes what migration 011 moved out of SQLite, drops expired uploads, and sweeps
 * files nothing refers to (left by a crash between writing a file and its row).
 */
export async function mediaUpkeep(ctx: EngineContext): Promise<{ probed: number; swept: number }> {
  const pending = ctx.db.prepare<[], MediaRow>(`SELECT * FROM media WHERE probed = 0`).all();
  for (const row of pending) await probeRow(ctx, row);
  const now = ctx.clock.now();
  const expired = ctx.db
    .prepare<[string], { id: string }>(`SELECT id FROM media_uploads WHERE expires_at <= ?`)
    .all(now.toISOString());
  for (const e of expired) {
    ctx.db.prepare(`DELETE FROM media_uploads WHERE id = ?`).run(e.id);
    rmSync(uploadPath(ctx, e.id), { force: true });
  }
  const live = new Set(
    ctx.db
      .prepare<[], { id: string }>(`SELECT id FROM media_uploads`)
      .all()
      .map((u) => `upload-${u.id}`),
  );
  const swept = sweepUnreferenced(ctx.dataDir, referencedHashes(ctx.db), now, SWEEP_GRACE_MS, live);
  return { probed: pending.length, swept: swept.length };
}
