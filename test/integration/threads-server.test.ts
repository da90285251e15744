import { beforeEach, describe, expect, it } from 'vitest';
import { type ThreadsServer, startThreadsServer, threadsTextLength } from '../support/threads-server';
import { type MediaHost, jpegOf, startMediaHost, videoOf } from '../support/media-fixtures';
import { GIF_1x1, PNG_1x1 } from '../support/images';
import { closedAfterTest } from '../support/closers';
import { graphOn, type GraphAnswer } from '../support/graph-call';

/*
 * The local Threads behaves as Meta documents the Threads API: these tests make the calls of the
 * documentation's examples and check its answers, errors included.
 */

let th: ThreadsServer;
let host: MediaHost;

beforeEach(async () => {
  th = closedAfterTest(await startThreadsServer());
  host = closedAfterTest(await startMediaHost());
});

/** A Graph call as the docs' curl examples make it, to this file's server (or the one given). */
const graph = graphOn(() => th);
const errorOf = (a: GraphAnswer) => a.body.error as { code: number; error_subcode?: number; message: string };

/** The error a container made with these parameters is refused with. */
async function refusal(token: string, params: Record<string, string>) {
  return errorOf(await graph('POST', '/me/threads', params, token));
}

async function container(token: string, params: Record<string, string>, server: ThreadsServer = th): Promise<string> {
  const answer = await graph('POST', '/v1.0/me/threads', params, token, server);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.id as string;
}
async function settle(token: string, id: string): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const s = (await graph('GET', `/v1.0/${id}`, { fields: 'status,error_message' }, token)).body.status as string;
    if (s !== 'IN_PROGRESS') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  return 'IN_PROGRESS';
}
async function publish(token: string, id: string, server: ThreadsServer = th): Promise<GraphAnswer> {
  return graph('POST', `/v1.0/${server.userId}/threads_publish`, { creation_id: id }, token, server);
}

describe('authorization', () => {
  it('gives a code for the redirect URI, a short-lived token for it, a 60-day one for that; refreshes it', async () => {
    const redirect = 'http://127.0.0.1:47125/oauth/callback';
    const res = await fetch(
      `${th.url}/oauth/authorize?client_id=${th.clientId}&redirect_uri=${encodeURIComponent(redirect)}` +
        '&scope=threads_basic,threads_content_publish&response_type=code&state=q',
      { redirect: 'manual' },
    );
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('q');
    const form = {
      client_id: th.clientId,
      client_secret: th.clientSecret,
      code: back.searchParams.get('code') ?? '',
      grant_type: 'authorization_code',
      redirect_uri: redirect,
    };
    const exchange = await fetch(`${th.url}/oauth/access_token`, { method: 'POST', body: new URLSearchParams(form) });
    const text = await exchange.text();
    expect(text).toContain(`"user_id":${th.userId}`);
    const short = (JSON.parse(text) as { access_token: string }).access_token;
    expect(errorOf(await graph('POST', '/oauth/access_token', form))).toMatchObject({
      code: 100,
      error_subcode: 36009,
    });

    const long = await graph(
      'GET',
      '/access_token',
      { grant_type: 'th_exchange_token', client_secret: th.clientSecret },
      short,
    );
    expect(long.body).toMatchObject({ token_type: 'bearer', expires_in: 5183944 });
    const token = long.body.access_token as string;
    expect((await graph('GET', '/v1.0/me', { fields: 'id,username' }, token)).body).toEqual({
      id: th.userId,
      username: th.username,
    });
    const start = Date.now();
    th.setNow(() => start + 59 * 86_400_000);
    expect((await graph('GET', '/refresh_access_token', { grant_type: 'th_refresh_token' }, token)).body).toMatchObject(
      { access_token: token, expires_in: 5183944 },
    );
    th.setNow(() => start + 118 * 86_400_000);
    expect((await graph('GET', '/me', {}, token)).status).toBe(200);
    th.setNow(() => start + 120 * 86_400_000);
    expect(errorOf(await graph('GET', '/me', {}, token))).toMatchObject({ code: 190, error_subcode: 463 });
  });
});

