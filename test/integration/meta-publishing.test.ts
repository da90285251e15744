import { describe, expect, it } from 'vitest';
import { NEEDS_PUBLIC_MEDIA } from '../../src-main/engine/platforms/instagram/adapter';
import type { PublicMediaHost } from '../../src-main/engine/platforms/types';
import { Scheduler } from '../../src-main/engine/posts/scheduler';
import { firstRun, openTestEngine, type TestEngine } from '../support/engine';
import { type FacebookServer, startFacebookServer } from '../support/facebook-server';
import { type InstagramServer, startInstagramServer } from '../support/instagram-server';
import { type MediaHost, jpegOf, startMediaHost } from '../support/media-fixtures';
import { addConnection } from '../support/posting';
import { manualScheduler } from '../support/scheduler';
import { type ThreadsServer, startThreadsServer } from '../support/threads-server';
import { closeAfterTest } from '../support/closers';
import { metaIntegrations } from '../support/meta-integrations';

/*
 * The scheduler publishing to Instagram, Facebook Pages and Threads through their adapters and
 * local servers: with a public address for media (a team host) and without one (a single desk),
 * and after a publish whose answer was lost.
 */

interface World extends TestEngine {
  ig: InstagramServer;
  fb: FacebookServer;
  th: ThreadsServer;
  host: MediaHost;
  workspaceId: string;
  userId: string;
  ids: { instagram: string; facebook: string; threads: string };
  scheduler: (publicMedia?: PublicMediaHost) => Scheduler;
}

async function world(): Promise<World> {
  const [ig, fb, th, host] = await Promise.all([
    startInstagramServer(),
    startFacebookServer(),
    startThreadsServer(),
    startMediaHost(),
  ]);
  closeAfterTest(
    () => ig.close(),
    () => fb.close(),
    () => th.close(),
    () => host.close(),
  );
  const t = await openTestEngine();
  const workspaceId = await firstRun(t.engine, {
    name: 'Meta Agency',
    planId: 'team',
    integrations: metaIntegrations(ig, fb, th),
  });
  const user = await t.engine.call('client.create', {
    workspaceId,
    client: { email: 'client@acme.test', displayName: 'Acme Bakery', timezone: 'Europe/Paris' },
  });
  const ids = {
    instagram: await addConnection(t.engine.ctx, workspaceId, user.id, 'instagram', ig.igUserId, {
      accessToken: ig.issueToken(),
    }),
    facebook: await addConnection(t.engine.ctx, workspaceId, user.id, 'facebook', fb.member.id, {
      accessToken: fb.issueUserToken(),
    }),
    threads: await addConnection(t.engine.ctx, workspaceId, user.id, 'threads', th.userId, {
      accessToken: th.issueToken(),
    }),
  };
  await t.engine.call('connection.setPostAs', {
    workspaceId,
    userId: user.id,
    platformId: ids.facebook,
    postAs: `page:${fb.pages[0]?.id}`,
  });
  const scheduler = (publicMedia?: PublicMediaHost) => {
    const s = manualScheduler(t, {
      backoffMs: [1000, 5000],
      verifyDelayMs: 0,
      ...(publicMedia ? { publicMedia } : {}),
    });
    closeAfterTest(() => s.stop());
    return s;
  };
  return { ...t, ig, fb, th, host, workspaceId, userId: user.id, ids, scheduler };
}

const JPEG = jpegOf(400, 400);

async function postNow(w: World, text: string, platformIds: string[], withImage = true) {
  return w.engine.call('post.create', {
    workspaceId: w.workspaceId,
    userId: w.userId,
    post: {
      text,
      platformIds,
      scheduledTime: w.clock.now().toISOString(),
      ...(withImage
        ? { media: [{ fileName: 'bread.jpg', dataBase64: JPEG.toString('base64'), altText: 'Bread' }] }
        : {}),
    },
  });
}

const deliveries = async (w: World, id: string) =>
  (await w.engine.call('post.get', { workspaceId: w.workspaceId, id })).deliveries.map((d) => [
    d.platformId.split('-')[0],
    d.state,
  ]);

describe('publishing to Meta platforms', () => {
  it('posts an image to Instagram, a Facebook Page and Threads when the media has a public address', async () => {
    const w = await world();
    const publicMedia: PublicMediaHost = { urlFor: async (m) => w.host.put(m.data, m.mimeType) };
    const group = await postNow(w, 'Fresh bread at 7', [w.ids.instagram, w.ids.facebook, w.ids.threads]);
    await w.scheduler(publicMedia).runDue();
    expect(await deliveries(w, group.id)).toEqual([
      ['instagram', 'published'],
      ['facebook', 'published'],
      ['threads', 'published'],
    ]);
    expect(w.ig.media().map((m) => [m.caption, m.altText])).toEqual([['Fresh bread at 7', 'Bread']]);
    expect(w.fb.posts(w.fb.pages[0]?.id).map((p) => [p.message, p.photos.length])).toEqual([['Fresh bread at 7', 1]]);
    expect(w.th.posts().map((p) => [p.text, p.mediaType])).toEqual([['Fresh bread at 7', 'IMAGE']]);
  });

  it('lists the Facebook Pages to post as, by name, and takes the one chosen', async () => {
    const w = await world();
    const pages = await w.engine.call('connection.pages', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      platformId: w.ids.facebook,
    });
    expect(pages).toEqual([
      { urn: `page:${w.fb.pages[0]?.id}`, name: 'Casey Bakery' },
      { urn: `page:${w.fb.pages[1]?.id}`, name: 'Casey Catering' },
    ]);
    await w.engine.call('connection.setPostAs', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      platformId: w.ids.facebook,
      postAs: pages[1]!.urn,
    });
    await postNow(w, 'Catering news', [w.ids.facebook], false);
    await w.scheduler().runDue();
    expect(w.fb.posts(w.fb.pages[1]?.id).map((p) => p.message)).toEqual(['Catering news']);
  });

  it('on a single desk, the Instagram delivery fails saying it needs a team host; the others go out', async () => {
    const w = await world();
    const group = await postNow(w, 'Desk only', [w.ids.instagram, w.ids.facebook]);
    const text = await postNow(w, 'Text on Threads', [w.ids.threads], false);
    await w.scheduler().runDue();
    expect(await deliveries(w, group.id)).toEqual([
      ['instagram', 'failed'],
      ['facebook', 'published'],
    ]);
    const [igDelivery] = (await w.engine.call('post.get', { workspaceId: w.workspaceId, id: group.id })).deliveries;
    expect(igDelivery?.error).toContain(NEEDS_PUBLIC_MEDIA);
    expect(w.ig.requests()).toEqual([]);
    expect(await deliveries(w, text.id)).toEqual([['threads', 'published']]);
  });

  it('after an Instagram publish whose answer was lost, finds the post instead of publishing it twice', async () => {
    const w = await world();
    const publicMedia: PublicMediaHost = { urlFor: async (m) => w.host.put(m.data, m.mimeType) };
    w.ig.setNow(() => w.clock.now().getTime());
    const group = await postNow(w, 'Only once', [w.ids.instagram]);
    w.ig.publishButFailNext();
    const scheduler = w.scheduler(publicMedia);
    await scheduler.runDue();
    expect(w.ig.media()).toHaveLength(1);
    expect(await deliveries(w, group.id)).toEqual([['instagram', 'scheduled']]);
    w.clock.advance(5000);
    await scheduler.runDue();
    expect(await deliveries(w, group.id)).toEqual([['instagram', 'published']]);
    expect(w.ig.media().map((m) => m.caption)).toEqual(['Only once']);
  });
});
