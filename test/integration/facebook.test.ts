import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facebookAdapter, facebookComment, facebookSignIn } from '../../src-main/engine/platforms/facebook/adapter';
import { signInWith } from '../support/meta-sign-in';
import type { MediaUpload, PlatformClient, TokenSet } from '../../src-main/engine/platforms/types';
import { type FacebookServer, startFacebookServer } from '../support/facebook-server';
import { jpegOf, videoOf } from '../support/media-fixtures';
import { PNG_1x1 } from '../support/images';
import { platformFailure } from '../support/platform-failure';
import { publishRequests } from '../support/publish-request';

const PAGE = '104000000000001';
let fb: FacebookServer;
let client: PlatformClient;
let tokens: TokenSet;

beforeEach(async () => {
  fb = await startFacebookServer();
  client = { clientId: fb.appId, clientSecret: fb.appSecret, apiBaseUrl: fb.url };
  tokens = { accessToken: fb.issueUserToken(), refreshToken: null, expiresAt: null, scope: null };
});
afterEach(async () => {
  await fb.close();
});

const JPEG = jpegOf(320, 240);
const photo = (altText?: string): MediaUpload => ({ mimeType: 'image/jpeg', data: JPEG, altText });
const post = publishRequests({ idempotencyKey: 'unused-by-facebook', postAs: `page:${PAGE}` });

