import { afterEach, describe, expect, it } from 'vitest';
import { storeBytesSync } from '../../src-main/engine/files/store';
import { createInstagramAdapter } from '../../src-main/engine/platforms/instagram/adapter';
import type { MediaUpload } from '../../src-main/engine/platforms/types';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { hostOptionsFrom } from '../../src-main/host/host-options';
import { PUBLIC_MEDIA_TTL_MS } from '../../src-main/host/public-media';
import { startTeamHost, type TeamHost } from '../../src-main/host/run-host';
import { FakeClock } from '../support/engine';
import { startInstagramServer, type InstagramServer } from '../support/instagram-server';
import { jpegOf, videoOf } from '../support/media-fixtures';
import { freePort } from '../support/team-host-process';
import { tempDir } from '../support/temp';

/*
 * Issue 14 item 5 (D101, D113): a team host serves each file of a post at its public URL under an
 * unguessable path that expires; Instagram's servers (here the local one, which really GETs the
 * URL as Meta's crawler does) fetch it from there. A plain-http host on loopback stands in for the
 * public name (the crawler here trusts no private CA).
 */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function teamHost(): Promise<{ host: TeamHost; clock: FakeClock; dataDir: string }> {
  const dataDir = tempDir('postroom-host-');
  const clock = new FakeClock(new Date());
  const port = await freePort();
  const host = await startTeamHost({
    ...hostOptionsFrom({ dataDir, publicUrl: `http://127.0.0.1:${port}`, listen: `127.0.0.1:${port}` }),
    firstRun: { workspace: 'Acme Agency', ownerEmail: 'olivia@agency.test', ownerName: 'Olivia Owner' },
    secretStore: new MemorySecretStore(),
    tuning: { clock, scheduler: { monotonicNow: () => clock.monotonic() } },
  });
  closers.push(() => host.stop());
  return { host, clock, dataDir };
}

/** A file as the scheduler reads it from the library: bytes already in the data folder's store. */
function libraryFile(dataDir: string, mimeType: string, data: Buffer): MediaUpload {
  return { mimeType, data, sha256: storeBytesSync(dataDir, data) };
}

describe("the team host's public media links", () => {
  it('serves a library file at an unguessable link on the public URL, with its type and size', async () => {
    const { host, dataDir } = await teamHost();
    const jpeg = jpegOf(400, 500);
    const file = libraryFile(dataDir, 'image/jpeg', jpeg);
    const first = await host.publicMedia.urlFor(file);
    const second = await host.publicMedia.urlFor(file);
    expect(first.startsWith(`${host.publicUrl}/public-media/v1/`)).toBe(true);
    // A new link each time, 256 random bits each: nothing in the path says which file it is.
    expect(second).not.toBe(first);
    expect(first).not.toContain(file.sha256!.slice(0, 16));
    const answer = await fetch(first);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect(answer.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await answer.arrayBuffer()).equals(jpeg)).toBe(true);
  });

  it('refuses an expired link and a forged one with the same SPEC §7 not_found', async () => {
    const { host, clock, dataDir } = await teamHost();
    const url = await host.publicMedia.urlFor(libraryFile(dataDir, 'image/jpeg', jpegOf(400, 400)));
    const token = url.split('/').pop()!;
    const forged = [
      `${host.publicUrl}/public-media/v1/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      `${host.publicUrl}/public-media/v1/${'A'.repeat(43)}`,
      `${host.publicUrl}/public-media/v1/..%2F..%2Fpostroom.sqlite`,
      `${host.publicUrl}/public-media/v1/${token}x`,
    ];
    for (const link of forged) {
      const answer = await fetch(link);
      expect(answer.status, link).toBe(404);
      expect(await answer.json()).toEqual({
        error: { code: 'not_found', message: expect.stringContaining('unknown or has expired') },
      });
    }
    expect((await fetch(url)).status).toBe(200);
    clock.advance(PUBLIC_MEDIA_TTL_MS + 1000);
    const expired = await fetch(url);
    expect(expired.status).toBe(404);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('not_found');
    // Expired links do not pile up: the next link made sweeps them.
    await host.publicMedia.urlFor(libraryFile(dataDir, 'image/jpeg', jpegOf(400, 400)));
    expect(host.publicMedia.size).toBe(1);
  });

  it('makes no link for bytes the library does not hold', async () => {
    const { host } = await teamHost();
    await expect(host.publicMedia.urlFor({ mimeType: 'image/jpeg', data: jpegOf(100, 100) })).rejects.toThrow(
      /missing from the media library/,
    );
  });

  it('a carousel of three images and a reel are fetched by URL from the host and published once', async () => {
    const { host, dataDir } = await teamHost();
    const ig: InstagramServer = await startInstagramServer();
    closers.push(() => ig.close());
    const adapter = createInstagramAdapter({ containerPollDelaysMs: [5, 5, 5, 5, 5, 5, 5, 5] });
    const client = { clientId: ig.clientId, clientSecret: ig.clientSecret, apiBaseUrl: ig.url };
    const tokens = { accessToken: ig.issueToken(), refreshToken: null, expiresAt: null, scope: null };
    const images = [jpegOf(400, 400), jpegOf(400, 500), jpegOf(600, 400)].map((d) =>
      libraryFile(dataDir, 'image/jpeg', d),
    );
    await adapter.publish(client, tokens, {
      text: 'Three looks',
      media: images,
      idempotencyKey: 'k1',
      publicMedia: host.publicMedia,
    });
    const video = libraryFile(dataDir, 'video/mp4', videoOf({ width: 1080, height: 1920, seconds: 5 }));
    await adapter.publish(client, tokens, {
      text: 'Behind the scenes',
      media: [video],
      idempotencyKey: 'k2',
      publicMedia: host.publicMedia,
    });
    const fetched = ig.fetchedUrls();
    expect(fetched).toHaveLength(4);
    for (const url of fetched) expect(url.startsWith(`${host.publicUrl}/public-media/v1/`)).toBe(true);
    expect(ig.media().map((m) => [m.caption, m.mediaType, m.productType])).toEqual([
      ['Behind the scenes', 'VIDEO', 'REELS'],
      ['Three looks', 'CAROUSEL_ALBUM', 'FEED'],
    ]);
    // What Instagram got is the library's bytes, in the post's order.
    const [reelPost, carousel] = ig.media();
    expect(carousel!.children.map((c, i) => c.data?.equals(images[i]!.data))).toEqual([true, true, true]);
    expect(reelPost!.data?.equals(video.data)).toBe(true);
  });
});
