import { rmSync } from 'node:fs';
import type { MediaItem } from '../../../src-shared/media';
import type { MediaInfo } from '../../../src-shared/platform-rules';
import type { Db } from '../db/database';
import { thumbnailOf } from '../files/images';
import { probeFile, type ProbedMedia } from '../files/probe';
import {
  adoptIncomingSync,
  hasFile,
  mediaFilePath,
  readStoredFile,
  removeStoredFile,
  sha256OfFile,
  storeBytesSync,
} from '../files/store';
import { PlatformError, type MediaUpload } from '../platforms/types';
import type { EngineContext } from '../kernel/context';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';

/*
 * The media library's rows and files, shared by the media domain (uploads, the library view) and
 * the posts domain (a post's media, inline uploads through seed 000's `media`). A row says what a
 * file is and whose it is; the file is named by its hash. A file is removed only when no row
 * refers to it, as an item or as a thumbnail (issue 14 item 2).
 */

export interface MediaRow {
  id: string;
  workspace_id: string;
  managed_user_id: string;
  sha256: string;
  kind: 'image' | 'video';
  mime_type: string;
  size: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  codec: string | null;
  audio_codec: string | null;
  animated: number;
  file_name: string;
  alt_text: string;
  thumbnail_sha256: string | null;
  probed: number;
  derived_from: string | null;
  created_at: string;
  created_by: string | null;
}

/** What the platform rules look at in a library item (src-shared/platform-rules.ts `checkPost`). */
export const mediaInfoOf = (row: MediaRow): Required<MediaInfo> => ({
  kind: row.kind,
  mimeType: row.mime_type,
  size: row.size,
  width: row.width,
  height: row.height,
  durationMs: row.duration_ms,
});

export function toMediaItem(row: MediaRow, usedBy: number): MediaItem {
  return {
    id: row.id,
    userId: row.managed_user_id,
    ...mediaInfoOf(row),
    codec: row.codec,
    audioCodec: row.audio_codec,
    animated: row.animated === 1,
    fileName: row.file_name,
    altText: row.alt_text,
    sha256: row.sha256,
    hasThumbnail: row.thumbnail_sha256 !== null,
    derivedFrom: row.derived_from,
    usedBy,
    createdAt: row.created_at,
  };
}

export const usedByCount = (db: Db, mediaId: string) =>
  db
    .prepare<[string], { n: number }>(`SELECT count(DISTINCT post_group_id) AS n FROM post_media WHERE media_id = ?`)
    .get(mediaId)!.n;

export function mediaRow(db: Db, id: string): MediaRow | undefined {
  return db.prepare<[string], MediaRow>(`SELECT * FROM media WHERE id = ?`).get(id);
}

export function readMediaItem(db: Db, id: string): MediaItem {
  const row = mediaRow(db, id);
  if (!row) throw new AppError('not_found', 'media not found', { id });
  return toMediaItem(row, usedByCount(db, id));
}

/** A post's media in order: of the post itself, or of one part of its thread (`part` 1, 2…). */
export function mediaOfPost(db: Db, postGroupId: string, part = 0): MediaRow[] {
  return db
    .prepare<[string, number], MediaRow>(
      `SELECT m.* FROM post_media p JOIN media m ON m.id = p.media_id
       WHERE p.post_group_id = ? AND p.part = ? ORDER BY p.position`,
    )
    .all(postGroupId, part);
}

/** Where the `i`th item of a post's part is kept in `post_media` (migration 016: positions never collide). */
export const partMediaPosition = (part: number, i: number) => part * 1000 + i;

/** Library items of one client, by id, in the order given; another client's item is not_found. */
export function clientMedia(db: Db, userId: string, ids: readonly string[]): MediaRow[] {
  return ids.map((id, i) => {
    const row = mediaRow(db, id);
    if (!row || row.managed_user_id !== userId)
      throw new AppError('not_found', `media ${i + 1} is not in this client's library`, {
        id,
        fields: { [`mediaIds.${i}`]: 'not in this client’s library' },
      });
    return row;
  });
}

export interface NewMedia {
  workspaceId: string;
  userId: string;
  /** A whole file in the incoming folder; adopted into the store, or removed when refused. */
  path: string;
  fileName: string;
  altText?: string;
  createdBy: string | null;
  derivedFrom?: string;
}

/**
 * Probes a file and adds it to a client's library. The same bytes added twice for one client are
 * one item (reuse across posts); given alt text fills an item that had none. The incoming file is
 * gone afterwards, whatever happens.
 */
