import type { PlatformClient, TokenSet } from './types';

/** A token endpoint's JSON answer (RFC 6749 §5.1), or null where it was not an object. */
type TokenAnswer = Record<string, unknown> | null | undefined;

/** `expires_in` seconds from now as an ISO time; no positive number means no expiry (null). */
export function expiresAtOf(answer: TokenAnswer, now = Date.now()): string | null {
  const seconds = answer?.expires_in;
  return typeof seconds === 'number' && seconds > 0 ? new Date(now + seconds * 1000).toISOString() : null;
}

/**
 * The refresh-token grant's form (RFC 6749 §6) as Mastodon and LinkedIn take it: the client's
 * credentials in the body (`client_secret_post`), the secret only where the app has one.
 */
export function refreshGrantForm(client: PlatformClient, refreshToken: string): Record<string, string> {
  const form: Record<string, string> = {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
  };
  if (client.clientSecret) form.client_secret = client.clientSecret;
  return form;
}

/**
 * The tokens kept after a refresh answered with a new access token (Mastodon, LinkedIn): a
 * refresh token or scope the answer leaves out (or empty) keeps the one we had, and the expiry
 * is the answer's `expires_in` (`expiresAtOf`).
 */
export function refreshedTokens(accessToken: string, answer: TokenAnswer, tokens: TokenSet): TokenSet {
  return {
    accessToken,
    refreshToken: nonEmpty(answer?.refresh_token) ?? tokens.refreshToken,
    expiresAt: expiresAtOf(answer),
    scope: nonEmpty(answer?.scope) ?? tokens.scope,
  };
}

const nonEmpty = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
