import { expect } from 'vitest';

/*
 * The person at the OpenID Connect server of the tests (./oauth-server.ts: oidc-provider standing in
 * for LinkedIn) without a browser: redirects are followed by hand with a small cookie jar, and the
 * server's development sign-in and consent forms are posted as a browser would.
 */

/** Cookies by name; enough for one authorization server on one origin. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
}

const isRedirect = (status: number) => status >= 300 && status < 400;

/**
 * Plays the person on the authorization server's pages, from the authorization URL until the
 * server redirects back to the app; returns that callback URL without opening it.
 */
export async function consentAtServer(
  authorizationUrl: string,
  opts: { login?: string; cancel?: boolean } = {},
): Promise<URL> {
  const jar = new CookieJar();
  const origin = new URL(authorizationUrl).origin;
  let next: { url: URL; form?: Record<string, string> } = { url: new URL(authorizationUrl) };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(next.url, {
      redirect: 'manual',
      method: next.form ? 'POST' : 'GET',
      headers: { ...jar.header(), ...(next.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: next.form ? new URLSearchParams(next.form).toString() : undefined,
    });
    jar.store(res);
    if (isRedirect(res.status)) {
      const location = new URL(res.headers.get('location')!, next.url);
      if (location.origin !== origin) return location;
      next = { url: location };
      continue;
    }
    const body = await res.text();
    expect(res.status, body.slice(0, 500)).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(body)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(body)?.[1];
    const abort = /href="([^"]*\/abort)"/.exec(body)?.[1];
    if (!action || !prompt || !abort) throw new Error(`unexpected page at ${next.url.href}:\n${body.slice(0, 500)}`);
    if (opts.cancel) {
      next = { url: new URL(abort, next.url) };
    } else if (prompt === 'login') {
      expect(body).toContain('<h1>Sign-in</h1>');
      next = {
        url: new URL(action, next.url),
        form: { prompt: 'login', login: opts.login ?? 'li-casey', password: 'any password' },
      };
    } else {
      expect(prompt).toBe('consent');
      expect(body).toContain('<h1>Authorize</h1>');
      expect(body).toContain('w_member_social');
      next = { url: new URL(action, next.url), form: { prompt: 'consent' } };
    }
  }
  throw new Error('the authorization server never redirected back');
}
