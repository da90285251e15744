import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src-shared/errors';
import { apiRoutes } from '../../src-main/server/api-spec';
import { startTestApp } from '../support/app';

describe('the OpenAPI document', () => {
  it('is served at /api/v1/openapi.json and is a valid OpenAPI 3.1 document', async () => {
    const t = await startTestApp();
    const res = await fetch(`${t.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0]!.url).toBe(t.url);
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/workspace/users',
        '/api/v1/workspace/users/{userId}/connection-url',
        '/api/v1/connections',
        '/api/v1/post-groups/{id}',
      ]),
    );
  });

  it('lists only routes the server really has: each answers without a key with 401, not 404', async () => {
    const t = await startTestApp();
    for (const route of apiRoutes) {
      const path = route.path.replace(/:(\w+)/g, 'some-id');
      const res = await fetch(`${t.url}${path}`, { method: route.method.toUpperCase() });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
    }
  });
});

describe('per-key rate limits', () => {
  it('answers 429 with Retry-After in the SPEC §7 shape past the limit, per key', async () => {
    const t = await startTestApp({ rateLimitPerMinute: 5 });
    const get = (key: string) => fetch(`${t.url}/api/v1/workspace/users`, { headers: { 'x-publora-key': key } });
    for (let i = 0; i < 5; i++) expect((await get(t.workspaceApiKey)).status).toBe(200);
    const limited = await get(t.workspaceApiKey);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ErrorBody.parse(await limited.json()).error).toMatchObject({ code: 'rate_limited', details: { limit: 5 } });
    // Another key has a bucket of its own.
    expect((await get('key_other.secret')).status).toBe(401);
  });

  it('counts each valid key in its own bucket and says what is left on every answer', async () => {
    const t = await startTestApp({ rateLimitPerMinute: 3 });
    const headers = { 'x-publora-key': t.workspaceApiKey, 'content-type': 'application/json' };
    const created = await fetch(`${t.url}/api/v1/workspace/users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: 'c@x.test', displayName: 'C' }),
    });
    const userId = ((await created.json()) as { id: string }).id;
    expect(created.headers.get('x-ratelimit-remaining')).toBe('2');
    const issued = await fetch(`${t.url}/api/v1/workspace/users/${userId}/api-key`, { method: 'POST', headers });
    const clientKey = ((await issued.json()) as { apiKey: string }).apiKey;
    const listed = await fetch(`${t.url}/api/v1/workspace/users`, { headers });
    expect([
      listed.status,
      listed.headers.get('x-ratelimit-limit'),
      listed.headers.get('x-ratelimit-remaining'),
    ]).toEqual([200, '3', '0']);
    const limited = await fetch(`${t.url}/api/v1/workspace/users`, { headers });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The client's own key is not held back by the workspace key's use.
    const own = await fetch(`${t.url}/api/v1/workspace/users/${userId}`, { headers: { 'x-publora-key': clientKey } });
    expect([own.status, own.headers.get('x-ratelimit-remaining')]).toEqual([200, '2']);
  });
});
