import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NEEDS_PUBLIC_MEDIA,
  createThreadsAdapter,
  threadsSignIn,
  threadsTextLength,
} from '../../src-main/engine/platforms/threads/adapter';
import { signInWith } from '../support/meta-sign-in';
import type { MediaUpload, PlatformClient, PublicMediaHost, TokenSet } from '../../src-main/engine/platforms/types';
import { type ThreadsServer, startThreadsServer } from '../support/threads-server';
import { type MediaHost, jpegOf, startMediaHost, videoOf } from '../support/media-fixtures';
import { GIF_1x1 } from '../support/images';
import { platformFailure } from '../support/platform-failure';
import { publishRequests } from '../support/publish-request';

const adapter = createThreadsAdapter({ containerPollDelaysMs: [5, 5, 5, 5, 5, 5, 5, 5] });
let th: ThreadsServer;
let host: MediaHost;
let client: PlatformClient;
let tokens: TokenSet;

beforeEach(async () => {
  th = await startThreadsServer();
  host = await startMediaHost();
  client = { clientId: th.clientId, clientSecret: th.clientSecret, apiBaseUrl: th.url };
  tokens = { accessToken: th.issueToken(), refreshToken: null, expiresAt: null, scope: null };
});
afterEach(async () => {
  await th.close();
  await host.close();
});

const publicMedia: PublicMediaHost = { urlFor: async (media) => host.put(media.data, media.mimeType) };
const JPEG = jpegOf(320, 400);
const image = (altText?: string): MediaUpload => ({ mimeType: 'image/jpeg', data: JPEG, altText });
const post = publishRequests({ idempotencyKey: 'unused-by-threads', publicMedia });

describe('Threads adapter', () => {
  it('reads the account and publishes text, with its permalink', async () => {
    expect(await adapter.profile(client, tokens)).toEqual({
      accountId: th.userId,
      handle: '@clientstudio',
      displayName: 'Client Studio',
    });
    const published = await adapter.publish(client, tokens, post('Hello Threads', [], { publicMedia: undefined }));
    expect(th.posts()[0]).toMatchObject({ id: published.postId, text: 'Hello Threads', mediaType: 'TEXT_POST' });
    expect(published.url).toMatch(/^https:\/\/www\.threads\.com\/@clientstudio\/post\//);
  });

  it('publishes an image, a video, and a carousel from public addresses', async () => {
    await adapter.publish(client, tokens, post('A photo', [image('Bread')]));
    await adapter.publish(
      client,
      tokens,
      post('A clip', [{ mimeType: 'video/mp4', data: videoOf({ width: 720, height: 1280, seconds: 6 }) }]),
    );
    await adapter.publish(client, tokens, post('Two', [image(), image()]));
    expect(th.posts().map((p) => [p.text, p.mediaType])).toEqual([
      ['Two', 'CAROUSEL_ALBUM'],
      ['A clip', 'VIDEO'],
      ['A photo', 'IMAGE'],
    ]);
  });

  it('publishes a reply chain, each part replying to the one before', async () => {
    const parts = await adapter.publishChain(
      client,
      tokens,
      [
        { text: '1/3 Why we bake at night', media: [] },
        { text: '2/3 The dough rests', media: [image()] },
        { text: '3/3 And you get fresh bread', media: [] },
      ],
      publicMedia,
    );
    const byId = new Map(th.posts().map((p) => [p.id, p]));
    expect(byId.get(parts[1]?.postId ?? '')?.replyToId).toBe(parts[0]?.postId);
    expect(byId.get(parts[2]?.postId ?? '')?.replyToId).toBe(parts[1]?.postId);
    expect(byId.get(parts[2]?.postId ?? '')?.rootId).toBe(parts[0]?.postId);
  });

  it('refuses before a call: media with no public URL, GIFs, text over 500 (emoji by bytes), empty posts', async () => {
    expect(threadsTextLength('a😀')).toBe(5);
    expect(
      await platformFailure(adapter.publish(client, tokens, post('x', [image()], { publicMedia: undefined }))),
    ).toMatchObject({ retryable: false, message: NEEDS_PUBLIC_MEDIA });
    for (const bad of [post('gif', [{ mimeType: 'image/gif', data: GIF_1x1 }]), post('😀'.repeat(126)), post(' ')])
      expect((await platformFailure(adapter.publish(client, tokens, bad))).retryable).toBe(false);
    await expect(
      adapter.publishChain(client, tokens, [
        { text: 'ok', media: [] },
        { text: 'x'.repeat(501), media: [] },
      ]),
    ).rejects.toMatchObject({ retryable: false });
    expect(th.requests()).toEqual([]);
  });

  it('reports a video Threads cannot process with its error_message', async () => {
    const err = await platformFailure(
      adapter.publish(
        client,
        tokens,
        post('long', [{ mimeType: 'video/mp4', data: videoOf({ width: 720, height: 1280, seconds: 301 }) }]),
      ),
    );
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/INVALID_DURATION/);
  });

  it('finds a post or a reply whose answer was lost, and reads the publishing limit', async () => {
    const since = new Date(Date.now() - 1000);
    th.publishButFailNext();
    expect(
      (await platformFailure(adapter.publish(client, tokens, post('Lost', [], { publicMedia: undefined })))).retryable,
    ).toBe(true);
    expect((await adapter.findPublished?.(client, tokens, { text: 'Lost', since }))?.postId).toBe(th.posts()[0]?.id);
    const [root] = await adapter.publishChain(client, tokens, [{ text: 'root', media: [] }]);
    th.publishButFailNext();
    await platformFailure(
      adapter.publishChain(client, tokens, [{ text: 'lost reply', media: [] }], undefined, root?.postId),
    );
    expect((await adapter.findPublished?.(client, tokens, { text: 'lost reply', since }))?.postId).toBe(
      th.posts()[0]?.id,
    );
    expect(await adapter.findPublished?.(client, tokens, { text: 'never', since })).toBeNull();
    expect(await adapter.publishingLimit?.(client, tokens)).toEqual({ used: 2, total: 250, windowHours: 24 });
  });

  it('deletes a post (and again without error), renews the token, and asks for a reconnect once expired', async () => {
    const published = await adapter.publish(client, tokens, post('Gone soon', [], { publicMedia: undefined }));
    await adapter.remove(client, tokens, published.postId);
    await adapter.remove(client, tokens, published.postId);
    expect(th.posts()).toEqual([]);
    const renewed = await adapter.refresh(client, {
      ...tokens,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(Date.parse(renewed.expiresAt ?? '')).toBeGreaterThan(Date.now() + 59 * 86_400_000);
    th.setNow(() => Date.now() + 61 * 86_400_000);
    expect(await platformFailure(adapter.profile(client, tokens))).toMatchObject({ needsReauth: true });
  });

  it('signs in and keeps a 60-day token that reads the account', async () => {
    const signedIn = await signInWith(threadsSignIn, client);
    expect(Date.parse(signedIn.expiresAt ?? '')).toBeGreaterThan(Date.now() + 59 * 86_400_000);
    expect((await adapter.profile(client, { ...signedIn })).accountId).toBe(th.userId);
  });
});
