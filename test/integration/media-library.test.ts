import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { mediaFilePath } from '../../src-main/engine/files/store';
import { UPLOAD_CHUNK_BYTES, type MediaItem } from '../../src-shared/media';
import { answers, appWithMediaLibrary } from '../support/app';
import { jpegOf, videoOf } from '../support/media-fixtures';
import { addConnection } from '../support/posting';

describe('the media library on disk (issue 14 item 2)', () => {
  it('adds a file over REST: stored by hash on disk (0600), probed, thumbnailed; same bytes, one item', async () => {
    const t = await appWithMediaLibrary();
    const photo = jpegOf(1200, 800);
    const res = await t.send(photo, 'launch.jpg', 'The launch party');
    expect(res.status).toBe(201);
    const item = (await res.json()) as MediaItem;
    expect(item).toMatchObject({
      kind: 'image',
      mimeType: 'image/jpeg',
      size: photo.length,
      width: 1200,
      height: 800,
      fileName: 'launch.jpg',
      altText: 'The launch party',
      hasThumbnail: true,
      usedBy: 0,
    });
    const path = mediaFilePath(t.dataDir, item.sha256);
    expect(statSync(path).size).toBe(photo.length);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Not in SQLite: no table holds the bytes.
    const blobs = t.app.engine.ctx.db
      .prepare(`SELECT count(*) AS n FROM sqlite_master WHERE sql LIKE '%BLOB%' AND name LIKE '%media%'`)
      .get() as { n: number };
    expect(blobs.n).toBe(0);

    const again = (await (await t.send(photo, 'launch-copy.jpg')).json()) as MediaItem;
    expect(again.id).toBe(item.id);
    const list = (await (await fetch(`${t.url}/api/v1/media`, { headers: t.acting })).json()) as MediaItem[];
    expect(list.map((m) => m.id)).toEqual([item.id]);

    const thumb = await t.call<{ mimeType: string; dataBase64: string }>('media.thumbnail', { mediaId: item.id });
    expect(await sharp(Buffer.from(thumb.dataBase64, 'base64')).metadata()).toMatchObject({
      format: 'jpeg',
      width: 320,
      height: 213,
    });
    expect(answers.violations).toEqual([]);
  });

  it(
    'refuses a truncated, mislabeled or unsupported file over REST with a SPEC §7 error ' +
      'naming the file and the rule, and keeps nothing',
    async () => {
      const t = await appWithMediaLibrary();
      const real = await sharp({ create: { width: 500, height: 500, channels: 3, background: '#2a6' } })
        .jpeg()
        .toBuffer();
      const cases = [
        { data: real.subarray(0, real.length / 2), name: 'cut.jpg', rule: 'truncated' },
        { data: await sharp(real).png().toBuffer(), name: 'photo.jpg', rule: 'mislabeled' },
        { data: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), name: 'brief.pdf', rule: 'unsupported_type' },
      ];
      for (const c of cases) {
        const res = await t.send(c.data, c.name);
        expect(res.status).toBe(400);
        const body = (await res.json()) as {
          error: { code: string; message: string; details: Record<string, unknown> };
        };
        expect(body.error).toMatchObject({
          code: 'validation_failed',
          message: expect.stringMatching(new RegExp(`^${c.name.replace('.', '\\.')}: `)),
          details: { fileName: c.name, rule: c.rule },
        });
      }
      expect(t.app.engine.ctx.db.prepare(`SELECT count(*) AS n FROM media`).get()).toEqual({ n: 0 });
      const incoming = join(t.dataDir, 'media', 'incoming');
      expect(existsSync(incoming) ? readdirSync(incoming) : []).toEqual([]);
      expect(answers.violations).toEqual([]);
    },
  );

  it('reuses an item across posts and deletes it only when no post uses it', async () => {
    const t = await appWithMediaLibrary();
    const platformId = await addConnection(t.app.engine.ctx, t.workspaceId, t.userId, 'bluesky', 'did:plc:acme', {
      accessToken: 'token',
    });
    const item = (await (await t.send(jpegOf(800, 800), 'square.jpg')).json()) as MediaItem;
    const post = async (text: string) => {
      const res = await fetch(`${t.url}/api/v1/post-groups`, {
        method: 'POST',
        headers: { ...t.acting, 'Content-Type': 'application/json' },
        body: JSON.stringify({ text, platformIds: [platformId], mediaIds: [item.id] }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; media: { id: string }[]; mediaCount: number };
    };
    const first = await post('First');
    const second = await post('Second');
    expect(first.media.map((m) => m.id)).toEqual([item.id]);
    expect(second.mediaCount).toBe(1);
    expect((await t.call<MediaItem>('media.get', { mediaId: item.id })).usedBy).toBe(2);

    const refused = await fetch(`${t.url}/api/v1/media/${item.id}`, { method: 'DELETE', headers: t.headers });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'square.jpg is used by 2 posts; it stays in the library while a post uses it',
    );
    for (const g of [first, second]) await t.call('post.update', { id: g.id, patch: { mediaIds: [] } });
    const deleted = await fetch(`${t.url}/api/v1/media/${item.id}`, { method: 'DELETE', headers: t.headers });
    expect(deleted.status).toBe(200);
    expect(existsSync(mediaFilePath(t.dataDir, item.sha256))).toBe(false);

    // Another client's item is not found, as if it did not exist.
    const other = (await (
      await fetch(`${t.url}/api/v1/workspace/users`, {
        method: 'POST',
        headers: { ...t.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'other@example.com', displayName: 'Other Co' }),
      })
    ).json()) as { id: string };
    const theirs = (await t.call<MediaItem>('media.upload', {
      userId: other.id,
      file: { fileName: 'theirs.jpg', dataBase64: jpegOf(50, 50).toString('base64') },
    })) as MediaItem;
    const wrong = await fetch(`${t.url}/api/v1/post-groups`, {
      method: 'POST',
      headers: { ...t.acting, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'x', platformIds: [platformId], mediaIds: [theirs.id] }),
    });
    expect(wrong.status).toBe(404);
    expect(answers.violations).toEqual([]);
  });

  it('takes a video in resumable chunks, refusing a gap; a Mastodon post refuses it beside an image', async () => {
    const t = await appWithMediaLibrary();
    const reel = videoOf({ width: 1080, height: 1920, seconds: 12, minBytes: UPLOAD_CHUNK_BYTES + 300_000 });
    const upload = await t.call<{ uploadId: string; received: number; chunkBytes: number }>('media.beginUpload', {
      userId: t.userId,
      fileName: 'reel.mp4',
      size: reel.length,
    });
    const chunk = (offset: number, end: number) =>
      t.call<{ received: number }>('media.uploadChunk', {
        uploadId: upload.uploadId,
        offset,
        dataBase64: reel.subarray(offset, end).toString('base64'),
      });
    expect((await chunk(0, 1_000_000)).received).toBe(1_000_000);
    // The same chunk again (its answer was lost): acknowledged once.
    expect((await chunk(0, 1_000_000)).received).toBe(1_000_000);
    await expect(chunk(2_000_000, 2_100_000)).rejects.toMatchObject({
      code: 'conflict',
      details: { received: 1_000_000 },
    });
    // After a cut, ask where it got to and send the rest from there.
    const at = (await t.call<{ received: number }>('media.getUpload', { uploadId: upload.uploadId })).received;
    for (let offset = at; offset < reel.length; offset += upload.chunkBytes)
      await chunk(offset, Math.min(reel.length, offset + upload.chunkBytes));
    const video = await t.call<MediaItem>('media.finishUpload', { uploadId: upload.uploadId });
    expect(video).toMatchObject({ kind: 'video', width: 1080, height: 1920, durationMs: 12_000, codec: 'H.264' });

    const platformId = await addConnection(t.app.engine.ctx, t.workspaceId, t.userId, 'mastodon', '42', {
      accessToken: 'token',
    });
    const still = (await (await t.send(jpegOf(600, 400), 'still.jpg')).json()) as MediaItem;
    await expect(
      t.call('post.create', {
        userId: t.userId,
        post: { text: 'Reel', platformIds: [platformId], mediaIds: [video.id, still.id], publishNow: true },
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'Mastodon: a video goes in a post without images',
    });
  });

  it('crops an image to a platform aspect ratio as a new item, keeping the original', async () => {
    const t = await appWithMediaLibrary();
    const wide = (await (await t.send(jpegOf(1600, 900), 'wide.jpg', 'Harbour')).json()) as MediaItem;
    const square = await t.call<MediaItem>('media.reshape', { mediaId: wide.id, aspect: '4:5' });
    expect(square).toMatchObject({
      width: 720,
      height: 900,
      derivedFrom: wide.id,
      altText: 'Harbour',
      fileName: 'wide (4:5).jpg',
    });
    expect((await t.call<MediaItem[]>('media.list', { userId: t.userId })).map((m) => m.id).sort()).toEqual(
      [wide.id, square.id].sort(),
    );
  });
});
