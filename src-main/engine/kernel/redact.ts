/** The names of a token-like parameter or JSON field. */
const SECRET_NAMES =
  '(?:access|refresh|id)_?token|client_?secret|app_?password|password|api_?key|code_verifier|authorization';

/**
 * Secrets out of text that is logged or stored (issue 9 item 9): a platform that echoes the
 * token it was sent back in its error put that token on stderr and into `deliveries.last_error`.
 * The secrets known to be in play are replaced wherever they appear; so is whatever looks like
 * one whatever its source: an `Authorization` scheme and its credentials, a token-like parameter
 * or JSON field, and a JWT.
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|DPoP|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [new RegExp(`\\b(${SECRET_NAMES})(["']?\\s*[:=]\\s*["']?)[^"'\\s&,}]{4,}`, 'gi'), '$1$2[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted JWT]'],
];

export function redactSecrets(text: string, known: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const secret of known) if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
