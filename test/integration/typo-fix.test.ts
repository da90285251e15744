import { describe, expect, it } from 'vitest';
import { decideByLink } from '../../src-main/engine/approvals/approvals';
import type { ApprovalPolicy } from '../../src-shared/approvals';
import { jpegOf } from '../support/media-fixtures';
import { openPostingWorld, type PostingWorld } from '../support/posting-world';

/**
 * Issue 13 item 1 (D120): the typo-fix waiver. Off (the default), every text edit of an approved
 * post sends it back for review; on, a typo fix keeps the approval, and the activity log says so.
 * Through the contract, on a real engine and SQLite file.
 */

type World = PostingWorld;

async function world(policy: ApprovalPolicy, waiver: boolean): Promise<World> {
  const w = await openPostingWorld();
  await w.engine.call('approval.setPolicy', { workspaceId: w.workspaceId, userId: w.userId, policy });
  if (waiver)
    expect(
      await w.engine.call('approval.setSettings', { workspaceId: w.workspaceId, typoFixKeepsApproval: true }),
    ).toEqual({ typoFixKeepsApproval: true });
  return w;
}

const TEXT = 'Spring sale starts Monday';

/** A post brought to `state` (through the real acts: submit, the internal approval, the client's link). */
async function postIn(w: World, state: 'approved' | 'internal' | 'client' | 'changes_requested' | 'none') {
  const post = await w.engine.call('post.create', {
    workspaceId: w.workspaceId,
    userId: w.userId,
    post: {
      text: TEXT,
      platformIds: [w.mastodonId],
      scheduledTime: new Date(w.clock.now().getTime() + 86_400_000).toISOString(),
    },
  });
  if (state === 'none') return post.id;
  await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: post.id });
  const { approval } = await w.engine.call('post.get', { workspaceId: w.workspaceId, id: post.id });
  if (state === approval.stage) return post.id;
  if (approval.stage === 'internal')
    await w.engine.call('post.decide', {
      workspaceId: w.workspaceId,
      id: post.id,
      decision: state === 'changes_requested' ? { decision: 'requestChanges', comment: 'No' } : { decision: 'approve' },
    });
  if (state === 'client' || state === 'changes_requested') return post.id;
  const link = await w.engine.call('approvalLink.create', { workspaceId: w.workspaceId, userId: w.userId });
  decideByLink(w.engine.ctx, link.approvalUrl.slice(link.approvalUrl.lastIndexOf('/') + 1), post.id, {
    decision: 'approve',
  });
  return post.id;
}

const approvalOf = async (w: World, id: string) =>
  (await w.engine.call('post.get', { workspaceId: w.workspaceId, id })).approval;
const update = (w: World, id: string, patch: Record<string, unknown>) =>
  w.engine.call('post.update', { workspaceId: w.workspaceId, id, patch });
/** The post's approval entries in the activity log, newest first (each edit also logs `post.edited`). */
const reviewEntries = async (w: World, id: string) =>
  (await w.engine.call('activity.list', { workspaceId: w.workspaceId, filter: { objectId: id } })).filter(
    (e) => e.action === 'post.typo_fix' || e.action === 'post.review_again',
  );
const lastEntry = async (w: World, id: string) => (await reviewEntries(w, id))[0]!;

