import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NEEDS_PUBLIC_MEDIA,
  createInstagramAdapter,
  instagramComment,
  instagramSignIn,
} from '../../src-main/engine/platforms/instagram/adapter';
import { signInWith } from '../support/meta-sign-in';
import type { MediaUpload, PlatformClient, PublicMediaHost, TokenSet } from '../../src-main/engine/platforms/types';
import { type InstagramServer, startInstagramServer } from '../support/instagram-server';
import { type MediaHost, jpegOf, startMediaHost, videoOf } from '../support/media-fixtures';
import { PNG_1x1 } from '../support/images';
import { platformFailure } from '../support/platform-failure';
import { publishRequests } from '../support/publish-request';

const adapter = createInstagramAdapter({ containerPollDelaysMs: [5, 5, 5, 5, 5, 5, 5, 5] });
let ig: InstagramServer;
let host: MediaHost;
let client: PlatformClient;
let tokens: TokenSet;

beforeEach(async () => {
  ig = await startInstagramServer();
  host = await startMediaHost();
  client = { clientId: ig.clientId, clientSecret: ig.clientSecret, apiBaseUrl: ig.url };
  tokens = { accessToken: ig.issueToken(), refreshToken: null, expiresAt: null, scope: null };
});
afterEach(async () => {
  await ig.close();
  await host.close();
});

/** The team host's part: each file served at a public, unguessable address. */
const publicMedia: PublicMediaHost = { urlFor: async (media) => host.put(media.data, media.mimeType) };
const jpeg = (w = 320, h = 320, altText?: string): MediaUpload => ({
  mimeType: 'image/jpeg',
  data: jpegOf(w, h),
  altText,
});
const reel = (seconds = 10): MediaUpload => ({
  mimeType: 'video/mp4',
  data: videoOf({ width: 1080, height: 1920, seconds }),
});
const post = publishRequests({ idempotencyKey: 'unused-by-instagram', publicMedia });

