import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { fileTypeFromFile } from 'file-type';
import { createFile, type Movie } from 'mp4box';
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../kernel/errors';

/*
 * What a file is (issue 14 item 2), read from its bytes with libraries made for it:
 * - the container from its signature (`file-type`);
 * - images decoded whole by `sharp` (libvips): dimensions, EXIF orientation, frames, and a
 *   truncated or damaged file fails to decode;
 * - MP4 and QuickTime movies parsed by `mp4box` (GPAC's MP4Box in JavaScript): duration, picture
 *   size, codecs, and where each sample lies, so a file cut off in the middle is found. The
 *   parser is fed only the boxes it asks for, so a video's media data is never read here.
 * A file that is not what it says, cut off, too large or in a codec no platform takes is refused
 * with `validation_failed`, naming the file and the rule (docs/decisions.md, "Media library").
 */

const MB = 1024 * 1024;

/** What the library takes, by content type, with the file name endings that may say so. */
export const LIBRARY_TYPES = {
  'image/jpeg': { kind: 'image', name: 'JPEG', endings: ['jpg', 'jpeg', 'jfif', 'jpe'] },
  'image/png': { kind: 'image', name: 'PNG', endings: ['png'] },
  'image/webp': { kind: 'image', name: 'WebP', endings: ['webp'] },
  'image/gif': { kind: 'image', name: 'GIF', endings: ['gif'] },
  // MP4 and QuickTime are one family (ISO base media files): platforms take either under either name.
  'video/mp4': { kind: 'video', name: 'MP4', endings: ['mp4', 'm4v', 'mov', 'qt'] },
  'video/quicktime': { kind: 'video', name: 'QuickTime', endings: ['mov', 'qt', 'mp4', 'm4v'] },
} as const;
export type LibraryType = keyof typeof LIBRARY_TYPES;
export type MediaKind = (typeof LIBRARY_TYPES)[LibraryType]['kind'];

/** The library's own limits; each platform has narrower ones (src-shared/platform-rules). */
export const LIBRARY_LIMITS = {
  image: { maxBytes: 50 * MB, maxSide: 16_384 },
  video: { maxBytes: 1024 * MB, maxDurationMs: 4 * 3600_000 },
} as const;

/** Video codecs the platforms take (sample entry → name); anything else is refused. */
export const VIDEO_CODECS = { avc1: 'H.264', avc3: 'H.264', hvc1: 'HEVC', hev1: 'HEVC' } as const;
/** Audio codecs the platforms take. */
export const AUDIO_CODECS = { mp4a: 'AAC' } as const;

export type RefusalRule =
  | 'empty'
  | 'unsupported_type'
  | 'mislabeled'
  | 'too_large'
  | 'truncated'
  | 'unreadable'
  | 'unsupported_codec'
  | 'no_video_track'
  | 'too_long'
  | 'dimensions';

export interface ProbedMedia {
  kind: MediaKind;
  mimeType: LibraryType;
  size: number;
  width: number;
  height: number;
  durationMs: number | null;
  /** Video: the video codec's name (H.264, HEVC); images: null. */
  codec: string | null;
  /** Video: the audio codec's name, or null when silent. */
  audioCodec: string | null;
  /** Animated GIF or WebP. */
  animated: boolean;
}

/** The error for a refused file: the file's name, the rule, what to do. */
export function refused(fileName: string, rule: RefusalRule, message: string): AppError {
  const text = `${fileName}: ${message}`;
  return new AppError('validation_failed', text, { fileName, rule, fields: { file: text } });
}

const ending = (fileName: string) => /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? null;
const LABELS = Object.fromEntries(
  Object.entries(LIBRARY_TYPES).flatMap(([, t]) => t.endings.map((e) => [e, t.name])),
) as Record<string, string>;
const formatBytes = (n: number) => (n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : `${Math.ceil(n / 1024)} KB`);

/** Probes a file on disk; throws the refusal when the library cannot take it. */
export async function probeFile(path: string, fileName: string): Promise<ProbedMedia> {
  const size = statSync(path).size;
  if (size === 0) throw refused(fileName, 'empty', 'the file is empty');
  const sniffed = await fileTypeFromFile(path);
  const mime = sniffed?.mime === 'video/x-m4v' ? 'video/mp4' : sniffed?.mime;
  const type = mime && mime in LIBRARY_TYPES ? LIBRARY_TYPES[mime as LibraryType] : null;
  const said = ending(fileName);
  if (!type) {
    const what = sniffed ? `a ${sniffed.ext.toUpperCase()} file` : 'not a file Postroom recognises';
    throw refused(
      fileName,
      'unsupported_type',
      `it is ${what}; Postroom takes JPEG, PNG, WebP and GIF images and MP4 or MOV videos`,
    );
  }
  if (said && said in LABELS && !(type.endings as readonly string[]).includes(said))
    throw refused(
      fileName,
      'mislabeled',
      `its name says ${LABELS[said]} but it is a ${type.name} file; ` +
        `rename it to .${type.endings[0]} or export it again`,
    );
  const limit = LIBRARY_LIMITS[type.kind].maxBytes;
  if (size > limit)
    throw refused(
      fileName,
      'too_large',
      `it is ${formatBytes(size)}; ` +
        `the media library takes ${type.kind === 'image' ? 'images' : 'videos'} up to ${formatBytes(limit)}`,
    );
  return type.kind === 'image'
    ? probeImage(path, fileName, mime as LibraryType, size)
    : probeVideo(path, fileName, mime as LibraryType, size);
}

