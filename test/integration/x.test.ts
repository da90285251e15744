import { afterEach, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src-main/engine/platforms/registry';
import type { PlatformClient, PublishRequest, TokenSet } from '../../src-main/engine/platforms/types';
import { X_API_BASE, sameXText, xAdapter } from '../../src-main/engine/platforms/x/adapter';
import { PLATFORM_RULES } from '../../src-shared/platform-rules';
import { JPEG_1x1, PNG_1x1 } from '../support/images';
import { videoOf } from '../support/media-fixtures';
import { startXServer, type XServer } from '../support/x-server';
import { platformFailure } from '../support/platform-failure';

const servers: XServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const SCOPE = 'tweet.read tweet.write users.read media.write offline.access';

async function setup() {
  const server = await startXServer();
  servers.push(server);
  const client: PlatformClient = { clientId: 'x-client', clientSecret: null, apiBaseUrl: server.url };
  const tokens = (extra: Partial<TokenSet> = {}): TokenSet => ({
    accessToken: server.token,
    refreshToken: null,
    expiresAt: null,
    scope: SCOPE,
    ...extra,
  });
  return { server, client, tokens };
}

const post = (text: string, extra: Partial<PublishRequest> = {}): PublishRequest => ({
  text,
  media: [],
  idempotencyKey: 'unused-by-x',
  ...extra,
});
const png = (seed: number) => Buffer.concat([PNG_1x1, Buffer.from([seed])]);
/** A post with one PNG image. */
const pngPost = (text: string) => post(text, { media: [{ mimeType: 'image/png', data: PNG_1x1 }] });

describe('X adapter against a local X API v2', () => {
  it('is registered without an idempotency window, on api.x.com, with up to 4 images', () => {
    expect(ADAPTERS.x).toMatchObject({
      adapter: xAdapter,
      idempotencyWindowMs: null,
      defaultApiBase: 'https://api.x.com',
    });
    expect(X_API_BASE).toBe('https://api.x.com');
    const rules = PLATFORM_RULES.x;
    expect(rules.maxImages).toBe(4);
    expect(xAdapter.limits).toEqual({
      maxTextLength: rules.maxTextLength,
      maxImages: 4,
      maxImageBytes: rules.maxImageBytes,
      imageTypes: rules.imageTypes,
      mediaRequired: false,
    });
  });

  it('reads the account behind the tokens', async () => {
    const { client, tokens } = await setup();
    await expect(xAdapter.profile(client, tokens())).resolves.toEqual({
      accountId: '2244994945',
      handle: '@clientonx',
      displayName: 'Client on X',
    });
  });

  it('publishes a text post', async () => {
    const { server, client, tokens } = await setup();
    const published = await xAdapter.publish(client, tokens(), post('Hello from Postroom'));
    expect(published).toEqual({
      postId: expect.stringMatching(/^\d+$/),
      url: `https://x.com/i/web/status/${published.postId}`,
    });
    expect(server.tweets()).toEqual([
      { id: published.postId, text: 'Hello from Postroom', mediaIds: [], createdAt: expect.any(String) },
    ]);
    expect(server.mediaIds()).toEqual([]);
  });

  it('uploads two images, sets alt text, and posts the tweet with both media ids in order', async () => {
    const { server, client, tokens } = await setup();
    const first = png(1);
    const second = png(2);
    const published = await xAdapter.publish(
      client,
      tokens(),
      post('Two pictures', {
        media: [
          { mimeType: 'image/png', data: first, altText: 'The new menu' },
          { mimeType: 'image/png', data: second },
        ],
      }),
    );
    const [tweet, ...others] = server.tweets();
    expect(others).toHaveLength(0);
    expect(tweet).toEqual({
      id: published.postId,
      text: 'Two pictures',
      mediaIds: [expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)],
      createdAt: expect.any(String),
    });
    const [a, b] = tweet!.mediaIds.map((id) => server.media(id)!);
    expect(a!.data.equals(first)).toBe(true);
    expect(b!.data.equals(second)).toBe(true);
    expect(a).toMatchObject({ mimeType: 'image/png', category: 'tweet_image', altText: 'The new menu' });
    expect(b).toMatchObject({ mimeType: 'image/png', category: 'tweet_image', altText: null });
  });

  it('posts images without text (X refuses an empty text, so none is sent)', async () => {
    const { server, client, tokens } = await setup();
    await xAdapter.publish(client, tokens(), post('', { media: [{ mimeType: 'image/jpeg', data: JPEG_1x1 }] }));
    const [tweet] = server.tweets();
    expect(tweet?.text).toBe('');
    expect(server.media(tweet!.mediaIds[0]!)?.data.equals(JPEG_1x1)).toBe(true);
  });

  it('asks for a reconnect before uploading when the connection lacks media.write', async () => {
    const { server, client, tokens } = await setup();
    const err = await platformFailure(
      xAdapter.publish(client, tokens({ scope: 'tweet.read tweet.write users.read offline.access' }), pngPost('x')),
    );
    expect(err).toMatchObject({ retryable: false, needsReauth: true });
    expect(err.message).toContain('media.write');
    expect(server.mediaIds()).toEqual([]);
    // A text post still goes out on such a connection.
    await xAdapter.publish(
      client,
      tokens({ scope: 'tweet.read tweet.write users.read offline.access' }),
      post('text only'),
    );
    expect(server.tweets()).toHaveLength(1);
  });

  it("refuses an unknown media id with X's words, not retryable", async () => {
    const { server, client, tokens } = await setup();
    const res = await fetch(`${server.url}/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x', media: { media_ids: ['1234567890'] } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      title: 'Invalid Request',
      errors: [{ parameters: { 'media.media_ids': ['1234567890'] }, message: 'Your media IDs are invalid.' }],
    });

    // Through the adapter: the upload is gone by the time the post is made (expired), so X refuses its id.
    server.setMediaExpiry(0);
    const err = await platformFailure(xAdapter.publish(client, tokens(), pngPost('Expired')));
    expect(err).toMatchObject({ retryable: false, status: 400, needsReauth: false });
    expect(err.message).toBe(
      'X refused to publish the post: One or more parameters to your request was invalid. ' +
        'Your media IDs are invalid. (HTTP 400)',
    );
    expect(server.tweets()).toEqual([]);
  });

  it('maps a 429 to retryable with retry-after, or x-rate-limit-reset when that is all X says', async () => {
    const { server, client, tokens } = await setup();
    server.failNext(429, { 'retry-after': '120' });
    let err = await platformFailure(xAdapter.publish(client, tokens(), post('x')));
    expect(err).toMatchObject({ retryable: true, status: 429, retryAfterMs: 120_000 });

    server.failNext(429, { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900) });
    err = await platformFailure(xAdapter.publish(client, tokens(), pngPost('x')));
    expect(err).toMatchObject({ retryable: true, status: 429 });
    expect(err.retryAfterMs).toBeGreaterThan(890_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(900_000);
    expect(err.message).toContain('X is rate limiting requests');
    expect(server.tweets()).toEqual([]);
  });

  it('maps a 503 on the upload or the post to retryable, naming the step', async () => {
    const { server, client, tokens } = await setup();
    server.failNext(503);
    let err = await platformFailure(xAdapter.publish(client, tokens(), pngPost('x')));
    expect(err).toMatchObject({ retryable: true, status: 503, needsReauth: false });
    expect(err.message).toBe('X failed to upload image 1: HTTP 503 (HTTP 503)');

    // Retried, the publish uploads its images afresh: X takes no idempotency key.
    const media = [
      { mimeType: 'image/png', data: png(1) },
      { mimeType: 'image/png', data: png(2) },
    ];
    await xAdapter.publish(client, tokens(), post('ok', { media }));
    expect(server.mediaIds()).toHaveLength(2);
    expect(server.tweets()).toEqual([expect.objectContaining({ text: 'ok', mediaIds: server.mediaIds() })]);

    server.failNext(503);
    err = await platformFailure(xAdapter.publish(client, tokens(), post('x')));
    expect(err.message).toBe('X failed to publish the post: HTTP 503 (HTTP 503)');
    expect(server.tweets()).toHaveLength(1);
  });

  it('maps a 401 to needs-reauth, not retryable', async () => {
    const { server, client, tokens } = await setup();
    let err = await platformFailure(xAdapter.publish(client, tokens({ accessToken: 'revoked' }), pngPost('x')));
    expect(err).toMatchObject({ retryable: false, status: 401, needsReauth: true });
    expect(err.message).toBe('X refused to upload image 1: Unauthorized (HTTP 401)');
    err = await platformFailure(xAdapter.profile(client, tokens({ accessToken: 'revoked' })));
    expect(err).toMatchObject({ retryable: false, status: 401, needsReauth: true });
    expect(server.mediaIds()).toEqual([]);
  });

  it('maps an unreachable X to retryable', async () => {
    const { server, client, tokens } = await setup();
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const err = await platformFailure(xAdapter.publish(client, tokens(), pngPost('x')));
    expect(err).toMatchObject({ retryable: true, status: null });
    expect(err.message).toMatch(/^X could not be reached/);
  });

  it('removes a post', async () => {
    const { server, client, tokens } = await setup();
    const { postId } = await xAdapter.publish(client, tokens(), pngPost('Soon gone'));
    expect(server.tweets()).toHaveLength(1);
    await xAdapter.remove(client, tokens(), postId);
    expect(server.tweets()).toEqual([]);
  });

  describe('finding a post after a crash (GET /2/users/:id/tweets)', () => {
    const since = (msAgo: number) => new Date(Date.now() - msAgo);
    const find = (client: PlatformClient, tokens: TokenSet, text: string, from: Date) =>
      xAdapter.findPublished!(client, tokens, { text, since: from });

    it('finds the post with exactly this text made since the given time, with its id and url', async () => {
      const { server, client, tokens } = await setup();
      server.addTweet('Something else');
      const published = await xAdapter.publish(
        client,
        tokens(),
        post('Launch day & <more> at https://acme.test/launch?x=1 — see acme.test'),
      );
      server.addTweet('Launch day');
      await expect(
        find(client, tokens(), 'Launch day & <more> at https://acme.test/launch?x=1 — see acme.test', since(60_000)),
      ).resolves.toEqual({
        postId: published.postId,
        url: `https://x.com/i/web/status/${published.postId}`,
      });
    });

    it('finds a post with images, whose text X ends with a t.co link to the media', async () => {
      const { client, tokens } = await setup();
      const published = await xAdapter.publish(
        client,
        tokens(),
        post('With a picture', { media: [{ mimeType: 'image/png', data: png(1) }] }),
      );
      await expect(find(client, tokens(), 'With a picture', since(60_000))).resolves.toMatchObject({
        postId: published.postId,
      });
    });

    it('answers null when no post has the text, or only one older than the given time', async () => {
      const { server, client, tokens } = await setup();
      server.addTweet('Old news', new Date(Date.now() - 3_600_000));
      server.addTweet('Old news, again');
      await expect(find(client, tokens(), 'Old news', since(60_000))).resolves.toBeNull();
      await expect(find(client, tokens(), 'Nothing like it', since(60_000))).resolves.toBeNull();
      // The same text from before the time counts once the time allows it.
      await expect(find(client, tokens(), 'Old news', since(7_200_000))).resolves.not.toBeNull();
    });

    it('follows meta.next_token through pages of 100', async () => {
      const { server, client, tokens } = await setup();
      const early = server.addTweet('The one we look for', new Date(Date.now() - 30_000));
      for (let i = 0; i < 230; i++) server.addTweet(`filler ${i}`);
      await expect(find(client, tokens(), 'The one we look for', since(60_000))).resolves.toMatchObject({
        postId: early,
      });
      await expect(find(client, tokens(), 'not there', since(60_000))).resolves.toBeNull();
    });

    it('compares what X shows with what was sent: links as t.co, entities undone, nothing else loosened', () => {
      const tweet = {
        text: 'Read &amp; share https://t.co/abc123',
        entities: { urls: [{ url: 'https://t.co/abc123', expanded_url: 'https://acme.test/a' }] },
      };
      expect(sameXText('Read & share https://acme.test/a', tweet)).toBe(true);
      expect(sameXText('Read & share acme.test/a', tweet)).toBe(true);
      expect(sameXText('Read & share', tweet)).toBe(false);
      expect(sameXText('Read and share https://acme.test/a', tweet)).toBe(false);
      expect(sameXText('Read & share https://acme.test/a now', tweet)).toBe(false);
      expect(sameXText('a.b (c)*', { text: 'a.b (c)*' })).toBe(true);
      expect(sameXText('a.b (c)', { text: 'a.b (c)*' })).toBe(false);
    });

    it('maps a 503 to retryable and a 401 to needs-reauth', async () => {
      const { server, client, tokens } = await setup();
      server.failNext(503);
      expect(await platformFailure(find(client, tokens(), 'x', since(1000)))).toMatchObject({
        retryable: true,
        status: 503,
      });
      const refused = await platformFailure(find(client, tokens({ accessToken: 'wrong' }), 'x', since(1000)));
      expect(refused).toMatchObject({ retryable: false, needsReauth: true });
    });
  });
});

