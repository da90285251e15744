import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from '@playwright/test';
import { describe, expect, it } from 'vitest';
import { clientAndLinkInApp, startTestApp } from '../support/app';
import { closeAfterTest } from '../support/closers';

/*
 * Issue 9 item 2, as the red team ran it: a page on another local port, open in Chromium, fires
 * 650 `no-cors` requests at the loopback server. Before, they all spent the one anonymous bucket
 * (`ip:127.0.0.1`) and the connection pages answered 429 until the window ended.
 */

function serveHostilePage(target: string): Promise<Server> {
  const html = `<!doctype html><title>Free prizes</title><script>
    window.flood = async () => {
      const paths = ['/api/v1/workspace/users', '/connect/guess', '/oauth/callback?state=guess', '/invitations/guess'];
      const sent = [];
      for (let i = 0; i < 650; i++) {
        const url = ${JSON.stringify(target)} + paths[i % paths.length] + (i % 2 ? '-' + i : '');
        sent.push(fetch(url, { mode: 'no-cors' }).catch(() => null));
      }
      await Promise.all(sent);
      return sent.length;
    };
  </script>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

describe('issue 9 item 2: a hostile page in Chromium cannot shut the connection pages', () => {
  it('/connect/<token>, /oauth/callback, /invitations answer after 650 no-cors fetches from another port', async () => {
    const t = await startTestApp();
    const { link } = await clientAndLinkInApp(t, { email: 'casey@client.test', displayName: 'Casey Client Co' });
    const hostile = await serveHostilePage(t.url);
    closeAfterTest(() => new Promise((done) => hostile.close(done)));
    const browser: Browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    closeAfterTest(() => browser.close());
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`);
    expect(await page.evaluate(() => (globalThis as unknown as { flood: () => Promise<number> }).flood())).toBe(650);

    // The client opens their link in the same browser: the page, a callback, an invitation.
    const linkPage = await browser.newPage();
    const opened = await linkPage.goto(link.connectionUrl);
    expect(opened?.status()).toBe(200);
    expect(await linkPage.textContent('h1')).toBe('Acme Agency');
    expect((await linkPage.goto(`${t.url}/oauth/callback?state=stale&code=x`))?.status()).toBe(400);
    expect((await linkPage.goto(`${t.url}/invitations/abc`))?.status()).toBe(200);
  });
});
