import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { type FacebookServer, startFacebookServer } from '../support/facebook-server';
import { type MediaHost, jpegOf, startMediaHost, videoOf } from '../support/media-fixtures';
import { PNG_1x1 } from '../support/images';
import { closedAfterTest } from '../support/closers';
import { graphCall, type GraphAnswer } from '../support/graph-call';

/*
 * The local Facebook behaves as Meta documents Facebook Login and the Pages API: these tests make
 * the calls of the documentation's examples and check its answers, errors included.
 */

let fb: FacebookServer;
let host: MediaHost;
const PAGE = '104000000000001';

beforeEach(async () => {
  fb = closedAfterTest(await startFacebookServer());
  host = closedAfterTest(await startMediaHost());
});

/** A Graph call to this file's server. */
const graph = (
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string>,
  token?: string,
  body?: FormData,
) => graphCall(fb.url, method, path, params, token, body);

const errorOf = (a: GraphAnswer) =>
  a.body.error as { code: number; error_subcode?: number; message: string; type: string; is_transient?: boolean };

describe('Facebook Login', () => {
  const redirect = 'http://127.0.0.1:47124/oauth/callback';

  it('gives a code for the redirect URI and state, then a token for the code and PKCE verifier, once', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const dialog = new URL(`${fb.url}/v23.0/dialog/oauth`);
    for (const [k, v] of Object.entries({
      client_id: fb.appId,
      redirect_uri: redirect,
      state: 's-1',
      scope: 'pages_show_list,pages_manage_posts,pages_read_engagement',
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }))
      dialog.searchParams.set(k, v);
    const res = await fetch(dialog, { redirect: 'manual' });
    const location = res.headers.get('location') ?? '';
    expect(location.endsWith('#_=_')).toBe(true);
    const back = new URL(location);
    expect(back.searchParams.get('state')).toBe('s-1');
    const code = back.searchParams.get('code') ?? '';

    const exchange = (over: Record<string, string> = {}) =>
      graph('GET', '/v23.0/oauth/access_token', {
        client_id: fb.appId,
        redirect_uri: redirect,
        client_secret: fb.appSecret,
        code,
        code_verifier: verifier,
        ...over,
      });
    expect(errorOf(await exchange({ client_secret: 'x' })).code).toBe(1);
    expect(errorOf(await exchange({ redirect_uri: `${redirect}x` }))).toMatchObject({
      code: 100,
      error_subcode: 36008,
    });
    expect(errorOf(await exchange({ code_verifier: 'w'.repeat(50) })).code).toBe(100);
    const ok = await exchange();
    expect(ok.body).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number) });
    expect(errorOf(await exchange())).toMatchObject({
      code: 100,
      error_subcode: 36009,
      message: 'This authorization code has been used.',
    });

    const perms = await graph('GET', '/me/permissions', {}, ok.body.access_token as string);
    expect(perms.body.data).toEqual(
      expect.arrayContaining([
        { permission: 'pages_manage_posts', status: 'granted' },
        { permission: 'publish_video', status: 'declined' },
      ]),
    );
  });

  it('takes the code exchange as a POST form too, as OAuth 2.0 clients send it', async () => {
    const dialog = await fetch(
      `${fb.url}/dialog/oauth?client_id=${fb.appId}&redirect_uri=${encodeURIComponent(redirect)}&scope=pages_show_list`,
      { redirect: 'manual' },
    );
    const code = new URL(dialog.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const form = {
      client_id: fb.appId,
      client_secret: fb.appSecret,
      redirect_uri: redirect,
      code,
      grant_type: 'authorization_code',
    };
    const answer = await fetch(`${fb.url}/v23.0/oauth/access_token`, {
      method: 'POST',
      body: new URLSearchParams(form),
    });
    expect(await answer.json()).toMatchObject({ access_token: expect.any(String), token_type: 'bearer' });
  });

  it('reports a refusal back to the app, and refuses an unregistered redirect URI with a page of its own', async () => {
    const strict = await startFacebookServer({ redirectUris: [redirect] });
    try {
      strict.denyNextAuthorization();
      const dialog = (redirectUri: string) =>
        fetch(
          `${strict.url}/dialog/oauth?client_id=${strict.appId}&redirect_uri=${encodeURIComponent(redirectUri)}` +
            '&state=z&scope=pages_show_list',
          { redirect: 'manual' },
        );
      const denied = new URL((await dialog(redirect)).headers.get('location') ?? '');
      expect(Object.fromEntries(denied.searchParams)).toMatchObject({
        error: 'access_denied',
        error_reason: 'user_denied',
        state: 'z',
      });
      const blocked = await dialog('http://127.0.0.1:9/elsewhere');
      expect(blocked.status).toBe(400);
      expect(await blocked.text()).toMatch(/URL Blocked/);
    } finally {
      await strict.close();
    }
  });

  it('makes a long-lived user token whose Page tokens in /me/accounts never expire, listed page by page', async () => {
    const paged = await startFacebookServer({ accountsPageSize: 1 });
    try {
      const short = paged.issueUserToken({ longLived: false });
      const long = await fetch(
        `${paged.url}/oauth/access_token?grant_type=fb_exchange_token&client_id=${paged.appId}` +
          `&client_secret=${paged.appSecret}&fb_exchange_token=${short}`,
      ).then((r) => r.json() as Promise<{ access_token: string; expires_in: number }>);
      expect(long.expires_in).toBe(5183944);
      const first = (await fetch(`${paged.url}/v23.0/me/accounts?access_token=${long.access_token}`).then((r) =>
        r.json(),
      )) as { data: { id: string; name: string; access_token: string; tasks: string[] }[]; paging: { next: string } };
      expect(first.data).toEqual([
        expect.objectContaining({ id: PAGE, name: 'Casey Bakery', tasks: expect.arrayContaining(['CREATE_CONTENT']) }),
      ]);
      const second = (await fetch(first.paging.next).then((r) => r.json())) as {
        data: { name: string }[];
        paging: { next?: string };
      };
      expect(second.data.map((p) => p.name)).toEqual(['Casey Catering']);
      expect(second.paging.next).toBeUndefined();

      const start = Date.now();
      paged.setNow(() => start + 200 * 86_400_000);
      const asPage = await fetch(`${paged.url}/me?fields=id,name&access_token=${first.data[0]?.access_token}`).then(
        (r) => r.json(),
      );
      expect(asPage).toEqual({ id: PAGE, name: 'Casey Bakery' });
      const expired = await fetch(`${paged.url}/me?access_token=${long.access_token}`).then(
        (r) => r.json() as Promise<{ error: { code: number; error_subcode: number } }>,
      );
      expect(expired.error).toMatchObject({ code: 190, error_subcode: 463 });
    } finally {
      await paged.close();
    }
  });

  it('answers 190/460 once the member changed their password, and 200 without the permission', async () => {
    const token = fb.issueUserToken({ scopes: ['public_profile'] });
    expect(errorOf(await graph('GET', '/me/accounts', {}, token))).toMatchObject({ code: 200 });
    fb.invalidateSessions();
    expect(errorOf(await graph('GET', '/me', {}, token))).toMatchObject({ code: 190, error_subcode: 460 });
  });
});

