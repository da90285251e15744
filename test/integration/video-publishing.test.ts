import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src-main/engine/posts/scheduler';
import type { MediaItem } from '../../src-shared/media';
import { jpegOf, videoOf } from '../support/media-fixtures';
import { manualScheduler } from '../support/scheduler';
import { closeAfterTest } from '../support/closers';
import { openPostingWorld, type PostingWorld } from '../support/posting-world';

/**
 * Issue 14 item 3: a video from the library goes out where Postroom uploads video (here Mastodon's
 * asynchronous media and X's chunked upload, against their local servers), once each; a post that
 * breaks a platform's video rule is refused before it is saved, naming the rule.
 */

interface World extends PostingWorld {
  scheduler: Scheduler;
}

async function world(): Promise<World> {
  const w = await openPostingWorld();
  w.x.setProcessingPolls(0);
  const scheduler = manualScheduler(w, { offlineRetryMs: 30_000, graceMs: 15 * 60_000 });
  closeAfterTest(() => scheduler.stop());
  return { ...w, scheduler };
}

async function addVideo(w: World, fileName: string): Promise<{ item: MediaItem; bytes: Buffer }> {
  const bytes = videoOf({ width: 1280, height: 720, seconds: 8 });
  const item = await w.engine.call('media.upload', {
    workspaceId: w.workspaceId,
    userId: w.userId,
    file: { fileName, dataBase64: bytes.toString('base64') },
  });
  return { item, bytes };
}

describe('video through the adapters (issue 14 item 3)', () => {
  it('publishes a library video to Mastodon and X once each, after each platform has processed it', async () => {
    const w = await world();
    const { item, bytes } = await addVideo(w, 'teaser.mp4');
    expect(item).toMatchObject({ kind: 'video', durationMs: 8000 });
    const group = await w.engine.call('post.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      post: { text: 'Teaser', platformIds: [w.mastodonId, w.xId], mediaIds: [item.id], publishNow: true },
    });
    await w.scheduler.runDue();
    await w.scheduler.runDue();

    const after = await w.engine.call('post.get', { workspaceId: w.workspaceId, id: group.id });
    expect(after.deliveries.map((d) => d.state).sort()).toEqual(['published', 'published']);

    const statuses = w.mastodon.statusTexts().filter((s) => !s.deleted);
    expect(statuses.map((s) => s.text)).toEqual(['Teaser']);
    const status = (await (await fetch(`${w.mastodon.url}/api/v1/statuses/${statuses[0]?.id}`)).json()) as {
      media_attachments: { id: string; type: string }[];
    };
    expect(status.media_attachments.map((m) => m.type)).toEqual(['video']);
    expect(w.mastodon.media(status.media_attachments[0]?.id as string)?.data.equals(bytes)).toBe(true);

    expect(w.x.tweets().map((t) => t.text)).toEqual(['Teaser']);
    const [xMedia] = w.x.tweets()[0]?.mediaIds ?? [];
    expect(w.x.chunkedUpload(xMedia as string)).toMatchObject({ kind: 'video', state: 'succeeded' });
    expect(w.x.media(xMedia as string)?.data.equals(bytes)).toBe(true);
  });

  it('refuses a Mastodon post with a video beside an image before saving it, naming the rule', async () => {
    const w = await world();
    const { item } = await addVideo(w, 'teaser.mp4');
    const still = await w.engine.call('media.upload', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      file: { fileName: 'still.jpg', dataBase64: jpegOf(600, 400).toString('base64') },
    });
    await expect(
      w.engine.call('post.create', {
        workspaceId: w.workspaceId,
        userId: w.userId,
        post: { text: 'Teaser', platformIds: [w.mastodonId], mediaIds: [item.id, still.id], publishNow: true },
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'Mastodon: a video goes in a post without images',
    });
    const page = await w.engine.call('post.list', { workspaceId: w.workspaceId, userId: w.userId });
    expect(page.groups).toEqual([]);
    expect(w.mastodon.statusTexts()).toEqual([]);
  });
});
