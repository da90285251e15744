import { describe, expect, it } from 'vitest';
import { countText, checkPost } from '../../src-shared/platform-rules';
import { openTestEngine } from '../support/engine';
import { setUpPosting, UNREACHABLE_PLATFORMS } from '../support/posting';

async function posting(timezone = 'Europe/Paris') {
  const t = await openTestEngine();
  const setup = await setUpPosting(t.engine, UNREACHABLE_PLATFORMS, { timezone });
  const create = (post: Record<string, unknown>) =>
    t.engine.dispatch('post.create', { workspaceId: setup.workspaceId, userId: setup.userId, post });
  return { ...t, ...setup, create };
}

describe('counting text as each platform does', () => {
  it('X weighs characters and counts any URL as 23', () => {
    expect(countText('x', 'a'.repeat(280))).toBe(280);
    expect(countText('x', `see https://example.com/${'very-long-path/'.repeat(10)}`)).toBe(4 + 23);
    expect(countText('x', '日本語')).toBe(6); // CJK weighs 2
    expect(checkPost('x', 'a'.repeat(281), [])).toEqual([
      { platform: 'x', rule: 'text_too_long', message: 'X: the text is 281 characters; the limit is 280' },
    ]);
  });

  it('Bluesky counts graphemes: a family emoji is one', () => {
    expect(countText('bluesky', '👨‍👩‍👧‍👦')).toBe(1);
    expect(countText('bluesky', 'é'.normalize('NFD'))).toBe(1);
    expect(checkPost('bluesky', '👍'.repeat(300), [])).toEqual([]);
    expect(checkPost('bluesky', '👍'.repeat(301), [])[0]?.rule).toBe('text_too_long');
  });

  it('Mastodon counts links as 23; Instagram needs an image; image types and sizes are checked', () => {
    expect(countText('mastodon', `https://example.com/${'x'.repeat(100)}`)).toBe(23);
    expect(checkPost('instagram', 'caption', [])).toEqual([
      expect.objectContaining({ rule: 'media_required', message: 'Instagram: a post needs at least one image' }),
    ]);
    expect(checkPost('bluesky', 'hi', [{ mimeType: 'image/gif', size: 10 }])[0]).toMatchObject({ rule: 'image_type' });
    expect(checkPost('x', 'hi', Array(5).fill({ mimeType: 'image/png', size: 10 }))[0]).toMatchObject({
      rule: 'too_many_images',
    });
  });
});

