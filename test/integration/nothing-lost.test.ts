import { describe, expect, it } from 'vitest';
import { clientWithMastodon, rest, restPostFor, startTestApp } from '../support/app';

/*
 * Issue 10 item 2, "nothing typed is lost", as a script would meet it over REST: the engine, the
 * contract and the API agree on each rule.
 */

describe('a draft may break a platform limit; the limit applies when scheduling', () => {
  it('keeps a 600-character Mastodon draft (201), refuses scheduling it (400 at the field) until it fits', async () => {
    const t = await startTestApp();
    const { client, platformId } = await clientWithMastodon(t);
    const long = 'a'.repeat(600);
    const draft = await restPostFor(t, client.id, { text: long, platformIds: [platformId] });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ status: 'draft', text: long });

    const inAnHour = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const scheduled = await rest(t, 'PATCH', `/api/v1/post-groups/${String(draft.body.id)}`, {
      scheduledTime: inAnHour,
    });
    expect(scheduled.status).toBe(400);
    expect(scheduled.body.error).toMatchObject({
      code: 'validation_failed',
      message: 'Mastodon: the text is 600 characters; the limit is 500',
      details: { fields: { 'platform.mastodon': 'Mastodon: the text is 600 characters; the limit is 500' } },
    });
    const createdScheduled = await restPostFor(t, client.id, {
      text: long,
      platformIds: [platformId],
      scheduledTime: inAnHour,
    });
    expect(createdScheduled.status).toBe(400);

    const fixed = await rest(t, 'PATCH', `/api/v1/post-groups/${String(draft.body.id)}`, {
      text: 'Short enough',
      scheduledTime: inAnHour,
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ status: 'scheduled', text: 'Short enough' });
  });
});

describe("a client's time-zone change asks what queued posts keep", () => {
  async function queuedInTokyo() {
    const t = await startTestApp({ now: new Date('2026-12-01T00:00:00Z') });
    const { client, platformId } = await clientWithMastodon(t);
    await rest(t, 'PATCH', `/api/v1/workspace/users/${client.id}`, { timezone: 'Asia/Tokyo' });
    // 09:00 in Tokyo on 3 December is 00:00 UTC.
    const post = await restPostFor(t, client.id, {
      text: 'Ohayo',
      platformIds: [platformId],
      scheduledTime: '2026-12-03T09:00:00+09:00',
    });
    expect(post.status).toBe(201);
    return { t, client, postId: String(post.body.id) };
  }

  it('refuses a new zone without the choice (400, nothing changed), then keeps 09:00 local in Paris', async () => {
    const { t, client, postId } = await queuedInTokyo();
    const asked = await rest(t, 'PATCH', `/api/v1/workspace/users/${client.id}`, { timezone: 'Europe/Paris' });
    expect(asked.status).toBe(400);
    expect(asked.body.error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('Casey Client Co has 1 queued post;'),
      details: { queuedPosts: 1, fields: { queuedPosts: expect.any(String) } },
    });
    const unchanged = await rest(t, 'GET', `/api/v1/workspace/users/${client.id}`);
    expect(unchanged.body).toMatchObject({ timezone: 'Asia/Tokyo' });

    const kept = await rest(t, 'PATCH', `/api/v1/workspace/users/${client.id}`, {
      timezone: 'Europe/Paris',
      queuedPosts: 'keep_local_time',
    });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ timezone: 'Europe/Paris' });
    const post = await rest(t, 'GET', `/api/v1/post-groups/${postId}`);
    // 09:00 in Paris (UTC+1 in December) is 08:00 UTC.
    expect(post.body.scheduledTime).toBe('2026-12-03T08:00:00.000Z');
    expect(post.body.deliveries).toEqual([expect.objectContaining({ state: 'scheduled' })]);
  });

  it('keeps the moment when asked, and a post already out or a draft is never moved', async () => {
    const { t, client, postId } = await queuedInTokyo();
    const draft = await t.app.engine.call('post.create', {
      workspaceId: t.workspaceId,
      userId: client.id,
      post: {
        text: 'Later',
        platformIds: (await rest(t, 'GET', `/api/v1/post-groups/${postId}`)).body.platformIds as string[],
      },
    });
    const kept = await t.app.engine.call('client.update', {
      workspaceId: t.workspaceId,
      userId: client.id,
      patch: { timezone: 'America/New_York', queuedPosts: 'keep_moment' },
    });
    expect(kept.timezone).toBe('America/New_York');
    expect((await rest(t, 'GET', `/api/v1/post-groups/${postId}`)).body.scheduledTime).toBe('2026-12-03T00:00:00.000Z');
    expect((await t.app.engine.call('post.get', { workspaceId: t.workspaceId, id: draft.id })).scheduledTime).toBe(
      null,
    );
    // The choice alone, with no new zone, is refused as nothing to decide.
    const alone = await rest(t, 'PATCH', `/api/v1/workspace/users/${client.id}`, { queuedPosts: 'keep_moment' });
    expect(alone.status).toBe(400);
    expect(alone.body.error).toMatchObject({
      code: 'validation_failed',
      details: { fields: { queuedPosts: expect.any(String) } },
    });
  });
});
