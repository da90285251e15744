import { describe, expect, it } from 'vitest';
import { openTestEngine, type TestEngine } from '../support/engine';
import { startLinkedInServer } from '../support/linkedin-server';
import { setUpLinkedInPosting } from '../support/posting';
import { openPostingWorld, type PostingWorld } from '../support/posting-world';
import { manualScheduler } from '../support/scheduler';
import { closeAfterTest, closedAfterTest } from '../support/closers';
import type { Scheduler } from '../../src-main/engine/posts/scheduler';

/*
 * Threads and first comments through the engine (issue 14 item 4): a post group with a thread goes
 * to X and Mastodon as a reply chain, part by part, each part recorded once; a LinkedIn post gets
 * its first comment. The platforms are the local servers speaking each documented API.
 */

interface World extends PostingWorld {
  scheduler: Scheduler;
}

async function world(): Promise<World> {
  const w = await openPostingWorld();
  w.x.setNow(() => w.clock.now());
  const scheduler = manualScheduler(w, { verifyDelayMs: 1000 });
  closeAfterTest(() => scheduler.stop());
  return { ...w, scheduler };
}

const THREAD = ['Three things we learned this year 🧵', 'One: ship small.', 'Two: keep the tests honest.'];

const create = (w: TestEngine & { workspaceId: string; userId: string }, post: Record<string, unknown>) =>
  w.engine.call('post.create', { workspaceId: w.workspaceId, userId: w.userId, post });
/** A post group due now. */
const createNow = (w: TestEngine & { workspaceId: string; userId: string }, post: Record<string, unknown>) =>
  create(w, { ...post, scheduledTime: w.clock.now().toISOString() });
/** THREAD as one post group to `platformIds`, due now. */
const createThreadNow = (w: World, platformIds: string[]) =>
  createNow(w, { text: THREAD[0], thread: THREAD.slice(1).map((text) => ({ text })), platformIds });
const read = (w: TestEngine & { workspaceId: string }, id: string) =>
  w.engine.call('post.get', { workspaceId: w.workspaceId, id });

/**
 * As a killed run leaves a group's (one) delivery: its first part out and recorded as
 * `platformPostId`, the delivery still `publishing` under a lease that has not run out.
 */
function killedAfterFirstPart(w: TestEngine, groupId: string, platformPostId: string): void {
  const db = w.engine.ctx.db;
  const deliveryId = db.prepare(`SELECT id FROM deliveries WHERE post_group_id = ?`).pluck().get(groupId) as string;
  db.prepare(`INSERT INTO delivery_parts VALUES (?, 0, ?, NULL, ?)`).run(
    deliveryId,
    platformPostId,
    w.clock.now().toISOString(),
  );
  db.prepare(`UPDATE deliveries SET state = 'publishing', lease_expires_at = ?, attempts = 1 WHERE id = ?`).run(
    new Date(w.clock.now().getTime() + 120_000).toISOString(),
    deliveryId,
  );
}

