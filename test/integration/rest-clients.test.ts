import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src-shared/errors';
import { ManagedUser } from '../../src-shared/clients';
import { startTestApp, type TestApp } from '../support/app';
import { callWithKey, createClientOverRest } from '../support/rest';

/** A client created as a script creates one (POST /api/v1/workspace/users with the workspace key); the answer. */
const postClient = (t: TestApp, client: Record<string, unknown>) =>
  callWithKey(t.url, t.workspaceApiKey, 'POST', '/api/v1/workspace/users', client);

describe('managed users over REST (seed 000)', () => {
  it('creates, lists, reads, updates and deletes a managed user with the seed fields', async () => {
    const t = await startTestApp();
    const created = await postClient(t, { email: 'client@example.com', displayName: 'Acme Corp' });
    expect(created.status).toBe(201);
    const user = ManagedUser.parse(created.body);
    expect(user).toMatchObject({
      id: expect.stringMatching(/^user_/),
      email: 'client@example.com',
      displayName: 'Acme Corp',
      deactivated: false,
    });

    const list = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/users');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body.map((u: { id: string }) => u.id)).toEqual([user.id]);
    expect(list.headers.get('x-total-count')).toBe('1');

    const patched = await callWithKey(t.url, t.workspaceApiKey, 'PATCH', `/api/v1/workspace/users/${user.id}`, {
      displayName: 'Acme Corporation',
      externalId: 'crm-42',
    });
    expect(patched.body).toMatchObject({ displayName: 'Acme Corporation', externalId: 'crm-42' });

    const deleted = await callWithKey(t.url, t.workspaceApiKey, 'DELETE', `/api/v1/workspace/users/${user.id}`);
    expect(deleted.status).toBe(200);
    expect((await callWithKey(t.url, t.workspaceApiKey, 'GET', `/api/v1/workspace/users/${user.id}`)).status).toBe(404);
    expect((await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/users')).body).toEqual([]);
    const log = await t.app.engine.call('activity.list', { workspaceId: t.workspaceId });
    expect(log.map((e) => e.action)).toEqual(
      expect.arrayContaining(['client.created', 'client.updated', 'client.deleted']),
    );
  });

  it('answers 401 for a missing or bad key, 404 an unknown user, 400 bad input, 409 a duplicate email', async () => {
    const t = await startTestApp();
    expect((await callWithKey(t.url, null, 'GET', '/api/v1/workspace/users')).status).toBe(401);
    const bad = await callWithKey(t.url, 'key_nope.nope', 'GET', '/api/v1/workspace/users');
    expect(bad.status).toBe(401);
    expect(ErrorBody.parse(bad.body).error.code).toBe('unauthorized');
    expect((await callWithKey(t.url, t.workspaceApiKey, 'DELETE', '/api/v1/workspace/users/user_missing')).status).toBe(
      404,
    );
    const invalid = await postClient(t, { email: 'nope', displayName: '' });
    expect(invalid.status).toBe(400);
    expect(ErrorBody.parse(invalid.body).error).toMatchObject({
      code: 'validation_failed',
      details: { fields: { email: expect.any(String), displayName: expect.any(String) } },
    });
    await postClient(t, { email: 'dup@example.com', displayName: 'One' });
    const dup = await postClient(t, { email: 'DUP@example.com', displayName: 'Two' });
    expect(dup.status).toBe(409);
  });

  it('stops at the free plan limit of 3 clients with 422 client_limit_reached and an upgrade action', async () => {
    const t = await startTestApp();
    for (const n of [1, 2, 3]) {
      expect((await postClient(t, { email: `c${n}@x.test`, displayName: `C${n}` })).status).toBe(201);
    }
    const fourth = await postClient(t, { email: 'c4@x.test', displayName: 'C4' });
    expect(fourth.status).toBe(422);
    expect(ErrorBody.parse(fourth.body).error).toMatchObject({
      code: 'client_limit_reached',
      action: { type: 'upgrade_plan' },
    });
  });

  it('searches by email and by deactivated, and pages with headers', async () => {
    const t = await startTestApp();
    await t.app.engine.ctx.db.prepare(`UPDATE workspaces SET plan_id = 'enterprise'`).run();
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      const res = await postClient(t, { email: `person${n}@${n % 2 ? 'odd' : 'even'}.test`, displayName: `P${n}` });
      ids.push(res.body.id);
    }
    await callWithKey(t.url, t.workspaceApiKey, 'POST', `/api/v1/workspace/users/${ids[0]}/deactivate`);
    const even = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/users?email=even.test');
    expect(even.body.map((u: { email: string }) => u.email).sort()).toEqual(['person2@even.test', 'person4@even.test']);
    const deactivated = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/users?deactivated=true');
    expect(deactivated.body.map((u: { id: string }) => u.id)).toEqual([ids[0]]);
    const page1 = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/users?perPage=2');
    expect(page1.body).toHaveLength(2);
    expect(page1.headers.get('x-total-count')).toBe('5');
    expect(page1.headers.get('link')).toContain('page=2');
    const page3 = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/users?perPage=2&page=3');
    expect(page3.body).toHaveLength(1);
    expect(page3.headers.get('link')).toBeNull();
  });

  it('issues keys that see only their client; a new key revokes the old at once; deactivation gives 401', async () => {
    const t = await startTestApp();
    const a = await createClientOverRest(t.url, t.workspaceApiKey, { email: 'a@x.test', displayName: 'A' });
    const b = await createClientOverRest(t.url, t.workspaceApiKey, { email: 'b@x.test', displayName: 'B' });
    const first = await callWithKey(t.url, t.workspaceApiKey, 'POST', `/api/v1/workspace/users/${a}/api-key`);
    expect(first.body.apiKey).toMatch(/^key_/);
    const keyA = first.body.apiKey as string;
    expect((await callWithKey(t.url, keyA, 'GET', `/api/v1/workspace/users/${a}`)).body).toMatchObject({
      email: 'a@x.test',
    });
    expect((await callWithKey(t.url, keyA, 'GET', `/api/v1/workspace/users/${b}`)).status).toBe(404);
    expect((await callWithKey(t.url, keyA, 'GET', '/api/v1/workspace/users')).status).toBe(403);

    const second = (await callWithKey(t.url, t.workspaceApiKey, 'POST', `/api/v1/workspace/users/${a}/api-key`)).body
      .apiKey as string;
    expect((await callWithKey(t.url, keyA, 'GET', `/api/v1/workspace/users/${a}`)).status).toBe(401);
    expect((await callWithKey(t.url, second, 'GET', `/api/v1/workspace/users/${a}`)).status).toBe(200);

    await callWithKey(t.url, t.workspaceApiKey, 'POST', `/api/v1/workspace/users/${a}/deactivate`);
    expect((await callWithKey(t.url, second, 'GET', `/api/v1/workspace/users/${a}`)).status).toBe(401);
    await callWithKey(t.url, t.workspaceApiKey, 'POST', `/api/v1/workspace/users/${a}/reactivate`);
    expect((await callWithKey(t.url, second, 'GET', `/api/v1/workspace/users/${a}`)).status).toBe(200);

    await callWithKey(t.url, t.workspaceApiKey, 'DELETE', `/api/v1/workspace/users/${a}`);
    expect((await callWithKey(t.url, second, 'GET', `/api/v1/workspace/users/${a}`)).status).toBe(401);
    expect(t.secrets.values()).not.toContain(second);
  });
});

describe('seed 000 calls that send Content-Type: application/json without a body', () => {
  it('answers POST …/api-key and …/connection-url like the seed expects', async () => {
    const t = await startTestApp();
    const user = await createClientOverRest(t.url, t.workspaceApiKey, { email: 'c@x.test', displayName: 'C' });
    for (const path of [`/api/v1/workspace/users/${user}/api-key`, `/api/v1/workspace/users/${user}/connection-url`]) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-publora-key': t.workspaceApiKey },
      });
      expect(res.status).toBe(200);
    }
    const bad = await fetch(`${t.url}/api/v1/workspace/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-publora-key': t.workspaceApiKey },
      body: '{"email":',
    });
    expect(bad.status).toBe(400);
  });
});

describe('rotating the workspace key', () => {
  it('gives a new key that works and makes the old one answer 401 at once', async () => {
    const t = await startTestApp();
    const { apiKey } = await t.app.engine.call('workspace.rotateApiKey', { workspaceId: t.workspaceId });
    expect(apiKey).not.toBe(t.workspaceApiKey);
    expect((await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/users')).status).toBe(401);
    expect((await callWithKey(t.url, apiKey, 'GET', '/api/v1/workspace/users')).status).toBe(200);
    expect((await t.app.engine.call('workspace.revealApiKey', { workspaceId: t.workspaceId })).apiKey).toBe(apiKey);
    expect(t.secrets.values()).not.toContain(t.workspaceApiKey);
    expect((await t.app.engine.call('app.apiInfo', {})).openApiUrl).toBe(`${t.url}/api/v1/openapi.json`);
  });
});
