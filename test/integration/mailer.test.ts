import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src-main/engine/kernel/errors';
import { createSmtpMailer, invitationEmail, type SmtpSettings } from '../../src-main/engine/mail/mailer';

import { PASSWORD, USER, cleanups, startSmtp } from '../support/smtp';

function settings(port: number, username: string | null): SmtpSettings {
  return { host: '127.0.0.1', port, secure: false, username, from: '"Acme Agency" <team@acme.example>' };
}

const INVITE = {
  workspaceName: 'Tom & Jerry <Studio> "Best"',
  inviterName: 'Olivia Owner',
  role: 'editor',
  acceptUrl: 'http://127.0.0.1:4312/invitations/accept?code=INV-7Q2X-K9PD',
  code: 'INV-7Q2X-K9PD',
  expiresAt: '2030-03-14T09:30:00.000Z',
};

async function sendError(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('invitationEmail', () => {
  it('escapes every interpolated value in the HTML and keeps the text readable', () => {
    const email = invitationEmail({ ...INVITE, inviterName: '<script>alert(1)</script>' });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('Tom &amp; Jerry &lt;Studio&gt; &quot;Best&quot;');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain(`href="${INVITE.acceptUrl}"`);
    expect(email.text).toContain('Tom & Jerry <Studio> "Best"');
    expect(email.text).toContain('as an editor');
    expect(email.text).toContain('14 March 2030 at 09:30 UTC');
  });

  it('keeps the subject on one line and refuses a link that is not http(s)', () => {
    expect(invitationEmail({ ...INVITE, inviterName: 'Eve\r\nBcc: x@evil.example' }).subject).not.toMatch(/[\r\n]/);
    expect(() => invitationEmail({ ...INVITE, acceptUrl: 'javascript:alert(1)' })).toThrow(AppError);
    expect(() => invitationEmail({ ...INVITE, acceptUrl: 'not a url' })).toThrow(AppError);
  });
});

describe('createSmtpMailer (real SMTP server on loopback)', () => {
  it('sends an invitation through a server that requires a login', async () => {
    const { port, received } = await startSmtp({ auth: true });
    const mailer = createSmtpMailer(settings(port, USER), PASSWORD);
    const email = invitationEmail(INVITE);

    const { messageId } = await mailer.send({ to: 'new.member@client.example', ...email });

    expect(messageId).toMatch(/^<.+@.+>$/);
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got?.user).toBe(USER);
    expect(got?.mailFrom).toBe('team@acme.example');
    expect(got?.rcptTo).toEqual(['new.member@client.example']);
    const mail = got!.mail;
    expect(mail.messageId).toBe(messageId);
    expect(mail.subject).toBe('Olivia Owner invited you to Tom & Jerry <Studio> "Best" on Postroom');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual([
      'new.member@client.example',
    ]);
    expect(mail.from?.value[0]?.address).toBe('team@acme.example');
    expect(mail.text).toContain(INVITE.acceptUrl);
    expect(mail.text).toContain(INVITE.code);
    const html = typeof mail.html === 'string' ? mail.html : '';
    expect(html).toContain(`href="${INVITE.acceptUrl}"`);
    expect(html).toContain(INVITE.code);
    expect(html).toContain('Tom &amp; Jerry &lt;Studio&gt; &quot;Best&quot;');
    expect(html).not.toContain('Tom & Jerry <Studio>');
  });

  it('sends through a server without authentication when no username is set', async () => {
    const { port, received } = await startSmtp({ auth: false });
    const mailer = createSmtpMailer(settings(port, null), null);

    await mailer.send({ to: 'guest@client.example', ...invitationEmail(INVITE) });

    expect(received).toHaveLength(1);
    expect(received[0]?.user).toBeUndefined();
    expect(received[0]?.rcptTo).toEqual(['guest@client.example']);
    expect(received[0]?.mail.text).toContain(INVITE.code);
  });

  it('maps a wrong password to validation_failed / EAUTH without the password anywhere', async () => {
    const wrong = 'Wr0ng-pa55word-XYZ';
    const { port, received } = await startSmtp({ auth: true });
    const mailer = createSmtpMailer(settings(port, USER), wrong);

    const err = await sendError(mailer.send({ to: 'new.member@client.example', ...invitationEmail(INVITE) }));

    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual({ reason: 'EAUTH' });
    expect(err.message).toMatch(/^the invitation email could not be sent: /);
    const everything = JSON.stringify(err.toObject()) + String(err.stack);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toMatch(/535|AUTH PLAIN|AUTH LOGIN/);
    expect(received).toHaveLength(0);
  });

  it('maps a server that is down (closed port) to a connection reason, quickly', async () => {
    const port = await closedPort();
    const mailer = createSmtpMailer(settings(port, USER), PASSWORD, { timeoutMs: 2_000 });
    const started = Date.now();

    const err = await sendError(mailer.send({ to: 'new.member@client.example', ...invitationEmail(INVITE) }));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.code).toBe('validation_failed');
    expect(['ECONNECTION', 'ESOCKET']).toContain(err.details?.reason);
    expect(err.message).toBe('the invitation email could not be sent: could not connect to the SMTP server');
    expect(err.message).not.toContain(PASSWORD);
  });

  it('gives up on a server that accepts the connection but never greets, within the timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as AddressInfo).port;
    const mailer = createSmtpMailer(settings(port, USER), PASSWORD, { timeoutMs: 500 });
    const started = Date.now();

    const err = await sendError(mailer.send({ to: 'new.member@client.example', ...invitationEmail(INVITE) }));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.details).toEqual({ reason: 'ETIMEDOUT' });
    expect(err.message).toBe('the invitation email could not be sent: the SMTP server did not answer in time');
  });
});

/** A loopback port nothing listens on: bind one, then release it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
