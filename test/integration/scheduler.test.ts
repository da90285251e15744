import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerTimers } from '../../src-main/engine/posts/scheduler';
import { openTestEngine, type TestEngine } from '../support/engine';
import { startMastodonServer, type MastodonServer } from '../support/mastodon-server';
import { setUpPosting, type PostingSetup } from '../support/posting';
import { startXServer, type XServer } from '../support/x-server';

/** Timers the test fires by hand: the scheduler's single timer, observable. */
class ManualTimers implements SchedulerTimers {
  pending: { fn: () => void; ms: number } | null = null;
  setTimeout(fn: () => void, ms: number) {
    this.pending = { fn, ms };
    return this.pending;
  }
  clearTimeout(handle: unknown) {
    if (this.pending === handle) this.pending = null;
  }
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface World extends TestEngine, PostingSetup {
  mastodon: MastodonServer;
  x: XServer;
  timers: ManualTimers;
  problems: string[];
  scheduler: Scheduler;
}

async function world(options: { graceMs?: number } = {}): Promise<World> {
  const mastodon = await startMastodonServer();
  const x = await startXServer();
  closers.push(() => mastodon.close(), () => x.close());
  const t = await openTestEngine();
  const token = mastodon.issueToken();
  const setup = await setUpPosting(t.engine, { mastodonUrl: mastodon.url, mastodonToken: token.accessToken, mastodonAccountId: mastodon.account.id, xUrl: x.url, xToken: x.token });
  const timers = new ManualTimers();
  const problems: string[] = [];
  const scheduler = new Scheduler({
    ctx: t.engine.ctx,
    timers,
    backoffMs: [1000, 5000],
    offlineRetryMs: 30_000,
    graceMs: options.graceMs ?? 15 * 60_000,
    onProblem: (p) => problems.push(`${p.platformId}:${p.state}:${p.error}`),
  });
  closers.push(() => scheduler.stop());
  return { ...t, ...setup, mastodon, x, timers, problems, scheduler };
}

const inMinutes = (w: World, minutes: number) => new Date(w.clock.now().getTime() + minutes * 60_000).toISOString();
const create = (w: World, post: Record<string, unknown>) => w.engine.call('post.create', { workspaceId: w.workspaceId, userId: w.userId, post });
const read = (w: World, id: string) => w.engine.call('post.get', { workspaceId: w.workspaceId, id });

describe('the scheduler', () => {
  it('sets one timer to the next due delivery, none when idle, and publishes at the time, once', async () => {
    const w = await world();
    w.scheduler.start();
    expect(w.timers.pending).toBeNull();
    const group = await create(w, { text: 'Hello from Acme', platformIds: [w.mastodonId, w.xId], scheduledTime: inMinutes(w, 3) });
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
    const edited = await create(w, { text: 'First draft', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 1) });
    const cancelled = await create(w, { text: 'Never', platformIds: [w.xId], scheduledTime: inMinutes(w, 1) });
    await w.engine.call('post.update', { workspaceId: w.workspaceId, id: edited.id, patch: { text: 'Final words' } });
    await w.engine.call('post.cancel', { workspaceId: w.workspaceId, id: cancelled.id });
    w.clock.advance(60_000);
    await w.scheduler.runDue();
    expect(w.mastodon.statusTexts().map((s) => s.text)).toEqual(['Final words']);
    expect(w.x.tweets()).toEqual([]);
    expect((await read(w, cancelled.id)).status).toBe('cancelled');
  });

  it('backs off on a 5xx, honours Retry-After on a 429, and fails for good after the last retry', async () => {
    const w = await world();
    const group = await create(w, { text: 'Retry me', platformIds: [w.xId], scheduledTime: inMinutes(w, 0) });
    w.x.failNext(503);
    await w.scheduler.runDue();
    let d = (await read(w, group.id)).deliveries[0]!;
    expect(d).toMatchObject({ state: 'scheduled', attempts: 1 });
    expect(new Date(d.nextAttemptAt!).getTime() - w.clock.now().getTime()).toBe(1000);
    w.clock.advance(1000);
    w.x.failNext(429, { 'retry-after': '120' });
    await w.scheduler.runDue();
    d = (await read(w, group.id)).deliveries[0]!;
    expect(new Date(d.nextAttemptAt!).getTime() - w.clock.now().getTime()).toBe(120_000);
    w.clock.advance(120_000);
    w.x.failNext(500);
    await w.scheduler.runDue();
    expect((await read(w, group.id)).deliveries[0]).toMatchObject({ state: 'failed', attempts: 3 });
    expect(w.problems).toEqual([expect.stringMatching(/^x-2244994945:failed:X failed to publish/)]);
    expect(w.x.tweets()).toEqual([]);
  });

  it('marks the connection needs_reauth when the platform refuses the sign-in, and says so in the log', async () => {
    const w = await world();
    const group = await create(w, { text: 'Unauthorised', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
    w.mastodon.failNext(401);
    await w.scheduler.runDue();
    expect((await read(w, group.id)).deliveries[0]!.state).toBe('failed');
    const connections = await w.engine.call('connection.list', { workspaceId: w.workspaceId, userId: w.userId });
    expect(connections.find((c) => c.platformId === w.mastodonId)?.status).toBe('needs_reauth');
    const log = await w.engine.call('activity.list', { workspaceId: w.workspaceId, filter: { action: 'connection.needs_reauth' } });
    expect(log).toHaveLength(1);
    const retry = await w.engine.dispatch('post.create', { workspaceId: w.workspaceId, userId: w.userId, post: { text: 'again', platformIds: [w.mastodonId] } });
    expect(retry).toMatchObject({ ok: false, error: { code: 'social_account_required', action: { type: 'connect_social_account', url: expect.stringContaining('/connect/') } } });
  });

  it('holds deliveries while the platform is unreachable without spending attempts, and sends them once when it is back', async () => {
    const w = await world();
    const group = await create(w, { text: 'Offline first', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 0) });
    await w.mastodon.down();
    for (let i = 0; i < 5; i++) {
      await w.scheduler.runDue();
      w.clock.advance(30_000);
    }
    expect((await read(w, group.id)).deliveries[0]).toMatchObject({ state: 'scheduled', attempts: 0, error: expect.stringContaining('could not be reached') });
    await w.mastodon.up();
    await w.scheduler.runDue();
    expect((await read(w, group.id)).deliveries[0]!.state).toBe('published');
    expect(w.mastodon.statusTexts()).toHaveLength(1);
  });

  it('after a crash mid-publish: retries Mastodon with the same idempotency key, sends X to needs_attention', async () => {
    const w = await world();
    const group = await create(w, { text: 'Crash', platformIds: [w.mastodonId, w.xId], scheduledTime: inMinutes(w, 0) });
    // Simulate a process that claimed both deliveries and died after the platforms received the calls.
    const now = w.clock.now();
    w.engine.ctx.db
      .prepare(`UPDATE deliveries SET state = 'publishing', attempts = 1, lease_owner = 'dead', lease_expires_at = ? WHERE post_group_id = ?`)
      .run(new Date(now.getTime() + 120_000).toISOString(), group.id);
    const [md] = w.engine.ctx.db.prepare(`SELECT idempotency_key FROM deliveries WHERE platform = 'mastodon'`).all() as { idempotency_key: string }[];
    await fetch(`${w.mastodon.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${JSON.parse((await w.secrets.values().find((v) => v.includes('accessToken') && !v.includes(w.x.token)))!).accessToken}`, 'content-type': 'application/json', 'idempotency-key': md!.idempotency_key },
      body: JSON.stringify({ status: 'Crash' }),
    });
    w.scheduler.recover();
    await w.scheduler.runDue();
    const after = await read(w, group.id);
    expect(after.deliveries.map((d) => [d.platform, d.state])).toEqual([
      ['mastodon', 'published'],
      ['x', 'needs_attention'],
    ]);
    expect(w.mastodon.statusTexts()).toHaveLength(1);
    expect(w.x.tweets()).toHaveLength(0);
  });

  it('after the app was closed: late by less than the grace period goes out, later waits in needs_attention', async () => {
    const w = await world({ graceMs: 15 * 60_000 });
    const slightly = await create(w, { text: 'Slightly late', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 15) });
    const very = await create(w, { text: 'Very late', platformIds: [w.xId], scheduledTime: inMinutes(w, 1) });
    // The app is closed for 20 minutes: one post is 5 minutes late, the other 19.
    w.clock.advance(20 * 60_000);
    w.scheduler.recover();
    await w.scheduler.runDue();
    expect((await read(w, slightly.id)).status).toBe('published');
    expect((await read(w, very.id)).deliveries[0]).toMatchObject({ state: 'needs_attention', error: 'its time passed while Postroom was closed' });
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
