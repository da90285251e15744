import { chromium, type Browser } from '@playwright/test';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app';
import { addConnection } from '../support/posting';
import { closeAfterTest } from '../support/closers';

/**
 * Issue 13 item 2: the client opens their approval link in a browser without an account, asks for
 * changes with a comment, then approves; forged, revoked and expired links get clear pages; a
 * post's text is shown as text, never as markup.
 */

describe('the approval page', () => {
  it('lets the client request changes with a comment and approve, in Chromium on a phone-sized screen', async () => {
    const t = await startTestApp();
    const engine = t.app.engine;
    const client = await engine.call('client.create', {
      workspaceId: t.workspaceId,
      client: { email: 'casey@client.test', displayName: 'Casey Client Co' },
    });
    await engine.call('approval.setPolicy', { workspaceId: t.workspaceId, userId: client.id, policy: 'client' });
    const mastodonId = await addConnection(engine.ctx, t.workspaceId, client.id, 'mastodon', 'casey', {
      accessToken: 'unused',
    });
    const post = await engine.call('post.create', {
      workspaceId: t.workspaceId,
      userId: client.id,
      post: { text: 'Hello <img src=x onerror=alert(1)> world', platformIds: [mastodonId] },
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
});
