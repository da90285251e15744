import { escapeHtml } from '../engine/mail/mailer';

/** The loopback server's own pages (connection links, OAuth results): no script, no external resource. */
export const PAGE_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.5rem}.logo{max-width:96px;max-height:96px;border-radius:12px}
ul{list-style:none;padding:0}li{margin:.5rem 0}a.button{display:inline-block;padding:.6rem 1rem;border-radius:8px;background:#2f5bea;color:#fff;text-decoration:none}
.note{color:#5b6475;font-size:.9rem}</style></head><body><main>${body}</main></body></html>`;
}

export const html = escapeHtml;
