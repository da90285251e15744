import { describe, expect, it } from 'vitest';
import type { Timers } from '../../src-main/engine/kernel/timers';
import { defaultAdapters, type AdapterLookup } from '../../src-main/engine/platforms/registry';
import { Scheduler } from '../../src-main/engine/posts/scheduler';
import { closeAfterTest } from '../support/closers';
import { openPostingWorld, type PostingWorld } from '../support/posting-world';
import { adaptersWithPublish } from '../support/scheduler';

/** Timers the test fires by hand: the scheduler's single timer, observable. */
class ManualTimers implements Timers {
  pending: { fn: () => void; ms: number } | null = null;
  setTimeout(fn: () => void, ms: number) {
    this.pending = { fn, ms };
    return this.pending;
  }
  clearTimeout(handle: unknown) {
    if (this.pending === handle) this.pending = null;
  }
}

interface World extends PostingWorld {
  timers: ManualTimers;
  problems: string[];
  scheduler: Scheduler;
}

async function world(
  options: { graceMs?: number; concurrency?: number; adapters?: AdapterLookup } = {},
): Promise<World> {
  const t = await openPostingWorld();
  // X dates its posts by the test's clock.
  t.x.setNow(() => t.clock.now());
  const timers = new ManualTimers();
  const problems: string[] = [];
  const scheduler = new Scheduler({
    ctx: t.engine.ctx,
    timers,
    monotonicNow: () => t.clock.monotonic(),
    backoffMs: [1000, 5000],
    offlineRetryMs: 30_000,
    graceMs: options.graceMs ?? 15 * 60_000,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.adapters ? { adapters: options.adapters } : {}),
    onProblem: (p) => problems.push(`${p.platformId}:${p.state}:${p.error}`),
  });
  closeAfterTest(() => scheduler.stop());
  return { ...t, timers, problems, scheduler };
}

const inMinutes = (w: World, minutes: number) => new Date(w.clock.now().getTime() + minutes * 60_000).toISOString();
const create = (w: World, post: Record<string, unknown>) =>
  w.engine.call('post.create', { workspaceId: w.workspaceId, userId: w.userId, post });
const read = (w: World, id: string) => w.engine.call('post.get', { workspaceId: w.workspaceId, id });

