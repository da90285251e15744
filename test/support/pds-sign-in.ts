import { request, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';

/*
 * The "browser": the PDS's authorization page is a small app over a JSON API
 * (@atproto/oauth-provider's /@atproto/oauth-provider/~api/sign-in and /consent), guarded by
 * Sec-Fetch-* / Origin / Referer checks, device cookies and a double-submit CSRF cookie. Sending
 * what a browser sends completes it over plain HTTP, no Chromium needed.
 */
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

class Browser {
  private cookies = new Map<string, string>();

  private remember(headers: IncomingHttpHeaders) {
    for (const line of headers['set-cookie'] ?? []) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async go(url: string, headers: Record<string, string>): Promise<Answer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const answer = await send(url, {
      headers: {
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) postroom-test',
        ...(cookie ? { cookie } : {}),
        ...headers,
      },
    });
    this.remember(answer.headers);
    return answer;
  }

  async api(url: string, page: string, json: unknown, extra: Record<string, string> = {}): Promise<Answer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const answer = await send(url, {
      method: 'POST',
      headers: {
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) postroom-test',
        'content-type': 'application/json',
        'sec-fetch-mode': 'same-origin',
        'sec-fetch-site': 'same-origin',
        'sec-fetch-dest': 'empty',
        origin: new URL(page).origin,
        referer: page,
        'x-csrf-token': this.cookies.get('csrf-token') ?? '',
        cookie,
        ...extra,
      },
      body: JSON.stringify(json),
    });
    this.remember(answer.headers);
    return answer;
  }
}

/**
 * Signs in on the authorization page with the account's password and accepts;
 * returns where the PDS sends the browser.
 */
export async function signInAndAccept(
  authorizationUrl: string,
  did: string,
  username: string,
  password: string,
): Promise<string> {
  const browser = new Browser();
  const page = await browser.go(authorizationUrl, {
    'sec-fetch-site': 'cross-site',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-dest': 'document',
  });
  expect(page.status, page.body.slice(0, 500)).toBe(200);
  expect(browser.cookie('csrf-token')).toBeTruthy();

  const api = (endpoint: string) => new URL(`/@atproto/oauth-provider/~api${endpoint}`, authorizationUrl).href;
  const signIn = await browser.api(api('/sign-in'), authorizationUrl, {
    locale: 'en',
    username,
    password,
    remember: false,
  });
  expect(signIn.status, signIn.body).toBe(200);
  const { account, ephemeralToken } = JSON.parse(signIn.body) as { account: { did: string }; ephemeralToken?: string };
  expect(account.did).toBe(did);

  const consent = await browser.api(
    api('/consent'),
    authorizationUrl,
    { did },
    ephemeralToken ? { authorization: `Bearer ${ephemeralToken}` } : {},
  );
  expect(consent.status, consent.body).toBe(200);
  const { url } = JSON.parse(consent.body) as { url: string };

  // The page then navigates to /oauth/authorize/redirect, which redirects to the client.
  const redirect = await browser.go(url, {
    'sec-fetch-site': 'same-origin',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-dest': 'document',
    referer: authorizationUrl,
  });
  expect([302, 303], redirect.body.slice(0, 500)).toContain(redirect.status);
  return String(redirect.headers.location);
}