describe('Facebook Pages adapter', () => {
  it('reads the member and lists the Pages they may post on', async () => {
    expect(await facebookAdapter.profile(client, tokens)).toEqual({
      accountId: fb.member.id,
      handle: 'Casey Client',
      displayName: 'Casey Client',
    });
    expect(await facebookAdapter.pages?.(client, tokens)).toEqual([
      { id: `page:${PAGE}`, name: 'Casey Bakery' },
      { id: 'page:104000000000002', name: 'Casey Catering' },
    ]);
  });

  it('follows the paging of /me/accounts', async () => {
    const paged = await startFacebookServer({ accountsPageSize: 1 });
    try {
      const c = { ...client, apiBaseUrl: paged.url };
      const list = await facebookAdapter.pages?.(c, { ...tokens, accessToken: paged.issueUserToken() });
      expect(list?.map((p) => p.name)).toEqual(['Casey Bakery', 'Casey Catering']);
    } finally {
      await paged.close();
    }
  });

  it('posts text as the chosen Page with the Page token, and deletes it', async () => {
    const published = await facebookAdapter.publish(client, tokens, post('Fresh bread at 7'));
    expect(published.postId).toMatch(new RegExp(`^${PAGE}_\\d+$`));
    expect(published.url).toMatch(/^https:\/\/www\.facebook\.com\/104000000000001\/posts\/\d+$/);
    expect(fb.posts(PAGE).map((p) => p.message)).toEqual(['Fresh bread at 7']);
    await facebookAdapter.remove(client, tokens, published.postId);
    expect(fb.posts(PAGE)).toEqual([]);
    await facebookAdapter.remove(client, tokens, published.postId);
  });

  it('uploads one photo as the post, or several unpublished photos attached to one post', async () => {
    await facebookAdapter.publish(client, tokens, post('One photo', [photo('A loaf')]));
    expect(fb.posts(PAGE)[0]?.photos).toHaveLength(1);
    await facebookAdapter.publish(
      client,
      tokens,
      post('Three photos', [photo(), { mimeType: 'image/png', data: PNG_1x1 }, photo()]),
    );
    expect(fb.posts(PAGE)[0]).toMatchObject({ message: 'Three photos' });
    expect(fb.posts(PAGE)[0]?.photos.map((p) => p.mimeType)).toEqual(['image/jpeg', 'image/png', 'image/jpeg']);
  });

  it('uploads a video through the Resumable Upload API, resuming from Facebook’s offset after a cut', async () => {
    const file = videoOf({ width: 1280, height: 720, seconds: 15, minBytes: 300_000 });
    fb.cutNextUploadAfter(100_000);
    const published = await facebookAdapter.publish(
      client,
      tokens,
      post('Our kitchen', [{ mimeType: 'video/mp4', data: file }]),
    );
    expect(published.postId).toMatch(/^104000000000001\/videos\/\d+$/);
    expect(fb.requests().filter((r) => r.startsWith('GET /upload:'))).toHaveLength(1);
    // Processed, the video becomes a post of the Page that recovery can find.
    const found = await facebookAdapter.findPublished?.(client, tokens, {
      text: 'Our kitchen',
      postAs: `page:${PAGE}`,
      since: new Date(Date.now() - 60_000),
    });
    expect(found).toBeNull();
    await fetch(`${fb.url}/${published.postId.split('/').pop()}?fields=status&access_token=${fb.issuePageToken(PAGE)}`);
    const again = await facebookAdapter.findPublished?.(client, tokens, {
      text: 'Our kitchen',
      postAs: `page:${PAGE}`,
      since: new Date(Date.now() - 60_000),
    });
    expect(again?.postId).toBe(published.postId);
    await facebookAdapter.remove(client, tokens, published.postId);
    expect(fb.posts(PAGE)).toEqual([]);
  });

  it('refuses, before any call, a post with no Page chosen, a video with photos, or a photo over 4 MB', async () => {
    const video: MediaUpload = { mimeType: 'video/mp4', data: videoOf({ width: 640, height: 360, seconds: 3 }) };
    for (const bad of [
      post('no page', [], { postAs: undefined }),
      post('mixed', [video, photo()]),
      post('big', [{ mimeType: 'image/jpeg', data: Buffer.alloc(4 * 1024 * 1024 + 1) }]),
      post('', []),
    ]) {
      expect((await platformFailure(facebookAdapter.publish(client, tokens, bad))).retryable).toBe(false);
    }
    expect(fb.requests()).toEqual([]);
  });

  it('finds a post whose answer was lost, and classifies duplicates, throttles and a changed password', async () => {
    const since = new Date(Date.now() - 1000);
    fb.addPost(PAGE, 'Lost answer', Date.now() - 3_600_000);
    fb.postButFailNext();
    expect((await platformFailure(facebookAdapter.publish(client, tokens, post('Lost answer')))).retryable).toBe(true);
    const found = await facebookAdapter.findPublished?.(client, tokens, {
      text: 'Lost answer',
      postAs: `page:${PAGE}`,
      since,
    });
    expect(found?.postId).toBe(fb.posts(PAGE)[0]?.id);
    expect(await platformFailure(facebookAdapter.publish(client, tokens, post('Lost answer')))).toMatchObject({
      retryable: false,
    });
    fb.throttle('pagesBusinessUseCase', 30);
    expect(await platformFailure(facebookAdapter.publish(client, tokens, post('Later')))).toMatchObject({
      retryable: true,
      retryAfterMs: 30 * 60_000,
    });
    fb.invalidateSessions();
    expect(await platformFailure(facebookAdapter.publish(client, tokens, post('Later')))).toMatchObject({
      retryable: false,
      needsReauth: true,
    });
  });

  it('adds a first comment as the Page', async () => {
    const published = await facebookAdapter.publish(client, tokens, post('With a comment'));
    await facebookComment(client, tokens, published.postId, 'Order at example.com');
    expect(fb.posts(PAGE)[0]?.comments.map((c) => c.message)).toEqual(['Order at example.com']);
  });

  it('signs in with Facebook Login and PKCE, keeping a 60-day user token that lists the Pages', async () => {
    const signedIn = await signInWith(facebookSignIn, client);
    expect(Date.parse(signedIn.expiresAt ?? '')).toBeGreaterThan(Date.now() + 59 * 86_400_000);
    expect((await facebookAdapter.pages?.(client, { ...signedIn }))?.map((p) => p.id)).toEqual([
      `page:${PAGE}`,
      'page:104000000000002',
    ]);
    await expect(signInWith(facebookSignIn, { ...client, clientSecret: 'wrong' })).rejects.toMatchObject({
      retryable: false,
    });
  });
});
