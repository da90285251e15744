import { describe, expect, it } from 'vitest';
import { restClientWithMastodon, startTestApp } from '../support/app';

describe('POST /api/v1/post-groups/:id/retry (issue 10 item 6)', () => {
  it('puts the failed deliveries of a post back in the queue, and refuses with 409 when nothing failed', async () => {
    const t = await startTestApp();
    const headers = { 'x-publora-key': t.workspaceApiKey, 'Content-Type': 'application/json' };
    const { userId, platformId } = await restClientWithMastodon(t);
    const created = await fetch(`${t.url}/api/v1/post-groups`, {
      method: 'POST',
      headers: { ...headers, 'x-publora-user-id': userId },
      body: JSON.stringify({
        text: 'Went wrong',
        platformIds: [platformId],
        scheduledTime: new Date(t.clock.now().getTime() + 3_600_000).toISOString(),
      }),
    });
    const { id } = (await created.json()) as { id: string };
    const retryUrl = `${t.url}/api/v1/post-groups/${id}/retry`;

    // Scheduled, not failed: refused in SPEC §7's shape, nothing changed.
    const early = await fetch(retryUrl, { method: 'POST', headers: { 'x-publora-key': t.workspaceApiKey } });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({
      error: { code: 'conflict', message: 'Only a failed delivery can be retried; nothing of this post has failed.' },
    });

    // As the scheduler leaves a delivery that failed for good.
    t.app.engine.ctx.db
      .prepare(
        `UPDATE deliveries SET state = 'failed', attempts = 3, last_error = 'Mastodon answered 422'
         WHERE post_group_id = ?`,
      )
      .run(id);
    const retried = await fetch(retryUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ platformIds: [platformId] }),
    });
    expect(retried.status, await retried.clone().text()).toBe(200);
    expect(((await retried.json()) as { deliveries: unknown[] }).deliveries).toEqual([
      expect.objectContaining({ platformId, state: 'scheduled', attempts: 0, error: null }),
    ]);

    const bad = await fetch(retryUrl, { method: 'POST', headers, body: JSON.stringify({ platformIds: 'all' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
  });
});