describe('the typo-fix waiver', () => {
  it('is off by default: a one-letter fix of an approved post sends it back for review', async () => {
    const w = await world('client', false);
    expect(await w.engine.call('approval.getSettings', { workspaceId: w.workspaceId })).toEqual({
      typoFixKeepsApproval: false,
    });
    const id = await postIn(w, 'approved');
    await update(w, id, { text: 'Spring sale starts Mondey' });
    expect(await approvalOf(w, id)).toMatchObject({ state: 'in_review', stage: 'client', cleared: false });
    expect((await lastEntry(w, id)).action).toBe('post.review_again');
  });

  it('on: a typo fix keeps the approval, logged as such; more than a typo does not', async () => {
    const w = await world('client', true);
    const id = await postIn(w, 'approved');
    await update(w, id, { text: 'Spring sale starts Monday!' });
    expect(await approvalOf(w, id)).toMatchObject({ state: 'approved', cleared: true });
    expect(await lastEntry(w, id)).toMatchObject({
      action: 'post.typo_fix',
      detail: "Typo fix (1 character changed) kept its approval, as the workspace's typo-fix setting allows",
    });
    // The next edit is weighed against the text as it is now: 3 more characters is still a typo fix…
    await update(w, id, { text: 'Spring sale starts Monday!!!!' });
    expect((await approvalOf(w, id)).state).toBe('approved');
    // …4 is not.
    await update(w, id, { text: 'Spring sale starts Monday' + '?'.repeat(4) + '!!!!' });
    expect(await approvalOf(w, id)).toMatchObject({ state: 'in_review', stage: 'client' });
    expect((await lastEntry(w, id)).action).toBe('post.review_again');
  });

  it('on: a typo fix together with a new time goes back for review; a time alone never did', async () => {
    const w = await world('client', true);
    const id = await postIn(w, 'approved');
    const later = new Date(w.clock.now().getTime() + 2 * 86_400_000).toISOString();
    await update(w, id, { scheduledTime: later });
    expect((await approvalOf(w, id)).state).toBe('approved');
    await update(w, id, {
      text: 'Spring sale starts Mondey',
      scheduledTime: new Date(w.clock.now().getTime() + 3 * 86_400_000).toISOString(),
    });
    expect(await approvalOf(w, id)).toMatchObject({ state: 'in_review', stage: 'client' });
  });

  it('on: a change of media goes back for review, with or without text (off: the same)', async () => {
    for (const waiver of [true, false]) {
      const w = await world('client', waiver);
      const { id: mediaId } = await w.engine.call('media.upload', {
        workspaceId: w.workspaceId,
        userId: w.userId,
        file: { fileName: 'sale.jpg', dataBase64: jpegOf(64, 64).toString('base64') },
      });
      const id = await postIn(w, 'approved');
      await update(w, id, { mediaIds: [mediaId] });
      expect(await approvalOf(w, id), `waiver ${waiver}`).toMatchObject({ state: 'in_review', stage: 'client' });
    }
  });

  it(
    'on, internal_then_client: a typo fix while waiting for the client keeps that place; ' +
      'at the first stage nothing moves',
    async () => {
      const w = await world('internal_then_client', true);
      const atClient = await postIn(w, 'client');
      await update(w, atClient, { text: 'Spring sale starts Mondey' });
      expect(await approvalOf(w, atClient)).toMatchObject({ state: 'in_review', stage: 'client' });
      expect((await lastEntry(w, atClient)).detail).toContain("kept its place in the client's review");
      await update(w, atClient, { text: 'Autumn sale starts Friday' });
      expect(await approvalOf(w, atClient)).toMatchObject({ state: 'in_review', stage: 'internal' });

      const internal = await postIn(w, 'internal');
      await update(w, internal, { text: 'Autumn sale starts Friday' });
      expect(await approvalOf(w, internal)).toMatchObject({ state: 'in_review', stage: 'internal' });
      const changes = await postIn(w, 'changes_requested');
      await update(w, changes, { text: 'Autumn sale starts Friday' });
      expect((await approvalOf(w, changes)).state).toBe('changes_requested');
      const fresh = await postIn(w, 'none');
      await update(w, fresh, { text: 'Autumn sale starts Friday' });
      expect((await approvalOf(w, fresh)).state).toBe('none');
    },
  );

  it('turning it off again restores the rule; each change is in the activity log', async () => {
    const w = await world('client', true);
    await w.engine.call('approval.setSettings', { workspaceId: w.workspaceId, typoFixKeepsApproval: false });
    const id = await postIn(w, 'approved');
    await update(w, id, { text: 'Spring sale starts Mondey' });
    expect((await approvalOf(w, id)).state).toBe('in_review');
    const log = await w.engine.call('activity.list', {
      workspaceId: w.workspaceId,
      filter: { action: 'workspace.approval_settings' },
    });
    expect(log.map((e) => e.detail)).toEqual([
      'Every edit of an approved post sends it back for review again',
      'Typo fixes now keep an approval (at most 3 characters of text, nothing else changed)',
    ]);
  });
});
