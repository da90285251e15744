import { afterEach, describe, expect, it } from 'vitest';
import {
  createLinkedInAdapter,
  LINKEDIN_API_BASE,
  linkedinAdapter,
  toLittleText,
} from '../../src-main/engine/platforms/linkedin/adapter';
import { ADAPTERS } from '../../src-main/engine/platforms/registry';
import type { PlatformClient, PublishRequest, TokenSet } from '../../src-main/engine/platforms/types';
import { PLATFORM_RULES } from '../../src-shared/platform-rules';
import { JPEG_1x1, PNG_1x1 } from '../support/images';
import { videoOf } from '../support/media-fixtures';
import {
  renderLittleText,
  startLinkedInServer,
  type LinkedInServer,
  type LinkedInServerOptions,
} from '../support/linkedin-server';
import { platformFailure } from '../support/platform-failure';

const servers: LinkedInServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const ORG = 'urn:li:organization:2414183';
const PAGE_SCOPE = 'email,openid,profile,w_member_social,w_organization_social,r_organization_admin';

async function setup(options: LinkedInServerOptions = {}) {
  const server = await startLinkedInServer({ administeredOrganizations: [ORG], ...options });
  servers.push(server);
  const client: PlatformClient = {
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    apiBaseUrl: server.url,
  };
  // LinkedIn reports the granted scope comma-separated.
  const tokens = (scope: string | null = 'email,openid,profile,w_member_social'): TokenSet => ({
    accessToken: server.accessToken,
    refreshToken: server.refreshToken,
    expiresAt: null,
    scope,
  });
  const pageTokens = () => tokens(PAGE_SCOPE);
  return { server, client, tokens, pageTokens };
}

const post = (text: string, extra: Partial<PublishRequest> = {}): PublishRequest => ({
  text,
  media: [],
  idempotencyKey: 'unused-by-linkedin',
  ...extra,
});