describe('post groups', () => {
  it('makes a draft without scheduledTime and one delivery per platform with the seed fields', async () => {
    const t = await posting();
    const draft = await t.create({ text: 'Draft me', platformIds: [t.mastodonId, t.xId] });
    expect(draft).toMatchObject({
      ok: true,
      data: {
        status: 'draft',
        scheduledTime: null,
        deliveries: [
          { state: 'draft', platformId: t.mastodonId },
          { state: 'draft', platformId: t.xId },
        ],
      },
    });
  });

  it('refuses an over-long X text before saving, naming the platform and the rule', async () => {
    const t = await posting();
    const refused = await t.create({
      text: 'a'.repeat(300),
      platformIds: [t.mastodonId, t.xId],
      scheduledTime: new Date(t.clock.now().getTime() + 3600_000).toISOString(),
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        message: 'X: the text is 300 characters; the limit is 280',
        details: { violations: [{ platform: 'x', rule: 'text_too_long' }] },
      },
    });
    const ok = await t.create({
      text: 'a'.repeat(300),
      platformTexts: { [t.xId]: 'short for X' },
      platformIds: [t.mastodonId, t.xId],
    });
    expect(ok.ok).toBe(true);
    expect((await t.engine.call('post.list', { workspaceId: t.workspaceId })).total).toBe(1);
  });

  it('keeps a draft over a platform limit, and applies the limit when it is scheduled (issue 10 item 2)', async () => {
    const t = await posting();
    const inAnHour = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const draft = await t.create({ text: 'a'.repeat(300), platformIds: [t.xId] });
    expect(draft).toMatchObject({ ok: true, data: { status: 'draft', text: 'a'.repeat(300) } });
    const id = (draft as { data: { id: string } }).data.id;
    const edited = await t.engine.dispatch('post.update', {
      workspaceId: t.workspaceId,
      id,
      patch: { text: 'b'.repeat(400) },
    });
    expect(edited).toMatchObject({ ok: true, data: { status: 'draft', text: 'b'.repeat(400) } });

    const scheduled = await t.engine.dispatch('post.update', {
      workspaceId: t.workspaceId,
      id,
      patch: { scheduledTime: inAnHour },
    });
    expect(scheduled).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        message: 'X: the text is 400 characters; the limit is 280',
        details: { fields: { 'platform.x': 'X: the text is 400 characters; the limit is 280' } },
      },
    });
    const queued = await t.create({ text: 'a'.repeat(300), platformIds: [t.xId], addToQueue: true });
    expect(queued).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    const fixed = await t.engine.dispatch('post.update', {
      workspaceId: t.workspaceId,
      id,
      patch: { text: 'fits', scheduledTime: inAnHour },
    });
    expect(fixed).toMatchObject({ ok: true, data: { status: 'scheduled', text: 'fits' } });
    const overScheduled = await t.engine.dispatch('post.update', {
      workspaceId: t.workspaceId,
      id,
      patch: { text: 'c'.repeat(300) },
    });
    expect(overScheduled).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('refuses an unknown platform id with social_account_required and a fresh connection link', async () => {
    const t = await posting();
    const refused = await t.create({ text: 'hi', platformIds: ['linkedin-ABCDEF'] });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'social_account_required',
        details: { platformIds: ['linkedin-ABCDEF'] },
        action: {
          type: 'connect_social_account',
          provider: 'linkedin',
          connection_url: expect.stringMatching(/\/connect\/[\w-]{40,}$/),
          expires_at: '2026-12-02T10:00:00.000Z',
        },
      },
    });
    expect(await t.create({ text: 'hi', platformIds: ['nonsense'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_platform' },
    });
  });
});

describe('the daily limit (seed 000)', () => {
  it('allows 100 deliveries per client per day in their time zone, then names the next day with room', async () => {
    const t = await posting('America/New_York');
    // 23:30 in New York on 2026-12-01 is already 2026-12-02 in UTC: it counts on the 1st.
    const lateEvening = '2026-12-02T04:30:00.000Z';
    for (let i = 0; i < 50; i++)
      expect(
        (await t.create({ text: `p${i}`, platformIds: [t.mastodonId, t.xId], scheduledTime: lateEvening })).ok,
      ).toBe(true);
    const usage = await t.engine.call('post.dailyUsage', {
      workspaceId: t.workspaceId,
      userId: t.userId,
      day: '2026-12-01',
    });
    expect(usage).toEqual({ day: '2026-12-01', limit: 100, dailyPostsLeft: 0 });
    const refused = await t.create({
      text: 'one more',
      platformIds: [t.mastodonId],
      scheduledTime: '2026-12-01T20:00:00.000Z',
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'daily_limit_reached', details: { day: '2026-12-01', limit: 100, nextDayWithRoom: '2026-12-02' } },
    });
    // The next morning in New York has room.
    expect(
      (await t.create({ text: 'next day', platformIds: [t.mastodonId], scheduledTime: '2026-12-02T14:00:00.000Z' })).ok,
    ).toBe(true);
    // Drafts and cancelled deliveries do not count.
    const first = (await t.engine.call('post.list', { workspaceId: t.workspaceId })).groups.at(-1)!;
    await t.engine.call('post.cancel', { workspaceId: t.workspaceId, id: first.id });
    expect(
      (await t.engine.call('post.dailyUsage', { workspaceId: t.workspaceId, userId: t.userId, day: '2026-12-01' }))
        .dailyPostsLeft,
    ).toBe(2);
  });
});