describe('text posts and reply chains', () => {
  it('publishes a text container and lists it among the account’s threads', async () => {
    const token = th.issueToken();
    const id = await container(token, { media_type: 'TEXT', text: 'Hello from the agency' });
    expect(await settle(token, id)).toBe('FINISHED');
    const published = await publish(token, id);
    const postId = published.body.id as string;
    expect((await graph('GET', `/${id}`, { fields: 'status' }, token)).body.status).toBe('PUBLISHED');
    const list = await graph(
      'GET',
      `/v1.0/${th.userId}/threads`,
      { fields: 'id,text,media_type,permalink,timestamp' },
      token,
    );
    expect(list.body.data).toEqual([
      {
        id: postId,
        text: 'Hello from the agency',
        media_type: 'TEXT_POST',
        permalink: expect.stringMatching(/^https:\/\/www\.threads\.com\/@clientstudio\/post\/[\w-]+$/),
        timestamp: expect.stringMatching(/\+0000$/),
      },
    ]);
    expect((await publish(token, id)).status).toBe(400);
  });

  it('counts 500 characters, an emoji as its UTF-8 bytes', async () => {
    const token = th.issueToken();
    expect(threadsTextLength('😀')).toBe(4);
    await container(token, { media_type: 'TEXT', text: 'é'.repeat(500) });
    await container(token, { media_type: 'TEXT', text: '😀'.repeat(125) });
    for (const text of ['é'.repeat(501), '😀'.repeat(126)]) {
      expect(await refusal(token, { media_type: 'TEXT', text })).toMatchObject({
        code: 100,
        message: 'Param text must be at most 500 characters long.',
      });
    }
  });

  it('chains replies with reply_to_id; the chain reads back in order and replies have their own quota', async () => {
    const token = th.issueToken();
    const root = (await publish(token, await container(token, { media_type: 'TEXT', text: '1/3 A thread' }))).body
      .id as string;
    const second = (
      await publish(token, await container(token, { media_type: 'TEXT', text: '2/3', reply_to_id: root }))
    ).body.id as string;
    const third = (
      await publish(token, await container(token, { media_type: 'TEXT', text: '3/3', reply_to_id: second }))
    ).body.id as string;
    const conversation = await graph('GET', `/${root}/conversation`, { fields: 'id,text,replied_to,root_post' }, token);
    expect(conversation.body.data).toEqual([
      { id: second, text: '2/3', replied_to: { id: root }, root_post: { id: root } },
      { id: third, text: '3/3', replied_to: { id: second }, root_post: { id: root } },
    ]);
    expect(((await graph('GET', '/me/threads', {}, token)).body.data as { id: string }[]).map((p) => p.id)).toEqual([
      root,
    ]);
    expect(((await graph('GET', '/me/replies', {}, token)).body.data as { id: string }[]).map((p) => p.id)).toEqual([
      third,
      second,
    ]);
    expect(
      (
        await graph(
          'GET',
          '/me/threads_publishing_limit',
          { fields: 'quota_usage,config,reply_quota_usage,reply_config' },
          token,
        )
      ).body,
    ).toEqual({
      data: [
        {
          quota_usage: 1,
          config: { quota_total: 250, quota_duration: 86400 },
          reply_quota_usage: 2,
          reply_config: { quota_total: 1000, quota_duration: 86400 },
        },
      ],
    });
    expect((await refusal(token, { media_type: 'TEXT', text: 'x', reply_to_id: '1' })).code).toBe(100);
    const withoutReplies = th.issueToken({ scopes: ['threads_basic', 'threads_content_publish'] });
    expect((await refusal(withoutReplies, { media_type: 'TEXT', text: 'x', reply_to_id: root })).code).toBe(10);
  });

  it('publishes a text post at once with auto_publish_text', async () => {
    const token = th.issueToken();
    const answer = await graph(
      'POST',
      '/me/threads',
      { media_type: 'TEXT', text: 'Straight out', auto_publish_text: 'true' },
      token,
    );
    expect(th.posts().map((p) => [p.id, p.text])).toEqual([[answer.body.id, 'Straight out']]);
  });
});

