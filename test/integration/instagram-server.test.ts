import { beforeEach, describe, expect, it } from 'vitest';
import { type InstagramServer, startInstagramServer } from '../support/instagram-server';
import { type MediaHost, jpegOf, startMediaHost, videoOf } from '../support/media-fixtures';
import { PNG_1x1 } from '../support/images';
import { closedAfterTest } from '../support/closers';
import { graphOn, type GraphAnswer } from '../support/graph-call';

/*
 * The local Instagram behaves as Meta documents the Instagram API with Instagram Login: these
 * tests make the calls of the documentation's examples and check its answers, errors included.
 */

let ig: InstagramServer;
let host: MediaHost;

beforeEach(async () => {
  ig = closedAfterTest(await startInstagramServer());
  host = closedAfterTest(await startMediaHost());
});

/** A Graph call as the docs' curl examples make it, to this file's server (or the one given). */
const graph = graphOn(() => ig);

const errorOf = (a: GraphAnswer) =>
  a.body.error as {
    code: number;
    error_subcode?: number;
    message: string;
    type: string;
    fbtrace_id: string;
    error_user_msg?: string;
  };

async function waitFinished(id: string, token: string): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const status = (await graph('GET', `/v23.0/${id}`, { fields: 'status_code,status' }, token)).body
      .status_code as string;
    if (status !== 'IN_PROGRESS') return status;
    await new Promise((r) => setTimeout(r, 20));
  }
  return 'IN_PROGRESS';
}

describe('Business Login for Instagram', () => {
  const redirect = 'http://127.0.0.1:47123/oauth/callback';

  /**
   * The dialog as the app opens it (the basic scope, this file's redirect) with `over` changed; the answer, not
   * followed.
   */
  async function authorize(over: Record<string, string> = {}, server: InstagramServer = ig) {
    const url = new URL(`${server.url}/oauth/authorize`);
    const query = {
      client_id: server.clientId,
      redirect_uri: redirect,
      response_type: 'code',
      scope: 'instagram_business_basic',
      ...over,
    };
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  }

  it('sends the person back with a one-time code and state, then exchanges it for a short-lived token', async () => {
    const res = await authorize({
      scope: 'instagram_business_basic,instagram_business_content_publish',
      state: 'st-123',
    });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location.endsWith('#_')).toBe(true);
    const back = new URL(location);
    expect(back.origin + back.pathname).toBe(redirect);
    expect(back.searchParams.get('state')).toBe('st-123');
    const code = back.searchParams.get('code') ?? '';

    const form = {
      client_id: ig.clientId,
      client_secret: ig.clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: redirect,
      code,
    };
    const exchange = await fetch(`${ig.url}/oauth/access_token`, { method: 'POST', body: new URLSearchParams(form) });
    const text = await exchange.text();
    expect(exchange.status).toBe(200);
    // user_id comes as a bare number, too large for a JavaScript number: the account is read from /me.
    expect(text).toContain(`"user_id":${ig.appScopedId}`);
    const body = JSON.parse(text) as { access_token: string; permissions: string[] };
    expect(body.permissions).toEqual(['instagram_business_basic', 'instagram_business_content_publish']);
    const me = await graph('GET', '/v23.0/me', { fields: 'user_id,username,account_type' }, body.access_token);
    expect(me.body).toEqual({
      id: ig.appScopedId,
      user_id: ig.igUserId,
      username: ig.username,
      account_type: 'BUSINESS',
    });

    const again = await fetch(`${ig.url}/oauth/access_token`, { method: 'POST', body: new URLSearchParams(form) });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      error_type: 'OAuthException',
      code: 400,
      error_message: 'Matching code was not found or was already used',
    });
  });

  it('refuses a wrong client secret, a redirect URI other than the dialog one, and reports a refusal', async () => {
    const res = await authorize();
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const post = (over: Record<string, string>) =>
      fetch(`${ig.url}/oauth/access_token`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: ig.clientId,
          client_secret: ig.clientSecret,
          grant_type: 'authorization_code',
          redirect_uri: redirect,
          code,
          ...over,
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error_message: string } }));
    expect((await post({ client_secret: 'nope' })).body.error_message).toBe('Error validating client secret.');
    expect((await post({ redirect_uri: 'http://127.0.0.1:1/other' })).body.error_message).toMatch(
      /redirect_uri is identical/,
    );

    ig.denyNextAuthorization();
    const denied = new URL((await authorize({ state: 's' })).headers.get('location') ?? '');
    expect(Object.fromEntries(denied.searchParams)).toEqual({
      error: 'access_denied',
      error_reason: 'user_denied',
      error_description: 'The user denied your request.',
      state: 's',
    });
  });

  it('shows an error page (no redirect) for an unknown app or scope, or an unregistered redirect URI', async () => {
    const strict = await startInstagramServer({ redirectUris: [redirect] });
    try {
      expect((await authorize({}, strict)).status).toBe(302);
      for (const bad of [
        { client_id: '1' } as Record<string, string>,
        { redirect_uri: 'http://127.0.0.1:9/cb' },
        { scope: 'publish_everything' },
      ]) {
        const res = await authorize(bad, strict);
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
      }
    } finally {
      await strict.close();
    }
  });

  it('exchanges a short-lived token for a 60-day one, refreshes it, and refuses it once expired', async () => {
    const short = ig.issueToken({ longLived: false });
    const long = await graph(
      'GET',
      '/access_token',
      { grant_type: 'ig_exchange_token', client_secret: ig.clientSecret },
      short,
    );
    expect(long.body).toMatchObject({ token_type: 'bearer', expires_in: 5183944 });
    const token = long.body.access_token as string;
    expect((await graph('GET', '/refresh_access_token', { grant_type: 'ig_refresh_token' }, short)).status).toBe(400);

    const start = Date.now();
    ig.setNow(() => start + 30 * 86_400_000);
    const refreshed = await graph('GET', '/refresh_access_token', { grant_type: 'ig_refresh_token' }, token);
    expect(refreshed.body).toMatchObject({ access_token: token, expires_in: 5183944 });
    ig.setNow(() => start + 89 * 86_400_000);
    expect((await graph('GET', '/me', {}, token)).status).toBe(200);
    ig.setNow(() => start + 91 * 86_400_000);
    const expired = await graph('GET', '/me', {}, token);
    expect(expired.status).toBe(400);
    expect(errorOf(expired)).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
  });
});

