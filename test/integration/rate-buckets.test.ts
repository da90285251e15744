import { describe, expect, it } from 'vitest';
import { clientAndLinkInApp, startTestApp, type TestApp } from '../support/app';

/*
 * Red-team findings on the loopback server's rate limits (issue 9): what a caller presents never
 * makes a bucket of its own, and the client-facing pages are counted per link, not in a bucket
 * every anonymous caller shares.
 */

const fetchAll = async (count: number, make: (i: number) => Promise<Response>, parallel = 25) => {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, count - i) }, (_, j) =>
        make(i + j).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    statuses.push(...batch);
  }
  return statuses;
};

const randomKey = () => `key_${Math.random().toString(36).slice(2)}.${Math.random().toString(36).slice(2)}`;

const linkFor = (t: TestApp) => clientAndLinkInApp(t, { email: 'casey@client.test', displayName: 'Casey Client Co' });

describe('issue 9 item 2: anonymous requests cannot shut the connection pages', () => {
  it(
    'counts each link in its own bucket: a flood of other requests leaves ' +
      '/connect/<token>, /oauth/callback and /invitations open',
    async () => {
      const t = await startTestApp({ rateLimitPerMinute: 50 });
      const { link } = await linkFor(t);
      // A flood from the same address without a key: API calls, made-up links, forged callbacks.
      const flood = await fetchAll(200, (i) =>
        fetch(
          i % 3 === 0
            ? `${t.url}/api/v1/workspace/users`
            : i % 3 === 1
              ? `${t.url}/connect/not-a-link-${i}`
              : `${t.url}/oauth/callback?state=forged-${i}&code=x`,
        ),
      );
      expect(flood.filter((s) => s === 429).length, 'the shared anonymous bucket did fill up').toBeGreaterThan(0);
      const page = await fetch(link.connectionUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Casey Client Co');
      expect((await fetch(`${t.url}/oauth/callback?state=another-one&code=x`)).status).toBe(400);
      expect((await fetch(`${t.url}/invitations/some-code`)).status).toBe(200);
    },
  );

  it('does not spend the shared bucket on cross-site requests (Sec-Fetch-Site); limits one link per link', async () => {
    const t = await startTestApp({ rateLimitPerMinute: 20, pageRequestsPerMinute: 30 });
    const crossSite = await fetchAll(100, () =>
      fetch(`${t.url}/api/v1/workspace/users`, {
        headers: { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' },
      }),
    );
    expect(crossSite.every((s) => s === 401)).toBe(true);
    // A first-party caller (curl, a script) still has its bucket, untouched by the flood above.
    expect((await fetch(`${t.url}/api/v1/workspace/users`)).headers.get('x-ratelimit-remaining')).toBe('19');
    const { link } = await linkFor(t);
    const onLink = await fetchAll(40, () => fetch(link.connectionUrl));
    expect(onLink.filter((s) => s === 429).length).toBe(10);
  });
});

describe('issue 9 item 3: the limiter only makes buckets for verified keys', () => {
  it('answers 429 after a few dozen wrong keys from one source, while a valid key keeps working', async () => {
    const t = await startTestApp();
    const statuses = await fetchAll(100, () =>
      fetch(`${t.url}/api/v1/workspace/users`, { headers: { 'x-publora-key': randomKey() } }),
    );
    expect(statuses.slice(0, 60).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(60).every((s) => s === 429)).toBe(true);
    const valid = await fetch(`${t.url}/api/v1/workspace/users`, { headers: { 'x-publora-key': t.workspaceApiKey } });
    expect(valid.status).toBe(200);
  });

  it("cannot push a throttled key's bucket out with thousands of random keys", async () => {
    const t = await startTestApp({ rateLimitPerMinute: 5 });
    const valid = () => fetch(`${t.url}/api/v1/workspace/users`, { headers: { 'x-publora-key': t.workspaceApiKey } });
    for (let i = 0; i < 5; i++) expect((await valid()).status).toBe(200);
    expect((await valid()).status).toBe(429);
    await fetchAll(
      5_100,
      () => fetch(`${t.url}/api/v1/workspace/users`, { headers: { 'x-publora-key': randomKey() } }),
      50,
    );
    const after = await valid();
    expect([after.status, after.headers.get('x-ratelimit-remaining')]).toEqual([429, '0']);
  });

  it(
    'keeps a bounded number of sign-ins waiting per link, ' +
      'and limits /connect/<token>/<platform> per link whatever key is sent',
    async () => {
      const t = await startTestApp({ pageRequestsPerMinute: 100 });
      await t.app.engine.call('integration.add', {
        workspaceId: t.workspaceId,
        integration: {
          platform: 'mastodon',
          clientId: 'app',
          clientSecret: 'secret',
          instanceUrl: 'https://mastodon.example',
        },
      });
      const { link } = await linkFor(t);
      const statuses = await fetchAll(150, () =>
        fetch(`${link.connectionUrl}/mastodon`, { redirect: 'manual', headers: { 'x-publora-key': randomKey() } }),
      );
      expect(statuses.filter((s) => s === 303).length).toBe(100);
      expect(statuses.filter((s) => s === 429).length).toBe(50);
      expect(t.app.engine.oauthFlows.pendingCount).toBeLessThanOrEqual(10);
    },
  );
});

describe('issue 9 item 9: only the connection pages take form bodies', () => {
  it('refuses an urlencoded body on an API route (a plain HTML form cannot drive the API)', async () => {
    const t = await startTestApp();
    const res = await fetch(`${t.url}/api/v1/workspace/users`, {
      method: 'POST',
      headers: { 'x-publora-key': t.workspaceApiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=form%40client.test&displayName=Form',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    const list = await fetch(`${t.url}/api/v1/workspace/users`, { headers: { 'x-publora-key': t.workspaceApiKey } });
    expect(await list.json()).toEqual([]);
  });
});
