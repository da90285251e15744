import { afterEach, describe, expect, it } from 'vitest';
import { facebookAdapter } from '../../src-main/engine/platforms/facebook/adapter';
import { createInstagramAdapter } from '../../src-main/engine/platforms/instagram/adapter';
import { createLinkedInAdapter } from '../../src-main/engine/platforms/linkedin/adapter';
import { mastodonAdapter } from '../../src-main/engine/platforms/mastodon/adapter';
import { createThreadsAdapter } from '../../src-main/engine/platforms/threads/adapter';
import type { PlatformAdapter, PlatformClient, PublicMediaHost, TokenSet } from '../../src-main/engine/platforms/types';
import { xAdapter } from '../../src-main/engine/platforms/x/adapter';
import { startFacebookServer } from '../support/facebook-server';
import { startInstagramServer } from '../support/instagram-server';
import { startLinkedInServer } from '../support/linkedin-server';
import { startMastodonServer } from '../support/mastodon-server';
import { jpegOf, startMediaHost } from '../support/media-fixtures';
import { startThreadsServer } from '../support/threads-server';
import { startXServer } from '../support/x-server';

/*
 * Replies and first comments, adapter by adapter, against each platform's local server speaking
 * its documented API (issue 14 item 4): a part of a thread is a `publish` with `replyTo`; a first
 * comment is `comment`; after a lost answer, `findPublished` (with `replyTo`) and `findComment`
 * tell whether it went out.
 */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
const tokensOf = (accessToken: string): TokenSet => ({ accessToken, refreshToken: null, expiresAt: null, scope: null });
const since = () => new Date(Date.now() - 60_000);

/** A post "One", then "Two" as the first part of its thread (`part`), each with its own key. */
async function postAndReply(adapter: PlatformAdapter, client: PlatformClient, tokens: TokenSet) {
  const root = await adapter.publish(client, tokens, { text: 'One', media: [], idempotencyKey: 'k' });
  const part = {
    text: 'Two',
    media: [],
    idempotencyKey: 'k:part1',
    replyTo: { parentId: root.postId, rootId: root.postId },
  };
  return { root, part, reply: await adapter.publish(client, tokens, part) };
}

describe('reply chains', () => {
  it('X: reply.in_reply_to_tweet_id; findPublished matches only the reply to the parent', async () => {
    const x = await startXServer();
    closers.push(() => x.close());
    const client: PlatformClient = { clientId: 'x-app', clientSecret: null, apiBaseUrl: x.url };
    const tokens = tokensOf(x.token);
    const { root, reply } = await postAndReply(xAdapter, client, tokens);
    expect(x.tweets().map((t) => [t.text, t.inReplyTo])).toEqual([
      ['One', undefined],
      ['Two', root.postId],
    ]);
    // The same text as a post of its own is not the thread's part, nor is the reply a post.
    x.addTweet('Two');
    await expect(
      xAdapter.findPublished!(client, tokens, {
        text: 'Two',
        since: since(),
        replyTo: { parentId: root.postId, rootId: root.postId },
      }),
    ).resolves.toEqual(reply);
    await expect(
      xAdapter.findPublished!(client, tokens, { text: 'Two', since: since(), replyTo: { parentId: '1', rootId: '1' } }),
    ).resolves.toBeNull();
    const standalone = await xAdapter.findPublished!(client, tokens, { text: 'Two', since: since() });
    expect(standalone?.postId).not.toBe(reply.postId);
    // A reply to a post that is gone: X's 403, not retryable.
    await expect(
      xAdapter.publish(client, tokens, {
        text: 'Three',
        media: [],
        idempotencyKey: 'k:part2',
        replyTo: { parentId: '999', rootId: root.postId },
      }),
    ).rejects.toMatchObject({ retryable: false, status: 403 });
  });

  it('Mastodon: in_reply_to_id with its own idempotency key per part', async () => {
    const m = await startMastodonServer();
    closers.push(() => m.close());
    const client: PlatformClient = { clientId: 'app', clientSecret: 'secret', apiBaseUrl: m.url };
    const tokens = tokensOf(m.issueToken().accessToken);
    const { root, part, reply } = await postAndReply(mastodonAdapter, client, tokens);
    // Sent again (a lost answer): the key makes Mastodon answer with the same status.
    expect(await mastodonAdapter.publish(client, tokens, part)).toEqual(reply);
    expect(m.statusTexts().map((s) => [s.text, s.inReplyToId])).toEqual([
      ['One', null],
      ['Two', root.postId],
    ]);
  });

  it('Threads: reply_to_id on the container; findPublished looks among the replies to the parent', async () => {
    const th = await startThreadsServer();
    closers.push(() => th.close());
    const adapter = createThreadsAdapter({ containerPollDelaysMs: [5, 5, 5, 5] });
    const client: PlatformClient = { clientId: th.clientId, clientSecret: th.clientSecret, apiBaseUrl: th.url };
    const tokens = tokensOf(th.issueToken());
    const { root, reply } = await postAndReply(adapter, client, tokens);
    expect(
      th
        .posts()
        .reverse()
        .map((p) => [p.text, p.replyToId]),
    ).toEqual([
      ['One', null],
      ['Two', root.postId],
    ]);
    await expect(
      adapter.findPublished!(client, tokens, {
        text: 'Two',
        since: since(),
        replyTo: { parentId: root.postId, rootId: root.postId },
      }),
    ).resolves.toMatchObject({ postId: reply.postId });
    await expect(
      adapter.findPublished!(client, tokens, { text: 'Two', since: since(), replyTo: { parentId: '1', rootId: '1' } }),
    ).resolves.toBeNull();
  });
});

