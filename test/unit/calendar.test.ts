import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CalendarPage, PostGroup, PostGroupPage } from '../../src-shared/posts';
import { dayBounds } from '../../src-main/engine/posts/calendar';
import { openTestEngine } from '../support/engine';
import { setUpPosting, UNREACHABLE_PLATFORMS } from '../support/posting';

/*
 * post.calendar (issue 11 calendar_month, D106): the calendar's days from index entries, checked
 * against the full read (post.list) a person's calendar used before: the same posts on the same
 * days of the zone, drafts and cancelled posts left out, the first few per day by time.
 */

async function agency() {
  const t = await openTestEngine();
  const setup = await setUpPosting(t.engine, UNREACHABLE_PLATFORMS);
  const create = async (post: Record<string, unknown>): Promise<PostGroup> => {
    const res = await t.engine.dispatch('post.create', { workspaceId: setup.workspaceId, userId: setup.userId, post });
    if (!res.ok) throw new Error(res.error.message);
    return res.data as PostGroup;
  };
  const calendar = (query: Record<string, unknown>, userId: string | undefined = setup.userId) =>
    t.engine.dispatch('post.calendar', { workspaceId: setup.workspaceId, ...(userId ? { userId } : {}), query });
  const days = async (query: Record<string, unknown>, userId?: string) => {
    const res = await calendar(query, userId);
    if (!res.ok) throw new Error(res.error.message);
    return res.data as CalendarPage;
  };
  return { ...t, ...setup, create, calendar, days };
}

/**
 * Times around December 2026 in Paris (UTC+1) and Tokyo (UTC+9):
 * on, just inside and just outside the month's edges.
 */
const TIMES = [
  '2026-11-30T22:30:00.000Z', // 30 Nov 23:30 in Paris: outside December there; 1 Dec 07:30 in Tokyo
  '2026-11-30T23:00:00.000Z', // 1 Dec 00:00 in Paris: the month's first instant
  '2026-11-30T23:30:00.000Z',
  '2026-12-01T08:00:00.000Z',
  '2026-12-01T09:00:00.000Z',
  '2026-12-01T10:00:00.000Z',
  '2026-12-01T11:00:00.000Z',
  '2026-12-01T12:00:00.000Z',
  '2026-12-15T14:59:00.000Z', // 15 Dec 23:59 in Tokyo
  '2026-12-15T15:00:00.000Z', // 16 Dec 00:00 in Tokyo
  '2026-12-31T22:59:00.000Z', // 31 Dec 23:59 in Paris
  '2026-12-31T23:00:00.000Z', // 1 Jan 00:00 in Paris: outside December there
];

/** The calendar as the full read gives it: every shown post of the period, by day of `zone`. */
async function fullRead(
  t: Awaited<ReturnType<typeof agency>>,
  from: string,
  to: string,
  zone: string,
): Promise<Map<string, string[]>> {
  const res = await t.engine.dispatch('post.list', {
    workspaceId: t.workspaceId,
    userId: t.userId,
    query: {
      from: DateTime.fromISO(from, { zone }).toISO()!,
      to: DateTime.fromISO(to, { zone }).toISO()!,
      perPage: 1000,
      order: 'asc',
    },
  });
  if (!res.ok) throw new Error(res.error.message);
  const byDay = new Map<string, string[]>();
  for (const g of (res.data as PostGroupPage).groups) {
    if (!g.scheduledTime || g.status === 'draft' || g.status === 'cancelled') continue;
    const day = DateTime.fromISO(g.scheduledTime, { zone }).toISODate()!;
    byDay.set(day, [...(byDay.get(day) ?? []), g.id]);
  }
  return byDay;
}

const shownByDay = (page: CalendarPage) =>
  new Map(page.days.filter((d) => d.posts.length > 0).map((d) => [d.day, d.posts.map((p) => p.id)]));