describe('X video through the chunked upload', () => {
  /** A real 12-second MP4, padded past two 4 MiB chunks. */
  const video = () => videoOf({ width: 1280, height: 720, seconds: 12, minBytes: 9_000_000 });

  it('uploads a video in chunks, waits while X processes it, then posts it once', async () => {
    const { server, client, tokens } = await setup();
    server.setProcessingPolls(1);
    const file = video();
    const published = await xAdapter.publish(
      client,
      tokens(),
      post('Our new reel', { media: [{ mimeType: 'video/mp4', data: file }] }),
    );
    expect(server.tweets()).toHaveLength(1);
    const [mediaId] = server.tweets()[0]?.mediaIds ?? [];
    expect(published.postId).toBe(server.tweets()[0]?.id);
    expect(server.chunkedUpload(mediaId as string)).toMatchObject({ state: 'succeeded', kind: 'video' });
    expect(server.chunkedUpload(mediaId as string)?.segments.size).toBe(3);
    expect(server.media(mediaId as string)?.data.equals(file)).toBe(true);
  });

  it('refuses a video X cannot process, naming X’s reason, and posts nothing', async () => {
    const { server, client, tokens } = await setup();
    server.setProcessingPolls(0);
    server.failNextProcessing();
    const refused = await platformFailure(
      xAdapter.publish(client, tokens(), post('Broken', { media: [{ mimeType: 'video/mp4', data: video() }] })),
    );
    expect(refused).toMatchObject({ retryable: false, needsReauth: false });
    expect(refused.message).toMatch(/^X could not process video 1: /);
    expect(server.tweets()).toEqual([]);
  });

  it('an upload cut off mid-way may be tried again, and the retry posts exactly once', async () => {
    const { server, client, tokens } = await setup();
    server.setProcessingPolls(0);
    server.failNextAppend(503);
    const request = post('Cut off', { media: [{ mimeType: 'video/mp4', data: video() }] });
    const cut = await platformFailure(xAdapter.publish(client, tokens(), request));
    expect(cut).toMatchObject({ retryable: true });
    expect(server.tweets()).toEqual([]);
    await xAdapter.publish(client, tokens(), request);
    expect(server.tweets().map((t) => t.text)).toEqual(['Cut off']);
  });
});
