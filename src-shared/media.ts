import { z } from 'zod';
import { requiredText } from './required-text';

/** The media library (SPEC §14, issue 14 item 2): files on disk, described here. */

export const MediaKind = z.enum(['image', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

export const MediaItem = z.object({
  id: z.string(),
  userId: z.string(),
  kind: MediaKind,
  mimeType: z.string(),
  size: z.number(),
  /** Null only for images moved out of an older database that have not been probed yet. */
  width: z.number().nullable(),
  height: z.number().nullable(),
  /** Videos: length in milliseconds. */
  durationMs: z.number().nullable(),
  /** Videos: H.264 or HEVC, and AAC for the sound when there is any. */
  codec: z.string().nullable(),
  audioCodec: z.string().nullable(),
  animated: z.boolean(),
  fileName: z.string(),
  altText: z.string(),
  /** The SHA-256 of the bytes: the file's name in the data folder. */
  sha256: z.string(),
  hasThumbnail: z.boolean(),
  /** The item this one was cropped or padded from. */
  derivedFrom: z.string().nullable(),
  /** How many posts use it: it can be deleted only when none do. */
  usedBy: z.number(),
  createdAt: z.string(),
});
export type MediaItem = z.infer<typeof MediaItem>;

export const AltText = z.string().max(1500, 'Alt text has at most 1500 characters.');

/** The largest chunk one `media.uploadChunk` carries (base64 makes it a third larger on the wire). */
export const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;
/** Files up to this size may go in one `media.upload`; larger ones go in chunks. */
export const SINGLE_UPLOAD_BYTES = 8 * 1024 * 1024;

export const MediaUpload = z.object({
  uploadId: z.string(),
  fileName: z.string(),
  size: z.number(),
  /** Bytes received so far: the next chunk starts here (after a cut-off upload too). */
  received: z.number(),
  chunkBytes: z.number(),
});
export type MediaUpload = z.infer<typeof MediaUpload>;

export const aspectRatios = ['1:1', '4:5', '1.91:1', '16:9', '9:16', '3:4'] as const;
export const AspectRatio = z.enum(aspectRatios);
export type AspectRatio = z.infer<typeof AspectRatio>;

export const ReshapeInput = z.strictObject({
  aspect: AspectRatio,
  /** `crop` cuts to the ratio; `pad` keeps the whole picture on a plain background. */
  mode: z.enum(['crop', 'pad']).default('crop'),
});

export const FileName = requiredText("Give the file's name.", 255, 'A file name has at most 255 characters.');

/** `GET /api/v1/media`'s query. */
export const ListMediaQuery = z.strictObject({
  kind: MediaKind.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const UpdateMediaInput = z.strictObject({ altText: AltText });