describe('Graph errors and rate limits', () => {
  it('answers a missing, unknown or under-scoped token, and an unknown field, in the Graph error shape', async () => {
    expect(errorOf(await graph('GET', '/me', {}))).toMatchObject({ code: 104 });
    const bad = await graph('GET', '/me', {}, 'IGAAnope');
    expect(errorOf(bad)).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(errorOf(bad).fbtrace_id).toMatch(/^[A-Za-z0-9]{11,23}$/);
    const readOnly = ig.issueToken({ scopes: ['instagram_business_basic'] });
    const refused = await graph('POST', '/me/media', { image_url: 'http://127.0.0.1:1/x.jpg' }, readOnly);
    expect(refused.status).toBe(403);
    expect(errorOf(refused).code).toBe(10);
    expect(errorOf(await graph('GET', '/me', { fields: 'usrname' }, ig.issueToken()))).toMatchObject({
      code: 100,
      message: '(#100) Tried accessing nonexisting field (usrname) on node type (User)',
    });
  });

  it(
    'reports usage in X-App-Usage and X-Business-Use-Case-Usage, ' +
      'and throttles with code 80002 and the time to regain access',
    async () => {
      const token = ig.issueToken();
      ig.setUsage({ callCount: 42, totalTime: 7 });
      const ok = await graph('GET', '/me', {}, token);
      expect(JSON.parse(ok.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 42, total_time: 7 });
      const buc = JSON.parse(ok.headers.get('x-business-use-case-usage') ?? '{}') as Record<string, { type: string }[]>;
      expect(buc[ig.igUserId]?.[0]?.type).toBe('instagram');

      ig.throttle('instagramBusinessUseCase', 12);
      const throttled = await graph('GET', '/me', {}, token);
      expect(throttled.status).toBe(403);
      expect(errorOf(throttled)).toMatchObject({ code: 80002, is_transient: true });
      const usage = JSON.parse(throttled.headers.get('x-business-use-case-usage') ?? '{}') as Record<
        string,
        { call_count: number; estimated_time_to_regain_access: number }[]
      >;
      expect(usage[ig.igUserId]?.[0]).toMatchObject({ call_count: 100, estimated_time_to_regain_access: 12 });
      ig.throttle('app');
      expect(errorOf(await graph('GET', '/me', {}, token))).toMatchObject({
        code: 4,
        message: '(#4) Application request limit reached',
      });
      expect((await graph('GET', '/me', {}, token)).status).toBe(200);
    },
  );
});

