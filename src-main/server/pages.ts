import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { escapeHtml } from '../engine/mail/mailer';

/** The loopback server's own pages (connection links, OAuth results): no script, no external resource. */
export const PAGE_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; " +
  "base-uri 'none'; frame-ancestors 'none'";

const PAGE_START =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width,initial-scale=1">';

export function page(title: string, body: string): string {
  return `${PAGE_START}
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.5rem}.logo{max-width:96px;max-height:96px;border-radius:12px}
ul{list-style:none;padding:0}li{margin:.5rem 0}
a.button{display:inline-block;padding:.6rem 1rem;border-radius:8px;background:#2f5bea;color:#fff;text-decoration:none}
.note{color:#5b6475;font-size:.9rem}</style></head><body><main>${body}</main></body></html>`;
}

export const html = escapeHtml;

/** Sends one of these pages: never cached, no referrer (the URL holds a link's token) unless told. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  title: string,
  body: string,
  csp = PAGE_CSP,
  referrerPolicy = 'no-referrer',
): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('cache-control', 'no-store')
    .header('referrer-policy', referrerPolicy)
    .send(page(title, body));
}

/** An expiry as people read it, on the workspace's clock ("7 December 2026 at 16:19 UTC"), in a <time>. */
export function untilHtml(iso: string, zone: string): string {
  const at = DateTime.fromISO(iso, { zone });
  const text = at.isValid ? at.toLocaleString(DateTime.DATETIME_FULL, { locale: 'en-GB' }) : iso;
  return `<time datetime="${html(iso)}">${html(text)}</time>`;
}