describe('posting as a Page', () => {
  it('posts text and links with the Page token, lists them newest first, and refuses the member token', async () => {
    const pageToken = fb.issuePageToken(PAGE);
    const first = await graph('POST', `/v23.0/${PAGE}/feed`, { message: 'Fresh bread at 7' }, pageToken);
    expect(first.body.id).toMatch(new RegExp(`^${PAGE}_\\d+$`));
    const link = await graph(
      'POST',
      `/${PAGE}/feed`,
      { message: 'Our menu', link: 'https://example.com/menu' },
      pageToken,
    );
    expect(link.status).toBe(200);
    const feed = await graph('GET', `/${PAGE}/feed`, { fields: 'id,message,created_time,permalink_url' }, pageToken);
    expect((feed.body.data as { id: string; message: string; permalink_url: string }[]).map((p) => p.message)).toEqual([
      'Our menu',
      'Fresh bread at 7',
    ]);
    expect((feed.body.data as { permalink_url: string }[])[0]?.permalink_url).toMatch(
      /^https:\/\/www\.facebook\.com\/104000000000001\/posts\/\d+$/,
    );

    const asMember = await graph('POST', `/${PAGE}/feed`, { message: 'hi' }, fb.issueUserToken());
    expect(asMember.status).toBe(403);
    expect(errorOf(asMember).code).toBe(200);
    expect(errorOf(await graph('POST', '/104000000000002/feed', { message: 'hi' }, pageToken)).code).toBe(100);
  });

  it('refuses a duplicate, an empty post and one over 63,206 characters', async () => {
    const pageToken = fb.issuePageToken(PAGE);
    await graph('POST', `/${PAGE}/feed`, { message: 'Same words' }, pageToken);
    expect(errorOf(await graph('POST', `/${PAGE}/feed`, { message: 'Same words' }, pageToken))).toMatchObject({
      code: 506,
      message: '(#506) Duplicate status message',
    });
    expect(errorOf(await graph('POST', `/${PAGE}/feed`, { message: '  ' }, pageToken)).code).toBe(100);
    expect(errorOf(await graph('POST', `/${PAGE}/feed`, { message: 'x'.repeat(63_207) }, pageToken)).code).toBe(100);
    expect((await graph('POST', `/${PAGE}/feed`, { message: 'x'.repeat(63_206) }, pageToken)).status).toBe(200);
  });

  it('posts a photo fetched from its URL, a photo uploaded as source, and an album of unpublished photos', async () => {
    const pageToken = fb.issuePageToken(PAGE);
    const url = host.put(jpegOf(400, 300), 'image/jpeg');
    const byUrl = await graph('POST', `/${PAGE}/photos`, { url, caption: 'From a URL' }, pageToken);
    expect(byUrl.body).toEqual({
      id: expect.stringMatching(/^\d+$/),
      post_id: expect.stringMatching(new RegExp(`^${PAGE}_`)),
    });
    expect(host.requests()).toEqual([new URL(url).pathname]);

    const form = new FormData();
    form.set('access_token', pageToken);
    form.set('caption', 'Uploaded');
    form.set('source', new Blob([PNG_1x1], { type: 'image/png' }), 'logo.png');
    expect((await graph('POST', `/${PAGE}/photos`, {}, undefined, form)).status).toBe(200);

    const ids: string[] = [];
    for (const size of [300, 400]) {
      const photo = await graph(
        'POST',
        `/${PAGE}/photos`,
        { url: host.put(jpegOf(size, size), 'image/jpeg'), published: 'false' },
        pageToken,
      );
      expect(Object.keys(photo.body)).toEqual(['id']);
      ids.push(photo.body.id as string);
    }
    const album = await graph(
      'POST',
      `/${PAGE}/feed`,
      { message: 'Two photos', attached_media: JSON.stringify(ids.map((media_fbid) => ({ media_fbid }))) },
      pageToken,
    );
    const post = fb.posts(PAGE).find((p) => p.id === album.body.id);
    expect(post?.photos.map((p) => p.id)).toEqual(ids);
    expect(fb.posts(PAGE).map((p) => p.message)).toEqual(['Two photos', 'Uploaded', 'From a URL']);
    expect(
      errorOf(
        await graph(
          'POST',
          `/${PAGE}/feed`,
          { message: 'again', 'attached_media[0]': JSON.stringify({ media_fbid: ids[0] }) },
          pageToken,
        ),
      ).code,
    ).toBe(100);
    expect(
      errorOf(await graph('POST', `/${PAGE}/photos`, { url: host.put(Buffer.from('text'), 'image/jpeg') }, pageToken))
        .code,
    ).toBe(324);
    expect(errorOf(await graph('POST', `/${PAGE}/photos`, { url: `${host.url}/m/none.jpg` }, pageToken)).code).toBe(
      100,
    );
  });

  it('adds a first comment as the Page, deletes a post, and reads posts since a time for recovery', async () => {
    const pageToken = fb.issuePageToken(PAGE);
    const start = Date.now();
    fb.addPost(PAGE, 'Yesterday', start - 86_400_000);
    const { id } = (await graph('POST', `/${PAGE}/feed`, { message: 'Today' }, pageToken)).body as { id: string };
    const comment = await graph('POST', `/${id}/comments`, { message: 'Order at example.com' }, pageToken);
    expect(comment.body.id).toMatch(/^\d+_\d+$/);
    expect(
      ((await graph('GET', `/${id}/comments`, {}, pageToken)).body.data as { message: string }[]).map((c) => c.message),
    ).toEqual(['Order at example.com']);
    const recent = await graph(
      'GET',
      `/${PAGE}/published_posts`,
      { fields: 'id,message,created_time', since: String(Math.floor(start / 1000) - 5) },
      pageToken,
    );
    expect((recent.body.data as { message: string }[]).map((p) => p.message)).toEqual(['Today']);
    expect((await graph('DELETE', `/${id}`, {}, pageToken)).body).toEqual({ success: true });
    expect(fb.posts(PAGE).map((p) => p.message)).toEqual(['Yesterday']);
  });
});