describe('publishing an image', () => {
  it('gets the image at its public URL, publishes the container, lists the post as the account made it', async () => {
    const token = ig.issueToken();
    const imageUrl = host.put(jpegOf(1080, 1350), 'image/jpeg');
    const created = await graph(
      'POST',
      `/v23.0/${ig.igUserId}/media`,
      { image_url: imageUrl, caption: 'Spring menu #food', alt_text: 'A plate' },
      token,
    );
    expect(created.status).toBe(200);
    expect(host.requests()).toEqual([new URL(imageUrl).pathname]);
    const container = created.body.id as string;
    expect((await graph('GET', `/${container}`, { fields: 'status_code' }, token)).body).toEqual({
      id: container,
      status_code: 'FINISHED',
    });

    const published = await graph('POST', `/v23.0/${ig.igUserId}/media_publish`, { creation_id: container }, token);
    expect(published.status).toBe(200);
    const mediaId = published.body.id as string;
    expect((await graph('GET', `/${container}`, { fields: 'status_code' }, token)).body.status_code).toBe('PUBLISHED');

    const list = await graph(
      'GET',
      `/${ig.igUserId}/media`,
      { fields: 'id,caption,media_type,media_product_type,permalink,timestamp' },
      token,
    );
    const [post] = list.body.data as Record<string, string>[];
    expect(post).toMatchObject({
      id: mediaId,
      caption: 'Spring menu #food',
      media_type: 'IMAGE',
      media_product_type: 'FEED',
    });
    expect(post?.permalink).toMatch(/^https:\/\/www\.instagram\.com\/p\/[\w-]+\/$/);
    expect(post?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    expect(ig.media()[0]?.altText).toBe('A plate');

    const again = await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: container }, token);
    expect(again.status).toBe(400);
    expect(ig.media()).toHaveLength(1);
  });

  it.each([
    ['a PNG', () => host.put(PNG_1x1, 'image/png'), 36001, 2207005],
    ['a panorama wider than 1.91:1', () => host.put(jpegOf(1000, 400), 'image/jpeg'), 36003, 2207009],
    ['a portrait taller than 4:5', () => host.put(jpegOf(600, 1000), 'image/jpeg'), 36003, 2207009],
    [
      'an image over 8 MiB',
      () => host.put(Buffer.concat([jpegOf(100, 100), Buffer.alloc(8 * 1024 * 1024)]), 'image/jpeg'),
      36000,
      2207004,
    ],
    ['a URL that answers 404', () => `${host.url}/m/missing.jpg`, 9004, 2207052],
    ['a host nobody listens on', () => 'http://127.0.0.1:1/a.jpg', 9004, 2207052],
  ])('refuses %s when the container is created', async (_what, url, code, subcode) => {
    const answer = await graph('POST', `/${ig.igUserId}/media`, { image_url: url(), caption: 'x' }, ig.issueToken());
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toMatchObject({ code, error_subcode: subcode });
    expect(ig.containers()).toHaveLength(0);
  });

  it('cannot fetch from a private address when it stands for the real Instagram', async () => {
    const strict = await startInstagramServer({ refusePrivateUrls: true });
    try {
      const url = host.put(jpegOf(320, 320), 'image/jpeg');
      const answer = await graph('POST', `/${strict.igUserId}/media`, { image_url: url }, strict.issueToken(), strict);
      expect(errorOf(answer)).toMatchObject({
        code: 9004,
        error_subcode: 2207052,
        error_user_msg: `The media could not be fetched from this uri: ${url}`,
      });
      expect(host.requests()).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('refuses a caption over 2,200 characters', async () => {
    const answer = await graph(
      'POST',
      `/${ig.igUserId}/media`,
      { image_url: host.put(jpegOf(320, 320), 'image/jpeg'), caption: 'é'.repeat(2201) },
      ig.issueToken(),
    );
    expect(errorOf(answer)).toMatchObject({ error_subcode: 2207010 });
  });
});

describe('reels', () => {
  it('processes the video in the background, refuses to publish before FINISHED, then publishes a reel', async () => {
    const token = ig.issueToken();
    const videoUrl = host.put(videoOf({ width: 1080, height: 1920, seconds: 12 }), 'video/mp4');
    const created = await graph(
      'POST',
      `/${ig.igUserId}/media`,
      { media_type: 'REELS', video_url: videoUrl, caption: 'Behind the scenes', share_to_feed: 'true' },
      token,
    );
    const id = created.body.id as string;
    expect((await graph('GET', `/${id}`, { fields: 'status_code' }, token)).body.status_code).toBe('IN_PROGRESS');
    const early = await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: id }, token);
    expect(errorOf(early)).toMatchObject({ code: 9007, error_subcode: 2207027 });
    expect(await waitFinished(id, token)).toBe('FINISHED');
    const published = await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: id }, token);
    const reel = await graph(
      'GET',
      `/${published.body.id as string}`,
      { fields: 'media_type,media_product_type,permalink' },
      token,
    );
    expect(reel.body).toMatchObject({ media_type: 'VIDEO', media_product_type: 'REELS' });
    expect(reel.body.permalink).toMatch(/\/reel\//);
  });

  it('ends in ERROR, the subcode in status, for a reel under 3 seconds or a file that is not a video', async () => {
    const token = ig.issueToken();
    for (const data of [videoOf({ width: 1080, height: 1920, seconds: 2 }), Buffer.from('not a video at all')]) {
      const id = (
        await graph(
          'POST',
          `/${ig.igUserId}/media`,
          { media_type: 'REELS', video_url: host.put(data, 'video/mp4') },
          token,
        )
      ).body.id as string;
      expect(await waitFinished(id, token)).toBe('ERROR');
      const node = await graph('GET', `/${id}`, { fields: 'status_code,status' }, token);
      expect(node.body.status).toMatch(/2207026/);
      expect(errorOf(await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: id }, token))).toMatchObject({
        error_subcode: 2207032,
      });
    }
  });

  it('takes a single video only as a reel', async () => {
    const answer = await graph(
      'POST',
      `/${ig.igUserId}/media`,
      { media_type: 'VIDEO', video_url: host.put(videoOf({ width: 1080, height: 1920, seconds: 5 }), 'video/mp4') },
      ig.issueToken(),
    );
    expect(errorOf(answer).code).toBe(100);
  });
});

