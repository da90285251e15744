import { describe, expect, it } from 'vitest';
import { openPostingWorld, type PostingWorld } from '../support/posting-world';
import { PASSWORD, USER, startSmtp } from '../support/smtp';

/**
 * Issue 13 item 5: an approval link emailed to the client through the workspace's SMTP settings,
 * against a real SMTP server on loopback. The email names the agency, the client, how many posts
 * wait, the link and its expiry; the activity log keeps to whom and when, never the link.
 */

type World = PostingWorld;

async function world(): Promise<World> {
  const w = await openPostingWorld({ timezone: 'Asia/Tokyo' });
  await w.engine.call('approval.setPolicy', { workspaceId: w.workspaceId, userId: w.userId, policy: 'client' });
  return w;
}

async function submitted(w: World, text: string): Promise<string> {
  const post = await w.engine.call('post.create', {
    workspaceId: w.workspaceId,
    userId: w.userId,
    post: {
      text,
      platformIds: [w.mastodonId],
      scheduledTime: new Date(w.clock.now().getTime() + 3_600_000).toISOString(),
    },
  });
  await w.engine.call('post.submit', { workspaceId: w.workspaceId, id: post.id });
  return post.id;
}

const activity = (w: World) => w.engine.call('activity.list', { workspaceId: w.workspaceId });

describe('approval links by email', () => {
  it('emails the client: agency, client, posts waiting, link, expiry; the log says to whom and when', async () => {
    const smtp = await startSmtp({ auth: true });
    const w = await world();
    await w.engine.call('team.setSmtp', {
      workspaceId: w.workspaceId,
      smtp: { host: '127.0.0.1', port: smtp.port, username: USER, password: PASSWORD, from: 'team@agency.test' },
    });
    await submitted(w, 'Spring sale');
    await submitted(w, 'Summer sale');

    const link = await w.engine.call('approvalLink.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      link: { validDays: 3, sendEmail: true },
    });
    expect(link.email).toEqual({ to: 'client@acme.test', sentAt: w.clock.now().toISOString(), error: null });
    expect(smtp.received).toHaveLength(1);
    const { mail, rcptTo, user } = smtp.received[0]!;
    expect(rcptTo).toEqual(['client@acme.test']);
    expect(user).toBe(USER);
    expect(mail.subject).toBe('Posting Agency: 2 posts for Acme Corp to approve');
    expect(mail.text).toContain('Posting Agency prepared posts for Acme Corp. 2 posts are waiting for your approval.');
    expect(mail.text).toContain(link.approvalUrl);
    // The expiry in the client's zone (Tokyo, UTC+9), as they read it.
    const expires = new Date(link.expiresAt);
    const tokyo = new Date(expires.getTime() + 9 * 3_600_000);
    const hhmm = `${String(tokyo.getUTCHours()).padStart(2, '0')}:${String(tokyo.getUTCMinutes()).padStart(2, '0')}`;
    expect(mail.text).toContain(`The link works until ${tokyo.getUTCDate()} `);
    expect(mail.text).toContain(`at ${hhmm} (Asia/Tokyo)`);
    expect(mail.html).toContain(`href="${link.approvalUrl}"`);

    // The log: sent, to whom, when; the link's token appears nowhere in the database.
    const entries = await activity(w);
    const emailed = entries.find((e) => e.action === 'approval.link_emailed')!;
    expect(emailed.detail).toBe(`Emailed approval link ${link.id} for Acme Corp to client@acme.test`);
    expect(emailed.at).toBe(link.email!.sentAt);
    const token = link.approvalUrl.slice(link.approvalUrl.lastIndexOf('/') + 1);
    const everything = w.engine.ctx.db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .all()
      .map((t) => JSON.stringify(w.engine.ctx.db.prepare(`SELECT * FROM "${(t as { name: string }).name}"`).all()))
      .join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(PASSWORD);
  });

  it('a link for chosen posts counts those; without sendEmail nothing is mailed', async () => {
    const smtp = await startSmtp({ auth: false });
    const w = await world();
    await w.engine.call('team.setSmtp', {
      workspaceId: w.workspaceId,
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'team@agency.test' },
    });
    const one = await submitted(w, 'Only this one');
    await submitted(w, 'Not this one');
    const quiet = await w.engine.call('approvalLink.create', { workspaceId: w.workspaceId, userId: w.userId });
    expect(quiet.email).toBeNull();
    expect(smtp.received).toHaveLength(0);

    const link = await w.engine.call('approvalLink.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      link: { postGroupIds: [one], sendEmail: true },
    });
    expect(link.email?.sentAt).not.toBeNull();
    expect(smtp.received[0]!.mail.subject).toBe('Posting Agency: 1 post for Acme Corp to approve');
    expect(smtp.received[0]!.mail.text).toContain('1 post is waiting for your approval.');
  });

  it('without SMTP settings, sendEmail is refused before any link is made; readiness says so', async () => {
    const w = await world();
    expect(await w.engine.call('approvalLink.mailReadiness', { workspaceId: w.workspaceId, userId: w.userId })).toEqual(
      { smtpConfigured: false, clientEmail: 'client@acme.test' },
    );
    const refused = await w.engine.dispatch('approvalLink.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      link: { sendEmail: true },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'conflict', details: { fields: { sendEmail: 'email is not set up (SMTP)' } } },
    });
    expect(await w.engine.call('approvalLink.list', { workspaceId: w.workspaceId, userId: w.userId })).toEqual([]);
  });

  it('a failed send is a SPEC §7 error beside a working link; the log says it failed, without the link', async () => {
    const w = await world();
    // Nothing listens on port 9 of loopback: the connection is refused.
    await w.engine.call('team.setSmtp', {
      workspaceId: w.workspaceId,
      smtp: { host: '127.0.0.1', port: 9, from: 'team@agency.test' },
    });
    expect(
      (await w.engine.call('approvalLink.mailReadiness', { workspaceId: w.workspaceId, userId: w.userId }))
        .smtpConfigured,
    ).toBe(true);
    await submitted(w, 'Autumn sale');
    const link = await w.engine.call('approvalLink.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      link: { sendEmail: true },
    });
    expect(link.email).toEqual({
      to: 'client@acme.test',
      sentAt: null,
      error: {
        code: 'validation_failed',
        message: 'the approval link email could not be sent: could not connect to the SMTP server',
        // Refused at once: nodemailer's ESOCKET (connection refused), said as could not connect.
        details: { reason: 'ESOCKET' },
      },
    });
    const [listed] = await w.engine.call('approvalLink.list', { workspaceId: w.workspaceId, userId: w.userId });
    expect(listed).toMatchObject({ id: link.id, status: 'active' });
    const { approvalPageModel } = await import('../../src-main/engine/approvals/approvals');
    const page = approvalPageModel(w.engine.ctx, link.approvalUrl.slice(link.approvalUrl.lastIndexOf('/') + 1));
    expect('model' in page && page.model.posts.map((p) => p.text)).toEqual(['Autumn sale']);
    const failed = (await activity(w)).find((e) => e.action === 'approval.link_email_failed')!;
    expect(failed.detail).toBe(`Could not email approval link ${link.id} to client@acme.test (ESOCKET)`);
    expect(failed.detail).not.toContain(link.approvalUrl);
  });
});
