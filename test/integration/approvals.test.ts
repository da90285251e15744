import { describe, expect, it } from 'vitest';
import { approvalPageModel, decideByLink } from '../../src-main/engine/approvals/approvals';
import { Scheduler } from '../../src-main/engine/posts/scheduler';
import type { ApprovalPolicy } from '../../src-shared/approvals';
import type { TestEngine } from '../support/engine';
import { manualScheduler } from '../support/scheduler';
import { closeAfterTest } from '../support/closers';
import { openPostingWorld, type PostingWorld } from '../support/posting-world';

/**
 * Issue 13 item 4: nothing unapproved goes out, whatever path scheduled it; an approved post goes
 * out once at its time. Real SQLite, the real scheduler, a local Mastodon server.
 */

interface World extends PostingWorld {
  scheduler: Scheduler;
}

async function world(policy: ApprovalPolicy): Promise<World> {
  const w = await openPostingWorld();
  await w.engine.call('approval.setPolicy', { workspaceId: w.workspaceId, userId: w.userId, policy });
  const scheduler = newScheduler(w);
  closeAfterTest(() => scheduler.stop());
  return { ...w, scheduler };
}

const newScheduler = (t: TestEngine) => manualScheduler(t, { offlineRetryMs: 30_000, graceMs: 15 * 60_000 });

const inMinutes = (w: World, minutes: number) => new Date(w.clock.now().getTime() + minutes * 60_000).toISOString();
const create = (w: World, post: Record<string, unknown>) =>
  w.engine.call('post.create', { workspaceId: w.workspaceId, userId: w.userId, post });
const read = (w: World, id: string) => w.engine.call('post.get', { workspaceId: w.workspaceId, id });
/** A decision made by the signed-in staff member, as the review screen sends it; the Result, refusals included. */
const decide = (w: World, id: string, decision: Record<string, unknown>) =>
  w.engine.dispatch('post.decide', { workspaceId: w.workspaceId, id, decision });
const sent = (w: World) => w.mastodon.statusTexts().map((s) => s.text);
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
async function linkFor(w: World, postGroupIds?: string[]) {
  const link = await w.engine.call('approvalLink.create', {
    workspaceId: w.workspaceId,
    userId: w.userId,
    link: postGroupIds ? { postGroupIds } : undefined,
  });
  return tokenOf(link.approvalUrl);
}
/** Lets time pass to `minutes` from now and runs what is due. */
async function passTime(w: World, minutes: number) {
  w.clock.advance(minutes * 60_000);
  await w.scheduler.runDue();
  await w.scheduler.runDue();
}