describe('carousels', () => {
  async function item(token: string, kind: 'image' | 'video' = 'image') {
    const params: Record<string, string> =
      kind === 'image'
        ? { image_url: host.put(jpegOf(320, 320), 'image/jpeg'), is_carousel_item: 'true' }
        : {
            media_type: 'VIDEO',
            video_url: host.put(videoOf({ width: 1080, height: 1080, seconds: 5 }), 'video/mp4'),
            is_carousel_item: 'true',
          };
    return (await graph('POST', `/${ig.igUserId}/media`, params, token)).body.id as string;
  }

  it('publishes 2 to 10 items (images and videos) as one album with its children', async () => {
    const token = ig.issueToken();
    const children = [await item(token), await item(token, 'video'), await item(token)];
    const carousel = (
      await graph(
        'POST',
        `/${ig.igUserId}/media`,
        { media_type: 'CAROUSEL', children: children.join(','), caption: 'Three looks' },
        token,
      )
    ).body.id as string;
    expect(await waitFinished(carousel, token)).toBe('FINISHED');
    const mediaId = (await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: carousel }, token)).body
      .id as string;
    expect((await graph('GET', `/${mediaId}`, { fields: 'media_type,caption' }, token)).body).toMatchObject({
      media_type: 'CAROUSEL_ALBUM',
      caption: 'Three looks',
    });
    const kids = (await graph('GET', `/${mediaId}/children`, {}, token)).body.data as { media_type: string }[];
    expect(kids.map((k) => k.media_type)).toEqual(['IMAGE', 'VIDEO', 'IMAGE']);
    expect(
      errorOf(await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: children[0] as string }, token)).code,
    ).toBe(100);
  });

  it('refuses fewer than 2 or more than 10 children, and unknown ones', async () => {
    const token = ig.issueToken();
    const one = await item(token);
    expect(
      errorOf(await graph('POST', `/${ig.igUserId}/media`, { media_type: 'CAROUSEL', children: one }, token)),
    ).toMatchObject({ error_subcode: 2207028 });
    const eleven: string[] = [];
    for (let i = 0; i < 11; i++) eleven.push(await item(token));
    expect(
      errorOf(
        await graph('POST', `/${ig.igUserId}/media`, { media_type: 'CAROUSEL', children: eleven.join(',') }, token),
      ),
    ).toMatchObject({ error_subcode: 2207028 });
    expect(
      errorOf(
        await graph(
          'POST',
          `/${ig.igUserId}/media`,
          { media_type: 'CAROUSEL', children: `${one},17000000000000000` },
          token,
        ),
      ),
    ).toMatchObject({ code: 24, error_subcode: 2207006 });
  });
});