describe('Page videos through the Resumable Upload API', () => {
  it('resumes a cut-off upload at the offset the session reports and publishes the video once processed', async () => {
    const userToken = fb.issueUserToken();
    const pageToken = fb.issuePageToken(PAGE);
    const file = videoOf({ width: 1280, height: 720, seconds: 20 });
    const session = await graph(
      'POST',
      `/v23.0/${fb.appId}/uploads`,
      { file_name: 'launch.mp4', file_length: String(file.length), file_type: 'video/mp4' },
      userToken,
    );
    const id = session.body.id as string;
    expect(id).toMatch(/^upload:/);

    const send = (offset: number, bytes: Buffer) =>
      fetch(`${fb.url}/v23.0/${id}`, {
        method: 'POST',
        headers: { Authorization: `OAuth ${userToken}`, file_offset: String(offset) },
        body: bytes,
      });
    fb.cutNextUploadAfter(700);
    await expect(send(0, file)).rejects.toThrow();
    const resume = await graph('GET', `/${id}`, {}, userToken);
    expect(resume.body).toEqual({ id, file_offset: 700 });
    expect(
      errorOf({
        ...(await send(0, file).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Record<string, unknown>,
          headers: r.headers,
        }))),
      }).code,
    ).toBe(100);
    const done = (await (await send(700, file.subarray(700))).json()) as { h: string };
    expect(done.h).toEqual(expect.any(String));

    const video = await graph(
      'POST',
      `/${PAGE}/videos`,
      { title: 'Launch', description: 'We are open', fbuploader_video_file_chunk: done.h },
      pageToken,
    );
    const videoId = video.body.id as string;
    const status = async () =>
      ((await graph('GET', `/${videoId}`, { fields: 'status' }, pageToken)).body.status as { video_status: string })
        .video_status;
    expect(await status()).toBe('processing');
    expect(await status()).toBe('ready');
    expect(fb.posts(PAGE)[0]).toMatchObject({ message: 'We are open', videoId });
  });

  it('marks a file that is not a video as an error', async () => {
    const form = new FormData();
    form.set('access_token', fb.issuePageToken(PAGE));
    form.set('source', new Blob([Buffer.from('not a video')], { type: 'video/mp4' }), 'x.mp4');
    const video = await graph('POST', `/${PAGE}/videos`, {}, undefined, form);
    const node = await graph('GET', `/${video.body.id as string}`, { fields: 'status' }, fb.issuePageToken(PAGE));
    expect((node.body.status as { video_status: string }).video_status).toBe('error');
  });
});

