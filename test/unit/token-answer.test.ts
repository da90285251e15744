import { describe, expect, it } from 'vitest';
import { expiresAtOf, refreshedTokens, refreshGrantForm } from '../../src-main/engine/platforms/token-answer';

const tokens = { accessToken: 'old', refreshToken: 'r-old', expiresAt: '2026-01-01T00:00:00.000Z', scope: 'read' };

describe('token answers', () => {
  it('counts expires_in from now, and reads no positive number as no expiry', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(expiresAtOf({ expires_in: 3600 }, now)).toBe('2026-12-01T13:00:00.000Z');
    for (const expires_in of [0, -5, '3600', undefined]) expect(expiresAtOf({ expires_in }, now)).toBeNull();
    expect(expiresAtOf(null, now)).toBeNull();
  });

  it('keeps the refresh token and scope a refresh leaves out or empty', () => {
    expect(refreshedTokens('new', { refresh_token: 'r-new', scope: 'read write' }, tokens)).toMatchObject({
      accessToken: 'new',
      refreshToken: 'r-new',
      scope: 'read write',
      expiresAt: null,
    });
    expect(refreshedTokens('new', { refresh_token: '', scope: '' }, tokens)).toMatchObject({
      refreshToken: 'r-old',
      scope: 'read',
    });
    expect(refreshedTokens('new', null, tokens)).toEqual({ ...tokens, accessToken: 'new', expiresAt: null });
  });

  it('sends the client secret in the refresh form only where the app has one', () => {
    const client = { clientId: 'app', clientSecret: null, apiBaseUrl: 'https://x.test' };
    expect(refreshGrantForm(client, 'r')).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r',
      client_id: 'app',
    });
    expect(refreshGrantForm({ ...client, clientSecret: 's' }, 'r')).toMatchObject({ client_secret: 's' });
  });
});