describe('the 24-hour publishing limit', () => {
  it('counts API posts in a moving 24 hours (a carousel once, app posts never), refusing one over quota', async () => {
    const limited = await startInstagramServer({ quotaTotal: 2 });
    try {
      const token = limited.issueToken();
      const start = Date.now();
      limited.setNow(() => start);
      limited.addMedia('Posted in the app');
      const post = async () => {
        const c = await graph(
          'POST',
          `/${limited.igUserId}/media`,
          { image_url: host.put(jpegOf(320, 320), 'image/jpeg') },
          token,
          limited,
        );
        return graph(
          'POST',
          `/${limited.igUserId}/media_publish`,
          { creation_id: c.body.id as string },
          token,
          limited,
        );
      };
      const usage = async () =>
        (
          await graph(
            'GET',
            `/${limited.igUserId}/content_publishing_limit`,
            { fields: 'quota_usage,config' },
            token,
            limited,
          )
        ).body;
      expect(await usage()).toEqual({ data: [{ quota_usage: 0, config: { quota_total: 2, quota_duration: 86400 } }] });
      expect((await post()).status).toBe(200);
      limited.setNow(() => start + 3_600_000);
      expect((await post()).status).toBe(200);
      expect((await usage()).data).toEqual([{ quota_usage: 2, config: { quota_total: 2, quota_duration: 86400 } }]);
      const over = await post();
      expect(errorOf(over)).toMatchObject({ code: 9, error_subcode: 2207042 });
      limited.setNow(() => start + 86_400_000 + 1);
      expect(((await usage()).data as { quota_usage: number }[])[0]?.quota_usage).toBe(1);
      expect((await post()).status).toBe(200);
      // `since` older than 24 hours is refused; by default only quota_usage is given.
      expect(
        (
          await graph(
            'GET',
            `/${limited.igUserId}/content_publishing_limit`,
            { since: String(Math.floor(start / 1000) - 86_400 * 2) },
            token,
            limited,
          )
        ).status,
      ).toBe(400);
      expect((await graph('GET', `/${limited.igUserId}/content_publishing_limit`, {}, token, limited)).body).toEqual({
        data: [{ quota_usage: 2 }],
      });
    } finally {
      await limited.close();
    }
  });

  it('lets a container expire after 24 hours', async () => {
    const token = ig.issueToken();
    const start = Date.now();
    ig.setNow(() => start);
    const id = (
      await graph('POST', `/${ig.igUserId}/media`, { image_url: host.put(jpegOf(320, 320), 'image/jpeg') }, token)
    ).body.id as string;
    ig.setNow(() => start + 86_400_000 + 1000);
    expect((await graph('GET', `/${id}`, { fields: 'status_code' }, token)).body.status_code).toBe('EXPIRED');
    expect(errorOf(await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: id }, token))).toMatchObject({
      code: -2,
      error_subcode: 2207020,
    });
  });
});

