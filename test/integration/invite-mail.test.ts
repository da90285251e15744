import { describe, expect, it } from 'vitest';
import { OWNER, openTestEngine } from '../support/engine';
import { PASSWORD, USER, startSmtp } from '../support/smtp';

describe('invitation mail through the workspace SMTP settings', () => {
  it('sends the invitation by mail when SMTP is configured, and not when skipInvitationEmail is true', async () => {
    const smtp = await startSmtp({ auth: true });
    const t = await openTestEngine();
    const state = await t.engine.call('app.setup', { ...OWNER, workspace: { name: 'Mail & Co', planId: 'team' } });
    const workspaceId = state.currentWorkspaceId!;
    await t.engine.call('team.setSmtp', {
      workspaceId,
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        username: USER,
        password: PASSWORD,
        from: 'team@mail.test',
      },
    });
    expect(t.secrets.values()).toContain(PASSWORD);
    expect(JSON.stringify(t.engine.ctx.db.prepare(`SELECT * FROM workspace_smtp`).all())).not.toContain(PASSWORD);

    const sent = await t.engine.call('team.invite', {
      workspaceId,
      invite: { email: 'new@person.test', role: 'editor' },
    });
    expect(sent.emailSent).toBe(true);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.rcptTo).toEqual(['new@person.test']);
    expect(mail.mail.text).toContain(sent.code);
    expect(mail.mail.html).toContain('Mail &amp; Co');

    const skipped = await t.engine.call('team.invite', {
      workspaceId,
      invite: { email: 'quiet@person.test', role: 'editor', skipInvitationEmail: true },
    });
    expect(skipped.emailSent).toBe(false);
    expect(smtp.received).toHaveLength(1);
    expect(skipped.acceptUrl).toContain(skipped.code);
  });

  it('records nothing when the mail cannot be sent, so the person can try again', async () => {
    const t = await openTestEngine();
    const state = await t.engine.call('app.setup', { ...OWNER, workspace: { name: 'Broken Mail', planId: 'team' } });
    const workspaceId = state.currentWorkspaceId!;
    await t.engine.call('team.setSmtp', {
      workspaceId,
      smtp: { host: '127.0.0.1', port: 9, secure: false, username: null, password: null, from: 'x@y.test' },
    });
    const failed = await t.engine.dispatch('team.invite', {
      workspaceId,
      invite: { email: 'new@person.test', role: 'editor' },
    });
    expect(failed).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('could not be sent') },
    });
    expect((await t.engine.call('team.list', { workspaceId })).invitations).toEqual([]);
  });
});
