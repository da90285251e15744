import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src-shared/errors';
import { createClient, setClientActive } from '../../src-main/engine/clients/clients';
import { DATABASE_FILE } from '../../src-main/engine/db/database';
import { Engine } from '../../src-main/engine/engine';
import type { Principal } from '../../src-main/engine/kernel/access';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { startTestApp } from '../support/app';
import { FakeClock } from '../support/engine';

/**
 * The API answers its hottest reads (the key's principal, the client list) from memory. These
 * tests warm that memory first, then change the data behind it, and expect the very next request
 * to see the change: from this process, from a second connection, and from another process.
 */

const get = (url: string, key: string, path = '/api/v1/workspace/users') =>
  fetch(`${url}${path}`, { headers: { 'x-publora-key': key } });
const emails = async (res: Response) => ((await res.json()) as { email: string }[]).map((u) => u.email).sort();

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

/** Runs SQL on the app's database file from a separate Node process, as another program would. */
function sqlFromAnotherProcess(dataDir: string, sql: string, ...args: string[]): void {
  const script = `const Database = require(process.argv[1]);
    const db = new Database(process.argv[2]);
    db.pragma('busy_timeout = 5000');
    db.prepare(process.argv[3]).run(...process.argv.slice(4));
    db.close();`;
  execFileSync(process.execPath, ['-e', script, BETTER_SQLITE3, join(dataDir, DATABASE_FILE), sql, ...args]);
}

/** A second engine on the same data folder: its own SQLite connection, like a second process. */
async function secondConnection(dataDir: string): Promise<Engine> {
  return Engine.open({ dataDir, secrets: new MemorySecretStore(), clock: new FakeClock() });
}

describe('answers from memory are never stale', () => {
  it('a key revoked by another process answers 401 on the very next request', async () => {
    const t = await startTestApp();
    expect((await get(t.url, t.workspaceApiKey)).status).toBe(200);
    expect((await get(t.url, t.workspaceApiKey)).status).toBe(200);
    sqlFromAnotherProcess(
      t.dataDir,
      `UPDATE api_keys SET revoked_at = ? WHERE id = ?`,
      new Date().toISOString(),
      t.workspaceApiKey.split('.')[0]!,
    );
    const refused = await get(t.url, t.workspaceApiKey);
    expect(refused.status).toBe(401);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe('unauthorized');
  });

  it('a client added or deactivated through another connection shows in the next answer', async () => {
    const t = await startTestApp();
    const other = await secondConnection(t.dataDir);
    try {
      const keyId = t.workspaceApiKey.split('.')[0]!;
      const asWorkspaceKey: Principal = { kind: 'workspace_key', workspaceId: t.workspaceId, keyId };
      createClient(other.ctx, asWorkspaceKey, { email: 'first@x.test', displayName: 'First' });
      expect(await emails(await get(t.url, t.workspaceApiKey))).toEqual(['first@x.test']);
      expect(await emails(await get(t.url, t.workspaceApiKey))).toEqual(['first@x.test']);

      const second = createClient(other.ctx, asWorkspaceKey, { email: 'second@x.test', displayName: 'Second' });
      expect(await emails(await get(t.url, t.workspaceApiKey))).toEqual(['first@x.test', 'second@x.test']);

      // A per-client key, remembered by a request, stops working when the other connection
      // deactivates its client.
      const issued = await fetch(`${t.url}/api/v1/workspace/users/${second.id}/api-key`, {
        method: 'POST',
        headers: { 'x-publora-key': t.workspaceApiKey },
      });
      const clientKey = ((await issued.json()) as { apiKey: string }).apiKey;
      expect((await get(t.url, clientKey, `/api/v1/workspace/users/${second.id}`)).status).toBe(200);
      setClientActive(other.ctx, asWorkspaceKey, second.id, false);
      expect((await get(t.url, clientKey, `/api/v1/workspace/users/${second.id}`)).status).toBe(401);
      const listed = (await (
        await get(t.url, t.workspaceApiKey, '/api/v1/workspace/users?deactivated=true')
      ).json()) as { id: string }[];
      expect(listed.map((u) => u.id)).toEqual([second.id]);
    } finally {
      other.close();
    }
  });

  it("this process's own writes show at once; a remembered key id with a wrong secret is still refused", async () => {
    const t = await startTestApp();
    expect(await emails(await get(t.url, t.workspaceApiKey))).toEqual([]);
    const created = await fetch(`${t.url}/api/v1/workspace/users`, {
      method: 'POST',
      headers: { 'x-publora-key': t.workspaceApiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'new@x.test', displayName: 'New' }),
    });
    expect(created.status).toBe(201);
    expect(await emails(await get(t.url, t.workspaceApiKey))).toEqual(['new@x.test']);

    const [keyId, secret] = t.workspaceApiKey.split('.') as [string, string];
    const forged = `${keyId}.${secret.slice(0, -2)}${secret.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await get(t.url, forged)).status).toBe(401);
    expect((await get(t.url, t.workspaceApiKey)).status).toBe(200);
  });

  it('the list answer is the same bytes, headers and paging as computed fresh', async () => {
    const t = await startTestApp();
    await t.app.engine.ctx.db.prepare(`UPDATE workspaces SET plan_id = 'enterprise'`).run();
    for (const n of [1, 2, 3]) {
      await fetch(`${t.url}/api/v1/workspace/users`, {
        method: 'POST',
        headers: { 'x-publora-key': t.workspaceApiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ email: `p${n}@x.test`, displayName: `P${n}` }),
      });
    }
    const first = await get(t.url, t.workspaceApiKey, '/api/v1/workspace/users?perPage=2');
    const again = await get(t.url, t.workspaceApiKey, '/api/v1/workspace/users?perPage=2');
    const firstBody = await first.text();
    expect(await again.text()).toBe(firstBody);
    for (const res of [first, again]) {
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-total-count')).toBe('3');
      expect(res.headers.get('link')).toBe('</api/v1/workspace/users?perPage=2&page=2>; rel="next"');
    }
    expect(JSON.parse(firstBody)).toHaveLength(2);
    // Another query is its own answer; an invalid one is refused every time, never remembered.
    expect(await (await get(t.url, t.workspaceApiKey, '/api/v1/workspace/users?perPage=2&page=2')).json()).toHaveLength(
      1,
    );
    for (let i = 0; i < 2; i++)
      expect((await get(t.url, t.workspaceApiKey, '/api/v1/workspace/users?perPage=0')).status).toBe(400);
  });
});