async function probeImage(path: string, fileName: string, mimeType: LibraryType, size: number): Promise<ProbedMedia> {
  let meta: Metadata;
  try {
    meta = await sharp(path).metadata();
    // Decoding every pixel is what finds a file cut off after its header (libvips fails on it).
    await sharp(path, { animated: false }).stats();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const truncated = /premature end|truncated|read error|unexpected end|EOF/i.test(reason);
    throw refused(
      fileName,
      truncated ? 'truncated' : 'unreadable',
      truncated
        ? 'the image ends early (the file is cut off); copy or export it again'
        : `the image cannot be read (${reason})`,
    );
  }
  // EXIF orientations 5–8 turn the picture a quarter: it shows with width and height swapped.
  const turned = (meta.orientation ?? 1) >= 5;
  const width = (turned ? meta.height : meta.width) ?? 0;
  const height = (turned ? meta.width : meta.height) ?? 0;
  const { maxSide } = LIBRARY_LIMITS.image;
  if (width < 1 || height < 1 || width > maxSide || height > maxSide)
    throw refused(fileName, 'dimensions', `it is ${width}×${height} pixels; each side must be 1 to ${maxSide} pixels`);
  return {
    kind: 'image',
    mimeType,
    size,
    width,
    height,
    durationMs: null,
    codec: null,
    audioCodec: null,
    animated: (meta.pages ?? 1) > 1,
  };
}

/** Top-level boxes of an ISO media file: a box that runs past the end means the file was cut off. */
function topLevelBoxesFit(path: string, size: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(16);
    let at = 0;
    while (at < size) {
      if (readSync(fd, header, 0, 16, at) < 8) return false;
      let boxSize = header.readUInt32BE(0);
      if (boxSize === 1) boxSize = Number(header.readBigUInt64BE(8));
      else if (boxSize === 0) return true; // "to the end of the file"
      if (boxSize < 8 || at + boxSize > size) return false;
      at += boxSize;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

interface ParsedMovie {
  movie: Movie;
  /** Where the last byte of any sample lies. */
  samplesEnd: number;
}

/** Feeds mp4box the parts of the file it asks for, until it has read the movie's header. */
function parseMovie(path: string, size: number): ParsedMovie | null {
  const file = createFile();
  let movie: Movie | null = null;
  file.onReady = (m: Movie) => void (movie = m);
  file.onError = () => undefined;
  const fd = openSync(path, 'r');
  // mp4box reports what it cannot parse on console.error; here that is an answer, not a fault.
  const log = console.error;
  console.error = () => undefined;
  try {
    let at = 0;
    for (let reads = 0; movie === null && at < size && reads < 10_000; reads++) {
      const chunk = Buffer.alloc(Math.min(MB, size - at));
      readSync(fd, chunk, 0, chunk.length, at);
      const buffer = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.length) as ArrayBuffer & {
        fileStart: number;
      };
      buffer.fileStart = at;
      const next = file.appendBuffer(buffer as Parameters<typeof file.appendBuffer>[0]);
      at = typeof next === 'number' && next > at ? next : at + chunk.length;
    }
    file.flush();
  } catch {
    return null;
  } finally {
    console.error = log;
    closeSync(fd);
  }
  const found = movie as Movie | null;
  if (!found) return null;
  let samplesEnd = 0;
  for (const track of found.tracks) {
    const samples = (file.getTrackById(track.id) as { samples?: { offset: number; size: number }[] } | undefined)
      ?.samples;
    for (const s of samples ?? []) samplesEnd = Math.max(samplesEnd, s.offset + s.size);
  }
  return { movie: found, samplesEnd };
}

const codecName = <T extends Record<string, string>>(table: T, codec: string): string | null =>
  table[codec.split('.')[0] as keyof T] ?? null;

async function probeVideo(path: string, fileName: string, mimeType: LibraryType, size: number): Promise<ProbedMedia> {
  const cutOff = () =>
    refused(fileName, 'truncated', 'the video ends early (the file is cut off); copy or export it again');
  if (!topLevelBoxesFit(path, size)) throw cutOff();
  const parsed = parseMovie(path, size);
  if (!parsed) throw refused(fileName, 'unreadable', 'the video cannot be read: it has no movie header (moov box)');
  const { movie, samplesEnd } = parsed;
  if (samplesEnd > size) throw cutOff();
  const video = movie.videoTracks[0];
  if (!video) throw refused(fileName, 'no_video_track', 'the file has no video track');
  const codec = codecName(VIDEO_CODECS, video.codec);
  if (!codec)
    throw refused(
      fileName,
      'unsupported_codec',
      `its video is encoded as ${video.codec.split('.')[0]}, which the platforms do not take; ` +
        'export it as H.264 (or HEVC)',
    );
  const audio = movie.audioTracks[0];
  const audioCodec = audio ? codecName(AUDIO_CODECS, audio.codec) : null;
  if (audio && !audioCodec)
    throw refused(
      fileName,
      'unsupported_codec',
      `its sound is encoded as ${audio.codec.split('.')[0]}, which the platforms do not take; export it with AAC sound`,
    );
  const durationMs = movie.timescale ? Math.round((movie.duration / movie.timescale) * 1000) : 0;
  if (durationMs <= 0) throw refused(fileName, 'unreadable', 'the video has no length (its header says 0 seconds)');
  if (durationMs > LIBRARY_LIMITS.video.maxDurationMs)
    throw refused(fileName, 'too_long', 'it is longer than 4 hours, longer than any platform takes');
  const width = video.video?.width ?? video.track_width;
  const height = video.video?.height ?? video.track_height;
  if (!width || !height) throw refused(fileName, 'dimensions', 'the video has no picture size in its header');
  return { kind: 'video', mimeType, size, width, height, durationMs, codec, audioCodec, animated: false };
}
