import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { create as createTar, extract as extractTar } from 'tar';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src-main/app';
import { MANIFEST_FILE, restoreBackupFile, writeBackupArchive } from '../../src-main/engine/db/backup-archive';
import { backupDatabase, DATABASE_FILE } from '../../src-main/engine/db/database';
import { restoreLatestAutomaticBackup } from '../../src-main/engine/db/integrity';
import { AppError } from '../../src-main/engine/kernel/errors';
import { mediaFilePath } from '../../src-main/engine/files/store';
import type { MediaItem } from '../../src-shared/media';
import { answers, appWithMediaLibrary, restPostFor } from '../support/app';
import { TEST_PASSWORD } from '../support/engine';
import { jpegOf } from '../support/media-fixtures';
import { addConnection } from '../support/posting';
import { tempDir } from '../support/temp';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

/*
 * Issue 14 item 2 "backups include the media" (docs/decisions.md D106): a backup carries the files
 * its database names, a restore puts them back whole, and a damaged or partial backup is refused
 * with the data folder left as it was.
 */

/** A running app with a client, three images in its library and a post that uses two of them. */
async function agencyWithMedia() {
  const t = await appWithMediaLibrary();
  const items: MediaItem[] = [];
  for (const [i, size] of [
    [1200, 800],
    [800, 800],
    [640, 960],
  ].entries()) {
    const res = await t.send(jpegOf(size[0]!, size[1]!), `photo-${i + 1}.jpg`, `Photo ${i + 1}`);
    expect(res.status).toBe(201);
    items.push((await res.json()) as MediaItem);
  }
  const platformId = await addConnection(t.app.engine.ctx, t.workspaceId, t.userId, 'mastodon', '42', {
    accessToken: 'token',
  });
  const post = await restPostFor(t, t.userId, {
    text: 'Two photos',
    platformIds: [platformId],
    mediaIds: [items[0]!.id, items[2]!.id],
  });
  expect(post.status).toBe(201);
  return { ...t, items, postId: String(post.body.id) };
}

/** Opens a data folder in a new app, signed in as the owner of the one workspace. */
async function reopen(dataDir: string, t: Awaited<ReturnType<typeof agencyWithMedia>>) {
  const app = await startApp({ dataDir, secrets: t.secrets, clock: t.clock });
  await app.engine.signIn(app.engine.state().profiles[0]!.id, TEST_PASSWORD, t.workspaceId);
  return app;
}

/** Every file and folder under the data folder's media store, with its mode. */
function storeModes(dataDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      out[`${rel}${name}`] = modeOf(path);
      if (statSync(path).isDirectory()) walk(path, `${rel}${name}/`);
    }
  };
  walk(join(dataDir, 'media'), '');
  return out;
}