describe('LinkedIn adapter against a local LinkedIn', () => {
  it('is registered without an idempotency window, on LinkedIn API base, with the shared limits', () => {
    expect(ADAPTERS.linkedin).toMatchObject({
      adapter: linkedinAdapter,
      idempotencyWindowMs: null,
      defaultApiBase: 'https://api.linkedin.com',
    });
    expect(LINKEDIN_API_BASE).toBe('https://api.linkedin.com');
    const rules = PLATFORM_RULES.linkedin;
    expect(linkedinAdapter.limits).toEqual({
      maxTextLength: rules.maxTextLength,
      maxImages: rules.maxImages,
      maxImageBytes: rules.maxImageBytes,
      imageTypes: rules.imageTypes,
      mediaRequired: rules.mediaRequired,
    });
  });

  it('reads the member behind the tokens from the OpenID Connect userinfo', async () => {
    const { client, tokens } = await setup();
    await expect(linkedinAdapter.profile(client, tokens())).resolves.toEqual({
      accountId: 'li-casey',
      handle: 'casey@client.test',
      displayName: 'Casey Client',
    });

    const noEmail = await setup({ sub: 'abc123', email: null, name: 'Robin Page' });
    await expect(linkedinAdapter.profile(noEmail.client, noEmail.tokens())).resolves.toEqual({
      accountId: 'abc123',
      handle: 'abc123',
      displayName: 'Robin Page',
    });
  });

  it('publishes a text post as the member, with LinkedIn text escaped so nothing is cut', async () => {
    const { server, client, tokens } = await setup();
    const text =
      'Launch day (finally)! Menu [v2] at 50% off <today> — #NewMenu *fresh* _every_ day ~ a|b {x} @home \\o/ C# rocks';
    const published = await linkedinAdapter.publish(client, tokens(), post(text));
    expect(published.postId).toMatch(/^urn:li:share:\d+$/);
    expect(published.url).toBe(`https://www.linkedin.com/feed/update/${published.postId}/`);

    const [stored, ...others] = server.posts();
    expect(others).toHaveLength(0);
    expect(stored).toMatchObject({
      urn: published.postId,
      author: 'urn:li:person:li-casey',
      visibility: 'PUBLIC',
      media: [],
      text,
    });
    expect(stored?.commentary).toContain('#NewMenu');
    expect(stored?.commentary).toContain('\\(finally\\)');
    // Without escaping, LinkedIn drops everything from the first markup character.
    expect(renderLittleText(text)).toBe('Launch day ');
    expect(toLittleText('#tag C# (x)')).toBe('#tag C\\# \\(x\\)');
  });

  it('uploads an image (initializeUpload, then the bytes) and posts it with its alt text', async () => {
    const { server, client, tokens } = await setup();
    const published = await linkedinAdapter.publish(
      client,
      tokens(),
      post('New menu', { media: [{ mimeType: 'image/png', data: PNG_1x1, altText: 'The new menu' }] }),
    );
    const [stored] = server.posts();
    expect(stored?.urn).toBe(published.postId);
    expect(stored?.media).toHaveLength(1);
    expect(stored?.media[0]).toMatchObject({
      id: expect.stringMatching(/^urn:li:image:/),
      altText: 'The new menu',
      mimeType: 'image/png',
    });
    expect(stored?.media[0]?.data?.equals(PNG_1x1)).toBe(true);
    expect(server.requests()).toEqual([
      'GET /v2/userinfo',
      'POST /rest/images',
      expect.stringMatching(/^PUT \/dms-uploads\//),
      'POST /rest/posts',
    ]);
  });

  it('posts several images as a multiImage post', async () => {
    const { server, client, tokens } = await setup();
    await linkedinAdapter.publish(
      client,
      tokens(),
      post('Two views', {
        media: [
          { mimeType: 'image/png', data: PNG_1x1 },
          { mimeType: 'image/jpeg', data: JPEG_1x1, altText: 'Inside' },
        ],
      }),
    );
    const [stored] = server.posts();
    expect(stored?.media.map((m) => [m.mimeType, m.altText])).toEqual([
      ['image/png', null],
      ['image/jpeg', 'Inside'],
    ]);
    expect(stored?.media[1]?.data?.equals(JPEG_1x1)).toBe(true);
  });

  it('posts as an organisation page the member administers, its image owned by the page', async () => {
    const { server, client, pageTokens } = await setup();
    const published = await linkedinAdapter.publish(
      client,
      pageTokens(),
      post('From the page', { postAs: ORG, media: [{ mimeType: 'image/png', data: PNG_1x1 }] }),
    );
    expect(server.posts()).toEqual([
      expect.objectContaining({ urn: published.postId, author: ORG, text: 'From the page' }),
    ]);
    // The author is known: no userinfo call is needed.
    expect(server.requests()).not.toContain('GET /v2/userinfo');
  });

  it('does not try to post as a page with a sign-in that was not granted the page scope', async () => {
    const { server, client, tokens } = await setup();
    const err = await platformFailure(
      linkedinAdapter.publish(client, tokens(), post('From the page', { postAs: ORG })),
    );
    expect(err).toMatchObject({ retryable: false, needsReauth: false });
    expect(err.message).toContain('turn on organisation pages in the LinkedIn integration and reconnect');
    expect(server.requests()).toEqual([]);
    expect(server.posts()).toHaveLength(0);
  });

  it('is refused for an organisation page the member does not administer, and for a malformed one', async () => {
    const { server, client, pageTokens: tokens } = await setup();
    const refused = await platformFailure(
      linkedinAdapter.publish(client, tokens(), post('Not mine', { postAs: 'urn:li:organization:999' })),
    );
    expect(refused).toMatchObject({ retryable: false, status: 403, needsReauth: false });
    expect(refused.message).toContain('Not enough permissions');

    const withImage = await platformFailure(
      linkedinAdapter.publish(
        client,
        tokens(),
        post('Not mine', { postAs: 'urn:li:organization:999', media: [{ mimeType: 'image/png', data: PNG_1x1 }] }),
      ),
    );
    expect(withImage).toMatchObject({ retryable: false, status: 403 });

    const before = server.requests().length;
    const malformed = await platformFailure(
      linkedinAdapter.publish(client, tokens(), post('Bad', { postAs: 'urn:li:person:someone-else' })),
    );
    expect(malformed).toMatchObject({ retryable: false, status: null });
    expect(server.requests()).toHaveLength(before);
    expect(server.posts()).toHaveLength(0);
  });

  it("maps LinkedIn's refusal of an empty post to a permanent error with its message", async () => {
    const { server, client, tokens } = await setup();
    const err = await platformFailure(linkedinAdapter.publish(client, tokens(), post('   ')));
    expect(err).toMatchObject({ retryable: false, status: 422, needsReauth: false });
    expect(err.message).toContain('commentary must not be empty');
    expect(server.posts()).toHaveLength(0);
  });

  it('maps 429 to retryable with Retry-After, 5xx to retryable, 401 to reconnect, other 4xx to permanent', async () => {
    const { server, client, tokens, pageTokens } = await setup();

    server.failNext(429, { 'Retry-After': '42' });
    const limited = await platformFailure(linkedinAdapter.publish(client, tokens(), post('x')));
    expect(limited).toMatchObject({ retryable: true, status: 429, retryAfterMs: 42_000, needsReauth: false });
    expect(limited.message).toContain('Resource level throttle');

    server.failNext(503);
    expect(await platformFailure(linkedinAdapter.publish(client, tokens(), post('x')))).toMatchObject({
      retryable: true,
      status: 503,
      needsReauth: false,
    });

    // The post call itself failing (as a page: no userinfo call before it).
    server.failNext(500);
    const failedPost = await platformFailure(linkedinAdapter.publish(client, pageTokens(), post('x', { postAs: ORG })));
    expect(failedPost).toMatchObject({ retryable: true, status: 500 });

    const bad = await platformFailure(
      linkedinAdapter.publish(client, { ...tokens(), accessToken: 'not-a-token' }, post('x')),
    );
    expect(bad).toMatchObject({ retryable: false, status: 401, needsReauth: true });
    expect(bad.message).toContain('Invalid access token');

    server.failNext(403);
    expect(await platformFailure(linkedinAdapter.remove(client, tokens(), 'urn:li:share:1'))).toMatchObject({
      retryable: false,
      status: 403,
      needsReauth: false,
    });
    expect(server.posts()).toHaveLength(0);
  });

  it('maps an unreachable LinkedIn to a retryable network error', async () => {
    const { server, client, tokens } = await setup();
    await server.close();
    servers.splice(0);
    const err = await platformFailure(linkedinAdapter.publish(client, tokens(), post('offline')));
    expect(err).toMatchObject({ retryable: true, status: null, needsReauth: false });
    expect(err.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });

  it('refreshes tokens, keeping the stored refresh token when LinkedIn sends none back', async () => {
    const { server, client, tokens } = await setup({ refreshReturnsRefreshToken: false });
    const old = tokens();
    const refreshed = await linkedinAdapter.refresh(client, old);
    expect(refreshed.accessToken).toBe(server.accessToken);
    expect(refreshed.accessToken).not.toBe(old.accessToken);
    expect(refreshed.refreshToken).toBe(old.refreshToken);
    expect(Date.parse(refreshed.expiresAt ?? '') - Date.now()).toBeGreaterThan(59 * 24 * 3600 * 1000);
    expect(refreshed.scope).toBe('email,openid,profile,w_member_social');
    await expect(linkedinAdapter.profile(client, refreshed)).resolves.toMatchObject({ accountId: 'li-casey' });
    expect(await platformFailure(linkedinAdapter.profile(client, old))).toMatchObject({ needsReauth: true });
  });

  it('takes the refresh token LinkedIn sends back, and asks to reconnect when the grant is dead', async () => {
    const { server, client, tokens } = await setup();
    const refreshed = await linkedinAdapter.refresh(client, tokens());
    expect(refreshed.refreshToken).toBe(server.refreshToken);

    server.revokeRefreshToken();
    const dead = await platformFailure(linkedinAdapter.refresh(client, refreshed));
    expect(dead).toMatchObject({ retryable: false, status: 400, needsReauth: true });
    expect(dead.message).toContain('invalid_grant');

    // A wrong client secret is the integration's setup, not the member's grant.
    const wrongApp = await platformFailure(linkedinAdapter.refresh({ ...client, clientSecret: 'nope' }, tokens()));
    expect(wrongApp).toMatchObject({ retryable: false, status: 401, needsReauth: false });

    server.failNext(503);
    expect(await platformFailure(linkedinAdapter.refresh(client, tokens()))).toMatchObject({
      retryable: true,
      status: 503,
    });
  });

  it('without a refresh token, keeps unexpired tokens and asks to reconnect once they expired', async () => {
    const { server, client, tokens } = await setup();
    const before = server.requests().length;
    const live = { ...tokens(), refreshToken: null, expiresAt: new Date(Date.now() + 3600_000).toISOString() };
    expect(await linkedinAdapter.refresh(client, live)).toBe(live);
    const expired = { ...live, expiresAt: new Date(Date.now() - 1000).toISOString() };
    expect(await platformFailure(linkedinAdapter.refresh(client, expired))).toMatchObject({
      retryable: false,
      needsReauth: true,
    });
    expect(server.requests()).toHaveLength(before);
  });

  it('removes a post, and removing it again is not an error', async () => {
    const { server, client, tokens } = await setup();
    const { postId } = await linkedinAdapter.publish(client, tokens(), post('Short-lived'));
    const kept = await linkedinAdapter.publish(client, tokens(), post('Stays'));
    await linkedinAdapter.remove(client, tokens(), postId);
    expect(server.posts().map((p) => p.urn)).toEqual([kept.postId]);
    expect(server.requests()).toContain(`DELETE /rest/posts/${encodeURIComponent(postId)}`);
    await expect(linkedinAdapter.remove(client, tokens(), postId)).resolves.toBeUndefined();
  });

  it('has the local server insist on LinkedIn-Version and Rest.li 2.0.0 headers', async () => {
    const { server } = await setup();
    const headers = { Authorization: `Bearer ${server.accessToken}`, 'Content-Type': 'application/json' };
    const body = JSON.stringify({
      author: 'urn:li:person:li-casey',
      commentary: 'x',
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED' },
      lifecycleState: 'PUBLISHED',
    });
    const noVersion = await fetch(`${server.url}/rest/posts`, {
      method: 'POST',
      headers: { ...headers, 'X-Restli-Protocol-Version': '2.0.0' },
      body,
    });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ code: 'VERSION_MISSING' });
    const noRestli = await fetch(`${server.url}/rest/posts`, {
      method: 'POST',
      headers: { ...headers, 'LinkedIn-Version': '202610' },
      body,
    });
    expect(noRestli.status).toBe(400);
    const ok = await fetch(`${server.url}/rest/posts`, {
      method: 'POST',
      headers: { ...headers, 'LinkedIn-Version': '202610', 'X-Restli-Protocol-Version': '2.0.0' },
      body,
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('x-restli-id')).toMatch(/^urn:li:share:/);
    expect(await ok.text()).toBe('');
  });
});

describe('finding a LinkedIn post after a crash (GET /rest/posts?q=author)', () => {
  const since = (msAgo: number) => new Date(Date.now() - msAgo);
  const MEMBER = 'urn:li:person:li-casey';

  it('finds the post whose commentary is the escaped text, made since the given time, as member or page', async () => {
    const { server, client, tokens, pageTokens } = await setup();
    const text = 'Menu [v2] (today) #NewMenu *fresh* @home';
    server.addPost({ commentary: 'Something else' });
    const published = await linkedinAdapter.publish(client, tokens(), post(text));
    server.addPost({ commentary: 'Later' });
    await expect(linkedinAdapter.findPublished!(client, tokens(), { text, since: since(60_000) })).resolves.toEqual(
      published,
    );
    // Not the page's: the page has no such post.
    await expect(
      linkedinAdapter.findPublished!(client, pageTokens(), { text, postAs: ORG, since: since(60_000) }),
    ).resolves.toBeNull();
    const asPage = await linkedinAdapter.publish(client, pageTokens(), post(text, { postAs: ORG }));
    await expect(
      linkedinAdapter.findPublished!(client, pageTokens(), { text, postAs: ORG, since: since(60_000) }),
    ).resolves.toEqual(asPage);
    const finds = server.requestUrls().filter((u) => u.startsWith('GET /rest/posts?'));
    expect(finds[0]).toBe(
      `GET /rest/posts?author=${encodeURIComponent(MEMBER)}&q=author&count=50&start=0&sortBy=LAST_MODIFIED`,
    );
  });

  it('answers null for a different text, the unescaped text, or a post older than the given time', async () => {
    const { server, client, tokens } = await setup();
    server.addPost({ commentary: toLittleText('Old (news)'), createdAt: Date.now() - 3_600_000 });
    server.addPost({ commentary: 'Old (news)' });
    await expect(
      linkedinAdapter.findPublished!(client, tokens(), { text: 'Old (news)', since: since(60_000) }),
    ).resolves.toBeNull();
    await expect(
      linkedinAdapter.findPublished!(client, tokens(), { text: 'Old (news)', since: since(7_200_000) }),
    ).resolves.toMatchObject({ postId: expect.stringMatching(/^urn:li:share:/) });
    await expect(
      linkedinAdapter.findPublished!(client, tokens(), { text: 'nothing', since: since(60_000) }),
    ).resolves.toBeNull();
  });

  it('pages with start and count until the posts are older than the given time', async () => {
    const { server, client, tokens } = await setup();
    const wanted = server.addPost({ commentary: 'The one', createdAt: Date.now() - 30_000 });
    for (let i = 0; i < 120; i++) server.addPost({ commentary: `filler ${i}` });
    await expect(
      linkedinAdapter.findPublished!(client, tokens(), { text: 'The one', since: since(60_000) }),
    ).resolves.toMatchObject({ postId: wanted });
    expect(
      server
        .requestUrls()
        .filter((u) => u.startsWith('GET /rest/posts?'))
        .map((u) => new URL(u.slice(4), 'http://x').searchParams.get('start')),
    ).toEqual(['0', '50', '100']);
  });

  it('maps a 503 to retryable, a 401 to reconnect and a 403 to permanent', async () => {
    const { server, client, tokens } = await setup();
    server.failNextOn('/rest/posts', 503);
    expect(
      await platformFailure(linkedinAdapter.findPublished!(client, tokens(), { text: 'x', since: since(1000) })),
    ).toMatchObject({ retryable: true, status: 503 });
    server.failNextOn('/rest/posts', 403);
    expect(
      await platformFailure(linkedinAdapter.findPublished!(client, tokens(), { text: 'x', since: since(1000) })),
    ).toMatchObject({ retryable: false, status: 403 });
    server.failNextOn('/v2/userinfo', 401);
    expect(
      await platformFailure(linkedinAdapter.findPublished!(client, tokens(), { text: 'x', since: since(1000) })),
    ).toMatchObject({ retryable: false, needsReauth: true });
  });

  it('has the local server insist on the Rest.li headers for the finder', async () => {
    const { server } = await setup();
    const res = await fetch(`${server.url}/rest/posts?q=author&author=${encodeURIComponent(MEMBER)}`, {
      headers: { Authorization: `Bearer ${server.accessToken}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VERSION_MISSING' });
  });
});

describe('LinkedIn organisation pages the member administers', () => {
  const BAKERY = 'urn:li:organization:1001';
  const CAFE = 'urn:li:organization:1002';
  const names = { [ORG]: 'Northwind Social', [BAKERY]: 'Northwind Bakery', [CAFE]: 'Café Nord' };
  const pagesSetup = (options: LinkedInServerOptions = {}) =>
    setup({ scope: PAGE_SCOPE, administeredOrganizations: [ORG, BAKERY, CAFE], organizationNames: names, ...options });

  it('lists the administered pages with their names, from the ACL finder and a Rest.li 2.0 batch get', async () => {
    const { server, client, pageTokens } = await pagesSetup({
      // Roles that do not let the member post as the page: the finder's filters leave them out.
      otherOrganizationRoles: [
        { organization: 'urn:li:organization:3003', role: 'ANALYST', state: 'APPROVED' },
        { organization: 'urn:li:organization:4004', role: 'ADMINISTRATOR', state: 'REQUESTED' },
      ],
    });
    expect(await linkedinAdapter.pages!(client, pageTokens())).toEqual([
      { id: ORG, name: 'Northwind Social' },
      { id: BAKERY, name: 'Northwind Bakery' },
      { id: CAFE, name: 'Café Nord' },
    ]);
    const urls = server.requestUrls();
    expect(urls).toHaveLength(2);
    const acl = new URL(urls[0]!.slice('GET '.length), server.url);
    expect(acl.pathname).toBe('/rest/organizationAcls');
    expect(Object.fromEntries(acl.searchParams)).toMatchObject({
      q: 'roleAssignee',
      role: 'ADMINISTRATOR',
      state: 'APPROVED',
      start: '0',
    });
    expect(urls[1]).toBe('GET /rest/organizations?ids=List(2414183,1001,1002)');
  });

  it('follows the paging to the last page, and names every page in batches', async () => {
    const many = Array.from({ length: 7 }, (_, i) => `urn:li:organization:${500 + i}`);
    const { server, client, pageTokens } = await pagesSetup({
      administeredOrganizations: many,
      organizationNames: { [many[6]!]: 'The Seventh' },
      aclPageSize: 3,
    });
    const listed = await linkedinAdapter.pages!(client, pageTokens());
    expect(listed.map((p) => p.id)).toEqual(many);
    expect(listed[6]).toEqual({ id: many[6], name: 'The Seventh' });
    expect(listed[0]).toEqual({ id: many[0], name: 'Organization 500' });
    const starts = server
      .requestUrls()
      .filter((u) => u.startsWith('GET /rest/organizationAcls'))
      .map((u) => new URL(u.slice('GET '.length), server.url).searchParams.get('start'));
    expect(starts).toEqual(['0', '3', '6']);
  });

  it('still offers a page whose name LinkedIn refuses in the batch get, by its id', async () => {
    const { client, pageTokens } = await pagesSetup({
      administeredOrganizations: [BAKERY],
      otherOrganizationRoles: [{ organization: 'urn:li:organization:4004', role: 'ADMINISTRATOR', state: 'APPROVED' }],
    });
    expect(await linkedinAdapter.pages!(client, pageTokens())).toEqual([
      { id: BAKERY, name: 'Northwind Bakery' },
      { id: 'urn:li:organization:4004', name: 'Organisation page 4004' },
    ]);
  });

  it('lists none for a member who administers no page', async () => {
    const { server, client, pageTokens } = await setup({ scope: PAGE_SCOPE, administeredOrganizations: [] });
    expect(await linkedinAdapter.pages!(client, pageTokens())).toEqual([]);
    // Nothing to name: no batch get.
    expect(server.requests()).toEqual(['GET /rest/organizationAcls']);
  });

  it('does not call LinkedIn with a sign-in that was not granted the admin scope', async () => {
    const { server, client, tokens } = await pagesSetup();
    for (const scope of [
      'email,openid,profile,w_member_social',
      'email,openid,profile,w_member_social,w_organization_social',
    ]) {
      const err = await platformFailure(linkedinAdapter.pages!(client, tokens(scope)));
      expect(err).toMatchObject({ retryable: false, needsReauth: false, status: null });
      expect(err.message).toContain('turn on organisation pages in the LinkedIn integration and reconnect');
    }
    expect(server.requests()).toEqual([]);
  });

  it("takes LinkedIn's 403 when the tokens do not say their scope and LinkedIn did not grant it", async () => {
    const { server, client, tokens } = await pagesSetup({ scope: 'email,openid,profile,w_member_social' });
    const err = await platformFailure(linkedinAdapter.pages!(client, tokens(null)));
    expect(err).toMatchObject({ retryable: false, status: 403, needsReauth: false });
    expect(err.message).toContain('Not enough permissions to access: organizationAcls');
    expect(server.requests()).toEqual(['GET /rest/organizationAcls']);
  });

  it('maps 401 to reconnect, 5xx and 429 to retryable, on either call', async () => {
    const { server, client, pageTokens } = await pagesSetup();
    const dead = await platformFailure(
      linkedinAdapter.pages!(client, { ...pageTokens(), accessToken: 'revoked-token' }),
    );
    expect(dead).toMatchObject({ retryable: false, status: 401, needsReauth: true });
    expect(dead.message).toContain('reconnect the account to list the organisation pages');

    server.failNext(503);
    expect(await platformFailure(linkedinAdapter.pages!(client, pageTokens()))).toMatchObject({
      retryable: true,
      status: 503,
      needsReauth: false,
    });

    server.failNext(429, { 'Retry-After': '30' });
    expect(await platformFailure(linkedinAdapter.pages!(client, pageTokens()))).toMatchObject({
      retryable: true,
      status: 429,
      retryAfterMs: 30_000,
    });

    // The ACL finder answers; the batch get of the names fails.
    server.failNextOn('/rest/organizations', 500);
    expect(await platformFailure(linkedinAdapter.pages!(client, pageTokens()))).toMatchObject({
      retryable: true,
      status: 500,
    });
    server.failNextOn('/rest/organizations', 401);
    expect(await platformFailure(linkedinAdapter.pages!(client, pageTokens()))).toMatchObject({
      retryable: false,
      status: 401,
      needsReauth: true,
    });
    // And then it works again.
    expect(await linkedinAdapter.pages!(client, pageTokens())).toHaveLength(3);
  });

  it('maps an unreachable LinkedIn to a retryable network error', async () => {
    const { server, client, pageTokens } = await pagesSetup();
    await server.close();
    servers.splice(0);
    expect(await platformFailure(linkedinAdapter.pages!(client, pageTokens()))).toMatchObject({
      retryable: true,
      status: null,
      needsReauth: false,
    });
  });

  it('has the local server answer the batch get with Rest.li 2.0 ids, encoded or not, and its errors', async () => {
    const { server } = await pagesSetup();
    const headers = {
      Authorization: `Bearer ${server.accessToken}`,
      'LinkedIn-Version': '202610',
      'X-Restli-Protocol-Version': '2.0.0',
    };
    const get = async (query: string) => {
      const res = await fetch(`${server.url}/rest/organizations?${query}`, { headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const plain = await get('ids=List(1001,999)');
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({
      results: {
        '1001': expect.objectContaining({
          id: 1001,
          localizedName: 'Northwind Bakery',
          name: { localized: { en_US: 'Northwind Bakery' }, preferredLocale: { country: 'US', language: 'en' } },
        }),
      },
      statuses: { '1001': 200 },
      errors: { '999': expect.objectContaining({ status: 404 }) },
    });
    expect((await get('ids=List%281001%2C1002%29')).body.statuses).toEqual({ '1001': 200, '1002': 200 });
    expect(await get('ids=1001&ids=1002')).toMatchObject({ status: 400, body: { code: 'ILLEGAL_ARGUMENT' } });
    expect(await get('')).toMatchObject({ status: 400, body: { code: 'ILLEGAL_ARGUMENT' } });
    const noVersion = await fetch(`${server.url}/rest/organizationAcls?q=roleAssignee`, {
      headers: { Authorization: headers.Authorization, 'X-Restli-Protocol-Version': '2.0.0' },
    });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ code: 'VERSION_MISSING' });
  });
});

describe('LinkedIn video through the Videos API', () => {
  const quick = createLinkedInAdapter({ videoStatusDelaysMs: [10, 10, 10, 10] });
  /** A real 10-second MP4, padded past two of LinkedIn's 4 MiB parts. */
  const video = (seconds = 10) => videoOf({ width: 1280, height: 720, seconds, minBytes: 9_000_000 });

  it('uploads a video in the parts LinkedIn gives, finalizes with their ETags, posts it once AVAILABLE', async () => {
    const { server, client, tokens } = await setup();
    server.setVideoProcessingPolls(2);
    const file = video();
    const published = await quick.publish(
      client,
      tokens(),
      post('Our launch film', { media: [{ mimeType: 'video/mp4', data: file }] }),
    );
    expect(server.posts().map((p) => p.urn)).toEqual([published.postId]);
    const [media] = server.posts()[0]?.media ?? [];
    const uploaded = server.video(media?.id as string);
    expect(uploaded).toMatchObject({ status: 'AVAILABLE', owner: `urn:li:person:${server.sub}` });
    expect(uploaded?.parts.length).toBe(3);
    expect(uploaded?.data?.equals(file)).toBe(true);
  });

  it('refuses a video LinkedIn cannot process (too short), naming the reason, and posts nothing', async () => {
    const { server, client, tokens } = await setup();
    const refused = await platformFailure(
      quick.publish(client, tokens(), post('Too short', { media: [{ mimeType: 'video/mp4', data: video(1) }] })),
    );
    expect(refused).toMatchObject({ retryable: false });
    expect(refused.message).toMatch(/^LinkedIn could not process video 1: /);
    expect(server.posts()).toEqual([]);
  });

  it('refuses a video beside images before any call', async () => {
    const { server, client, tokens } = await setup();
    const refused = await platformFailure(
      quick.publish(
        client,
        tokens(),
        post('Mixed', {
          media: [
            { mimeType: 'video/mp4', data: video() },
            { mimeType: 'image/jpeg', data: JPEG_1x1 },
          ],
        }),
      ),
    );
    expect(refused.message).toBe('LinkedIn posts take one video, or images, not both');
    expect(server.posts()).toEqual([]);
  });
});