describe('the scheduler', () => {
  it('sets one timer to the next due delivery, none when idle, and publishes at the time, once', async () => {
    const w = await world();
    w.scheduler.start();
    expect(w.timers.pending).toBeNull();
    const group = await create(w, {
      text: 'Hello from Acme',
      platformIds: [w.mastodonId, w.xId],
      scheduledTime: inMinutes(w, 3),
    });
    w.scheduler.plan();
    expect(w.timers.pending?.ms).toBe(3 * 60_000);
    await w.scheduler.runDue();
    expect(w.mastodon.statusTexts()).toEqual([]);
    w.clock.advance(3 * 60_000);
    await w.scheduler.runDue();
    await w.scheduler.runDue();
    const after = await read(w, group.id);
    expect(after.status).toBe('published');
    expect(after.deliveries.map((d) => [d.platform, d.state, d.url !== null])).toEqual([
      ['mastodon', 'published', true],
      ['x', 'published', true],
    ]);
    expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Hello from Acme']);
    expect(w.x.tweets().map((s) => s.text)).toEqual(['Hello from Acme']);
    w.scheduler.plan();
    expect(w.timers.pending).toBeNull();
  });

  it('publishes what the post says at the moment it goes out: edits and cancels take effect at once', async () => {
    const w = await world();
    const edited = await create(w, {
      text: 'First draft',
      platformIds: [w.mastodonId],
      scheduledTime: inMinutes(w, 1),
    });
    const cancelled = await create(w, { text: 'Never', platformIds: [w.xId], scheduledTime: inMinutes(w, 1) });
    await w.engine.call('post.update', { workspaceId: w.workspaceId, id: edited.id, patch: { text: 'Final words' } });
    await w.engine.call('post.cancel', { workspaceId: w.workspaceId, id: cancelled.id });
    w.clock.advance(60_000);
    await w.scheduler.runDue();
    expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Final words']);
    expect(w.x.tweets()).toEqual([]);
    expect((await read(w, cancelled.id)).status).toBe('cancelled');
  });

  // Mastodon: its idempotency key makes a repeat safe, so back-off is all there is to it (X, which
  // takes no key, checks before a retry: see "when X makes the post but answers 503").
  it('backs off on a 5xx, honours Retry-After on a 429, and fails for good after the last retry', async () => {
    const w = await world();
    const group = await create(w, { text: 'Retry me', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
    w.mastodon.failNext(503);
    await w.scheduler.runDue();
    let d = (await read(w, group.id)).deliveries[0]!;
    expect(d).toMatchObject({ state: 'scheduled', attempts: 1 });
    expect(new Date(d.nextAttemptAt!).getTime() - w.clock.now().getTime()).toBe(1000);
    w.clock.advance(1000);
    w.mastodon.failNext(429, { 'retry-after': '120' });
    await w.scheduler.runDue();
    d = (await read(w, group.id)).deliveries[0]!;
    expect(new Date(d.nextAttemptAt!).getTime() - w.clock.now().getTime()).toBe(120_000);
    w.clock.advance(120_000);
    w.mastodon.failNext(500);
    await w.scheduler.runDue();
    expect((await read(w, group.id)).deliveries[0]).toMatchObject({ state: 'failed', attempts: 3 });
    expect(w.problems).toEqual([expect.stringMatching(new RegExp(`^${w.mastodonId}:failed:`))]);
    expect(w.mastodon.statusTexts()).toEqual([]);
  });

  it('marks the connection needs_reauth when the platform refuses the sign-in, and says so in the log', async () => {
    const w = await world();
    const group = await create(w, {
      text: 'Unauthorised',
      platformIds: [w.mastodonId],
      scheduledTime: inMinutes(w, 0),
    });
    w.mastodon.failNext(401);
    await w.scheduler.runDue();
    expect((await read(w, group.id)).deliveries[0]!.state).toBe('failed');
    const connections = await w.engine.call('connection.list', { workspaceId: w.workspaceId, userId: w.userId });
    expect(connections.find((c) => c.platformId === w.mastodonId)?.status).toBe('needs_reauth');
    const log = await w.engine.call('activity.list', {
      workspaceId: w.workspaceId,
      filter: { action: 'connection.needs_reauth' },
    });
    expect(log).toHaveLength(1);
    const retry = await w.engine.dispatch('post.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      post: { text: 'again', platformIds: [w.mastodonId] },
    });
    expect(retry).toMatchObject({
      ok: false,
      error: {
        code: 'social_account_required',
        action: {
          type: 'connect_social_account',
          provider: 'mastodon',
          connection_url: expect.stringContaining('/connect/'),
        },
      },
    });
  });

  it('holds deliveries while the platform is down, spending no attempts; sends them once when it is back', async () => {
    const w = await world();
    const group = await create(w, {
      text: 'Offline first',
      platformIds: [w.mastodonId],
      scheduledTime: inMinutes(w, 0),
    });
    await w.mastodon.down();
    for (let i = 0; i < 5; i++) {
      await w.scheduler.runDue();
      w.clock.advance(30_000);
    }
    expect((await read(w, group.id)).deliveries[0]).toMatchObject({
      state: 'scheduled',
      attempts: 0,
      error: expect.stringContaining('could not be reached'),
    });
    await w.mastodon.up();
    await w.scheduler.runDue();
    expect((await read(w, group.id)).deliveries[0]!.state).toBe('published');
    expect(w.mastodon.statusTexts()).toHaveLength(1);
  });

  /** A process that claimed these deliveries and was killed while publishing them. */
  const crashWhilePublishing = (w: World, groupId: string) =>
    w.engine.ctx.db
      .prepare(
        `UPDATE deliveries SET state = 'publishing', attempts = attempts + 1, lease_owner = 'dead', lease_expires_at = ?
         WHERE post_group_id = ?`,
      )
      .run(new Date(w.clock.now().getTime() + 120_000).toISOString(), groupId);
  const xRow = (w: World, groupId: string) =>
    w.engine.ctx.db
      .prepare(
        `SELECT state, verify_since, platform_post_id FROM deliveries WHERE post_group_id = ? AND platform = 'x'`,
      )
      .get(groupId) as { state: string; verify_since: string | null; platform_post_id: string | null };

  it(
    'after a crash mid-publish: retries Mastodon with the same idempotency key, ' +
      'and finds the post X already has instead of posting it again',
    async () => {
      const w = await world();
      const group = await create(w, {
        text: 'Crash',
        platformIds: [w.mastodonId, w.xId],
        scheduledTime: inMinutes(w, 0),
      });
      crashWhilePublishing(w, group.id);
      const claimedAt = w.clock.now().toISOString();
      // Both platforms received the calls before the process died.
      const [md] = w.engine.ctx.db
        .prepare(`SELECT idempotency_key FROM deliveries WHERE platform = 'mastodon'`)
        .all() as { idempotency_key: string }[];
      const mastodonTokens = await w.secrets.values().find((v) => v.includes('accessToken') && !v.includes(w.x.token));
      await fetch(`${w.mastodon.url}/api/v1/statuses`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${JSON.parse(mastodonTokens!).accessToken}`,
          'content-type': 'application/json',
          'idempotency-key': md!.idempotency_key,
        },
        body: JSON.stringify({ status: 'Crash' }),
      });
      w.clock.advance(1000);
      const onX = w.x.addTweet('Crash');
      w.clock.advance(2000);
      w.scheduler.recover();
      expect(xRow(w, group.id)).toMatchObject({ state: 'scheduled', verify_since: claimedAt });
      await w.scheduler.runDue();
      expect((await read(w, group.id)).deliveries.map((d) => [d.platform, d.state])).toEqual([
        ['mastodon', 'published'],
        ['x', 'scheduled'],
      ]);
      // X is looked at no sooner than 10 s after the cut-short attempt began (its timeline may lag).
      w.clock.advance(7000);
      await w.scheduler.runDue();
      const after = await read(w, group.id);
      expect(after.deliveries.map((d) => [d.platform, d.state, d.platformPostId])).toEqual([
        ['mastodon', 'published', expect.any(String)],
        ['x', 'published', onX],
      ]);
      expect(xRow(w, group.id).verify_since).toBeNull();
      expect(w.mastodon.statusTexts()).toHaveLength(1);
      expect(w.x.tweets().map((t) => t.id)).toEqual([onX]);
      expect(w.problems).toEqual([]);
      const log = await w.engine.call('activity.list', {
        workspaceId: w.workspaceId,
        filter: { action: 'post.published' },
      });
      expect(log.map((e) => e.detail)).toContainEqual(expect.stringMatching(/^Found on x-2244994945 after a restart/));
    },
  );

  it(
    'after a crash before X got the post: checks X, publishes once, ' +
      'and a second crash mid-publish leads to another check',
    async () => {
      const w = await world();
      const group = await create(w, { text: 'Not there yet', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
      crashWhilePublishing(w, group.id);
      const firstClaim = w.clock.now().toISOString();
      // The same text, an hour before: not this delivery.
      w.x.addTweet('Not there yet', new Date(w.clock.now().getTime() - 3_600_000));
      w.clock.advance(60_000);
      w.scheduler.recover();
      // The check found nothing, then the publish reached X, then the process died again.
      crashWhilePublishing(w, group.id);
      w.x.addTweet('Not there yet');
      w.clock.advance(60_000);
      w.scheduler.recover();
      expect(xRow(w, group.id)).toMatchObject({ state: 'scheduled', verify_since: firstClaim });
      await w.scheduler.runDue();
      const [, second] = w.x.tweets();
      expect(xRow(w, group.id)).toMatchObject({ state: 'published', verify_since: null, platform_post_id: second!.id });
      expect(w.x.tweets()).toHaveLength(2);

      // A crash before X got anything: checked, not there, published exactly once.
      const other = await create(w, { text: 'Fresh', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
      crashWhilePublishing(w, other.id);
      w.clock.advance(30_000);
      w.scheduler.recover();
      await w.scheduler.runDue();
      expect(xRow(w, other.id)).toMatchObject({ state: 'published', verify_since: null });
      expect(w.x.tweets().filter((t) => t.text === 'Fresh')).toHaveLength(1);
      expect(w.problems).toEqual([]);
    },
  );

  it('retries a check X cannot answer (503) later, still checking first, and never posts twice', async () => {
    const w = await world();
    const group = await create(w, { text: 'Check later', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
    crashWhilePublishing(w, group.id);
    w.x.addTweet('Check later');
    w.clock.advance(30_000);
    w.scheduler.recover();
    w.x.failNext(503);
    await w.scheduler.runDue();
    let d = (await read(w, group.id)).deliveries[0]!;
    expect(d).toMatchObject({
      state: 'scheduled',
      attempts: 2,
      error: expect.stringContaining('X failed to read the account'),
    });
    expect(new Date(d.nextAttemptAt!).getTime() - w.clock.now().getTime()).toBe(5000);
    expect(xRow(w, group.id).verify_since).not.toBeNull();
    w.clock.advance(5000);
    await w.scheduler.runDue();
    d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('published');
    expect(w.x.tweets()).toHaveLength(1);
    expect(d.platformPostId).toBe(w.x.tweets()[0]!.id);
  });

  it('when X makes the post but answers 503, the retry finds it there instead of posting again', async () => {
    const w = await world();
    const group = await create(w, { text: 'Made, then a 503', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
    w.x.postButFailNext(503);
    await w.scheduler.runDue();
    let d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('scheduled');
    expect(w.x.tweets()).toHaveLength(1);
    expect(xRow(w, group.id).verify_since).not.toBeNull();
    w.clock.advance(10_000);
    await w.scheduler.runDue();
    d = (await read(w, group.id)).deliveries[0]!;
    expect(d).toMatchObject({ state: 'published', platformPostId: w.x.tweets()[0]!.id });
    expect(w.x.tweets()).toHaveLength(1);
    expect(xRow(w, group.id).verify_since).toBeNull();
  });

  it('sends the delivery to needs_attention when X refuses the check or it cannot be retried any more', async () => {
    const w = await world();
    const refused = await create(w, { text: 'Refused check', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
    crashWhilePublishing(w, refused.id);
    w.clock.advance(30_000);
    w.scheduler.recover();
    w.x.failNext(403);
    await w.scheduler.runDue();
    expect((await read(w, refused.id)).deliveries[0]).toMatchObject({
      state: 'needs_attention',
      error: expect.stringMatching(/could not check x-2244994945 whether it went out .*HTTP 403/),
    });

    const exhausted = await create(w, { text: 'Exhausted', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
    crashWhilePublishing(w, exhausted.id);
    w.engine.ctx.db.prepare(`UPDATE deliveries SET attempts = 3 WHERE post_group_id = ?`).run(exhausted.id);
    w.clock.advance(30_000);
    w.scheduler.recover();
    w.x.failNext(500);
    await w.scheduler.runDue();
    expect((await read(w, exhausted.id)).deliveries[0]!.state).toBe('needs_attention');
    expect(w.x.tweets()).toEqual([]);
    expect(w.problems).toEqual([
      expect.stringMatching(/^x-2244994945:needs_attention:/),
      expect.stringMatching(/^x-2244994945:needs_attention:/),
    ]);
  });

  it('after the app was closed: late by under the grace period goes out, later waits in needs_attention', async () => {
    const w = await world({ graceMs: 15 * 60_000 });
    const slightly = await create(w, {
      text: 'Slightly late',
      platformIds: [w.mastodonId],
      scheduledTime: inMinutes(w, 15),
    });
    const very = await create(w, { text: 'Very late', platformIds: [w.xId], scheduledTime: inMinutes(w, 1) });
    // The app is closed for 20 minutes: one post is 5 minutes late, the other 19.
    w.clock.advance(20 * 60_000);
    w.scheduler.recover();
    await w.scheduler.runDue();
    expect((await read(w, slightly.id)).status).toBe('published');
    expect((await read(w, very.id)).deliveries[0]).toMatchObject({
      state: 'needs_attention',
      error: 'its time passed while Postroom was closed',
    });
  });

  it("pauses a deactivated client's deliveries and sends late ones to needs_attention on reactivation", async () => {
    const w = await world();
    const soon = await create(w, { text: 'Soon', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 5) });
    const later = await create(w, { text: 'Later', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 60) });
    await w.engine.call('client.setActive', { workspaceId: w.workspaceId, userId: w.userId, active: false });
    w.clock.advance(10 * 60_000);
    await w.scheduler.runDue();
    expect(w.mastodon.statusTexts()).toEqual([]);
    expect((await read(w, soon.id)).status).toBe('paused');
    await w.engine.call('client.setActive', { workspaceId: w.workspaceId, userId: w.userId, active: true });
    expect((await read(w, soon.id)).status).toBe('needs_attention');
    expect((await read(w, later.id)).status).toBe('scheduled');
  });

  it('lets an in-flight publish finish on a graceful stop and starts no new one', async () => {
    const w = await world();
    w.mastodon.setLatency(200);
    const group = await create(w, { text: 'In flight', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
    const run = w.scheduler.runDue();
    await new Promise((r) => setTimeout(r, 50));
    await w.scheduler.stop();
    await run;
    expect((await read(w, group.id)).status).toBe('published');
  });
});

describe('issue 11 dispatch: a slot is one platform call', () => {
  it(
    "frees a slot when the platform answers: the next delivery's call goes out before the answered one's " +
      'outcome is written, and the run ends with every outcome written',
    async () => {
      // What each Mastodon call found when it went out: the states of the posts' deliveries, in order.
      const seen: string[][] = [];
      let states: () => string[] = () => [];
      const adapters = adaptersWithPublish('mastodon', (publish) => (...args) => {
        seen.push(states());
        return publish(...args);
      });
      const w = await world({ concurrency: 1, adapters });
      states = () =>
        w.engine.ctx.db
          .prepare<[], { state: string }>(
            `SELECT d.state FROM deliveries d JOIN post_groups g ON g.id = d.post_group_id ORDER BY g.rowid`,
          )
          .all()
          .map((row) => row.state);
      const first = await create(w, { text: 'First', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
      const second = await create(w, { text: 'Second', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
      await w.scheduler.runDue();
      expect(seen).toEqual([
        ['publishing', 'scheduled'],
        // The first post is on Mastodon and its outcome not yet written: the one slot went to the second at once.
        ['publishing', 'publishing'],
      ]);
      expect((await read(w, first.id)).status).toBe('published');
      expect((await read(w, second.id)).status).toBe('published');
      expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['First', 'Second']);
    },
  );
});

describe('issue 11 dispatch: a publish that throws', () => {
  it(
    'claims nothing more and ends the run with the error ' +
      'once the publishes in flight have ended, their outcomes written',
    async () => {
      // A fault outside the platform call (here: looking up X's adapter) rejects that publish.
      const adapters: AdapterLookup = (platform) => {
        if (platform === 'x') throw new Error('the adapter registry failed');
        return defaultAdapters(platform);
      };
      const w = await world({ adapters });
      const group = await create(w, {
        text: 'Both',
        platformIds: [w.mastodonId, w.xId],
        scheduledTime: inMinutes(w, 0),
      });
      await expect(w.scheduler.runDue()).rejects.toThrow('the adapter registry failed');
      const after = await read(w, group.id);
      expect(after.deliveries.map((d) => [d.platform, d.state])).toEqual([
        ['mastodon', 'published'],
        ['x', 'publishing'],
      ]);
      expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Both']);
    },
  );
});

describe('issue 9 item 13: clock jumps while posts are due', () => {
  const HOUR = 3600_000;

  it(
    'a jump forward by hours: what it passed by more than the grace period waits for a person, ' +
      'nothing goes out early, the rest at its time',
    async () => {
      const w = await world();
      await w.scheduler.runDue();
      const passedLong = await create(w, {
        text: 'Due in 30 min',
        platformIds: [w.mastodonId],
        scheduledTime: inMinutes(w, 30),
      });
      const withinGrace = await create(w, {
        text: 'Due in 110 min',
        platformIds: [w.mastodonId],
        scheduledTime: inMinutes(w, 110),
      });
      const later = await create(w, {
        text: 'Due in 5 h',
        platformIds: [w.mastodonId],
        scheduledTime: inMinutes(w, 300),
      });
      w.clock.jump(2 * HOUR);
      await w.scheduler.runDue();
      expect((await read(w, passedLong.id)).deliveries[0]).toMatchObject({
        state: 'needs_attention',
        error: expect.stringContaining('the clock jumped 120 minutes forward'),
      });
      expect((await read(w, withinGrace.id)).status).toBe('published');
      expect((await read(w, later.id)).status).toBe('scheduled');
      expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Due in 110 min']);
      w.clock.advance(3 * HOUR);
      await w.scheduler.runDue();
      expect((await read(w, later.id)).status).toBe('published');
      expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Due in 110 min', 'Due in 5 h']);
      expect(w.problems).toEqual([
        expect.stringMatching(new RegExp(`^${w.mastodonId}:needs_attention:the clock jumped`)),
      ]);
    },
  );

  it('a jump back by hours: scheduled posts keep their time; a retry keeps its wait, not hours more', async () => {
    const w = await world();
    await w.scheduler.runDue();
    const due = await create(w, { text: 'At its time', platformIds: [w.xId], scheduledTime: inMinutes(w, 60) });
    const retried = await create(w, { text: 'Retry me', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
    w.mastodon.failNext(503);
    await w.scheduler.runDue();
    expect((await read(w, retried.id)).deliveries[0]).toMatchObject({ state: 'scheduled', attempts: 1 });
    w.clock.jump(-3 * HOUR);
    w.clock.advance(1000);
    await w.scheduler.runDue();
    expect((await read(w, retried.id)).status).toBe('published');
    // The post due "in an hour" is due at that instant on the new clock: 4 hours on, not early.
    w.clock.advance(HOUR);
    await w.scheduler.runDue();
    expect((await read(w, due.id)).status).toBe('scheduled');
    w.clock.advance(3 * HOUR);
    await w.scheduler.runDue();
    expect((await read(w, due.id)).status).toBe('published');
    expect(w.x.tweets().map((t) => t.text)).toEqual(['At its time']);
    expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Retry me']);
  });

  it(
    'a clock that was hours ahead and is set right while X made the post but answered 503: ' +
      'found on X, never posted twice',
    async () => {
      const w = await world();
      // X keeps true time; ours runs 3 hours ahead of it when the post goes out.
      const start = w.clock.now().getTime();
      w.x.setNow(() => new Date(start + w.clock.monotonic()));
      w.clock.jump(3 * HOUR);
      const group = await create(w, { text: 'Made, then a 503', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
      w.x.postButFailNext(503);
      await w.scheduler.runDue();
      expect(w.x.tweets()).toHaveLength(1);
      expect((await read(w, group.id)).deliveries[0]!.state).toBe('scheduled');
      w.clock.jump(-3 * HOUR); // NTP sets the clock right
      w.clock.advance(10_000);
      await w.scheduler.runDue();
      w.clock.advance(4 * HOUR);
      await w.scheduler.runDue();
      expect((await read(w, group.id)).deliveries[0]).toMatchObject({
        state: 'published',
        platformPostId: w.x.tweets()[0]!.id,
      });
      expect(w.x.tweets()).toHaveLength(1);
    },
  );
});

describe('issue 9 item 9: secrets in platform errors', () => {
  it('stores and reports a platform error that echoes the token without the token', async () => {
    const w = await world();
    const tokens = w.secrets
      .values()
      .filter((v) => v.startsWith('{'))
      .map((v) => (JSON.parse(v) as { accessToken?: string }).accessToken)
      .filter((t): t is string => typeof t === 'string' && t !== w.x.token);
    expect(tokens).toHaveLength(1);
    const echoed = tokens[0]!;
    w.mastodon.failNext(422, {}, `token ${echoed} is not allowed (Authorization: Bearer ${echoed})`);
    const group = await create(w, { text: 'Echo', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
    await w.scheduler.runDue();
    const d = (await read(w, group.id)).deliveries[0]!;
    expect(d.state).toBe('failed');
    expect(d.error).toContain('[redacted]');
    const stored = JSON.stringify([d, w.problems, w.engine.ctx.db.prepare(`SELECT detail FROM activity`).all()]);
    for (const token of tokens) expect(stored).not.toContain(token);
  });
});

describe('retry (issue 10 item 6): only failed deliveries go out again, and only once', () => {
  const retry = (w: World, id: string, platformIds?: string[]) =>
    w.engine.dispatch('post.retry', { workspaceId: w.workspaceId, id, ...(platformIds ? { platformIds } : {}) });

  it('retrying a partly published post publishes its failed delivery once, the published one left alone', async () => {
    const w = await world();
    const group = await create(w, {
      text: 'Half out',
      platformIds: [w.mastodonId, w.xId],
      scheduledTime: inMinutes(w, 0),
    });
    w.mastodon.failNext(422);
    await w.scheduler.runDue();
    await w.scheduler.runDue();
    expect((await read(w, group.id)).status).toBe('partially_published');

    const retried = await retry(w, group.id);
    expect(retried).toMatchObject({ ok: true });
    const mastodon = (await read(w, group.id)).deliveries.find((d) => d.platformId === w.mastodonId)!;
    expect(mastodon).toMatchObject({
      state: 'scheduled',
      attempts: 0,
      error: null,
      nextAttemptAt: w.clock.now().toISOString(),
    });
    await w.scheduler.runDue();
    await w.scheduler.runDue();
    expect((await read(w, group.id)).status).toBe('published');
    expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Half out']);
    expect(w.x.tweets().map((s) => s.text)).toEqual(['Half out']);

    // Nothing failed any more: a second retry is refused and sends nothing.
    expect(await retry(w, group.id)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: 'Only a failed delivery can be retried; nothing of this post has failed.' },
    });
    await w.scheduler.runDue();
    expect(w.mastodon.statusTexts()).toHaveLength(1);
    const log = await w.engine.call('activity.list', {
      workspaceId: w.workspaceId,
      filter: { action: 'post.retried' },
    });
    expect(log).toHaveLength(1);
  });

  it('refuses a delivery needing attention (outcome unknown), a scheduled one, an account to reconnect', async () => {
    const w = await world();
    const group = await create(w, {
      text: 'Wait',
      platformIds: [w.mastodonId, w.xId],
      scheduledTime: inMinutes(w, 60),
    });
    expect(await retry(w, group.id)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    w.engine.ctx.db
      .prepare(`UPDATE deliveries SET state = 'needs_attention' WHERE post_group_id = ? AND platform_id = ?`)
      .run(group.id, w.xId);
    expect(await retry(w, group.id, [w.xId])).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await read(w, group.id)).deliveries.map((d) => d.state)).toEqual(['scheduled', 'needs_attention']);

    w.clock.advance(60 * 60_000);
    w.mastodon.failNext(401);
    await w.scheduler.runDue();
    expect((await read(w, group.id)).deliveries[0]!.state).toBe('failed');
    expect(await retry(w, group.id)).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: `Reconnect ${w.mastodon.account.id} first: the retry would fail the same way.`,
        details: { platformIds: [w.mastodonId] },
      },
    });
    expect(await retry(w, group.id, ['bluesky-nobody'])).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await read(w, group.id)).deliveries[0]!.state).toBe('failed');
  });
});