describe('images, carousels and video', () => {
  it('fetches JPEG and PNG images from their public URL, and refuses other formats and dead links', async () => {
    const token = th.issueToken();
    const jpegUrl = host.put(jpegOf(320, 400), 'image/jpeg');
    const id = await container(token, { media_type: 'IMAGE', image_url: jpegUrl, text: 'A photo', alt_text: 'Bread' });
    expect(host.requests()).toEqual([new URL(jpegUrl).pathname]);
    expect((await publish(token, id)).status).toBe(200);
    expect(th.posts()[0]).toMatchObject({ mediaType: 'IMAGE', altText: 'Bread' });
    await container(token, { media_type: 'IMAGE', image_url: host.put(PNG_1x1, 'image/png') });
    const gif = host.put(GIF_1x1, 'image/gif');
    expect(await refusal(token, { media_type: 'IMAGE', image_url: gif })).toMatchObject({ error_subcode: 2207005 });
    expect(await refusal(token, { media_type: 'IMAGE', image_url: `${host.url}/m/gone.jpg` })).toMatchObject({
      code: 9004,
      error_subcode: 2207052,
    });
  });

  it('publishes a carousel of 2 to 20 items, images and video, once every item is processed', async () => {
    const token = th.issueToken();
    const items = [
      await container(token, {
        media_type: 'IMAGE',
        image_url: host.put(jpegOf(320, 320), 'image/jpeg'),
        is_carousel_item: 'true',
      }),
      await container(token, {
        media_type: 'VIDEO',
        video_url: host.put(videoOf({ width: 720, height: 1280, seconds: 8 }), 'video/mp4'),
        is_carousel_item: 'true',
      }),
    ];
    const carousel = await container(token, { media_type: 'CAROUSEL', children: items.join(','), text: 'Two things' });
    expect((await graph('GET', `/${carousel}`, { fields: 'status' }, token)).body.status).toBe('IN_PROGRESS');
    expect(errorOf(await publish(token, carousel)).code).toBe(9007);
    expect(await settle(token, carousel)).toBe('FINISHED');
    const postId = (await publish(token, carousel)).body.id as string;
    expect((await graph('GET', `/${postId}`, { fields: 'media_type,children,text' }, token)).body).toMatchObject({
      media_type: 'CAROUSEL_ALBUM',
      text: 'Two things',
      children: { data: [{ id: expect.any(String) }, { id: expect.any(String) }] },
    });
    expect((await refusal(token, { media_type: 'CAROUSEL', children: items[0] as string })).code).toBe(100);
    const tooMany = Array.from({ length: 21 }, () => items[0]).join(',');
    expect((await refusal(token, { media_type: 'CAROUSEL', children: tooMany })).code).toBe(100);
  });

  it('processes a video; ends in ERROR with the documented error_message when too long or unreachable', async () => {
    const token = th.issueToken();
    const ok = await container(token, {
      media_type: 'VIDEO',
      video_url: host.put(videoOf({ width: 1080, height: 1920, seconds: 30 }), 'video/mp4'),
      text: 'Clip',
    });
    expect(await settle(token, ok)).toBe('FINISHED');
    expect(
      (await graph('GET', `/${(await publish(token, ok)).body.id as string}`, { fields: 'media_type' }, token)).body
        .media_type,
    ).toBe('VIDEO');
    for (const [url, message] of [
      [host.put(videoOf({ width: 1080, height: 1920, seconds: 301 }), 'video/mp4'), 'INVALID_DURATION'],
      [host.put(videoOf({ width: 4000, height: 100, seconds: 10 }), 'video/mp4'), 'INVALID_ASPEC_RATIO'],
      [`${host.url}/m/none.mp4`, 'FAILED_DOWNLOADING_VIDEO'],
    ] as const) {
      const id = await container(token, { media_type: 'VIDEO', video_url: url });
      expect(await settle(token, id)).toBe('ERROR');
      expect((await graph('GET', `/${id}`, { fields: 'status,error_message' }, token)).body).toEqual({
        id,
        status: 'ERROR',
        error_message: message,
      });
    }
  });
});

describe('limits, recovery and deletion', () => {
  it('refuses the post over the 24-hour quota', async () => {
    const limited = await startThreadsServer({ postsPerDay: 1 });
    try {
      const token = limited.issueToken();
      expect(
        (await publish(token, await container(token, { media_type: 'TEXT', text: 'one' }, limited), limited)).status,
      ).toBe(200);
      expect(
        errorOf(await publish(token, await container(token, { media_type: 'TEXT', text: 'two' }, limited), limited)),
      ).toMatchObject({ code: 9, error_subcode: 2207042 });
    } finally {
      await limited.close();
    }
  });

  it('lists posts since a time, finds a publish whose answer was lost, and deletes it', async () => {
    const token = th.issueToken();
    const start = Date.now();
    th.addPost('older', start - 7_200_000);
    th.publishButFailNext();
    const lost = await publish(token, await container(token, { media_type: 'TEXT', text: 'answer lost' }));
    expect(lost.status).toBe(500);
    const recent = await graph(
      'GET',
      '/me/threads',
      { fields: 'id,text', since: String(Math.floor(start / 1000) - 5), limit: '10' },
      token,
    );
    const [found] = recent.body.data as { id: string; text: string }[];
    expect(found?.text).toBe('answer lost');
    expect(errorOf(await graph('DELETE', `/${found?.id}`, {}, th.issueToken({ scopes: ['threads_basic'] }))).code).toBe(
      10,
    );
    expect((await graph('DELETE', `/v1.0/${found?.id}`, {}, token)).body).toEqual({
      success: true,
      deleted_id: found?.id,
    });
    expect(th.posts().map((p) => p.text)).toEqual(['older']);
  });

  it('reports usage in X-App-Usage and throttles', async () => {
    const token = th.issueToken();
    expect(JSON.parse((await graph('GET', '/me', {}, token)).headers.get('x-app-usage') ?? '{}')).toHaveProperty(
      'call_count',
    );
    th.throttle('user');
    const throttled = await graph('GET', '/me', {}, token);
    expect(throttled.status).toBe(403);
    expect(errorOf(throttled)).toMatchObject({ code: 17 });
  });
});