describe('queue slots', () => {
  it('takes the next free weekly slot in the client time zone; 09:00 stays 09:00 across the DST change', async () => {
    const t = await posting('America/New_York');
    await t.engine.call('queue.setSlots', {
      workspaceId: t.workspaceId,
      userId: t.userId,
      slots: [
        { weekday: 5, time: '09:00' },
        { weekday: 1, time: '09:00' },
      ],
    });
    // Friday 2027-03-05 noon in New York (EST, UTC-5). DST starts Sunday 2027-03-14.
    t.clock.advance(new Date('2027-03-05T17:00:00Z').getTime() - t.clock.now().getTime());
    const times: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.create({ text: `queued ${i}`, platformIds: [t.mastodonId], addToQueue: true });
      if (!r.ok) throw new Error(r.error.message);
      times.push((r.data as { scheduledTime: string }).scheduledTime);
    }
    expect(times).toEqual([
      '2027-03-08T14:00:00.000Z', // Mon 09:00 EST
      '2027-03-12T14:00:00.000Z', // Fri 09:00 EST
      '2027-03-15T13:00:00.000Z', // Mon 09:00 EDT: one hour earlier in UTC
      '2027-03-19T13:00:00.000Z',
    ]);
  });

  it('says so when a client has no queue slots', async () => {
    const t = await posting();
    expect(await t.create({ text: 'q', platformIds: [t.mastodonId], addToQueue: true })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('no queue slots') },
    });
  });
});

describe('raising the daily limit', () => {
  it('is refused below the enterprise plan with an upgrade action; raises dailyPostsLeft on enterprise', async () => {
    const t = await posting();
    const refused = await t.engine.dispatch('client.update', {
      workspaceId: t.workspaceId,
      userId: t.userId,
      patch: { dailyPostLimit: 250 },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'forbidden', action: { type: 'upgrade_plan', required_plan: 'enterprise' } },
    });
    await t.engine.call('plan.change', { workspaceId: t.workspaceId, planId: 'enterprise' });
    const raised = await t.engine.call('client.update', {
      workspaceId: t.workspaceId,
      userId: t.userId,
      patch: { dailyPostLimit: 250 },
    });
    expect(raised.dailyPostLimit).toBe(250);
    expect(await t.engine.call('post.dailyUsage', { workspaceId: t.workspaceId, userId: t.userId })).toMatchObject({
      limit: 250,
      dailyPostsLeft: 250,
    });
    await t.engine.call('client.update', {
      workspaceId: t.workspaceId,
      userId: t.userId,
      patch: { dailyPostLimit: null },
    });
    expect((await t.engine.call('post.dailyUsage', { workspaceId: t.workspaceId, userId: t.userId })).limit).toBe(100);
  });
});

describe('the queue by cursor (issue 11)', () => {
  it('walks every group once in time order by cursor, the same total as by page; refuses a forged cursor', async () => {
    const w = await posting();
    const start = Date.parse('2026-12-01T08:00:00.000Z');
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await w.create({
        text: `Post ${i}`,
        platformIds: [w.mastodonId],
        scheduledTime: new Date(start + i * 3_600_000).toISOString(),
      });
      if (!res.ok) throw new Error(res.error.message);
      made.push((res.data as { id: string }).id);
    }
    const list = async (query: Record<string, unknown>) => {
      const res = await w.engine.dispatch('post.list', { workspaceId: w.workspaceId, userId: w.userId, query });
      if (!res.ok) throw new Error(res.error.message);
      return res.data as { groups: { id: string }[]; total: number; totalCapped: boolean; nextCursor: string | null };
    };
    const seen: string[] = [];
    let page = await list({ state: 'scheduled', perPage: 3, order: 'asc' });
    expect(page).toMatchObject({ total: 7, totalCapped: false });
    seen.push(...page.groups.map((g) => g.id));
    while (page.nextCursor) {
      page = await list({ state: 'scheduled', perPage: 3, order: 'asc', cursor: page.nextCursor });
      seen.push(...page.groups.map((g) => g.id));
    }
    expect(seen).toEqual(made);
    // Newest first by default, and seed 000's page numbers still work.
    const second = await list({ perPage: 3, page: 2 });
    expect(second.groups.map((g) => g.id)).toEqual(made.slice().reverse().slice(3, 6));
    expect(second.total).toBe(7);
    const forged = await w.engine.dispatch('post.list', {
      workspaceId: w.workspaceId,
      query: { cursor: 'bm90IGEgY3Vyc29y' },
    });
    expect(forged).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', details: { fields: { cursor: expect.any(String) } } },
    });
  });
});
