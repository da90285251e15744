/*
 * Pure security decisions of the Electron shell (SPEC §10). No `electron` import, so they can be
 * unit-tested under plain Node where the Electron binary is missing.
 */

/**
 * The renderer's Content-Security-Policy. Everything the UI needs is bundled next to
 * index.html; it talks to main only over IPC, so it never needs the network (connect-src 'self').
 * Inline styles stay allowed (Vite injects CSS as <style> elements in dev, and UI libraries
 * may too); a style cannot run script. Inline scripts are not allowed.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Dev server only: Vite's React Refresh preamble is an inline <script>, so the dev build needs
 * 'unsafe-inline' for scripts. Never used for a packaged app (see `devServerUrl`).
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
);

/**
 * Origins whose http(s) links the UI may open in the system browser: the platforms' own sites
 * and developer portals (where an agency creates app credentials). Anything else is dropped.
 * The app's own loopback server (connection pages) is added at run time.
 */
export const EXTERNAL_LINK_ORIGINS = [
  'https://bsky.app',
  'https://x.com',
  'https://developer.x.com',
  'https://www.linkedin.com',
  'https://www.threads.net',
  'https://www.instagram.com',
  'https://www.facebook.com',
  'https://developers.facebook.com',
] as const;

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `url` is http(s) and its origin is allow-listed (exact origin match, no wildcards). */
export function isAllowedExternalUrl(url: string, extraOrigins: readonly string[] = []): boolean {
  const parsed = parseUrl(url);
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return false;
  // Credentials in a URL are a classic way to disguise the real host in a link text.
  if (parsed.username || parsed.password) return false;
  const allowed = new Set<string>(EXTERNAL_LINK_ORIGINS);
  for (const origin of extraOrigins) {
    const o = parseUrl(origin);
    if (o) allowed.add(o.origin);
  }
  return allowed.has(parsed.origin);
}

/**
 * True when `url` is the document our window loads: the dev server's origin in development,
 * otherwise exactly the built index.html (query and hash ignored, as the SPA may use them).
 * file:// URLs all share the opaque origin "null", so the path has to be compared.
 */
export function isTrustedRendererUrl(url: string, rendererFileUrl: string, devServerUrl: string | undefined): boolean {
  const parsed = parseUrl(url);
  if (!parsed) return false;
  if (devServerUrl !== undefined) {
    const dev = parseUrl(devServerUrl);
    return dev !== null && parsed.origin === dev.origin;
  }
  const expected = parseUrl(rendererFileUrl);
  return expected !== null && parsed.protocol === 'file:' && parsed.pathname === expected.pathname;
}