describe('backups include the media (issue 14 item 2)', () => {
  it('a restore to a new data folder shows the same media, serves their thumbnails; posts still use them', async () => {
    const t = await agencyWithMedia();
    const file = join(tempDir(), 'agency.postroom-backup');
    const written = await writeBackupArchive(t.app.engine.ctx.db, t.dataDir, file, t.clock);
    // Three images and their three thumbnails.
    expect(written.mediaFiles).toBe(6);
    expect(modeOf(file)).toBe('600');
    expect(readdirSync(join(file, '..'))).toEqual(['agency.postroom-backup']);
    await t.app.stop();

    const fresh = tempDir();
    expect(await restoreBackupFile(fresh, file, t.clock)).toEqual({ mediaFiles: 6, missingMedia: [] });
    for (const item of t.items) expect(modeOf(mediaFilePath(fresh, item.sha256))).toBe('600');
    expect(Object.values(storeModes(fresh)).every((mode) => mode === '600' || mode === '700')).toBe(true);
    expect(modeOf(join(fresh, DATABASE_FILE))).toBe('600');
    expect(readdirSync(join(fresh, 'backups')).filter((f) => f.startsWith('.'))).toEqual([]);

    const app = await reopen(fresh, t);
    try {
      const list = (await app.engine.call('media.list', {
        workspaceId: t.workspaceId,
        userId: t.userId,
      })) as MediaItem[];
      expect(list.map((m) => [m.fileName, m.sha256, m.size, m.width, m.height, m.altText]).sort()).toEqual(
        t.items.map((m) => [m.fileName, m.sha256, m.size, m.width, m.height, m.altText]).sort(),
      );
      for (const item of t.items) {
        const thumb = (await app.engine.call('media.thumbnail', { workspaceId: t.workspaceId, mediaId: item.id })) as {
          dataBase64: string;
        };
        expect((await sharp(Buffer.from(thumb.dataBase64, 'base64')).metadata()).format).toBe('jpeg');
      }
      const res = await fetch(`${app.apiUrl}/api/v1/post-groups/${t.postId}`, { headers: t.acting });
      expect(res.status).toBe(200);
      const post = (await res.json()) as { media: { id: string }[] };
      expect(post.media.map((m) => m.id)).toEqual([t.items[0]!.id, t.items[2]!.id]);
      // The bytes a platform would get are the uploaded bytes.
      expect(
        readFileSync(mediaFilePath(fresh, t.items[0]!.sha256)).equals(
          readFileSync(mediaFilePath(t.dataDir, t.items[0]!.sha256)),
        ),
      ).toBe(true);
    } finally {
      await app.stop();
    }
    expect(answers.violations).toEqual([]);
  });

  it('refuses a cut-off, altered or partial backup (a SPEC §7 error), leaving the data folder as it was', async () => {
    const t = await agencyWithMedia();
    const good = join(tempDir(), 'good.postroom-backup');
    await writeBackupArchive(t.app.engine.ctx.db, t.dataDir, good, t.clock);
    await t.app.stop();

    // A data folder with data of its own, which a refused restore must not touch.
    const target = tempDir();
    await restoreBackupFile(target, good, t.clock);
    const before = { db: readFileSync(join(target, DATABASE_FILE)), store: storeModes(target) };

    const dir = tempDir();
    const cut = join(dir, 'cut.postroom-backup');
    writeFileSync(cut, readFileSync(good));
    truncateSync(cut, Math.floor(statSync(good).size * 0.6));

    // Unpacked, changed, packed again: one photo's bytes altered, and one left out.
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    await extractTar({ file: good, cwd: unpacked });
    const photo = join(unpacked, 'media', t.items[1]!.sha256.slice(0, 2), t.items[1]!.sha256);
    const altered = join(dir, 'altered.postroom-backup');
    const original = readFileSync(photo);
    writeFileSync(photo, Buffer.concat([original.subarray(0, 100), Buffer.from('X'), original.subarray(101)]));
    await createTar({ cwd: unpacked, file: altered }, readdirSync(unpacked));
    writeFileSync(photo, original);
    const manifest = JSON.parse(readFileSync(join(unpacked, MANIFEST_FILE), 'utf8')) as {
      media: { sha256: string }[];
    };
    manifest.media = manifest.media.filter((m) => m.sha256 !== t.items[1]!.sha256);
    writeFileSync(join(unpacked, MANIFEST_FILE), JSON.stringify(manifest));
    const incomplete = join(dir, 'incomplete.postroom-backup');
    rmSync(photo);
    await createTar({ cwd: unpacked, file: incomplete }, [MANIFEST_FILE, DATABASE_FILE, 'media']);

    const cases = [
      [cut, /the file is cut off or damaged/],
      [altered, /the media file [0-9a-f]{12}… is missing or not as it was written/],
      [incomplete, /media file\(s\) the database names are not in it/],
    ] as const;
    for (const [file, problem] of cases) {
      const refused = await restoreBackupFile(target, file, t.clock).catch((e: unknown) => e);
      expect(refused, file).toBeInstanceOf(AppError);
      expect((refused as AppError).toObject()).toEqual({
        code: 'validation_failed',
        message: expect.stringMatching(
          new RegExp(`^${file.replace(/[.]/g, '\\.')} is not a whole Postroom backup \\(`),
        ),
        details: {
          file,
          problem: expect.stringMatching(problem),
          fix: expect.stringContaining('the data folder was left as it was'),
        },
      });
      expect(readFileSync(join(target, DATABASE_FILE)).equals(before.db)).toBe(true);
      expect(storeModes(target)).toEqual(before.store);
      expect(readdirSync(join(target, 'backups')).filter((f) => f.startsWith('.'))).toEqual([]);
    }
    // Not a backup at all.
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello');
    await expect(restoreBackupFile(target, text, t.clock)).rejects.toMatchObject({
      code: 'validation_failed',
      message: `${text} is not a Postroom backup.`,
    });
  });

  it('automatic backups keep their media beside them; restoring the latest recovers a file deleted since', async () => {
    const t = await agencyWithMedia();
    const db = t.app.engine.ctx.db;
    await backupDatabase(db, join(t.dataDir, 'backups'), 'auto', t.clock);
    const spare = t.items[1]!;
    const kept = join(t.dataDir, 'backups', 'media', spare.sha256.slice(0, 2), spare.sha256);
    expect(modeOf(kept)).toBe('600');
    expect(modeOf(join(t.dataDir, 'backups', 'media'))).toBe('700');

    const deleted = await fetch(`${t.url}/api/v1/media/${spare.id}`, { method: 'DELETE', headers: t.acting });
    expect(deleted.status).toBe(200);
    expect(existsSync(mediaFilePath(t.dataDir, spare.sha256))).toBe(false);
    // A newer backup no longer names it; the older one does, so it stays beside the backups.
    t.clock.advance(60_000);
    await backupDatabase(db, join(t.dataDir, 'backups'), 'auto', t.clock);
    expect(existsSync(kept)).toBe(true);
    await t.app.stop();

    const autos = readdirSync(join(t.dataDir, 'backups'))
      .filter((f) => f.endsWith('-auto.sqlite'))
      .sort();
    rmSync(join(t.dataDir, 'backups', autos[1]!));
    restoreLatestAutomaticBackup(t.dataDir, DATABASE_FILE, t.clock);
    expect(modeOf(mediaFilePath(t.dataDir, spare.sha256))).toBe('600');
    const app = await reopen(t.dataDir, t);
    try {
      const item = (await app.engine.call('media.get', { workspaceId: t.workspaceId, mediaId: spare.id })) as MediaItem;
      expect(item.fileName).toBe('photo-2.jpg');
      expect(
        await app.engine.call('media.thumbnail', { workspaceId: t.workspaceId, mediaId: spare.id }),
      ).not.toBeNull();
    } finally {
      await app.stop();
    }
  });

  it('postroom backup --to and restore --from carry the media through the command line', async () => {
    const t = await agencyWithMedia();
    await t.app.stop();
    const file = join(tempDir(), 'agency.tar');
    const backup = await run(tsx, ['src-main/cli.ts', 'backup', '--data-dir', t.dataDir, '--to', file], {
      cwd: process.cwd(),
    });
    expect(backup.stdout).toBe(`Backed up to ${file} (the database and 6 media files)\n`);
    const fresh = tempDir();
    const restore = await run(tsx, ['src-main/cli.ts', 'restore', '--data-dir', fresh, '--from', file], {
      cwd: process.cwd(),
    });
    expect(restore.stdout).toBe(`Restored ${file} into ${fresh}\n`);
    for (const item of t.items) expect(existsSync(mediaFilePath(fresh, item.sha256))).toBe(true);
  });
});