describe('a thread', () => {
  it('goes to X and Mastodon as a reply chain, each part once and in order; the post shows every part', async () => {
    const w = await world();
    const group = await createThreadNow(w, [w.xId, w.mastodonId]);
    expect(group.thread.map((p) => p.text)).toEqual(THREAD.slice(1));
    await w.scheduler.runDue();

    const tweets = w.x.tweets();
    expect(tweets.map((t) => t.text)).toEqual(THREAD);
    expect(tweets.map((t) => t.inReplyTo)).toEqual([undefined, tweets[0]!.id, tweets[1]!.id]);
    const statuses = w.mastodon.statusTexts();
    expect(statuses.map((s) => s.text)).toEqual(THREAD);
    expect(statuses.map((s) => s.inReplyToId)).toEqual([null, statuses[0]!.id, statuses[1]!.id]);

    const after = await read(w, group.id);
    expect(after.status).toBe('published');
    const x = after.deliveries.find((d) => d.platform === 'x')!;
    expect(x.platformPostId).toBe(tweets[0]!.id);
    expect(x.parts.map((p) => [p.part, p.platformPostId, p.url])).toEqual(
      tweets.map((t, i) => [i + 1, t.id, `https://x.com/i/web/status/${t.id}`]),
    );
    const activity = w.engine.ctx.db
      .prepare(`SELECT detail FROM activity WHERE action = 'post.published' ORDER BY rowid`)
      .pluck()
      .all();
    expect(activity).toContain(
      `Published on ${w.xId} with a thread of 3 parts: https://x.com/i/web/status/${tweets[0]!.id}`,
    );
  });

  it('after an answer lost mid-thread, finds that part on X and goes on to the next, never repeating one', async () => {
    const w = await world();
    const group = await createThreadNow(w, [w.xId]);
    // Part 1 goes out; part 2 is made, but X answers 503: whether it went out is unknown.
    w.x.postButFailNext(503, 1);
    await w.scheduler.runDue();
    expect(w.x.tweets().map((t) => t.text)).toEqual(THREAD.slice(0, 2));
    let d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('scheduled');
    expect(d.error).toMatch(/^part 2 of 3: /);
    expect(d.parts.map((p) => p.part)).toEqual([1]);

    // The retry looks on X for part 2 (a reply to part 1) first: found, so it is not sent again.
    w.clock.advance(2000);
    await w.scheduler.runDue();
    const tweets = w.x.tweets();
    expect(tweets.map((t) => t.text)).toEqual(THREAD);
    expect(tweets.map((t) => t.inReplyTo)).toEqual([undefined, tweets[0]!.id, tweets[1]!.id]);
    d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('published');
    expect(d.parts.map((p) => p.platformPostId)).toEqual(tweets.map((t) => t.id));
  });

  it('after a kill with part 2 on X but unrecorded, finds it as the reply to part 1, sends only part 3', async () => {
    const w = await world();
    const group = await createThreadNow(w, [w.xId]);
    // As a killed run left it: part 1 out and recorded, part 2 out on X but not recorded. A post
    // with the same text that is no reply (or replies elsewhere) is not it.
    const root = w.x.addTweet(THREAD[0]!, w.clock.now());
    w.x.addTweet(THREAD[1]!, w.clock.now());
    const second = w.x.addTweet(THREAD[1]!, w.clock.now(), root);
    killedAfterFirstPart(w, group.id, root);
    // The restart: the delivery is checked on X before anything is sent.
    w.scheduler.recover();
    w.clock.advance(2000);
    await w.scheduler.runDue();
    const tweets = w.x.tweets();
    expect(tweets.map((t) => [t.text, t.inReplyTo])).toEqual([
      [THREAD[0], undefined],
      [THREAD[1], undefined],
      [THREAD[1], root],
      [THREAD[2], second],
    ]);
    const d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('published');
    expect(d.parts.map((p) => p.platformPostId)).toEqual([root, second, tweets[3]!.id]);
  });

  it('is refused where the platform takes no threads; a part over the limit is refused beside that part', async () => {
    const w = await world();
    await expect(
      createNow(w, {
        text: 'Fine',
        thread: [{ text: 'ok' }, { text: 'x'.repeat(281) }],
        platformIds: [w.xId],
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'X, part 3: the text is 281 characters; the limit is 280',
      details: { fields: { 'thread.1': 'X, part 3: the text is 281 characters; the limit is 280' } },
    });
    // A draft keeps whatever was typed (D93).
    const draft = await create(w, { text: 'Fine', thread: [{ text: 'x'.repeat(281) }], platformIds: [w.xId] });
    expect(draft.thread).toEqual([{ text: 'x'.repeat(281), media: [] }]);
    await expect(
      w.engine.call('post.update', {
        workspaceId: w.workspaceId,
        id: draft.id,
        patch: { scheduledTime: w.clock.now().toISOString() },
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    const edited = await w.engine.call('post.update', {
      workspaceId: w.workspaceId,
      id: draft.id,
      patch: { thread: [{ text: 'Shorter now.' }], scheduledTime: w.clock.now().toISOString() },
    });
    expect(edited.thread).toEqual([{ text: 'Shorter now.', media: [] }]);
    expect(w.x.tweets()).toHaveLength(0);
  });
});

describe('a first comment', () => {
  const li = async () => {
    const server = closedAfterTest(await startLinkedInServer());
    const t = await openTestEngine();
    const posting = await setUpLinkedInPosting(t.engine, server, { scope: 'email,openid,profile,w_member_social' });
    server.setNow(() => t.clock.now().getTime());
    const scheduler = manualScheduler(t, { verifyDelayMs: 1000 });
    closeAfterTest(() => scheduler.stop());
    return { ...t, li: server, ...posting, scheduler };
  };
  /** A LinkedIn world with one post due now, with its first comment. */
  const liPostDueNow = async (text: string, firstComment: string) => {
    const w = await li();
    return { w, group: await createNow(w, { text, firstComment, platformIds: [w.platformId] }) };
  };

  it('goes under the LinkedIn post once, by its author, and the post shows both links', async () => {
    const { w, group } = await liPostDueNow('Our spring menu is out.', 'Book a table: https://bakery.example/book');
    expect(group.firstComment).toBe('Book a table: https://bakery.example/book');
    await w.scheduler.runDue();
    const [post] = w.li.posts();
    expect(post!.text).toBe('Our spring menu is out.');
    expect(post!.comments.map((c) => [c.actor, c.text])).toEqual([
      [`urn:li:person:${w.li.sub}`, 'Book a table: https://bakery.example/book'],
    ]);
    const d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('published');
    expect(d.parts.map((p) => [p.part, p.platformPostId])).toEqual([
      [1, post!.urn],
      [2, post!.comments[0]!.urn],
    ]);
    expect(d.parts[1]!.url).toBe(
      `https://www.linkedin.com/feed/update/${post!.urn}/?commentUrn=${encodeURIComponent(post!.comments[0]!.urn)}`,
    );
  });

  it('whose answer was lost is found under the post after a restart, not added twice', async () => {
    const { w, group } = await liPostDueNow('Open on Sunday.', 'From 9 to 1.');
    // A crashed run: the post recorded as part 0, the comment made on LinkedIn, its answer lost.
    const urn = w.li.addPost({ commentary: 'Open on Sunday.', createdAt: w.clock.now().getTime() });
    killedAfterFirstPart(w, group.id, urn);
    const comment = await fetch(`${w.li.url}/rest/socialActions/${encodeURIComponent(urn)}/comments`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${w.li.accessToken}`,
        'LinkedIn-Version': '202610',
        'X-Restli-Protocol-Version': '2.0.0',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ actor: `urn:li:person:${w.li.sub}`, object: urn, message: { text: 'From 9 to 1.' } }),
    });
    expect(comment.status).toBe(201);
    w.scheduler.recover();
    w.clock.advance(2000);
    await w.scheduler.runDue();
    expect(w.li.posts().map((p) => [p.text, p.comments.length])).toEqual([['Open on Sunday.', 1]]);
    const d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('published');
    expect(d.parts.map((p) => p.platformPostId)).toEqual([urn, comment.headers.get('x-restli-id')]);
  });

  it('over LinkedIn’s 1,250 characters is refused beside the field; a thread to LinkedIn is refused', async () => {
    const w = await li();
    await expect(
      createNow(w, {
        text: 'Hi',
        firstComment: 'c'.repeat(1251),
        platformIds: [w.platformId],
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: {
        fields: { firstComment: 'LinkedIn: the first comment is 1251 characters; the limit is 1250' },
      },
    });
    await expect(
      createNow(w, {
        text: 'Hi',
        thread: [{ text: 'more' }],
        platformIds: [w.platformId],
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: { violations: [expect.objectContaining({ platform: 'linkedin', rule: 'thread_not_supported' })] },
    });
    expect(w.li.posts()).toEqual([]);
  });
});
