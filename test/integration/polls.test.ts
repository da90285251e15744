import { describe, expect, it } from 'vitest';
import { closeAfterTest } from '../support/closers';
import { openPostingWorld } from '../support/posting-world';
import { manualScheduler } from '../support/scheduler';

/*
 * Polls where the API has them (issue 14 item 4): X (`poll.options`, `duration_minutes`) and
 * Mastodon (`poll.options`, `expires_in` seconds), through the engine to the local servers.
 */
async function world() {
  const w = await openPostingWorld();
  const scheduler = manualScheduler(w);
  closeAfterTest(() => scheduler.stop());
  return { ...w, scheduler };
}

describe('a poll', () => {
  it('goes out with the post on X and Mastodon, each in its own terms', async () => {
    const w = await world();
    const group = await w.engine.call('post.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      post: {
        text: 'Which bread tomorrow?',
        poll: { options: ['Sourdough', 'Rye', 'Brioche'], durationMinutes: 1440 },
        platformIds: [w.xId, w.mastodonId],
        scheduledTime: w.clock.now().toISOString(),
      },
    });
    expect(group.poll).toEqual({ options: ['Sourdough', 'Rye', 'Brioche'], durationMinutes: 1440 });
    await w.scheduler.runDue();
    expect(w.x.tweets().map((t) => [t.text, t.poll])).toEqual([
      ['Which bread tomorrow?', { options: ['Sourdough', 'Rye', 'Brioche'], durationMinutes: 1440 }],
    ]);
    expect(w.mastodon.statusTexts().map((s) => [s.text, s.poll])).toEqual([
      ['Which bread tomorrow?', { options: ['Sourdough', 'Rye', 'Brioche'], expiresIn: 86_400 }],
    ]);
    expect((await w.engine.call('post.get', { workspaceId: w.workspaceId, id: group.id })).status).toBe('published');
  });

  it('outside a platform’s bounds is refused beside the poll, and removing it lets the post go', async () => {
    const w = await world();
    const post = {
      text: 'Pick one',
      poll: { options: ['a', 'b', 'c', 'd', 'e'], durationMinutes: 1440 },
      platformIds: [w.xId],
      scheduledTime: w.clock.now().toISOString(),
    };
    await expect(
      w.engine.call('post.create', { workspaceId: w.workspaceId, userId: w.userId, post }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'X: a poll has 2 to 4 options',
      details: { fields: { poll: 'X: a poll has 2 to 4 options' } },
    });
    const draft = await w.engine.call('post.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      post: { ...post, scheduledTime: undefined },
    });
    const fixed = await w.engine.call('post.update', {
      workspaceId: w.workspaceId,
      id: draft.id,
      patch: { poll: null, scheduledTime: w.clock.now().toISOString() },
    });
    expect(fixed.poll).toBeNull();
    await w.scheduler.runDue();
    expect(w.x.tweets().map((t) => [t.text, t.poll])).toEqual([['Pick one', undefined]]);
  });
});
