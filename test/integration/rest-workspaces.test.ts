import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src-shared/errors';
import { startTestApp } from '../support/app';
import { PNG_1x1, WEBP_1x1, pngOfSize } from '../support/images';

function workspaceForm(fields: Record<string, string>, files: Record<string, Buffer> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [k, v] of Object.entries(files)) form.append(k, new Blob([v]), `${k}.bin`);
  return form;
}

async function addWorkspace(url: string, key: string | null, form: FormData) {
  const res = await fetch(`${url}/api/workspaces/add`, {
    method: 'POST',
    headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** node:http, because fetch will not let a test forge the Host header. */
function rawRequest(url: string, headers: Record<string, string>, method = 'GET', path = '/api/workspaces/add') {
  const { port } = new URL(url);
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('POST /api/workspaces/add (seed 001)', () => {
  it('creates a workspace from multipart fields and logos and answers as the seed does', async () => {
    const t = await startTestApp();
    const { status, body } = await addWorkspace(
      t.url,
      t.adminKey,
      workspaceForm(
        {
          name: 'Finance Department',
          workspaceType: 'jwt full embed',
          planId: 'team',
          integrations: '[{"platform":"linkedin","clientId":"li-1","clientSecret":"li-secret"}]',
        },
        { squareLogo: PNG_1x1, imageLogo: WEBP_1x1 },
      ),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 200,
      message: 'workspace successfully added',
      data: { workspaceId: expect.stringMatching(/^ws_/) },
    });
    const id = (body.data as { workspaceId: string }).workspaceId;
    const ws = await t.app.engine.call('workspace.get', { workspaceId: id });
    expect(ws).toMatchObject({
      slug: 'finance-department',
      layoutType: 'no navigation',
      plan: { id: 'team' },
      squareLogo: { mimeType: 'image/png' },
      imageLogo: { mimeType: 'image/webp' },
      integrations: [{ platform: 'linkedin', clientId: 'li-1', hasSecret: true }],
    });
    expect(t.secrets.values()).toContain('li-secret');
    const activity = await t.app.engine.call('activity.list', { workspaceId: id });
    expect(activity[0]).toMatchObject({ action: 'workspace.created', actorKind: 'api_key' });
  });

  it('says "name is required" (400) in the SPEC §7 shape', async () => {
    const t = await startTestApp();
    const { status, body } = await addWorkspace(t.url, t.adminKey, workspaceForm({ workspaceType: 'iframe embed' }));
    expect(status).toBe(400);
    expect(ErrorBody.parse(body).error).toMatchObject({ code: 'parameter_missing', message: 'name is required' });
  });

  it('says "file size must be less than 10mb" (400) for a logo over 10 MB and creates nothing', async () => {
    const t = await startTestApp();
    const { status, body } = await addWorkspace(
      t.url,
      t.adminKey,
      workspaceForm({ name: 'Big Logo' }, { squareLogo: pngOfSize(10.5 * 1024 * 1024) }),
    );
    expect(status).toBe(400);
    expect(ErrorBody.parse(body).error).toMatchObject({
      code: 'validation_failed',
      message: 'file size must be less than 10mb',
    });
    expect((await t.app.engine.call('app.getState', {})).workspaces.map((w) => w.name)).toEqual(['Acme Agency']);
  });

  it('refuses invalid integrations JSON and an unknown workspace type with field details', async () => {
    const t = await startTestApp();
    const badJson = await addWorkspace(t.url, t.adminKey, workspaceForm({ name: 'X', integrations: '[{' }));
    expect(badJson.status).toBe(400);
    expect(ErrorBody.parse(badJson.body).error.details).toEqual({ fields: { integrations: 'not valid JSON' } });
    const badType = await addWorkspace(t.url, t.adminKey, workspaceForm({ name: 'X', workspaceType: 'popup' }));
    expect(badType.status).toBe(400);
    expect(ErrorBody.parse(badType.body).error.details).toMatchObject({
      fields: { workspaceType: expect.any(String) },
    });
  });

  it('needs the install admin key: none or a wrong one is 401, a workspace key is 403', async () => {
    const t = await startTestApp();
    expect((await addWorkspace(t.url, null, workspaceForm({ name: 'X' }))).status).toBe(401);
    expect((await addWorkspace(t.url, `${t.adminKey.slice(0, -2)}xx`, workspaceForm({ name: 'X' }))).status).toBe(401);
    const asWorkspace = await addWorkspace(t.url, t.workspaceApiKey, workspaceForm({ name: 'X' }));
    expect(asWorkspace.status).toBe(403);
    expect(ErrorBody.parse(asWorkspace.body).error.code).toBe('forbidden');
  });
});

describe('loopback server hardening', () => {
  it('refuses a foreign Host header (DNS rebinding) before any route runs', async () => {
    const t = await startTestApp();
    const res = await rawRequest(t.url, { host: 'attacker.example:80', authorization: `Bearer ${t.adminKey}` }, 'POST');
    expect(res.status).toBe(421);
    expect(ErrorBody.parse(res.body).error.code).toBe('forbidden');
    const port = new URL(t.url).port;
    expect((await rawRequest(t.url, { host: `localhost:${port}` }, 'GET', '/nowhere')).status).toBe(404);
    expect((await rawRequest(t.url, { host: `127.0.0.1:${Number(port) + 1}` }, 'GET', '/nowhere')).status).toBe(421);
  });

  it('refuses a cross-site request (foreign Origin) and sends no CORS headers', async () => {
    const t = await startTestApp();
    const res = await fetch(`${t.url}/api/workspaces/add`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', authorization: `Bearer ${t.adminKey}` },
      body: workspaceForm({ name: 'Forged' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await t.app.engine.call('app.getState', {})).workspaces).toHaveLength(1);
  });

  it('limits body size with 413 in the SPEC §7 shape', async () => {
    const t = await startTestApp();
    const res = await fetch(`${t.url}/api/workspaces/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('payload_too_large');
  });

  it('answers unknown paths with not_found in the SPEC §7 shape', async () => {
    const t = await startTestApp();
    const res = await fetch(`${t.url}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('not_found');
  });

  it('listens on 127.0.0.1 only: another loopback address of the same machine is refused', async () => {
    const t = await startTestApp();
    const port = Number(new URL(t.url).port);
    // Bound to all interfaces, 127.0.0.2 would connect too; bound to 127.0.0.1 it is refused.
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.2', port }, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(outcome).toBe('ECONNREFUSED');
  });
});