describe('approvals: the client approves (policy "client")', () => {
  it('holds a post until the client approves through their link, then sends it once at its time', async () => {
    const w = await world('client');
    const post = await create(w, { text: 'Launch day', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 10) });
    expect(post.approval).toEqual({ policy: 'client', state: 'none', stage: null, cleared: false });

    // Its time comes before anyone approved: nothing goes out.
    await passTime(w, 11);
    expect(sent(w)).toEqual([]);
    expect((await read(w, post.id)).deliveries[0]!.state).toBe('scheduled');

    const submitted = await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: post.id });
    expect(submitted.approval).toMatchObject({ state: 'in_review', stage: 'client', cleared: false });
    expect(await w.engine.call('approval.reviewCount', { workspaceId: w.workspaceId })).toEqual({ count: 0 });

    // Staff cannot approve in the client's name.
    expect(await decide(w, post.id, { decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const token = await linkFor(w);
    const page = approvalPageModel(w.engine.ctx, token);
    expect('model' in page && page.model.posts.map((p) => [p.text, p.targets.map((t) => t.platform)])).toEqual([
      ['Launch day', ['mastodon']],
    ]);

    const changes = decideByLink(w.engine.ctx, token, post.id, {
      decision: 'requestChanges',
      comment: 'Say "launch week" please',
    });
    expect(changes).toMatchObject({ decision: 'requestChanges', final: false, by: 'Acme Corp' });
    expect((await read(w, post.id)).approval.state).toBe('changes_requested');
    await passTime(w, 1);
    expect(sent(w)).toEqual([]);

    // The editor fixes it and submits again; the client approves; it goes out at once (its time passed while waiting).
    await w.engine.call('post.update', { workspaceId: w.workspaceId, id: post.id, patch: { text: 'Launch week' } });
    await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: post.id });
    expect(decideByLink(w.engine.ctx, token, post.id, { decision: 'approve' })).toMatchObject({ final: true });
    expect((await read(w, post.id)).approval).toMatchObject({ state: 'approved', cleared: true });
    await passTime(w, 0);
    await passTime(w, 5);
    expect(sent(w)).toEqual(['Launch week']);

    const comments = await w.engine.call('post.comments', { workspaceId: w.workspaceId, id: post.id });
    expect(comments.map((c) => [c.authorName, c.authorKind, c.body])).toEqual([
      ['Acme Corp', 'client_link', 'Say "launch week" please'],
    ]);
    const log = await w.engine.call('activity.list', { workspaceId: w.workspaceId, filter: { action: 'post' } });
    const decisions = log.filter((e) => e.action === 'post.approved' || e.action === 'post.changes_requested');
    expect(decisions.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^Approved at the client's review by Acme Corp through approval link alink_/),
      expect.stringMatching(/^Asked for changes at the client's review by Acme Corp through approval link alink_/),
    ]);
  });

  it('sends an edited approved post back to review, and holds it again', async () => {
    const w = await world('client');
    const post = await create(w, { text: 'v1', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 30) });
    await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: post.id });
    const token = await linkFor(w, [post.id]);
    decideByLink(w.engine.ctx, token, post.id, { decision: 'approve' });
    // A time change keeps the approval; a text change does not.
    const moved = await w.engine.call('post.update', {
      workspaceId: w.workspaceId,
      id: post.id,
      patch: { scheduledTime: inMinutes(w, 20) },
    });
    expect(moved.approval.state).toBe('approved');
    const edited = await w.engine.call('post.update', {
      workspaceId: w.workspaceId,
      id: post.id,
      patch: { text: 'v2' },
    });
    expect(edited.approval).toMatchObject({ state: 'in_review', stage: 'client', cleared: false });
    await passTime(w, 25);
    expect(sent(w)).toEqual([]);
  });

  it('holds posts scheduled by add-to-queue, by a reschedule and across a restart', async () => {
    const w = await world('client');
    await w.engine.call('queue.setSlots', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      slots: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, time: '09:00' })),
    });
    const queued = await create(w, { text: 'queued', platformIds: [w.mastodonId], addToQueue: true });
    const draft = await create(w, { text: 'dragged', platformIds: [w.mastodonId] });
    await w.engine.call('post.update', {
      workspaceId: w.workspaceId,
      id: draft.id,
      patch: { scheduledTime: inMinutes(w, 5) },
    });
    await passTime(w, 2 * 24 * 60);
    expect(sent(w)).toEqual([]);
    // A restart: the new scheduler's recovery neither sends them nor gives up on them.
    await w.scheduler.stop();
    w.scheduler = newScheduler(w);
    closeAfterTest(() => w.scheduler.stop());
    w.scheduler.recover();
    await w.scheduler.runDue();
    expect(sent(w)).toEqual([]);
    expect((await read(w, queued.id)).deliveries[0]!.state).toBe('scheduled');
    expect((await read(w, draft.id)).deliveries[0]!.state).toBe('scheduled');
  });

  it('follows a policy change while posts wait: turning approval on holds them, off lets them go', async () => {
    const w = await world('none');
    const post = await create(w, { text: 'waiting', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 10) });
    expect(post.approval.cleared).toBe(true);
    await w.engine.call('approval.setPolicy', { workspaceId: w.workspaceId, userId: w.userId, policy: 'client' });
    expect((await read(w, post.id)).approval.cleared).toBe(false);
    await passTime(w, 11);
    expect(sent(w)).toEqual([]);
    await w.engine.call('approval.setPolicy', { workspaceId: w.workspaceId, userId: w.userId, policy: 'none' });
    await passTime(w, 0);
    expect(sent(w)).toEqual(['waiting']);
  });
});

