import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { probeFile } from '../../src-main/engine/files/probe';
import { cropSize, reshape, thumbnailOf } from '../../src-main/engine/files/images';
import { mediaFilePath, storeBytesSync } from '../../src-main/engine/files/store';
import { checkPost } from '../../src-shared/platform-rules';
import { jpegOf, videoOf } from '../support/media-fixtures';
import { tempDir } from '../support/temp';

let n = 0;
function fileOf(data: Buffer): string {
  const path = join(tempDir(), `f${++n}`);
  writeFileSync(path, data);
  return path;
}
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: { code: string; message: string; details: { rule: string; fileName: string } }) => ({
      code: err.code,
      rule: err.details.rule,
      fileName: err.details.fileName,
      message: err.message,
    }),
  );

describe('probing a file (sharp for images, mp4box for video)', () => {
  it('reads an image: type from its bytes, size and dimensions as shown', async () => {
    const jpeg = jpegOf(400, 300);
    expect(await probeFile(fileOf(jpeg), 'menu.jpg')).toEqual({
      kind: 'image',
      mimeType: 'image/jpeg',
      size: jpeg.length,
      width: 400,
      height: 300,
      durationMs: null,
      codec: null,
      audioCodec: null,
      animated: false,
    });
    // EXIF orientation 6 (a phone held upright): the picture shows 300 wide and 400 high.
    const turned = await sharp(jpeg).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect(await probeFile(fileOf(turned), 'upright.jpg')).toMatchObject({ width: 300, height: 400 });
  });

  it('refuses a truncated image, naming the file and the rule', async () => {
    const jpeg = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#c33' } })
      .jpeg()
      .toBuffer();
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    expect(await refusal(probeFile(fileOf(cut), 'cut.jpg'))).toMatchObject({
      code: 'validation_failed',
      rule: 'truncated',
      fileName: 'cut.jpg',
      message: expect.stringMatching(/^cut\.jpg: the image ends early/),
    });
  });

  it('refuses a mislabeled file, an unsupported type and an empty file', async () => {
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(await refusal(probeFile(fileOf(png), 'photo.jpg'))).toMatchObject({
      rule: 'mislabeled',
      message: 'photo.jpg: its name says JPEG but it is a PNG file; rename it to .png or export it again',
    });
    expect(await refusal(probeFile(fileOf(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n')), 'brief.pdf'))).toMatchObject({
      rule: 'unsupported_type',
      message: expect.stringContaining('brief.pdf: it is a PDF file'),
    });
    expect(await refusal(probeFile(fileOf(Buffer.alloc(0)), 'nothing.png'))).toMatchObject({ rule: 'empty' });
  });

  it('reads a video: duration, picture size and codec; MOV too', async () => {
    const mp4 = videoOf({ width: 1080, height: 1920, seconds: 5 });
    expect(await probeFile(fileOf(mp4), 'reel.mp4')).toEqual({
      kind: 'video',
      mimeType: 'video/mp4',
      size: mp4.length,
      width: 1080,
      height: 1920,
      durationMs: 5000,
      codec: 'H.264',
      audioCodec: null,
      animated: false,
    });
    const mov = videoOf({ width: 640, height: 480, seconds: 3, quickTime: true });
    expect(await probeFile(fileOf(mov), 'clip.mov')).toMatchObject({
      mimeType: 'video/quicktime',
      durationMs: 3000,
      width: 640,
    });
  });

  it('refuses a video cut off in the middle and one with no movie header', async () => {
    const mp4 = videoOf({ width: 640, height: 360, seconds: 4, minBytes: 20_000 });
    expect(await refusal(probeFile(fileOf(mp4.subarray(0, mp4.length - 100)), 'cut.mp4'))).toMatchObject({
      rule: 'truncated',
      message: 'cut.mp4: the video ends early (the file is cut off); copy or export it again',
    });
    // Only an ftyp box: an MP4 by its signature, but nothing to play.
    const ftyp = mp4.subarray(0, mp4.readUInt32BE(0));
    expect(await refusal(probeFile(fileOf(ftyp), 'empty.mp4'))).toMatchObject({ rule: 'unreadable' });
  });
});

describe('the store', () => {
  it('names a file by its SHA-256 under the data folder, private (0600), written once', () => {
    const data = tempDir();
    const bytes = Buffer.from('the same bytes');
    const hash = storeBytesSync(data, bytes);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const path = mediaFilePath(data, hash);
    expect(path).toBe(join(data, 'media', hash.slice(0, 2), hash));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'media')).mode & 0o777).toBe(0o700);
    expect(storeBytesSync(data, bytes)).toBe(hash);
  });
});

