/*
 * Pure security decisions of the Electron shell (SPEC §10). No `electron` import, so they can be
 * unit-tested under plain Node where the Electron binary is missing.
 */

/**
 * The renderer's Content-Security-Policy. Everything the UI needs is bundled next to
 * index.html; it talks to main only over IPC, so it never needs the network (connect-src 'self').
 * Inline styles stay allowed (Vite injects CSS as <style> elements in dev, and UI libraries
 * may too); a style cannot run script. Inline scripts are not allowed. `media-src blob:` lets the
 * composer play a video the person just picked (a blob: URL of their own file, D113).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

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

/**
 * True when `url` is http(s) and its origin is allow-listed (exact origin match, no wildcards),
 * or it is exactly one of `exactUrls`: the authorization URLs the app itself made for a
 * re-authentication (a Mastodon instance's or a Bluesky server's sign-in page, any host the
 * workspace's integrations name), which the renderer then asks to open (issue 9 item 9).
 */
export function isAllowedExternalUrl(
  url: string,
  extraOrigins: readonly string[] = [],
  exactUrls: ReadonlySet<string> = new Set(),
): boolean {
  const parsed = parseUrl(url);
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return false;
  // Credentials in a URL are a classic way to disguise the real host in a link text.
  if (parsed.username || parsed.password) return false;
  if (exactUrls.has(parsed.href)) return true;
  const allowed = new Set<string>(EXTERNAL_LINK_ORIGINS);
  for (const origin of extraOrigins) {
    const o = parseUrl(origin);
    if (o) allowed.add(o.origin);
  }
  return allowed.has(parsed.origin);
}

/**
 * The renderer is served from a scheme of its own (issue 9 item 9) rather than file://: file://
 * URLs share one opaque origin with every file on the disk (and with `file://host/…` shares),
 * while `app://postroom` is an origin of its own that serves only the built renderer.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'postroom';
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * True when `url` is the document our window loads: the dev server's origin in development,
 * otherwise exactly `app://postroom/index.html` (query and hash ignored, as the SPA may use them).
 * Scheme, host and path are all compared: a page on another host never gets the IPC bridge.
 */
export function isTrustedRendererUrl(url: string, devServerUrl: string | undefined): boolean {
  const parsed = parseUrl(url);
  if (!parsed) return false;
  if (devServerUrl !== undefined) {
    const dev = parseUrl(devServerUrl);
    return dev !== null && parsed.protocol === dev.protocol && parsed.host === dev.host;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.pathname === '/index.html';
}

/**
 * The file under `rendererDir` that an `app://postroom/…` request names, or null: another host,
 * a path that climbs out of the folder (`..`, also percent-encoded), or a backslash or NUL.
 */
export function rendererFileFor(url: string, rendererDir: string): string | null {
  const parsed = parseUrl(url);
  if (!parsed || parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\\') || path.includes('\0')) return null;
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return null;
  const relative = segments.length === 0 ? 'index.html' : segments.join('/');
  return `${rendererDir.replace(/[\\/]+$/, '')}/${relative}`;
}