describe('reading the account back, and first comments', () => {
  it('lists recent media newest first with since and cursor paging, so a crashed publish can be found', async () => {
    const token = ig.issueToken();
    const start = Date.now() - 3_600_000;
    ig.addMedia('old post', start - 86_400_000);
    const ids = [ig.addMedia('one', start), ig.addMedia('two', start + 1000), ig.addMedia('three', start + 2000)];
    const first = await graph(
      'GET',
      `/${ig.igUserId}/media`,
      { fields: 'id,caption,timestamp', since: String(Math.floor(start / 1000)), limit: '2' },
      token,
    );
    expect((first.body.data as { caption: string }[]).map((m) => m.caption)).toEqual(['three', 'two']);
    const next = (first.body.paging as { next: string }).next;
    const rest = (await (await fetch(next)).json()) as { data: { id: string }[]; paging?: { next?: string } };
    expect(rest.data.map((m) => m.id)).toEqual([ids[0]]);
    expect(rest.paging?.next).toBeUndefined();
  });

  it('adds a first comment to a post and lists it', async () => {
    const token = ig.issueToken();
    const mediaId = ig.addMedia('post');
    const comment = await graph('POST', `/v23.0/${mediaId}/comments`, { message: 'Link in bio: example.com' }, token);
    expect(comment.body.id).toMatch(/^\d+$/);
    const list = await graph('GET', `/${mediaId}/comments`, { fields: 'id,text' }, token);
    expect(list.body.data).toEqual([
      { id: comment.body.id, text: 'Link in bio: example.com', timestamp: expect.any(String), username: ig.username },
    ]);
    expect(errorOf(await graph('POST', `/${mediaId}/comments`, { message: ' ' }, token)).code).toBe(100);
    expect(
      errorOf(
        await graph(
          'POST',
          `/${mediaId}/comments`,
          { message: 'hi' },
          ig.issueToken({ scopes: ['instagram_business_basic'] }),
        ),
      ).code,
    ).toBe(10);
  });

  it('publishes, then answers an error anyway; the post is there to be found', async () => {
    const token = ig.issueToken();
    const id = (
      await graph(
        'POST',
        `/${ig.igUserId}/media`,
        { image_url: host.put(jpegOf(320, 320), 'image/jpeg'), caption: 'lost answer' },
        token,
      )
    ).body.id as string;
    ig.publishButFailNext();
    const answer = await graph('POST', `/${ig.igUserId}/media_publish`, { creation_id: id }, token);
    expect(answer.status).toBe(500);
    expect(errorOf(answer)).toMatchObject({ code: 2, is_transient: true });
    expect(ig.media().map((m) => m.caption)).toEqual(['lost answer']);
    expect((await graph('GET', `/${id}`, { fields: 'status_code' }, token)).body.status_code).toBe('PUBLISHED');
  });

  it('has no way to delete a post', async () => {
    const answer = await graph('DELETE', `/${ig.addMedia('stays')}`, {}, ig.issueToken());
    expect(errorOf(answer)).toMatchObject({ code: 100, error_subcode: 33 });
  });
});