describe('first comments', () => {
  it('LinkedIn: the Comments API as the author; findComment finds it by text, and only the author’s', async () => {
    const li = await startLinkedInServer();
    closers.push(() => li.close());
    const adapter = createLinkedInAdapter();
    const client: PlatformClient = { clientId: li.clientId, clientSecret: li.clientSecret, apiBaseUrl: li.url };
    const tokens = { ...tokensOf(li.accessToken), scope: 'email,openid,profile,w_member_social' };
    const post = await adapter.publish(client, tokens, { text: 'Menu', media: [], idempotencyKey: 'k' });
    const comment = await adapter.comment!(client, tokens, {
      postId: post.postId,
      text: 'Book: https://example.test',
      idempotencyKey: 'k:part1',
    });
    const [stored] = li.posts();
    expect(stored!.comments).toEqual([
      expect.objectContaining({
        urn: comment.postId,
        actor: `urn:li:person:${li.sub}`,
        text: 'Book: https://example.test',
      }),
    ]);
    await expect(
      adapter.findComment!(client, tokens, { postId: post.postId, text: 'Book: https://example.test', since: since() }),
    ).resolves.toEqual(comment);
    await expect(
      adapter.findComment!(client, tokens, { postId: post.postId, text: 'Other', since: since() }),
    ).resolves.toBeNull();
    await expect(
      adapter.comment!(client, tokens, { postId: post.postId, text: 'c'.repeat(1251), idempotencyKey: 'k:x' }),
    ).rejects.toMatchObject({ retryable: false, status: 422 });
  });

  it('Instagram: POST /<media>/comments; findComment reads the comments since the attempt', async () => {
    const ig = await startInstagramServer();
    const host = await startMediaHost();
    closers.push(
      () => ig.close(),
      () => host.close(),
    );
    const adapter = createInstagramAdapter({ containerPollDelaysMs: [5, 5, 5, 5] });
    const publicMedia: PublicMediaHost = { urlFor: async (m) => host.put(m.data, m.mimeType) };
    const client: PlatformClient = { clientId: ig.clientId, clientSecret: ig.clientSecret, apiBaseUrl: ig.url };
    const tokens = tokensOf(ig.issueToken());
    const post = await adapter.publish(client, tokens, {
      text: 'New menu',
      media: [{ mimeType: 'image/jpeg', data: jpegOf(400, 400) }],
      idempotencyKey: 'k',
      publicMedia,
    });
    const comment = await adapter.comment!(client, tokens, {
      postId: post.postId,
      text: '#bakery #bread',
      idempotencyKey: 'k:1',
    });
    expect(ig.media()[0]!.comments.map((c) => [c.id, c.text])).toEqual([[comment.postId, '#bakery #bread']]);
    expect(comment.url).toBe(post.url);
    await expect(
      adapter.findComment!(client, tokens, { postId: post.postId, text: '#bakery #bread', since: since() }),
    ).resolves.toMatchObject({ postId: comment.postId });
  });

  it('Facebook: the comment as the Page, with the Page token; findComment reads it back', async () => {
    const fb = await startFacebookServer();
    closers.push(() => fb.close());
    const PAGE = '104000000000001';
    const client: PlatformClient = { clientId: fb.appId, clientSecret: fb.appSecret, apiBaseUrl: fb.url };
    const tokens = tokensOf(fb.issueUserToken());
    const post = await facebookAdapter.publish(client, tokens, {
      text: 'Open Sunday',
      media: [],
      idempotencyKey: 'k',
      postAs: `page:${PAGE}`,
    });
    const comment = await facebookAdapter.comment!(client, tokens, {
      postId: post.postId,
      text: 'From 9 to 1',
      idempotencyKey: 'k:1',
      postAs: `page:${PAGE}`,
    });
    expect(fb.posts(PAGE)[0]!.comments.map((c) => [c.id, c.message])).toEqual([[comment.postId, 'From 9 to 1']]);
    expect(comment.url).toBe(`${post.url}?comment_id=${comment.postId.split('_')[1]}`);
    await expect(
      facebookAdapter.findComment!(client, tokens, { postId: post.postId, text: 'From 9 to 1', since: since() }),
    ).resolves.toEqual(comment);
  });
});