describe('Instagram adapter', () => {
  it('reads the professional account behind the token', async () => {
    expect(await adapter.profile(client, tokens)).toEqual({
      accountId: ig.igUserId,
      handle: '@client.studio',
      displayName: 'Client Studio',
    });
  });

  it('publishes an image from its public address, with caption and alt text, and gives its permalink', async () => {
    const published = await adapter.publish(
      client,
      tokens,
      post('New season #menu', [jpeg(400, 500, 'A bowl of soup')]),
    );
    const [media] = ig.media();
    expect(media).toMatchObject({
      id: published.postId,
      caption: 'New season #menu',
      mediaType: 'IMAGE',
      altText: 'A bowl of soup',
    });
    expect(published.url).toMatch(/^https:\/\/www\.instagram\.com\/p\/[\w-]+\/$/);
    expect(host.requests()).toHaveLength(1);
  });

  it('publishes a carousel of images and a video, waiting for every item', async () => {
    const published = await adapter.publish(client, tokens, post('Three looks', [jpeg(), reel(5), jpeg()]));
    const [media] = ig.media();
    expect(media?.id).toBe(published.postId);
    expect(media?.mediaType).toBe('CAROUSEL_ALBUM');
    expect(media?.children.map((c) => c.mediaType)).toEqual(['IMAGE', 'VIDEO', 'IMAGE']);
  });

  it('publishes a single video as a reel', async () => {
    await adapter.publish(client, tokens, post('Behind the scenes', [reel()]));
    expect(ig.media()[0]).toMatchObject({ mediaType: 'VIDEO', productType: 'REELS' });
  });

  it('says plainly, before any call, that a desk without a public address cannot publish to Instagram', async () => {
    const err = await platformFailure(adapter.publish(client, tokens, post('x', [jpeg()], { publicMedia: undefined })));
    expect(err).toMatchObject({ retryable: false, message: NEEDS_PUBLIC_MEDIA });
    expect(ig.requests()).toEqual([]);
  });

  it('refuses before any call: no media, a PNG, eleven items or a caption over 2,200 characters', async () => {
    for (const bad of [
      post('text only', []),
      post('png', [{ mimeType: 'image/png', data: PNG_1x1 }]),
      post(
        'too many',
        Array.from({ length: 11 }, () => jpeg()),
      ),
      post('é'.repeat(2201), [jpeg()]),
    ]) {
      expect((await platformFailure(adapter.publish(client, tokens, bad))).retryable).toBe(false);
    }
    expect(ig.requests()).toEqual([]);
  });

  it('reports a video Instagram cannot process as the media’s fault, with Instagram’s reason', async () => {
    const err = await platformFailure(adapter.publish(client, tokens, post('too short', [reel(2)])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/2207026/);
    expect(ig.media()).toEqual([]);
  });

  it('reads the 24-hour publishing limit, and reports reaching it', async () => {
    const limited = await startInstagramServer({ quotaTotal: 1 });
    try {
      const c = { ...client, apiBaseUrl: limited.url };
      const t = { ...tokens, accessToken: limited.issueToken() };
      expect(await adapter.publishingLimit?.(c, t)).toEqual({ used: 0, total: 1, windowHours: 24 });
      await adapter.publish(c, t, post('one', [jpeg()]));
      expect(await adapter.publishingLimit?.(c, t)).toEqual({ used: 1, total: 1, windowHours: 24 });
      const err = await platformFailure(adapter.publish(c, t, post('two', [jpeg()])));
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/maximum number of posts.*\(code 9\/2207042\)/);
    } finally {
      await limited.close();
    }
  });

  it('finds, after a publish whose answer was lost, the post with exactly this caption since the attempt', async () => {
    const since = new Date(Date.now() - 1000);
    ig.addMedia('Lost answer', Date.now() - 3_600_000);
    ig.publishButFailNext();
    const err = await platformFailure(adapter.publish(client, tokens, post('Lost answer', [jpeg()])));
    expect(err.retryable).toBe(true);
    const found = await adapter.findPublished?.(client, tokens, { text: 'Lost answer', since });
    expect(found?.postId).toBe(ig.media()[0]?.id);
    expect(await adapter.findPublished?.(client, tokens, { text: 'Never sent', since })).toBeNull();
    await expect(adapter.findPublished?.(client, tokens, { text: '', since })).rejects.toMatchObject({
      retryable: false,
    });
  });

  it('classifies a throttle (with its wait), an expired token and a server failure', async () => {
    ig.throttle('instagramBusinessUseCase', 12);
    expect(await platformFailure(adapter.profile(client, tokens))).toMatchObject({
      retryable: true,
      retryAfterMs: 12 * 60_000,
      needsReauth: false,
    });
    ig.setNow(() => Date.now() + 61 * 86_400_000);
    expect(await platformFailure(adapter.profile(client, tokens))).toMatchObject({
      retryable: false,
      needsReauth: true,
    });
    ig.setNow(() => Date.now());
    ig.failNext();
    expect(await platformFailure(adapter.profile(client, tokens))).toMatchObject({ retryable: true, status: 500 });
  });

  it('renews a long-lived token for 60 days, and asks for a reconnect once it has expired', async () => {
    const renewed = await adapter.refresh(client, {
      ...tokens,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(Date.parse(renewed.expiresAt ?? '')).toBeGreaterThan(Date.now() + 59 * 86_400_000);
    expect(renewed.refreshToken).toBe(renewed.accessToken);
    const err = await platformFailure(
      adapter.refresh(client, { ...tokens, expiresAt: new Date(Date.now() - 1000).toISOString() }),
    );
    expect(err).toMatchObject({ needsReauth: true });
  });

  it('adds a first comment, and cannot delete posts', async () => {
    const published = await adapter.publish(client, tokens, post('With a comment', [jpeg()]));
    await instagramComment(client, tokens, published.postId, 'Link in bio');
    expect(ig.media()[0]?.comments.map((c) => c.text)).toEqual(['Link in bio']);
    expect((await platformFailure(adapter.remove(client, tokens, published.postId))).retryable).toBe(false);
  });

  it('signs in with Business Login and keeps a 60-day token that reads the account', async () => {
    const signedIn = await signInWith(instagramSignIn, client);
    expect(Date.parse(signedIn.expiresAt ?? '')).toBeGreaterThan(Date.now() + 59 * 86_400_000);
    expect(signedIn.scope).toBe(instagramSignIn.scope);
    expect((await adapter.profile(client, { ...signedIn })).accountId).toBe(ig.igUserId);
    ig.denyNextAuthorization();
    await expect(signInWith(instagramSignIn, client)).rejects.toThrow(/no code/);
    await expect(signInWith(instagramSignIn, { ...client, clientSecret: 'wrong' })).rejects.toMatchObject({
      retryable: false,
      message: /client secret/,
    });
  });
});
