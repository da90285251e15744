import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src-main/engine/kernel/redact';

/** What reaches a log or `deliveries.last_error` when a platform echoes a secret back (issue 9 item 9). */
describe('secrets out of logged and stored text', () => {
  it("replaces an Authorization scheme's credentials, and the header's whole value", () => {
    expect(redactSecrets('retried with Bearer abc123DEF456.x')).toBe('retried with Bearer [redacted]');
    expect(redactSecrets('DPoP eyJhbGciOi-not-a-jwt')).toBe('DPoP [redacted]');
    expect(redactSecrets('Authorization: Basic dXNlcjpwYXNz')).toBe('Authorization: [redacted] [redacted]');
  });

  it('replaces the value of a token-like parameter or JSON field', () => {
    expect(redactSecrets('/me?access_token=EAAGm0PX4&fields=id')).toBe('/me?access_token=[redacted]&fields=id');
    expect(redactSecrets('{"refresh_token": "r-8f3a9c2b"}')).toBe('{"refresh_token": "[redacted]"}');
    expect(redactSecrets('client_secret=s3cr3t-value&grant=x')).toBe('client_secret=[redacted]&grant=x');
    expect(redactSecrets("appPassword: 'ab12-cd34-ef56'")).toBe("appPassword: '[redacted]'");
    expect(redactSecrets('code_verifier=dBjftJeZ4CVP-mB92K27')).toBe('code_verifier=[redacted]');
  });

  it('replaces a JWT anywhere, and a known secret wherever it appears', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjIn0.c2lnbmF0dXJl';
    expect(redactSecrets(`the proof ${jwt} end`)).toBe('the proof [redacted JWT] end');
    const known = 'my-token-value-123';
    expect(redactSecrets(`echo: ${known} / ${known}`, [known, null])).toBe('echo: [redacted] / [redacted]');
  });

  it('leaves short values, short known secrets and plain words alone', () => {
    const plain = 'password=abc the passwords page; tokens expire';
    expect(redactSecrets(plain, ['short'])).toBe(plain);
  });
});
