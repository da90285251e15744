import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channels } from '../../src-shared/contract';
import { ErrorBody } from '../../src-shared/errors';
import { apiRoutes } from '../../src-main/server/api-spec';
import type { Db } from '../../src-main/engine/db/database';
import { startTestApp } from '../support/app';
import { hostileBodyWith, hostileStringWith } from '../support/hostile';
import { addConnection } from '../support/posting';

const REST_RUNS = Number(process.env.POSTROOM_FUZZ_REST_RUNS ?? 6000);
const CONTRACT_RUNS = Number(process.env.POSTROOM_FUZZ_CONTRACT_RUNS ?? 6000);

/**
 * A digest of everything in the database. A refused request must leave it as it was; the one
 * deliberate write of a refusal is the fresh connection link that `social_account_required`
 * carries in its action, so links (and their log lines) are left out.
 */
function digest(db: Db): string {
  const hash = createHash('sha256');
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('connection_links') ORDER BY name`)
    .all() as { name: string }[];
  for (const { name } of tables) {
    const where = name === 'activity' ? ` WHERE action != 'connection.link_created'` : '';
    // Rows sorted by their own text: WITHOUT ROWID tables (queue_entries, desk_sessions …) have no rowid to order by.
    const rows = db
      .prepare(`SELECT * FROM "${name}"${where}`)
      .raw()
      .all()
      .map((row) => JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)))
      .sort();
    hash.update(name).update(rows.join('\n'));
  }
  return hash.digest('hex');
}

/** Hostile strings, the REST paths' and the ids' own prefixes, markup, and any short text in graphemes. */
const hostileString = fc.oneof(
  hostileStringWith(
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '%00',
    'user_',
    'pg_',
    '{}',
    '[]',
    'null',
    '💥'.repeat(50),
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

const hostileValue = hostileBodyWith(
  hostileString,
  fc.record({ email: fc.oneof(hostileString, fc.emailAddress()), displayName: hostileString }, { requiredKeys: [] }),
  fc.record(
    {
      text: hostileString,
      platformIds: fc.array(hostileString, { maxLength: 5 }),
      scheduledTime: fc.oneof(
        hostileString,
        fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    { email: fc.emailAddress(), role: hostileString, managedUserIds: fc.array(hostileString) },
    { requiredKeys: [] },
  ),
);

describe('fuzz: hostile input never crashes anything and never half-writes', () => {
  it(`REST: ${REST_RUNS} malformed, oversized and wrongly typed requests across every route`, async () => {
    const t = await startTestApp({ rateLimitPerMinute: 10_000_000 });
    const engine = t.app.engine;
    engine.ctx.db.prepare(`UPDATE workspaces SET plan_id = 'enterprise'`).run();
    const user = await engine.call('client.create', {
      workspaceId: t.workspaceId,
      client: { email: 'fuzz@client.test', displayName: 'Fuzz' },
    });
    const platformId = await addConnection(engine.ctx, t.workspaceId, user.id, 'mastodon', '42', {
      accessToken: 'fuzz-token',
    });
    const post = await engine.call('post.create', {
      workspaceId: t.workspaceId,
      userId: user.id,
      post: { text: 'fuzz', platformIds: [platformId] },
    });
    const { apiKey: clientKey } = await engine.call('client.issueApiKey', {
      workspaceId: t.workspaceId,
      userId: user.id,
    });
    const members = await engine.call('team.list', { workspaceId: t.workspaceId });
    const realIds = [user.id, post.id, platformId, members.members[0]!.id];
    let cases = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...apiRoutes.map((_, i) => i)),
        fc.oneof(fc.constantFrom(...realIds), hostileString),
        fc.constantFrom('workspace', 'client', 'none', 'garbage', 'admin'),
        fc.option(hostileValue, { nil: undefined }),
        fc.dictionary(fc.string({ maxLength: 12 }), hostileString, { maxKeys: 4 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ),
        fc.option(fc.oneof(fc.constantFrom(...realIds), hostileString), { nil: undefined }),
        async (routeIndex, id, keyKind, body, query, contentType, actingUser) => {
          cases++;
          const route = apiRoutes[routeIndex]!;
          const path = route.path.replace(/:(\w+)/g, () => encodeURIComponent(id));
          const qs = new URLSearchParams(query as Record<string, string>).toString();
          const headers: Record<string, string> = { 'content-type': contentType };
          if (keyKind === 'workspace') headers['x-publora-key'] = t.workspaceApiKey;
          if (keyKind === 'client') headers['x-publora-key'] = clientKey;
          if (keyKind === 'garbage') headers['x-publora-key'] = 'key_nope.nope';
          if (keyKind === 'admin') headers.authorization = `Bearer ${t.adminKey}`;
          if (actingUser !== undefined) headers['x-publora-user-id'] = encodeURIComponent(actingUser);
          const before = digest(engine.ctx.db);
          const res = await fetch(`${t.url}${path}${qs ? `?${qs}` : ''}`, {
            method: route.method.toUpperCase(),
            headers,
            body:
              route.method === 'get' || body === undefined
                ? undefined
                : typeof body === 'string'
                  ? body
                  : JSON.stringify(body),
          });
          const text = await res.text();
          expect(res.status, `${route.method} ${path} → ${text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(ErrorBody.safeParse(JSON.parse(text)).success, text.slice(0, 300)).toBe(true);
            expect(
              digest(engine.ctx.db),
              `${route.method} ${path} was refused (${res.status}) but changed the database`,
            ).toBe(before);
          }
        },
      ),
      { numRuns: REST_RUNS },
    );
    expect(cases).toBe(REST_RUNS);
  }, 600_000);

  it(`contract: ${CONTRACT_RUNS} hostile messages on every channel`, async () => {
    const t = await startTestApp();
    const engine = t.app.engine;
    const names = [...Object.keys(channels), 'app.nothing', '__proto__', 'constructor', ''];
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.oneof(
          hostileValue,
          fc.record({ workspaceId: fc.oneof(fc.constant(t.workspaceId), hostileString) }, { requiredKeys: [] }),
        ),
        async (channel, request) => {
          cases++;
          const before = digest(engine.ctx.db);
          const result = await engine.dispatch(channel, request);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) {
            expect(ErrorBody.safeParse({ error: result.error }).success).toBe(true);
            expect(result.error.code, JSON.stringify(result.error)).not.toBe('internal');
            expect(digest(engine.ctx.db), `${channel} was refused but changed the database`).toBe(before);
          }
        },
      ),
      { numRuns: CONTRACT_RUNS },
    );
    expect(cases).toBe(CONTRACT_RUNS);
  }, 600_000);
});
