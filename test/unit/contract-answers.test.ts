import { describe, expect, it } from 'vitest';
import { channels } from '../../src-shared/contract';
import { channelTable } from '../../src-main/engine/channels';
import { openTestEngine } from '../support/engine';
import { jpegOf } from '../support/media-fixtures';
import { setUpPosting, UNREACHABLE_PLATFORMS } from '../support/posting';

/*
 * Channels marked `builtToContract` answer without the engine parsing their answer again (D124):
 * for them, parsing is a copy that changes nothing. This holds for every kind of post a queue page
 * or a calendar month can hold: a draft, a scheduled post with a picture, a thread, a first
 * comment, a poll, a post published with its parts, a failed one.
 */

describe('answers built to the contract', () => {
  it('are only the queue page and the calendar', () => {
    const marked = Object.entries(channelTable)
      .filter(([, def]) => 'builtToContract' in def && def.builtToContract)
      .map(([name]) => name);
    expect(marked.sort()).toEqual(['post.calendar', 'post.list']);
  });

  it('parse to exactly themselves for every kind of post, and show each post as post.get does', async () => {
    const t = await openTestEngine();
    const s = await setUpPosting(t.engine, UNREACHABLE_PLATFORMS, { timezone: 'Europe/Paris' });
    const { workspaceId, userId } = s;
    const at = (days: number) => new Date(t.clock.now().getTime() + days * 86_400_000).toISOString();
    const create = (post: Record<string, unknown>) => t.engine.call('post.create', { workspaceId, userId, post });
    const picture = await t.engine.call('media.upload', {
      workspaceId,
      userId,
      file: { fileName: 'sale.jpg', dataBase64: jpegOf(64, 48).toString('base64') },
      altText: 'A sale sign',
    });
    await create({ text: 'A draft', platformIds: [s.mastodonId, s.xId] });
    await create({ text: 'With a picture', platformIds: [s.mastodonId], mediaIds: [picture.id], scheduledTime: at(1) });
    await create({
      text: 'A thread',
      platformIds: [s.mastodonId, s.xId],
      thread: [{ text: 'second part', mediaIds: [picture.id] }, { text: 'third part' }],
      scheduledTime: at(2),
    });
    const commented = await create({ text: 'With a comment', platformIds: [s.xId], scheduledTime: at(3) });
    // Neither local platform takes a first comment (LinkedIn, Instagram and Facebook do): set as theirs would be.
    t.engine.ctx.db.prepare(`UPDATE post_groups SET first_comment = 'the link' WHERE id = ?`).run(commented.id);
    await create({
      text: 'A poll',
      platformIds: [s.mastodonId],
      poll: { options: ['yes', 'no'], durationMinutes: 60 },
      scheduledTime: at(4),
    });
    const published = await create({ text: 'Gone out', platformIds: [s.mastodonId, s.xId], scheduledTime: at(5) });
    const [m, x] = published.deliveries;
    // As the scheduler leaves them: one published with its parts, one failed after attempts.
    t.engine.ctx.db
      .prepare(
        `UPDATE deliveries SET state = 'published', attempts = 1, platform_post_id = '190', platform_post_url = 'https://social.example/190', published_at = ? WHERE id = ?`,
      )
      .run(at(5), m!.id);
    t.engine.ctx.db
      .prepare(
        `INSERT INTO delivery_parts VALUES (?, 0, '190', 'https://social.example/190', ?), (?, 1, '191', NULL, ?)`,
      )
      .run(m!.id, at(5), m!.id, at(5));
    t.engine.ctx.db
      .prepare(`UPDATE deliveries SET state = 'failed', attempts = 3, last_error = 'refused (422)' WHERE id = ?`)
      .run(x!.id);

    const page = await t.engine.call('post.list', { workspaceId, query: { perPage: 50 } });
    expect(page.groups).toHaveLength(6);
    expect(page.groups.map((g) => g.status).sort()).toEqual([
      'draft',
      'partially_published',
      'scheduled',
      'scheduled',
      'scheduled',
      'scheduled',
    ]);
    expect(channels['post.list'].response.parse(page)).toStrictEqual(page);
    for (const g of page.groups) expect(g).toStrictEqual(await t.engine.call('post.get', { workspaceId, id: g.id }));

    const today = t.clock.now().toISOString().slice(0, 10);
    const calendar = await t.engine.call('post.calendar', {
      workspaceId,
      userId,
      query: { from: today, to: at(8).slice(0, 10), zone: 'Europe/Paris', perDay: 4 },
    });
    expect(calendar.days.flatMap((d) => d.posts)).toHaveLength(5);
    expect(channels['post.calendar'].response.parse(calendar)).toStrictEqual(calendar);
    t.engine.close();
  });
});
