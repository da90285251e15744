import { chromium, type Browser } from '@playwright/test';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app';
import { jpegOf } from '../support/media-fixtures';
import { addConnection } from '../support/posting';
import { closeAfterTest } from '../support/closers';

/**
 * Issue 13 item 2: the client opens their approval link in a browser without an account, asks for
 * changes with a comment, then approves; forged, revoked and expired links get clear pages; a
 * post's text is shown as text, never as markup.
 */

/** A test app with a client whose posts the client approves, and the client's X and Mastodon accounts. */
async function clientWhoApproves() {
  const t = await startTestApp();
  const engine = t.app.engine;
  const ws = t.workspaceId;
  const client = await engine.call('client.create', {
    workspaceId: ws,
    client: { email: 'casey@client.test', displayName: 'Casey Client Co' },
  });
  await engine.call('approval.setPolicy', { workspaceId: ws, userId: client.id, policy: 'client' });
  const x = await addConnection(engine.ctx, ws, client.id, 'x', '2244994945', { accessToken: 'unused' });
  const mastodon = await addConnection(engine.ctx, ws, client.id, 'mastodon', '7', { accessToken: 'unused' });
  return { t, engine, ws, client, x, mastodon };
}

describe('the approval page', () => {
  it('lets the client request changes with a comment and approve, in Chromium on a phone-sized screen', async () => {
    const { t, engine, client, mastodon } = await clientWhoApproves();
    const post = await engine.call('post.create', {
      workspaceId: t.workspaceId,
      userId: client.id,
      post: { text: 'Hello <img src=x onerror=alert(1)> world', platformIds: [mastodon] },
    });
    await engine.call('post.submit', { workspaceId: t.workspaceId, id: post.id });
    const link = await engine.call('approvalLink.create', { workspaceId: t.workspaceId, userId: client.id });
    const decided: string[] = [];
    engine.subscribe((event, payload) => {
      if (event === 'approval.decided') decided.push((payload as { decision: string }).decision);
    });

    const browser: Browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    closeAfterTest(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    expect((await page.goto(link.approvalUrl))?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Posts for Casey Client Co');
    expect(await page.textContent('.text')).toBe('Hello <img src=x onerror=alert(1)> world');
    expect(await page.locator('img').count()).toBe(0);

    // Request changes without a comment: said beside the post; with one: recorded.
    await page.getByLabel('What should change?').fill('Say "world" in French');
    await page.getByRole('button', { name: 'Request changes' }).click();
    await expect.poll(() => page.textContent('[role=status]')).toContain('your agency will make the changes');
    expect((await engine.call('post.get', { workspaceId: t.workspaceId, id: post.id })).approval.state).toBe(
      'changes_requested',
    );
    expect(await page.textContent('main')).toContain('Nothing is waiting for your approval right now.');

    await engine.call('post.update', { workspaceId: t.workspaceId, id: post.id, patch: { text: 'Bonjour le monde' } });
    await engine.call('post.submit', { workspaceId: t.workspaceId, id: post.id });
    await page.goto(link.approvalUrl);
    expect(await page.textContent('main')).toContain('Casey Client Co: Say "world" in French');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.textContent('[role=status]')).toContain('Approved. Thank you!');
    expect((await engine.call('post.get', { workspaceId: t.workspaceId, id: post.id })).approval).toMatchObject({
      state: 'approved',
      cleared: true,
    });
    expect(decided).toEqual(['requestChanges', 'approve']);

    // Forged, revoked and expired links: clear pages, nothing decided.
    const forged = await page.goto(`${t.url}/approve/${'A'.repeat(43)}`);
    expect([forged?.status(), await page.textContent('h1')]).toEqual([404, 'Link not found']);
    const [made] = await engine.call('approvalLink.list', { workspaceId: t.workspaceId, userId: client.id });
    await engine.call('approvalLink.revoke', { workspaceId: t.workspaceId, userId: client.id, linkId: made!.id });
    const revoked = await page.goto(link.approvalUrl);
    expect([revoked?.status(), await page.textContent('h1')]).toEqual([410, 'Link revoked']);
  });
  it('shows each post as X and Mastodon would, with its picture through the link only, on a phone', async () => {
    const { t, engine, ws, client, x, mastodon } = await clientWhoApproves();
    engine.ctx.db
      .prepare(`UPDATE connections SET display_name = ?, handle = ? WHERE platform_id = ?`)
      .run('Casey <b>Co</b>', 'casey_co', x);
    engine.ctx.db
      .prepare(`UPDATE connections SET display_name = ?, handle = ? WHERE platform_id = ?`)
      .run('Casey on Mastodon', 'casey@social.test', mastodon);
    const picture = await engine.call('media.upload', {
      workspaceId: ws,
      userId: client.id,
      file: { fileName: 'sale.jpg', dataBase64: jpegOf(400, 300).toString('base64') },
      altText: 'The sale sign',
    });
    const post = await engine.call('post.create', {
      workspaceId: ws,
      userId: client.id,
      post: {
        text: 'Sale with @friend at https://shop.example.com/sale <script>alert(1)</script>',
        platformTexts: { [mastodon]: 'Sale with @friend and @pal@other.test at https://shop.example.com/sale' },
        platformIds: [x, mastodon],
        mediaIds: [picture.id],
      },
    });
    await engine.call('post.submit', { workspaceId: ws, id: post.id });
    // Another post of the client's, not in review: the link does not show it, nor its picture.
    const hidden = await engine.call('media.upload', {
      workspaceId: ws,
      userId: client.id,
      file: { fileName: 'secret.jpg', dataBase64: jpegOf(50, 50).toString('base64') },
    });
    await engine.call('post.create', {
      workspaceId: ws,
      userId: client.id,
      post: { text: 'Not for review yet', platformIds: [x], mediaIds: [hidden.id] },
    });
    const link = await engine.call('approvalLink.create', { workspaceId: ws, userId: client.id });

    const browser: Browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    closeAfterTest(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('dialog', (d) => scripts.push(d.message()));
    expect((await page.goto(link.approvalUrl))?.status()).toBe(200);

    const xCard = page.getByRole('article', { name: 'X preview: Casey <b>Co</b>' });
    await expect.poll(() => xCard.textContent()).toContain('Casey <b>Co</b> @casey_co');
    expect(await xCard.locator('.text').textContent()).toBe(
      'Sale with @friend at https://shop.example.com/sale <script>alert(1)</script>',
    );
    expect(await xCard.getByRole('link', { name: '@friend' }).getAttribute('href')).toBe('https://x.com/friend');
    expect(await xCard.getByRole('link', { name: 'https://shop.example.com/sale' }).getAttribute('href')).toBe(
      'https://shop.example.com/sale',
    );
    // X counts the link as 23: the counter says so.
    expect(await xCard.locator('.count').textContent()).toBe(
      `${'Sale with @friend at '.length + 23 + ' <script>alert(1)</script>'.length} / 280`,
    );

    const mCard = page.getByRole('article', { name: 'Mastodon preview: Casey on Mastodon' });
    expect(await mCard.textContent()).toContain('@casey@social.test');
    expect(await mCard.getByRole('link', { name: '@friend' }).getAttribute('href')).toBe('https://social.test/@friend');
    expect(await mCard.getByRole('link', { name: '@pal@other.test' }).getAttribute('href')).toBe(
      'https://other.test/@pal',
    );
    expect(await mCard.locator('.count').textContent()).toBe('64 / 500');

    // The picture, in both cards, loads through the link; it fits the phone's width.
    const img = xCard.getByRole('img', { name: 'The sale sign' });
    await expect
      .poll(() => img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth))
      .toBe(320);
    expect(await mCard.getByRole('img', { name: 'The sale sign' }).count()).toBe(1);
    const box = (await img.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
            .scrollWidth,
      ),
    ).toBeLessThanOrEqual(390);
    expect(scripts).toEqual([]);

    // The picture's address needs the link: without it, with another token, or for a post the
    // link does not show, the answer is the same 404.
    const src = (await img.getAttribute('src'))!;
    expect(src).toBe(`/approve/${link.approvalUrl.split('/').pop()}/media/${picture.id}`);
    const ok = await fetch(`${t.url}${src}`);
    expect([ok.status, ok.headers.get('content-type'), ok.headers.get('cache-control')]).toEqual([
      200,
      'image/jpeg',
      'no-store',
    ]);
    for (const path of [
      `/approve/${'A'.repeat(43)}/media/${picture.id}`,
      `/approve/${link.approvalUrl.split('/').pop()}/media/${hidden.id}`,
      `/approve/${link.approvalUrl.split('/').pop()}/media/..%2F..%2Fetc`,
    ])
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(404);
    const [made] = await engine.call('approvalLink.list', { workspaceId: ws, userId: client.id });
    await engine.call('approvalLink.revoke', { workspaceId: ws, userId: client.id, linkId: made!.id });
    expect((await fetch(`${t.url}${src}`)).status).toBe(404);
  });

  it('shows the whole thread, the poll and the first comment the client approves (issue 14 item 4)', async () => {
    const { engine, ws, client, x, mastodon } = await clientWhoApproves();
    const linkedin = await addConnection(engine.ctx, ws, client.id, 'linkedin', 'li-1', { accessToken: 'unused' });
    const chart = await engine.call('media.upload', {
      workspaceId: ws,
      userId: client.id,
      file: { fileName: 'chart.jpg', dataBase64: jpegOf(400, 300).toString('base64') },
      altText: 'The chart',
    });
    const submit = async (post: Record<string, unknown>) => {
      const made = await engine.call('post.create', { workspaceId: ws, userId: client.id, post: post as never });
      await engine.call('post.submit', { workspaceId: ws, id: made.id });
    };
    await submit({
      text: 'What we learned 🧵',
      platformIds: [x, mastodon],
      thread: [{ text: 'One: ship small.' }, { text: 'Two: <test> honestly.', mediaIds: [chart.id] }],
    });
    await submit({
      text: 'Which colour?',
      platformIds: [mastodon],
      poll: { options: ['Red', 'Blue'], durationMinutes: 360 },
    });
    await submit({ text: 'New shop', platformIds: [linkedin], firstComment: 'The link: https://shop.test' });
    const link = await engine.call('approvalLink.create', { workspaceId: ws, userId: client.id });

    const browser: Browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    closeAfterTest(() => browser.close());
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    expect((await page.goto(link.approvalUrl))?.status()).toBe(200);

    const [threadPost, pollPost, commentPost] = await page.getByRole('region', { name: 'Post' }).all();
    for (const card of await threadPost!.getByRole('article').all()) {
      const thread = card.getByRole('list', { name: 'Thread' });
      expect(await card.locator('> .text').textContent()).toBe('What we learned 🧵');
      expect(
        await thread.getByRole('listitem').evaluateAll((parts) => parts.map((p) => p.getAttribute('aria-label'))),
      ).toEqual(['Part 2 of 3', 'Part 3 of 3']);
      expect(await thread.getByRole('listitem', { name: 'Part 2 of 3' }).locator('.text').textContent()).toBe(
        'One: ship small.',
      );
      expect(await thread.getByRole('listitem', { name: 'Part 3 of 3' }).locator('.text').textContent()).toBe(
        'Two: <test> honestly.',
      );
      // The part's picture loads through the link, as the post's own do.
      const img = thread.getByRole('img', { name: 'The chart' });
      await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
    }
    expect(await pollPost!.getByRole('list', { name: 'Poll options' }).getByRole('listitem').allTextContents()).toEqual(
      ['Red', 'Blue'],
    );
    expect(await pollPost!.textContent()).toContain('Poll · runs for 6 hours');
    const comment = commentPost!.getByLabel('First comment');
    expect(await comment.locator('.text').textContent()).toContain('The link: https://shop.test');
    expect(await comment.getByRole('link', { name: 'https://shop.test' }).getAttribute('href')).toBe(
      'https://shop.test',
    );
  });
});