describe('the calendar read (post.calendar, issue 11)', () => {
  it("answers the full read's posts on their days, in Paris and Tokyo, without drafts or cancelled posts", async () => {
    const t = await agency();
    const made: PostGroup[] = [];
    for (const [i, scheduledTime] of TIMES.entries())
      made.push(
        await t.create({
          text: `  \nPost ${i} with a first line long enough to be cut at sixty characters, and more\nsecond line`,
          platformIds: i % 2 ? [t.mastodonId, t.xId] : [t.mastodonId],
          scheduledTime,
        }),
      );
    await t.create({ text: 'A draft', platformIds: [t.mastodonId] });
    const cancelled = await t.create({
      text: 'Cancelled',
      platformIds: [t.mastodonId],
      scheduledTime: '2026-12-10T10:00:00.000Z',
    });
    await t.engine.call('post.cancel', { workspaceId: t.workspaceId, id: cancelled.id });

    for (const zone of ['Europe/Paris', 'Asia/Tokyo']) {
      const page = await t.days({ from: '2026-12-01', to: '2027-01-01', zone, perDay: 1000 });
      expect(page.zone).toBe(zone);
      expect(page.days.map((d) => d.day)).toEqual(
        Array.from({ length: 31 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`),
      );
      expect(shownByDay(page)).toEqual(await fullRead(t, '2026-12-01', '2027-01-01', zone));
      for (const d of page.days) expect(d.total).toBe(d.posts.length);
    }

    const paris = await t.days({ from: '2026-12-01', to: '2027-01-01', zone: 'Europe/Paris' });
    const first = paris.days[0]!;
    // 1 Dec in Paris: the month's first instant and five more; a cell shows the first four by time.
    expect(first.total).toBe(7);
    expect(first.posts.map((p) => p.id)).toEqual(made.slice(1, 5).map((g) => g.id));
    expect(paris.days.at(-1)).toMatchObject({ day: '2026-12-31', total: 1, posts: [{ id: made[10]!.id }] });
    const tokyo = await t.days({ from: '2026-12-01', to: '2027-01-01', zone: 'Asia/Tokyo' });
    expect(tokyo.days[0]!.posts[0]!.id).toBe(made[0]!.id);
    expect(tokyo.days.find((d) => d.day === '2026-12-15')!.posts.map((p) => p.id)).toEqual([made[8]!.id]);
    expect(tokyo.days.find((d) => d.day === '2026-12-16')!.posts.map((p) => p.id)).toEqual([made[9]!.id]);

    // A post as its cell shows it.
    const byId = new Map(made.map((g) => [g.id, g]));
    for (const post of paris.days.flatMap((d) => d.posts)) {
      const g = byId.get(post.id)!;
      expect(post).toEqual({
        id: g.id,
        userId: t.userId,
        scheduledTime: g.scheduledTime,
        status: 'scheduled',
        platformIds: g.platformIds,
        // The first line, not the spaces before it, cut to 60 characters with its ellipsis.
        excerpt: `${g.text.trim().split('\n')[0]!.slice(0, 59)}…`,
        updatedAt: g.updatedAt,
        changeable: true,
        approval: g.approval,
      });
      expect([...post.excerpt]).toHaveLength(60);
    }
  });

  it('follows a move to another day and filters by platform', async () => {
    const t = await agency();
    const a = await t.create({ text: 'A', platformIds: [t.mastodonId], scheduledTime: '2026-12-02T09:00:00.000Z' });
    const b = await t.create({ text: 'B', platformIds: [t.xId], scheduledTime: '2026-12-02T10:00:00.000Z' });
    await t.engine.call('post.update', {
      workspaceId: t.workspaceId,
      id: a.id,
      patch: { scheduledTime: '2026-12-03T09:00:00.000Z' },
    });
    const page = await t.days({ from: '2026-12-01', to: '2026-12-08', zone: 'Europe/Paris' });
    expect(shownByDay(page)).toEqual(
      new Map([
        ['2026-12-02', [b.id]],
        ['2026-12-03', [a.id]],
      ]),
    );
    const x = await t.days({ from: '2026-12-01', to: '2026-12-08', zone: 'Europe/Paris', platform: 'x' });
    expect(shownByDay(x)).toEqual(new Map([['2026-12-02', [b.id]]]));
    // Every client of the workspace, the workspace's own zone when none is given.
    const all = await t.days({ from: '2026-12-01', to: '2026-12-08' }, undefined);
    const workspace = await t.engine.call('workspace.get', { workspaceId: t.workspaceId });
    expect(all.zone).toBe(workspace.timezone);
    expect(all.days.flatMap((d) => d.posts.map((p) => p.id)).sort()).toEqual([a.id, b.id].sort());
  });

  it('keeps days whole across a change of clocks (Paris, 28 March 2027 has 23 hours)', async () => {
    const t = await agency();
    const late = await t.create({
      text: 'Late',
      platformIds: [t.mastodonId],
      scheduledTime: '2027-03-28T21:59:00.000Z',
    });
    const next = await t.create({
      text: 'Next',
      platformIds: [t.mastodonId],
      scheduledTime: '2027-03-28T22:00:00.000Z',
    });
    const page = await t.days({ from: '2027-03-27', to: '2027-03-30', zone: 'Europe/Paris' });
    expect(shownByDay(page)).toEqual(
      new Map([
        ['2027-03-28', [late.id]],
        ['2027-03-29', [next.id]],
      ]),
    );
  });

  it.each([
    'Europe/Paris',
    'America/New_York',
    'Asia/Tokyo',
    'Asia/Kolkata',
    'Australia/Lord_Howe', // half an hour of daylight saving
    'Pacific/Chatham', // +12:45
    'America/Santiago', // clocks jump at midnight: that day starts at 01:00
    'America/Havana',
    'Asia/Beirut',
    'UTC',
  ])('bounds every day of 2026 and 2027 in %s: its first instant, as Luxon reads the zone', (zone) => {
    const localDay = (iso: string, ms = 0) =>
      DateTime.fromMillis(Date.parse(iso) + ms, { zone })
        .setZone(zone)
        .toISODate();
    // Periods overlap by half: every day is worked out once, then read from what was kept (D123).
    for (let d = DateTime.fromISO('2026-01-01', { zone: 'UTC' }); d.year < 2028; d = d.plus({ days: 30 })) {
      const days = dayBounds(d.toISODate()!, d.plus({ days: 60 }).toISODate()!, zone);
      expect(days).toHaveLength(60);
      for (const [i, b] of days.entries()) {
        expect(b.day).toBe(d.plus({ days: i }).toISODate());
        // The day's first instant: on the day, and the instant before it on the day before.
        expect(localDay(b.start)).toBe(b.day);
        expect(localDay(b.start, -1)).toBe(d.plus({ days: i - 1 }).toISODate());
        expect(localDay(b.end, -1)).toBe(b.day);
        if (i > 0) expect(b.start).toBe(days[i - 1]!.end);
      }
    }
  });

  it('refuses a period backwards, longer than 62 days or in an unknown zone, naming the field', async () => {
    const t = await agency();
    for (const [query, field] of [
      [{ from: '2026-12-10', to: '2026-12-01' }, 'to'],
      [{ from: '2026-12-01', to: '2027-03-01' }, 'to'],
      [{ from: '2026-12-01', to: '2026-12-31', zone: 'Mars/Olympus' }, 'zone'],
      [{ from: '1 Dec', to: '2026-12-31' }, 'from'],
    ] as const) {
      const res = await t.calendar(query);
      expect(res).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
      expect(JSON.stringify(res)).toContain(field);
    }
  });
});