describe('approvals: a manager, then the client (policy "internal_then_client")', () => {
  it('passes the internal review first, then the client; requesting changes needs a comment', async () => {
    const w = await world('internal_then_client');
    const post = await create(w, { text: 'Two stages', platformIds: [w.mastodonId], scheduledTime: inMinutes(w, 60) });
    await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: post.id });
    expect((await read(w, post.id)).approval).toMatchObject({ state: 'in_review', stage: 'internal' });
    expect(await w.engine.call('approval.reviewCount', { workspaceId: w.workspaceId })).toEqual({ count: 1 });

    const token = await linkFor(w);
    // The client's link shows nothing until the internal review passed, and cannot skip it.
    const before = approvalPageModel(w.engine.ctx, token);
    expect('model' in before && before.model.posts).toEqual([]);
    expect(() => decideByLink(w.engine.ctx, token, post.id, { decision: 'approve' })).toThrow(
      /no longer waiting for your decision/,
    );

    expect(await decide(w, post.id, { decision: 'requestChanges' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    const approved = await w.engine.call('post.decide', {
      workspaceId: w.workspaceId,
      id: post.id,
      decision: { decision: 'approve', comment: 'Looks right to me' },
    });
    expect(approved.approval).toMatchObject({ state: 'in_review', stage: 'client', cleared: false });
    expect(await w.engine.call('approval.reviewCount', { workspaceId: w.workspaceId })).toEqual({ count: 0 });
    await passTime(w, 61);
    expect(sent(w)).toEqual([]);

    expect(decideByLink(w.engine.ctx, token, post.id, { decision: 'approve' })).toMatchObject({ final: true });
    await passTime(w, 0);
    await passTime(w, 0);
    expect(sent(w)).toEqual(['Two stages']);
  });

  it('keeps internal notes from the client, and names @mentioned members', async () => {
    const w = await world('internal_then_client');
    const post = await create(w, { text: 'Notes', platformIds: [w.mastodonId] });
    await w.engine.call('post.addComment', {
      workspaceId: w.workspaceId,
      id: post.id,
      comment: { body: '@olivia check the link', visibility: 'internal' },
    });
    await w.engine.call('post.addComment', {
      workspaceId: w.workspaceId,
      id: post.id,
      comment: { body: 'Here is the draft', visibility: 'client' },
    });
    const staff = await w.engine.call('post.comments', { workspaceId: w.workspaceId, id: post.id });
    expect(staff.map((c) => [c.visibility, c.body, c.mentions])).toEqual([
      ['internal', '@olivia check the link', ['Olivia Owner']],
      ['client', 'Here is the draft', []],
    ]);
    await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: post.id });
    await w.engine.call('post.decide', { workspaceId: w.workspaceId, id: post.id, decision: { decision: 'approve' } });
    const page = approvalPageModel(w.engine.ctx, await linkFor(w));
    expect('model' in page && page.model.posts[0]!.comments.map((c) => c.body)).toEqual(['Here is the draft']);
  });
});

describe('approval links', () => {
  it('refuses forged, expired and revoked links, and posts a link does not cover', async () => {
    const w = await world('client');
    const post = await create(w, { text: 'one', platformIds: [w.mastodonId] });
    const other = await create(w, { text: 'two', platformIds: [w.mastodonId] });
    for (const p of [post, other]) await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: p.id });

    expect(approvalPageModel(w.engine.ctx, 'A'.repeat(43))).toEqual({ problem: 'unknown' });
    const token = await linkFor(w, [post.id]);
    const page = approvalPageModel(w.engine.ctx, token);
    expect('model' in page && page.model.posts.map((p) => p.text)).toEqual(['one']);
    expect(() => decideByLink(w.engine.ctx, token, other.id, { decision: 'approve' })).toThrow(/post not found/);

    const [link] = await w.engine.call('approvalLink.list', { workspaceId: w.workspaceId, userId: w.userId });
    await w.engine.call('approvalLink.revoke', { workspaceId: w.workspaceId, userId: w.userId, linkId: link!.id });
    expect(approvalPageModel(w.engine.ctx, token)).toEqual({ problem: 'revoked' });
    expect(decideByLink(w.engine.ctx, token, post.id, { decision: 'approve' })).toEqual({ problem: 'revoked' });

    const later = await linkFor(w);
    w.clock.advance(7 * 24 * 60 * 60_000 + 1);
    expect(approvalPageModel(w.engine.ctx, later)).toEqual({ problem: 'expired' });
    expect((await read(w, post.id)).approval.state).toBe('in_review');
  });

  it('is only made for a client whose posts need approval', async () => {
    const w = await world('none');
    expect(
      await w.engine.dispatch('approvalLink.create', { workspaceId: w.workspaceId, userId: w.userId }),
    ).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const post = await create(w, { text: 'x', platformIds: [w.mastodonId] });
    expect(await w.engine.dispatch('post.submit', { workspaceId: w.workspaceId, id: post.id })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: "this client's posts need no approval; schedule it instead" },
    });
  });
});
