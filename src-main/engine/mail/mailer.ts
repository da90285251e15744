import { DateTime } from 'luxon';
import { createTransport } from 'nodemailer';
import { AppError } from '../kernel/errors';

/**
 * The workspace's SMTP integration. The password is not part of it: it lives in the OS
 * keychain, never in SQLite, and is handed to {@link createSmtpMailer} separately.
 */
export interface SmtpSettings {
  host: string;
  port: number;
  /** true: implicit TLS from the first byte (usually port 465); false: STARTTLS when offered. */
  secure: boolean;
  /** null: the server takes mail without authentication. */
  username: string | null;
  /** The From header and envelope sender, e.g. `"Acme Agency" <team@acme.example>`. */
  from: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What the email is, for the error when it cannot be sent (default "the invitation email"). */
  what?: string;
}

/** Sends one email. The engine depends on this interface only; tests may inject a fake. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** Makes a mailer for a workspace's settings and password (the engine's option; tests may swap it). */
export type MailerFactory = (settings: SmtpSettings, password: string | null) => Mailer;

export interface SmtpMailerOptions {
  /**
   * Overrides the connection and greeting timeouts (default 10 s each) and the socket
   * inactivity timeout (default 20 s) with one value, so tests of an unreachable server are quick.
   */
  timeoutMs?: number;
}

const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 20_000;

/** Short, password-free explanations of the nodemailer error codes a user can act on. */
const reasons: Record<string, string> = {
  EAUTH: 'the SMTP server rejected the username or password',
  ENOAUTH: 'the SMTP server needs a username and password',
  ECONNECTION: 'could not connect to the SMTP server',
  ESOCKET: 'could not connect to the SMTP server',
  ETIMEDOUT: 'the SMTP server did not answer in time',
  EDNS: 'the SMTP server name could not be found',
  ETLS: 'the secure connection to the SMTP server failed',
  EPROTOCOL: 'the SMTP server gave an unexpected answer',
  EENVELOPE: 'the SMTP server refused the sender or recipient address',
  EMESSAGE: 'the SMTP server refused the message',
  ECONFIG: 'the SMTP settings are incomplete',
};

/**
 * A {@link Mailer} over SMTP (nodemailer, one connection per message). Every failure becomes
 * `validation_failed` with `details.reason` set to nodemailer's error code (EAUTH, ECONNECTION,
 * ESOCKET, ETIMEDOUT, ...). Neither the password nor the server's transcript ever reaches the
 * message, the details or a log.
 */
export function createSmtpMailer(
  settings: SmtpSettings,
  password: string | null,
  options: SmtpMailerOptions = {},
): Mailer {
  const { timeoutMs } = options;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    // Without implicit TLS, STARTTLS is used when the server offers it but not demanded, so a
    // plain loopback server works.
    requireTLS: false,
    auth: settings.username !== null ? { user: settings.username, pass: password ?? '' } : undefined,
    connectionTimeout: timeoutMs ?? CONNECTION_TIMEOUT_MS,
    greetingTimeout: timeoutMs ?? GREETING_TIMEOUT_MS,
    socketTimeout: timeoutMs ?? SOCKET_TIMEOUT_MS,
    logger: false,
    debug: false,
  });

  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        });
        return { messageId: info.messageId };
      } catch (err) {
        throw toMailError(err, mail.what ?? 'the invitation email');
      }
    },
  };
}

function toMailError(err: unknown, what: string): AppError {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) ? code : 'unknown';
  const text = reasons[reason] ?? 'the SMTP server could not be used';
  return new AppError('validation_failed', `${what} could not be sent: ${text}`, { reason });
}

export interface InvitationEmailInput {
  workspaceName: string;
  inviterName: string;
  role: string;
  acceptUrl: string;
  code: string;
  /** ISO 8601 instant. */
  expiresAt: string;
}

/**
 * The invitation email: plain, friendly, no external images or scripts. Every interpolated value
 * is HTML-escaped in the HTML part; the accept link must be http(s).
 */
