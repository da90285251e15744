import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RichText } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blueskyAdapter,
  createBlueskyAdapter,
  detectFacets,
  parseAtUri,
  signInWithAppPassword,
  tidFromIdempotencyKey,
} from '../../src-main/engine/platforms/bluesky/adapter';
import { TokenKeeper } from '../../src-main/engine/connections/token-keeper';
import type { BlueskyTokens } from '../../src-main/engine/platforms/bluesky/atproto-oauth';
import type { PlatformClient, TokenSet } from '../../src-main/engine/platforms/types';
import { countText } from '../../src-shared/platform-rules';
import { clientAndLinkInApp, startTestApp } from '../support/app';
import { browse } from '../support/browse';
import { PNG_1x1 } from '../support/images';
import { videoOf } from '../support/media-fixtures';
import { pdsAvailable, startPds, type Pds } from '../support/pds';
import { signInAndAccept } from '../support/pds-sign-in';
import { tokenAccount } from '../../src-main/engine/queries/tokens';
import { platformFailure } from '../support/platform-failure';

const post = (text: string, idempotencyKey = randomUUID()) => ({ text, media: [], idempotencyKey });

describe('Bluesky adapter, without a server', () => {
  it('derives a valid, stable TID record key from the idempotency key', () => {
    const key = randomUUID();
    const tid = tidFromIdempotencyKey(key);
    expect(tid).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
    expect(tidFromIdempotencyKey(key)).toBe(tid);
    expect(tidFromIdempotencyKey(randomUUID())).not.toBe(tid);
    // Its time is in 2023, never among the TIDs a PDS mints for new records today.
    const value = [...tid].reduce((n, c) => n * 32n + BigInt('234567abcdefghijklmnopqrstuvwxyz'.indexOf(c)), 0n);
    const ms = Number(value >> 10n) / 1000;
    expect(ms).toBeGreaterThanOrEqual(Date.UTC(2023, 0, 1));
    expect(ms).toBeLessThan(Date.UTC(2023, 7, 1));
  });

  it('finds links, tags and mentions with UTF-8 byte offsets', () => {
    const text = 'Café ☕ news: https://example.com/a?b=1. (see https://x.org/p) #Launch2025! @agency.test';
    const { facets, mentions } = detectFacets(text);
    const bytes = Buffer.from(text, 'utf8');
    const slice = (i: { byteStart: number; byteEnd: number }) =>
      bytes.subarray(i.byteStart, i.byteEnd).toString('utf8');
    expect(facets.map((f) => [slice(f.index), f.features[0]])).toEqual([
      ['https://example.com/a?b=1', { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/a?b=1' }],
      ['https://x.org/p', { $type: 'app.bsky.richtext.facet#link', uri: 'https://x.org/p' }],
      ['#Launch2025', { $type: 'app.bsky.richtext.facet#tag', tag: 'Launch2025' }],
    ]);
    expect(mentions.map((m) => [m.handle, slice(m.index)])).toEqual([['agency.test', '@agency.test']]);
    expect(detectFacets('#123 and # alone').facets).toEqual([]);
  });

  it("counts graphemes as the official client (and the PDS's validation) does", () => {
    for (const text of [
      'plain',
      'Café ☕',
      '👩‍👩‍👧‍👦 family',
      '🇫🇷🇩🇪 flags',
      'e\u0301 combining',
      'नमस्ते',
      '👍🏽 skin tone',
      'x'.repeat(300),
    ]) {
      expect(countText('bluesky', text), text).toBe(new RichText({ text }).graphemeLength);
    }
  });

  it('retryable: 429 with RateLimit-Reset, 5xx and network errors; ExpiredToken needs a reconnect', async () => {
    const client: PlatformClient = { clientId: '', clientSecret: null, apiBaseUrl: 'https://pds.invalid' };
    const tokens: TokenSet = { accessToken: 'a', refreshToken: 'r', expiresAt: null, scope: null };
    const answering = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      createBlueskyAdapter({
        fetch: () =>
          Promise.resolve(
            new Response(JSON.stringify(body), {
              status,
              headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
            }),
          ),
      });

    const reset = Math.ceil(Date.now() / 1000) + 120;
    const limited = await platformFailure(
      answering(
        429,
        { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
        { 'ratelimit-reset': String(reset) },
      ).profile(client, tokens),
    );
    expect(limited).toMatchObject({ retryable: true, status: 429, needsReauth: false });
    expect(limited.retryAfterMs).toBeGreaterThan(100_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(121_000);

    expect(await platformFailure(answering(502, { error: 'UpstreamFailure' }).profile(client, tokens))).toMatchObject({
      retryable: true,
      status: 502,
    });
    const expired = await platformFailure(
      answering(400, { error: 'ExpiredToken', message: 'Token has expired' }).profile(client, tokens),
    );
    expect(expired).toMatchObject({ retryable: false, status: 400, needsReauth: true });
    expect(expired.message).toContain('ExpiredToken: Token has expired');
    expect(
      await platformFailure(
        answering(400, { error: 'InvalidRequest', message: 'bad' }).remove(
          client,
          tokens,
          'at://did:plc:x/app.bsky.feed.post/3jzfcijpj2z2a',
        ),
      ),
    ).toMatchObject({
      retryable: false,
      needsReauth: false,
    });

    const offline = createBlueskyAdapter({
      fetch: () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })),
    });
    const down = await platformFailure(offline.publish(client, tokens, post('x')));
    expect(down).toMatchObject({ retryable: true, status: null });
    expect(down.message).toContain('could not be reached (ECONNREFUSED)');

    expect(await platformFailure(blueskyAdapter.remove(client, tokens, '12345'))).toMatchObject({ retryable: false });
  });
});

const peer = pdsAvailable();
const runAgainstPds = peer.available || process.env.CI === 'true';
if (!runAgainstPds) console.warn(`Skipping the Bluesky tests against a real PDS: ${peer.reason}`);

describe.skipIf(!runAgainstPds)(
  `Bluesky adapter against a real PDS${runAgainstPds ? '' : ` (skipped: ${peer.reason})`}`,
  () => {
    let pds: Pds;
    let client: PlatformClient;
    let tokens: TokenSet;

    beforeAll(async () => {
      pds = await startPds();
      client = { clientId: '', clientSecret: null, apiBaseUrl: pds.url };
      tokens = (await signInWithAppPassword(pds.url, pds.handle, pds.appPassword)).tokens;
    }, 120_000);
    afterAll(async () => {
      await pds?.close();
    });

    async function xrpc(
      nsid: string,
      query: Record<string, string>,
    ): Promise<{ status: number; body: Record<string, unknown> }> {
      const res = await fetch(`${pds.url}/xrpc/${nsid}?${new URLSearchParams(query).toString()}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }
    const getPost = (uri: string) => {
      const { repo, collection, rkey } = parseAtUri(uri)!;
      return xrpc('com.atproto.repo.getRecord', { repo, collection, rkey });
    };
    const listPosts = async () =>
      (await xrpc('com.atproto.repo.listRecords', { repo: pds.did, collection: 'app.bsky.feed.post', limit: '100' }))
        .body.records as { uri: string }[];

    it('signs in with the app password and reads the account', async () => {
      const { tokens: signedIn, account } = await signInWithAppPassword(pds.url, `@${pds.handle}`, pds.appPassword);
      expect(account).toEqual({ accountId: pds.did, handle: pds.handle, displayName: 'Agency Bot' });
      expect(signedIn.scope).toBe('com.atproto.appPass');
      expect(signedIn.refreshToken).toEqual(expect.any(String));
      expect(Date.parse(signedIn.expiresAt ?? '')).toBeGreaterThan(Date.now());
      await expect(blueskyAdapter.profile(client, signedIn)).resolves.toEqual(account);
    });

    it('refuses a wrong app password (not retryable) and the account password', async () => {
      const wrong = await platformFailure(signInWithAppPassword(pds.url, pds.handle, 'aaaa-bbbb-cccc-dddd'));
      expect(wrong).toMatchObject({ retryable: false, status: 401 });
      expect(wrong.message).toContain('did not accept this handle and app password');

      const main = await platformFailure(signInWithAppPassword(pds.url, pds.handle, pds.password));
      expect(main).toMatchObject({ retryable: false });
      expect(main.message).toContain('account password');
    });

    it('refreshes the session, and a dead token means reconnecting', async () => {
      const { tokens: own } = await signInWithAppPassword(pds.url, pds.handle, pds.appPassword);
      const refreshed = await blueskyAdapter.refresh(client, own);
      expect(Date.parse(refreshed.expiresAt ?? '')).toBeGreaterThanOrEqual(Date.parse(own.expiresAt ?? ''));
      expect(refreshed.refreshToken).toEqual(expect.any(String));
      expect(refreshed.refreshToken).not.toBe(own.refreshToken);
      expect((await blueskyAdapter.profile(client, refreshed)).accountId).toBe(pds.did);

      const dead = await platformFailure(blueskyAdapter.profile(client, { ...own, accessToken: 'not-a-token' }));
      expect(dead).toMatchObject({ retryable: false, needsReauth: true });
      expect(dead.message).toContain('InvalidToken');
      expect(
        await platformFailure(blueskyAdapter.refresh(client, { ...own, refreshToken: 'not-a-token' })),
      ).toMatchObject({
        needsReauth: true,
      });
    });

    it('publishes text with a link, a tag, a mention and an image, and reads it all back from the PDS', async () => {
      const text = `Launch day ☕ read https://example.com/launch?ref=postroom. #Launch @${pds.handle}`;
      const published = await blueskyAdapter.publish(client, tokens, {
        text,
        media: [{ mimeType: 'image/png', data: PNG_1x1, altText: 'A single pixel' }],
        idempotencyKey: randomUUID(),
      });
      const parts = parseAtUri(published.postId)!;
      expect(parts).toMatchObject({ repo: pds.did, collection: 'app.bsky.feed.post' });
      expect(published.url).toBe(`https://bsky.app/profile/${pds.handle}/post/${parts.rkey}`);

      const { status, body } = await getPost(published.postId);
      expect(status).toBe(200);
      const record = body.value as {
        text: string;
        createdAt: string;
        facets: { index: { byteStart: number; byteEnd: number }; features: Record<string, unknown>[] }[];
        embed: {
          $type: string;
          images: { alt: string; image: { ref: { $link: string }; mimeType: string; size: number } }[];
        };
      };
      expect(record.text).toBe(text);
      expect(Date.now() - Date.parse(record.createdAt)).toBeLessThan(60_000);
      const bytes = Buffer.from(text, 'utf8');
      expect(
        record.facets.map((f) => [bytes.subarray(f.index.byteStart, f.index.byteEnd).toString('utf8'), f.features[0]]),
      ).toEqual([
        [
          'https://example.com/launch?ref=postroom',
          { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com/launch?ref=postroom' },
        ],
        ['#Launch', { $type: 'app.bsky.richtext.facet#tag', tag: 'Launch' }],
        [`@${pds.handle}`, { $type: 'app.bsky.richtext.facet#mention', did: pds.did }],
      ]);
      expect(record.embed.$type).toBe('app.bsky.embed.images');
      expect(record.embed.images).toHaveLength(1);
      const [image] = record.embed.images;
      expect(image).toMatchObject({ alt: 'A single pixel', image: { mimeType: 'image/png', size: PNG_1x1.length } });

      // The blob itself, byte for byte.
      const blob = await fetch(
        `${pds.url}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(pds.did)}&cid=${image!.image.ref.$link}`,
      );
      expect(blob.status).toBe(200);
      expect(Buffer.from(await blob.arrayBuffer()).equals(PNG_1x1)).toBe(true);
    });

    it('posts a video as app.bsky.embed.video with its aspect ratio, its blob on the PDS byte for byte', async () => {
      const file = videoOf({ width: 1080, height: 1920, seconds: 6 });
      const published = await blueskyAdapter.publish(client, tokens, {
        text: 'Behind the scenes',
        media: [{ mimeType: 'video/mp4', data: file, altText: 'The studio at night', width: 1080, height: 1920 }],
        idempotencyKey: randomUUID(),
      });
      const record = (await getPost(published.postId)).body.value as {
        embed: {
          $type: string;
          alt: string;
          aspectRatio: { width: number; height: number };
          video: { ref: { $link: string }; mimeType: string; size: number };
        };
      };
      expect(record.embed).toMatchObject({
        $type: 'app.bsky.embed.video',
        alt: 'The studio at night',
        aspectRatio: { width: 1080, height: 1920 },
        video: { mimeType: 'video/mp4', size: file.length },
      });
      const blob = await fetch(
        `${pds.url}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(pds.did)}` +
          `&cid=${record.embed.video.ref.$link}`,
      );
      expect(Buffer.from(await blob.arrayBuffer()).equals(file)).toBe(true);
    });

    it('a mention of an unknown handle stays plain text', async () => {
      const published = await blueskyAdapter.publish(client, tokens, post('Hello @nobody.test and friends'));
      const record = (await getPost(published.postId)).body.value as { text: string; facets?: unknown };
      expect(record).toMatchObject({ text: 'Hello @nobody.test and friends' });
      expect(record.facets).toBeUndefined();
    });

    it('publishing again with the same idempotency key, in turn or racing, makes one record', async () => {
      const key = randomUUID();
      const before = (await listPosts()).length;
      const first = await blueskyAdapter.publish(client, tokens, {
        ...post('Only once', key),
        media: [{ mimeType: 'image/png', data: PNG_1x1 }],
      });
      const again = await blueskyAdapter.publish(client, tokens, {
        ...post('Only once', key),
        media: [{ mimeType: 'image/png', data: PNG_1x1 }],
      });
      expect(again).toEqual(first);
      expect(parseAtUri(first.postId)?.rkey).toBe(tidFromIdempotencyKey(key));

      const raceKey = randomUUID();
      const racing = await Promise.all(
        [1, 2, 3].map(() => blueskyAdapter.publish(client, tokens, post('Racing', raceKey))),
      );
      expect(new Set(racing.map((r) => r.postId)).size).toBe(1);

      const records = await listPosts();
      expect(records.length - before).toBe(2);
      expect(records.filter((r) => r.uri === first.postId)).toHaveLength(1);

      // The same key with other text is not silently taken for this post.
      const clash = await platformFailure(blueskyAdapter.publish(client, tokens, post('Something else', key)));
      expect(clash).toMatchObject({ retryable: false });
      expect(clash.message).toContain('already has this delivery');
    });

    it("maps the PDS's validation errors to permanent ones", async () => {
      const long = await platformFailure(blueskyAdapter.publish(client, tokens, post('x'.repeat(301))));
      expect(long).toMatchObject({ retryable: false, status: 400, needsReauth: false });
      expect(long.message).toContain('InvalidRequest');
    });

    it('removes a post, and removing it again is not an error', async () => {
      const { postId } = await blueskyAdapter.publish(client, tokens, post('Short-lived'));
      expect((await getPost(postId)).status).toBe(200);
      await blueskyAdapter.remove(client, tokens, postId);
      expect(await getPost(postId)).toMatchObject({ status: 400, body: { error: 'RecordNotFound' } });
      await expect(blueskyAdapter.remove(client, tokens, postId)).resolves.toBeUndefined();
    });

    /*
     * A thread (issue 14 item 4): each part after the first is an app.bsky.feed.post whose `reply`
     * names the thread's first post as `root` and the part before as `parent`, both by URI and CID
     * (https://docs.bsky.app/docs/advanced-guides/posts#replies).
     */
    it('posts each thread part as a reply to the one before, rooted at the first; a repeated part once', async () => {
      const key = randomUUID();
      const first = await blueskyAdapter.publish(client, tokens, post('Thread, part 1', key));
      const second = await blueskyAdapter.publish(client, tokens, {
        ...post('Thread, part 2', `${key}:part1`),
        replyTo: { parentId: first.postId, rootId: first.postId },
      });
      const third = await blueskyAdapter.publish(client, tokens, {
        ...post('Thread, part 3', `${key}:part2`),
        replyTo: { parentId: second.postId, rootId: first.postId },
      });
      const [r1, r2, r3] = (await Promise.all([first, second, third].map((p) => getPost(p.postId)))).map(
        (r) => r.body as { uri: string; cid: string; value: { reply?: unknown } },
      );
      expect(r1!.value.reply).toBeUndefined();
      expect(r2!.value.reply).toEqual({ root: { uri: r1!.uri, cid: r1!.cid }, parent: { uri: r1!.uri, cid: r1!.cid } });
      expect(r3!.value.reply).toEqual({ root: { uri: r1!.uri, cid: r1!.cid }, parent: { uri: r2!.uri, cid: r2!.cid } });

      // The same part again (a retry after a lost answer): its record key is taken, the answer is the same post.
      const again = await blueskyAdapter.publish(client, tokens, {
        ...post('Thread, part 3', `${key}:part2`),
        replyTo: { parentId: second.postId, rootId: first.postId },
      });
      expect(again.postId).toBe(third.postId);
    });

    it('refuses a reply to a post that is not there, naming what it tried', async () => {
      const missing = `at://${pds.did}/app.bsky.feed.post/3jzfcijpj2z2a`;
      await expect(
        blueskyAdapter.publish(client, tokens, { ...post('Orphan'), replyTo: { parentId: missing, rootId: missing } }),
      ).rejects.toMatchObject({ message: expect.stringContaining('find the post this part replies to') });
    });

    it('a PDS that is down is a retryable network error', async () => {
      const closed = await startPds();
      const url = closed.url;
      await closed.close();
      const err = await platformFailure(blueskyAdapter.profile({ ...client, apiBaseUrl: url }, tokens));
      expect(err).toMatchObject({ retryable: true, status: null, needsReauth: false });
      expect(err.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    }, 120_000);
    it('connects through a connection link with an app password, and the scheduler publishes to the PDS', async () => {
      const t = await startTestApp();
      const engine = t.app.engine;
      await engine.call('integration.add', {
        workspaceId: t.workspaceId,
        integration: { platform: 'bluesky', instanceUrl: pds.url },
      });
      const {
        client: user,
        link: { connectionUrl },
      } = await clientAndLinkInApp(t, { email: 'sky@client.test', displayName: 'Sky Client' });
      expect((await browse(connectionUrl)).text).toContain('Connect Bluesky');
      expect((await browse(`${connectionUrl}/bluesky`)).text).toContain('app password');
      const refused = await fetch(`${connectionUrl}/bluesky`, {
        method: 'POST',
        body: new URLSearchParams({ identifier: pds.handle, appPassword: pds.password }),
      });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('account password');
      const done = await fetch(`${connectionUrl}/bluesky`, {
        method: 'POST',
        body: new URLSearchParams({ identifier: pds.handle, appPassword: pds.appPassword }),
      });
      expect(done.status).toBe(200);
      expect(await done.text()).toContain('Agency Bot');
      const [connection] = await engine.call('connection.list', { workspaceId: t.workspaceId, userId: user.id });
      expect(connection).toMatchObject({ platformId: `bluesky-${pds.did}`, status: 'active' });

      const group = await engine.call('post.create', {
        workspaceId: t.workspaceId,
        userId: user.id,
        post: {
          text: `Scheduled through Postroom ${randomUUID()}`,
          platformIds: [connection!.platformId],
          scheduledTime: t.clock.now().toISOString(),
        },
      });
      let delivery = group.deliveries[0]!;
      for (let i = 0; i < 100 && delivery.state !== 'published'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        delivery = (await engine.call('post.get', { workspaceId: t.workspaceId, id: group.id })).deliveries[0]!;
      }
      expect(delivery).toMatchObject({ state: 'published', url: expect.stringContaining('https://bsky.app/profile/') });
      const record = await getPost(delivery.platformPostId!);
      expect((record.body.value as { text: string }).text).toBe(group.text);
    }, 60_000);
    it(
      'connects through a connection link with "Sign in with Bluesky" (OAuth, DPoP), ' +
        'and the scheduler publishes to the PDS',
      async () => {
        expect(pds.plcUrl, 'start-pds.mjs prints the PLC directory URL').toBeTruthy();
        const t = await startTestApp();
        const engine = t.app.engine;
        // For Bluesky, issuerUrl names the PLC directory (the test PDS has its own).
        await engine.call('integration.add', {
          workspaceId: t.workspaceId,
          integration: { platform: 'bluesky', instanceUrl: pds.url, issuerUrl: pds.plcUrl },
        });
        const {
          client: user,
          link: { connectionUrl },
        } = await clientAndLinkInApp(t, { email: 'sky-oauth@client.test', displayName: 'Sky OAuth Client' });
        const form = (await browse(`${connectionUrl}/bluesky`)).text;
        expect(form).toContain('Continue with Bluesky');
        expect(form).toContain('app password');

        // An unknown handle stays on the form with a reason.
        const unknown = await fetch(`${connectionUrl}/bluesky/oauth`, {
          method: 'POST',
          body: new URLSearchParams({ handle: 'nobody.test' }),
          redirect: 'manual',
        });
        expect(unknown.status).toBe(400);
        expect(await unknown.text()).toContain('cannot sign in here');

        const start = await fetch(`${connectionUrl}/bluesky/oauth`, {
          method: 'POST',
          body: new URLSearchParams({ handle: `@${pds.handle}` }),
          redirect: 'manual',
        });
        expect(start.status, await start.clone().text()).toBe(303);
        const authorizationUrl = start.headers.get('location') ?? '';
        expect(authorizationUrl).toContain('/oauth/authorize?');

        const location = await signInAndAccept(authorizationUrl, pds.did, pds.handle, pds.password);
        expect(location.startsWith(`http://127.0.0.1:${new URL(connectionUrl).port}/oauth/callback?`)).toBe(true);
        const done = await fetch(location);
        const doneText = await done.text();
        expect(done.status, doneText).toBe(200);
        expect(doneText).toContain('Connected');
        expect(doneText).toContain('Agency Bot');
        // The same callback again is refused: the flow was single-use.
        expect((await fetch(location)).status).toBe(409);

        const [connection] = await engine.call('connection.list', { workspaceId: t.workspaceId, userId: user.id });
        expect(connection).toMatchObject({ platformId: `bluesky-${pds.did}`, handle: pds.handle, status: 'active' });
        const stored = JSON.parse(
          (await t.secrets.get(tokenAccount(engine.ctx.installId, connection!.id))) ?? '{}',
        ) as BlueskyTokens;
        // The library's session, as the keychain keeps it: tokens, the DPoP private key, where they are good.
        expect(stored).toMatchObject({
          tokenType: 'DPoP',
          dpopJwk: { kty: 'EC', d: expect.any(String) },
          refreshToken: expect.any(String),
          did: pds.did,
          pdsUrl: `http://localhost:${new URL(pds.url).port}/`,
          oauthIssuer: `http://localhost:${new URL(pds.url).port}`,
          plcDirectoryUrl: pds.plcUrl,
        });
        expect(stored.scope?.split(' ')).toContain('atproto');
        // …and nothing of it in the SQLite files.
        const files = readdirSync(t.dataDir).filter((f) => f.startsWith('postroom.sqlite'));
        expect(files).toContain('postroom.sqlite');
        const bytes = Buffer.concat(files.map((f) => readFileSync(join(t.dataDir, f)))).toString('latin1');
        for (const secret of [stored.accessToken, stored.refreshToken!, String(stored.dpopJwk!.d)])
          expect(bytes).not.toContain(secret);

        const group = await engine.call('post.create', {
          workspaceId: t.workspaceId,
          userId: user.id,
          post: {
            text: `Scheduled over Bluesky OAuth ${randomUUID()}`,
            platformIds: [connection!.platformId],
            scheduledTime: t.clock.now().toISOString(),
          },
        });
        let delivery = group.deliveries[0]!;
        for (let i = 0; i < 100 && delivery.state !== 'published' && delivery.state !== 'failed'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          delivery = (await engine.call('post.get', { workspaceId: t.workspaceId, id: group.id })).deliveries[0]!;
        }
        expect(delivery).toMatchObject({
          state: 'published',
          url: expect.stringContaining('https://bsky.app/profile/'),
        });
        const record = await getPost(delivery.platformPostId!);
        expect((record.body.value as { text: string }).text).toBe(group.text);

        // The adapter with the DPoP-bound tokens: an image upload too, and a token without its key is refused.
        const viaOAuth = await blueskyAdapter.publish(client, stored, {
          ...post('With an image over OAuth'),
          media: [{ mimeType: 'image/png', data: PNG_1x1 }],
        });
        expect(((await getPost(viaOAuth.postId)).body.value as { embed: { $type: string } }).embed.$type).toBe(
          'app.bsky.embed.images',
        );
        expect(await platformFailure(blueskyAdapter.profile(client, { ...stored, dpopJwk: undefined }))).toMatchObject({
          needsReauth: true,
        });

        // A refresh at the PDS's authorization server keeps the key binding and the account.
        const refreshed = await blueskyAdapter.refresh(client, stored);
        expect(refreshed).toMatchObject({ tokenType: 'DPoP', dpopJwk: stored.dpopJwk, pdsUrl: stored.pdsUrl });
        expect(refreshed.accessToken).not.toBe(stored.accessToken);
        expect(refreshed.refreshToken).not.toBe(stored.refreshToken);
        expect((await blueskyAdapter.profile(client, refreshed)).accountId).toBe(pds.did);

        // The owner renews the connection from the app (credential mode: the owner's credentials).
        const { authorizationUrl: renewUrl } = await engine.call('connection.reauthenticate', {
          workspaceId: t.workspaceId,
          userId: user.id,
          platformId: connection!.platformId,
        });
        const renewed = await fetch(await signInAndAccept(renewUrl, pds.did, pds.handle, pds.password));
        expect(renewed.status).toBe(200);
        expect(await renewed.text()).toContain('Connected');
        const after = JSON.parse(
          (await t.secrets.get(tokenAccount(engine.ctx.installId, connection!.id))) ?? '{}',
        ) as BlueskyTokens;
        expect(after.tokenType).toBe('DPoP');
        expect(after.accessToken).not.toBe(stored.accessToken);
        const log = await engine.call('activity.list', {
          workspaceId: t.workspaceId,
          filter: { action: 'connection.reauthenticated' },
        });
        expect(log[0]!.detail).toContain(`bluesky-${pds.did} re-authenticated with the owner's credentials`);

        // The TokenKeeper renews the session shortly before it expires (the library, at the PDS's
        // authorization server) and writes it to the keychain; a refused renewal means reconnecting.
        const account = tokenAccount(engine.ctx.installId, connection!.id);
        const keeper = new TokenKeeper(engine.ctx);
        const nearExpiry = async () => {
          const [c] = await engine.call('connection.list', { workspaceId: t.workspaceId, userId: user.id });
          t.clock.advance(new Date(c!.tokenExpiresAt!).getTime() - t.clock.now().getTime() - 5 * 60_000);
          return c!;
        };
        await nearExpiry();
        await keeper.refreshDue();
        const kept = JSON.parse((await t.secrets.get(account)) ?? '{}') as BlueskyTokens;
        expect(kept).toMatchObject({
          tokenType: 'DPoP',
          dpopJwk: after.dpopJwk,
          did: pds.did,
          refreshToken: expect.any(String),
        });
        expect(kept.accessToken).not.toBe(after.accessToken);
        expect(kept.refreshToken).not.toBe(after.refreshToken);
        expect((await nearExpiry()).status).toBe('active');
        expect((await blueskyAdapter.profile(client, kept)).accountId).toBe(pds.did);

        await t.secrets.set(
          account,
          JSON.stringify({
            ...kept,
            refreshToken: 'ref-0000000000000000000000000000000000000000000000000000000000000000',
          }),
        );
        await keeper.refreshDue();
        const [dead] = await engine.call('connection.list', { workspaceId: t.workspaceId, userId: user.id });
        expect(dead!.status).toBe('needs_reauth');
        const reauth = await engine.call('activity.list', {
          workspaceId: t.workspaceId,
          filter: { action: 'connection.needs_reauth' },
        });
        expect(reauth[0]!.detail).toContain(`bluesky-${pds.did} must be reconnected`);
        // The refused refresh token was not replaced by anything (nor emptied).
        expect(JSON.parse((await t.secrets.get(account)) ?? '{}')).toMatchObject({
          refreshToken: expect.stringMatching(/^ref-0+$/),
        });
        await keeper.stop();
      },
      90_000,
    );
  },
);