export async function addToLibrary(ctx: EngineContext, m: NewMedia): Promise<MediaRow> {
  let probed: ProbedMedia;
  let sha256: string;
  let thumbnail: Buffer | null = null;
  try {
    probed = await probeFile(m.path, m.fileName);
    sha256 = await sha256OfFile(m.path);
    if (probed.kind === 'image') thumbnail = await thumbnailOf(m.path);
  } catch (err) {
    rmSync(m.path, { force: true });
    throw err;
  }
  // From here on, synchronous: the files land and the row that refers to them is written with
  // nothing in between, so a sweep or a delete never finds them unreferenced.
  const thumbnailSha = thumbnail ? storeBytesSync(ctx.dataDir, thumbnail) : null;
  adoptIncomingSync(ctx.dataDir, m.path, sha256);
  const now = ctx.clock.now().toISOString();
  const id = newId('med');
  ctx.db
    .prepare(
      `INSERT INTO media
         (id, workspace_id, managed_user_id, sha256, kind, mime_type, size, width, height, duration_ms, codec,
          audio_codec, animated, file_name, alt_text, thumbnail_sha256, derived_from, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (managed_user_id, sha256) DO UPDATE SET
         alt_text = CASE WHEN media.alt_text = '' THEN excluded.alt_text ELSE media.alt_text END`,
    )
    .run(
      id,
      m.workspaceId,
      m.userId,
      sha256,
      probed.kind,
      probed.mimeType,
      probed.size,
      probed.width,
      probed.height,
      probed.durationMs,
      probed.codec,
      probed.audioCodec,
      probed.animated ? 1 : 0,
      m.fileName.slice(0, 255),
      m.altText ?? '',
      thumbnailSha,
      m.derivedFrom ?? null,
      now,
      m.createdBy,
    );
  const row = ctx.db
    .prepare<[string, string], MediaRow>(`SELECT * FROM media WHERE managed_user_id = ? AND sha256 = ?`)
    .get(m.userId, sha256)!;
  if (thumbnailSha && row.thumbnail_sha256 !== thumbnailSha) releaseFiles(ctx, [thumbnailSha]);
  return row;
}

/** Removes each file no row refers to any more (as an item or as a thumbnail). */
export function releaseFiles(ctx: EngineContext, hashes: readonly (string | null)[]): string[] {
  const removed: string[] = [];
  for (const hash of new Set(hashes)) {
    if (!hash) continue;
    const used = ctx.db
      .prepare(`SELECT 1 FROM media WHERE sha256 = @hash OR thumbnail_sha256 = @hash LIMIT 1`)
      .get({ hash });
    if (used) continue;
    removeStoredFile(ctx.dataDir, hash);
    removed.push(hash);
  }
  return removed;
}

/** Every hash some row refers to: what a sweep and a backup keep. */
export function referencedHashes(db: Db): Set<string> {
  const out = new Set<string>();
  for (const r of db
    .prepare<[], { sha256: string; thumbnail_sha256: string | null }>(`SELECT sha256, thumbnail_sha256 FROM media`)
    .all()) {
    out.add(r.sha256);
    if (r.thumbnail_sha256) out.add(r.thumbnail_sha256);
  }
  return out;
}

/** The path of an item's file, or a clear error when it has gone missing from the data folder. */
export function mediaFileOf(dataDir: string, row: Pick<MediaRow, 'sha256' | 'file_name' | 'kind'>): string {
  if (!hasFile(dataDir, row.sha256))
    throw new AppError(
      'not_found',
      `the ${row.kind} ${row.file_name || row.sha256.slice(0, 12)} is missing from the media folder ` +
        'of the data folder; restore a backup or add it again',
      { sha256: row.sha256 },
    );
  return mediaFilePath(dataDir, row.sha256);
}

/**
 * A post's media as the adapters take it, bytes read from the store. A file missing from the data
 * folder fails the delivery for good (`PlatformError`, not retryable) with the file's name: no
 * retry would bring it back.
 */
export async function readPostMedia(dataDir: string, postGroupId: string, db: Db, part = 0): Promise<MediaUpload[]> {
  const out: MediaUpload[] = [];
  for (const m of mediaOfPost(db, postGroupId, part)) {
    if (!hasFile(dataDir, m.sha256))
      throw new PlatformError(
        `the ${m.kind} ${m.file_name || m.sha256.slice(0, 12)} is missing from the data folder's media; ` +
          'restore a backup or edit the post',
        false,
      );
    out.push({
      mimeType: m.mime_type,
      data: await readStoredFile(dataDir, m.sha256),
      sha256: m.sha256,
      ...(m.alt_text ? { altText: m.alt_text } : {}),
      ...(m.width && m.height ? { width: m.width, height: m.height } : {}),
    });
  }
  return out;
}