export function invitationEmail(input: InvitationEmailInput): { subject: string; text: string; html: string } {
  const url = safeHttpUrl(input.acceptUrl, 'acceptUrl');
  const article = /^[aeiou]/i.test(input.role) ? 'an' : 'a';
  const expires = formatExpiry(input.expiresAt);
  const subject = oneLine(`${input.inviterName} invited you to ${input.workspaceName} on Postroom`);

  const text = [
    'Hello,',
    '',
    `${input.inviterName} has invited you to join the workspace "${input.workspaceName}" on Postroom ` +
      `as ${article} ${input.role}.`,
    '',
    'To accept, open this link:',
    url,
    '',
    `Or enter this invitation code in Postroom: ${input.code}`,
    '',
    `The invitation can be used once and expires on ${expires}.`,
    '',
    "If you weren't expecting this invitation, you can ignore this email.",
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = linkEmailHtml(
    subject,
    `<p><strong>${e(input.inviterName)}</strong> has invited you to join the workspace ` +
      `<strong>${e(input.workspaceName)}</strong> on Postroom as ${article} ${e(input.role)}.</p>`,
    'Accept the invitation',
    url,
    [
      `<p>Or enter this invitation code in Postroom: <code style="font-size: 1.1em;">${e(input.code)}</code></p>`,
      `<p>The invitation can be used once and expires on ${e(expires)}.</p>`,
      `<p style="color: #59636e;">If you weren't expecting this invitation, you can ignore this email.</p>`,
    ],
  );
  return { subject, text, html };
}

const BUTTON_STYLE =
  'display: inline-block; padding: 10px 18px; background: #2563eb; color: #ffffff; text-decoration: none; ' +
  'border-radius: 6px;';

/**
 * The HTML part every link email shares: a greeting, what the email is about, a button to the
 * link and the link written out (for clients that show no buttons), then the lines that follow.
 * `about` and `after` are HTML the caller escaped.
 */
function linkEmailHtml(subject: string, about: string, button: string, url: string, after: string[]): string {
  const e = escapeHtml;
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1f2328; line-height: 1.5;">
<p>Hello,</p>
${about}
<p><a href="${e(url)}" style="${BUTTON_STYLE}">${e(button)}</a></p>
<p>If the button does not work, copy this link into your browser:<br><a href="${e(url)}">${e(url)}</a></p>
${after.join('\n')}
</body>
</html>
`;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A header value on one line, so a name with a line break cannot add headers. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

function safeHttpUrl(value: string, field: 'acceptUrl' | 'approvalUrl'): string {
  const what = field === 'acceptUrl' ? 'invitation' : 'approval';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('validation_failed', `the ${what} link is not a valid URL`, { field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('validation_failed', `the ${what} link must be an http or https URL`, { field });
  }
  return url.href;
}

/** "4 December 2026 at 18:00 UTC", or in another zone "… at 18:00 (Asia/Tokyo)". */
function formatExpiry(iso: string, zone = 'utc'): string {
  const at = DateTime.fromISO(iso, { zone, locale: 'en' });
  if (!at.isValid) return iso;
  return zone === 'utc'
    ? at.toFormat("d LLLL yyyy 'at' HH:mm 'UTC'")
    : `${at.toFormat("d LLLL yyyy 'at' HH:mm")} (${zone})`;
}

export interface ApprovalLinkEmailInput {
  /** The agency: the workspace's name. */
  workspaceName: string;
  clientName: string;
  /** Posts waiting for the client's decision that the link shows now. */
  waiting: number;
  approvalUrl: string;
  /** ISO 8601 instant. */
  expiresAt: string;
  /** The client's IANA zone: the expiry is said in it. */
  timezone: string;
}

/**
 * The approval link's email to the client (issue 13 item 5): who sends it (the agency), for whom,
 * how many posts wait, the link and until when it works. Like the invitation: plain, no external
 * images or scripts, every value escaped in the HTML part, the link http(s) only. The link is the
 * email's only secret; nothing else in it opens anything.
 */
export function approvalLinkEmail(input: ApprovalLinkEmailInput): { subject: string; text: string; html: string } {
  const url = safeHttpUrl(input.approvalUrl, 'approvalUrl');
  const expires = formatExpiry(input.expiresAt, input.timezone);
  const count = `${input.waiting} ${input.waiting === 1 ? 'post' : 'posts'}`;
  const waitingLine =
    input.waiting === 0
      ? 'Nothing is waiting for your approval right now; the page shows posts as they are sent to you.'
      : `${count} ${input.waiting === 1 ? 'is' : 'are'} waiting for your approval.`;
  const subject = oneLine(
    input.waiting === 0
      ? `${input.workspaceName}: your approval page for ${input.clientName}`
      : `${input.workspaceName}: ${count} for ${input.clientName} to approve`,
  );

  const text = [
    'Hello,',
    '',
    `${input.workspaceName} prepared posts for ${input.clientName}. ${waitingLine}`,
    '',
    'Open this link to see them as they will appear, and approve them or ask for changes (no account needed):',
    url,
    '',
    `The link works until ${expires}. Anyone with the link can decide on these posts, so keep it to yourself.`,
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = linkEmailHtml(
    subject,
    `<p><strong>${e(input.workspaceName)}</strong> prepared posts for <strong>${e(input.clientName)}</strong>. ` +
      `${e(waitingLine)}</p>`,
    'Review the posts',
    url,
    [
      `<p>The link works until ${e(expires)}. ` +
        'Anyone with the link can decide on these posts, so keep it to yourself.</p>',
    ],
  );
  return { subject, text, html };
}