describe('pictures made with sharp', () => {
  it('thumbnails fit in 320 pixels, crops keep the largest part at the ratio, pads keep the whole', async () => {
    const path = fileOf(jpegOf(1200, 600));
    const thumb = await sharp(await thumbnailOf(path)).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 320, 160]);
    expect(cropSize(1200, 600, '4:5')).toEqual({ width: 480, height: 600 });
    const crop = await reshape(path, 'image/jpeg', 1200, 600, '1:1', 'crop');
    expect(await sharp(crop.data).metadata()).toMatchObject({ width: 600, height: 600, format: 'jpeg' });
    const pad = await reshape(path, 'image/jpeg', 1200, 600, '4:5', 'pad');
    expect(await sharp(pad.data).metadata()).toMatchObject({ width: 1200, height: 1500 });
  });
});

describe("each platform's media rules, as data", () => {
  const video = (
    o: Partial<{ size: number; durationMs: number; width: number; height: number; mimeType: string }>,
  ) => ({
    kind: 'video' as const,
    mimeType: 'video/mp4',
    size: 1_000_000,
    width: 1080,
    height: 1920,
    durationMs: 10_000,
    ...o,
  });
  const rules = (platform: Parameters<typeof checkPost>[0], media: Parameters<typeof checkPost>[2]) =>
    checkPost(platform, 'hi', media).map((v) => v.rule);

  it('names the rule a video breaks: length, size, shape, type, mixing with images', () => {
    expect(rules('x', [video({ durationMs: 200_000 })])).toContain('video_too_long');
    expect(rules('x', [video({ durationMs: 300 })])).toContain('video_too_short');
    expect(rules('x', [video({ width: 4000, height: 1000 })])).toContain('video_aspect');
    expect(rules('bluesky', [video({ size: 200 * 1024 * 1024 })])).toContain('video_too_large');
    expect(rules('bluesky', [video({ mimeType: 'video/quicktime' })])).toContain('video_type');
    expect(rules('linkedin', [video({ durationMs: 2000 })])).toContain('video_too_short');
    expect(rules('mastodon', [video({}), { mimeType: 'image/png', size: 10 }])).toContain('video_with_images');
    expect(rules('threads', [video({}), { mimeType: 'image/png', size: 10 }])).not.toContain('video_with_images');
    expect(
      checkPost('x', 'hi', [video({ durationMs: 200_000 })]).find((v) => v.rule === 'video_too_long')?.message,
    ).toBe('X: video 1 lasts 3.3 min; at most 2.3 min');
  });

  it('takes video on every platform, since each adapter uploads it (D103)', () => {
    for (const platform of ['x', 'bluesky', 'mastodon', 'linkedin', 'instagram', 'facebook', 'threads'] as const)
      expect(rules(platform, [video({})])).not.toContain('video_not_supported');
  });

  it("keeps Instagram's feed pictures between 4:5 and 1.91:1", () => {
    const image = (width: number, height: number) => ({ mimeType: 'image/jpeg', size: 10, width, height });
    expect(rules('instagram', [image(1080, 1350)])).toEqual([]);
    expect(rules('instagram', [image(1080, 1920)])).toEqual(['image_aspect']);
    expect(rules('x', [image(1080, 1920)])).toEqual([]);
  });
});