describe('rate limits and failures', () => {
  it('reports Page usage in X-Business-Use-Case-Usage and throttles with 32 and 80001', async () => {
    const pageToken = fb.issuePageToken(PAGE);
    const ok = await graph('GET', `/${PAGE}/feed`, {}, pageToken);
    expect(JSON.parse(ok.headers.get('x-business-use-case-usage') ?? '{}')[PAGE][0].type).toBe('pages');
    expect(JSON.parse(ok.headers.get('x-app-usage') ?? '{}')).toHaveProperty('call_count');
    fb.throttle('page');
    expect(errorOf(await graph('GET', `/${PAGE}/feed`, {}, pageToken))).toMatchObject({ code: 32, is_transient: true });
    fb.throttle('pagesBusinessUseCase', 30);
    const buc = await graph('POST', `/${PAGE}/feed`, { message: 'x' }, pageToken);
    expect(buc.status).toBe(403);
    expect(errorOf(buc).code).toBe(80001);
    expect(
      JSON.parse(buc.headers.get('x-business-use-case-usage') ?? '{}')[PAGE][0].estimated_time_to_regain_access,
    ).toBe(30);
    expect(fb.posts(PAGE)).toEqual([]);
  });

  it('can post and still answer an error, leaving a post to find', async () => {
    fb.postButFailNext();
    const answer = await graph('POST', `/${PAGE}/feed`, { message: 'Went out' }, fb.issuePageToken(PAGE));
    expect(answer.status).toBe(500);
    expect(fb.posts(PAGE).map((p) => p.message)).toEqual(['Went out']);
  });
});
