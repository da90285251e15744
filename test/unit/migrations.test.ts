import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase, schemaVersion } from '../../src-main/engine/db/database';
import type { Migration } from '../../src-main/engine/db/migration';
import { migrations } from '../../src-main/engine/db/migrations';
import { mediaFilePath } from '../../src-main/engine/files/store';
import { FakeClock, openTestEngine } from '../support/engine';
import { jpegOf } from '../support/media-fixtures';
import { tempDir } from '../support/temp';

const clock = new FakeClock();

/** The rows most upgrades start from: workspace w1 (Acme), and its client u1. */
const WORKSPACE_W1 = `INSERT INTO workspaces
  VALUES ('w1', 'Acme', 'acme', 'iframe embed', 'left navigation', 'free', 'UTC', '', '');`;
const CLIENT_U1 = `INSERT INTO managed_users (id, workspace_id, email, display_name, timezone, created_at, updated_at)
  VALUES ('u1', 'w1', 'c@x.test', 'C', 'UTC', '', '');`;

/**
 * The upgrade a user's data goes through: a database at the version before migration `version`,
 * filled by `seed`, closed, then opened again with `version` applied (and nothing after it).
 */
async function upgradedTo(version: number, seed: (before: Database.Database) => void, dataDir = tempDir()) {
  const before = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, version - 1) });
  seed(before);
  before.close();
  return openDatabase({ dataDir, clock, migrations: migrations.slice(0, version) });
}
const tableNames = (db: Database.Database) =>
  db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
    .all()
    .map((r) => (r as { name: string }).name);

/**
 * SHA-256 of the schema a fresh database has after each released migration, 1 to 21: every row of
 * `sqlite_master` (type, name, table, SQL as stored) in order. Taken before the migrations' numbers
 * moved into one table (D134). A released migration is never edited; a change is a new migration.
 */
const RELEASED_SCHEMAS = [
  '914890b6746f03e9e28a14af38a819d1919ca8be3b2b61e8dd98673b873c1962',
  '24b4c7e2eaeb8e9f0732a7397a87fbb0ab381e32aa5e0134d8bba0571bb43684',
  '35c3383f3673177e0d3c4e190b8276ffbbf2f8c75692ad8a1f9a3911eaa23463',
  '48961ef621ed0292c485b087c55ad739cefd825d2511f1a9be10e9b5ba9a8c17',
  '2d3f2528b438eed3059c2cec44994ada12cead340ad46d4ab760c0d980ca4e07',
  '115d6ed3081a65414689f09a74ff8c8b28776b52d5eddde4cced4acd4b272ee4',
  '10204e74734d996d6e8276313ad002583cdc0e22c2ce657106cd91ed81f59f7d',
  '19a652c2a2cdcedd9ba9955b8d118021b350365390af9a2eb96882d411db4f17',
  'df9f93eeb66a45cd0c851e12be791b33cc619c157aeb8133c4671e33a21d52ea',
  '0866969dc3e62bb256319664212e5de542e3dfe948724d8fb1b3df307fce833a',
  '2ad7eed4af188c91b8efe09cd3c4eaae363207c12d568cb6db2dda4176d0d21a',
  '672933c67ad2bd26dffb9cfa1746acd7d6ec116d21a068f6173dabdbcbacc2d8',
  '97017ca533f9e1907f641c8d9ed1123f9d33756af57f843ef1b920f9bd89719e',
  '9196c3e81fb3b75ab677f59a3cf93573c1a2f02b05b6b10849c3eb54831f16c4',
  '51d427d67b6ba6a09d910774012f166b1ab4d3b04657afd2ceddf04f04eed12c',
  '889fff9543d9398c65c9ea28e23652536b0eca4ffaafb150dfec1547acc0083e',
  '4d4765b6bcd9117f52b2a15b3cbc64ef75297af5bddcc4b63aff277e2c03dda6',
  'fe4854cd31ceba7710ab036729c87664ba0bd6e43ce3b7352fcb85a74ca4ff05',
  '01f37544f3c84225779dc407065e4a70341a5b9d0c0def1d97fca70de279ceda',
  'b8247d4f10505de552af65bd1dcdc1a5f41844a01563252589b49858feea9bb6',
  '820161bc2478f2f9f788368fc233ca2ba65dd88cfda0ddf51d3b18d5413a1a01',
];
type SchemaRow = { type: string; name: string; tbl_name: string; sql: string | null };
const schemaHash = (db: Database.Database) => {
  const rows = db
    .prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`)
    .all() as SchemaRow[];
  const text = rows.map((r) => `${r.type} ${r.name} ON ${r.tbl_name}\n${r.sql}`).join('\n\n');
  return createHash('sha256').update(text).digest('hex');
};

describe('database', () => {
  it('opens one file in the data folder with WAL, foreign keys and a busy timeout', async () => {
    const dataDir = tempDir();
    const db = await openDatabase({ dataDir, clock });
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    db.close();
  });

  it('numbers migrations 1, 2, 3… by their place in the table, each from the file of its number and name', async () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    const dir = join(__dirname, '../../src-main/engine/db/migrations');
    const files = readdirSync(dir)
      .filter((f) => f !== 'index.ts')
      .sort();
    expect(files).toEqual(migrations.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}.ts`));
    for (const [i, file] of files.entries())
      expect(Object.values(await import(join(dir, file))), file).toEqual([migrations[i]!.up]);
  });

  it('leaves, after each released migration, the schema it left when it was released', () => {
    const db = new Database(':memory:');
    const dataDir = tempDir();
    const left = migrations.slice(0, RELEASED_SCHEMAS.length).map((m) => {
      db.transaction(() => m.up(db, { dataDir }))();
      return schemaHash(db);
    });
    db.close();
    expect(left).toEqual(RELEASED_SCHEMAS);
  });

  it('refuses a database written by a newer version, and leaves it untouched', async () => {
    const dataDir = tempDir();
    const raw = new Database(join(dataDir, DATABASE_FILE));
    raw.pragma('user_version = 99');
    raw.exec('CREATE TABLE future (x)');
    raw.close();
    await expect(openDatabase({ dataDir, clock })).rejects.toMatchObject({
      code: 'unsupported_database_version',
      message: expect.stringContaining('newer version of Postroom'),
    });
    const after = new Database(join(dataDir, DATABASE_FILE));
    expect(after.pragma('user_version', { simple: true })).toBe(99);
    expect(tableNames(after)).toEqual(['future']);
    after.close();
  });

  it('backs up a database with data before migrating it, and applies the new migration', async () => {
    const dataDir = tempDir();
    const v1 = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, 1) });
    v1.prepare(`INSERT INTO settings (key, value) VALUES ('marker', 'kept')`).run();
    v1.close();
    const next: Migration = { version: 2, name: 'test-next', up: (db) => db.exec('CREATE TABLE next_thing (id TEXT)') };
    const v2 = await openDatabase({ dataDir, clock, migrations: [migrations[0]!, next] });
    expect(schemaVersion(v2)).toBe(2);
    expect(tableNames(v2)).toContain('next_thing');
    v2.close();
    const backups = readdirSync(join(dataDir, 'backups'));
    expect(backups).toHaveLength(1);
    const backup = new Database(join(dataDir, 'backups', backups[0]!), { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare(`SELECT value FROM settings WHERE key = 'marker'`).get()).toEqual({ value: 'kept' });
    backup.close();
  });

  it('rolls a failing migration back whole and keeps the old version', async () => {
    const dataDir = tempDir();
    (await openDatabase({ dataDir, clock, migrations: migrations.slice(0, 1) })).close();
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half_made (id TEXT)');
        throw new Error('boom');
      },
    };
    await expect(openDatabase({ dataDir, clock, migrations: [migrations[0]!, broken] })).rejects.toThrow('boom');
    const db = new Database(join(dataDir, DATABASE_FILE));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tableNames(db)).not.toContain('half_made');
    db.close();
  });
});

describe('migration 001 (initial)', () => {
  it('creates the schema, seeds the plans as data and protects the activity log', async () => {
    const db = await openDatabase({ dataDir: tempDir(), clock, migrations: migrations.slice(0, 1) });
    expect(tableNames(db)).toEqual(
      expect.arrayContaining([
        'activity',
        'api_keys',
        'integrations',
        'members',
        'plans',
        'profiles',
        'settings',
        'subscriptions',
        'transactions',
        'workspace_logos',
        'workspaces',
      ]),
    );
    expect(db.prepare(`SELECT id, max_members, max_clients FROM plans ORDER BY price_cents`).all()).toEqual([
      { id: 'free', max_members: 1, max_clients: 3 },
      { id: 'team', max_members: 10, max_clients: 50 },
      { id: 'enterprise', max_members: null, max_clients: null },
    ]);
    db.prepare(
      `INSERT INTO activity (id, workspace_id, at, actor_kind, actor_id, action, object_kind, object_id, detail)
       VALUES ('a1', NULL, '2026-01-01', 'system', NULL, 'x', 'y', NULL, 'z')`,
    ).run();
    expect(() => db.prepare(`UPDATE activity SET detail = 'changed'`).run()).toThrow('append-only');
    expect(() => db.prepare(`DELETE FROM activity`).run()).toThrow('append-only');
    expect(() =>
      db
        .prepare(
          `INSERT INTO workspaces (id, name, slug, workspace_type, layout_type,
                                  plan_id, timezone, created_at, updated_at)
           VALUES ('w', 'n', 's', 'other', 'left navigation', 'free', 'UTC', '', '')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO workspaces (id, name, slug, workspace_type, layout_type,
                                  plan_id, timezone, created_at, updated_at)
           VALUES ('w', 'n', 's', 'iframe embed', 'left navigation', 'gold', 'UTC', '', '')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('migration 002 (clients and team)', () => {
  it('upgrades a version-1 database with data in it, and enforces client uniqueness among live clients', async () => {
    const dataDir = tempDir();
    const db = await upgradedTo(
      2,
      (v1) => {
        v1.exec(`INSERT INTO profiles VALUES ('p1', 'Olivia', 'o@x.test', '2026-01-01');
      INSERT INTO workspaces
        VALUES ('w1', 'Acme', 'acme', 'iframe embed', 'left navigation', 'free', 'UTC', '2026-01-01', '2026-01-01');
      INSERT INTO members (id, workspace_id, profile_id, role, status, created_at)
        VALUES ('m1', 'w1', 'p1', 'owner', 'active', '2026-01-01');`);
      },
      dataDir,
    );
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare(`SELECT name, password_hash FROM profiles WHERE id = 'p1'`).get()).toEqual({
      name: 'Olivia',
      password_hash: null,
    });
    const insert = db.prepare(
      `INSERT INTO managed_users (id, workspace_id, email, display_name, external_id,
                                 timezone, created_at, updated_at, deleted_at)
       VALUES (?, 'w1', ?, 'X', ?, 'UTC', '', '', ?)`,
    );
    insert.run('u1', 'a@x.test', 'ext-1', null);
    expect(() => insert.run('u2', 'A@X.TEST', null, null)).toThrow(/UNIQUE/);
    expect(() => insert.run('u3', 'b@x.test', 'ext-1', null)).toThrow(/UNIQUE/);
    insert.run('u4', 'a@x.test', 'ext-1', '2026-02-01'); // a deleted client frees neither, but may repeat them
    expect(() =>
      db
        .prepare(
          `INSERT INTO invitations (id, workspace_id, email, role, code_hash, expires_at, created_at)
           VALUES ('i', 'w1', 'e', 'owner', x'00', '', '')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(readdirSync(join(dataDir, 'backups'))).toHaveLength(1);
    db.close();
  });
});

describe('migration 003 (connections)', () => {
  it('adds issuer_url to existing integrations and keeps one connection per client and platform id', async () => {
    const db = await upgradedTo(3, (v2) => {
      v2.exec(`INSERT INTO profiles (id, name, email, created_at) VALUES ('p1', 'Olivia', 'o@x.test', '2026-01-01');
      INSERT INTO workspaces
        VALUES ('w1', 'Acme', 'acme', 'iframe embed', 'left navigation', 'free', 'UTC', '2026-01-01', '2026-01-01');
      INSERT INTO integrations (id, workspace_id, platform, client_id, created_at)
        VALUES ('i1', 'w1', 'linkedin', 'cid', '2026-01-01');
      ${CLIENT_U1}`);
    });
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare(`SELECT client_id, issuer_url FROM integrations`).get()).toEqual({
      client_id: 'cid',
      issuer_url: null,
    });
    const insert = db.prepare(
      `INSERT INTO connections (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle,
                               display_name, status, connected_at, updated_at)
       VALUES (?, 'w1', 'u1', 'linkedin', 'abc', 'linkedin-abc', 'h', 'n', ?, '', '')`,
    );
    insert.run('c1', 'active');
    expect(() => insert.run('c2', 'active')).toThrow(/UNIQUE/);
    expect(() => db.prepare(`UPDATE connections SET status = 'gone'`).run()).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 004 (posts)', () => {
  it('adds post groups and deliveries, one delivery per platform id; marks enterprise limits raisable', async () => {
    const dataDir = tempDir();
    const db = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, 4) });
    expect(db.prepare(`SELECT id, daily_limit_raisable FROM plans ORDER BY price_cents`).all()).toEqual([
      { id: 'free', daily_limit_raisable: 0 },
      { id: 'team', daily_limit_raisable: 0 },
      { id: 'enterprise', daily_limit_raisable: 1 },
    ]);
    db.exec(`INSERT INTO profiles (id, name, email, created_at) VALUES ('p1', 'O', 'o@x.test', '');
      ${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at)
        VALUES ('g1', 'w1', 'u1', 'hi', '', '');`);
    const insert = db.prepare(
      `INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state,
                               idempotency_key, updated_at)
       VALUES (?, 'g1', 'u1', 'x-1', 'x', ?, ?, '')`,
    );
    insert.run('d1', 'draft', 'k1');
    expect(() => insert.run('d2', 'draft', 'k2')).toThrow(/UNIQUE/); // one delivery per platform id
    expect(() => db.prepare(`UPDATE deliveries SET state = 'sent'`).run()).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 005 (credential mode)', () => {
  it('keeps one credential mode per member and connection, and adds "post as" to connections', async () => {
    const dataDir = tempDir();
    const db = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, 5) });
    db.exec(`INSERT INTO profiles (id, name, email, created_at) VALUES ('p1', 'O', 'o@x.test', '');
      ${WORKSPACE_W1}
      INSERT INTO members (id, workspace_id, profile_id, role, status, created_at)
        VALUES ('m1', 'w1', 'p1', 'editor', 'active', '');
      ${CLIENT_U1}
      INSERT INTO connections (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle,
                               display_name, status, connected_at, updated_at, post_as)
        VALUES ('c1', 'w1', 'u1', 'linkedin', 'a', 'linkedin-a', 'h',
                'n', 'active', '', '', 'urn:li:organization:5');`);
    db.prepare(`INSERT INTO connection_access (member_id, connection_id, mode) VALUES ('m1', 'c1', 'member')`).run();
    expect(() =>
      db.prepare(`INSERT INTO connection_access (member_id, connection_id, mode) VALUES ('m1', 'c1', 'owner')`).run(),
    ).toThrow(/UNIQUE|PRIMARY/);
    expect(() =>
      db.prepare(`INSERT INTO connection_access (member_id, connection_id, mode) VALUES ('m1', 'c1', 'guest')`).run(),
    ).toThrow(/CHECK/);
    expect(db.prepare(`SELECT post_as FROM connections`).get()).toEqual({ post_as: 'urn:li:organization:5' });
    db.close();
  });
});

describe('migration 006 (connection limits)', () => {
  it("adds a connection's own text limit, positive or none", async () => {
    const db = await openDatabase({ dataDir: tempDir(), clock, migrations: migrations.slice(0, 6) });
    db.exec(`INSERT INTO profiles (id, name, email, created_at) VALUES ('p1', 'O', 'o@x.test', '');
      ${WORKSPACE_W1}
      ${CLIENT_U1}`);
    const insert = db.prepare(
      `INSERT INTO connections (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle,
                               display_name, status, connected_at, updated_at, max_text_length)
       VALUES (?, 'w1', 'u1', 'mastodon', ?, ?, 'h', 'n', 'active', '', '', ?)`,
    );
    insert.run('c1', '1', 'mastodon-1', 1000);
    insert.run('c2', '2', 'mastodon-2', null);
    expect(() => insert.run('c3', '3', 'mastodon-3', 0)).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 007 (LinkedIn organisation pages)', () => {
  it('adds the opt-in to integrations, off for the ones already there, and only 0 or 1', async () => {
    const db = await upgradedTo(7, (before) => {
      before.exec(`${WORKSPACE_W1}
      INSERT INTO integrations (id, workspace_id, platform, client_id, instance_url,
                                redirect_port, secret_account, created_at)
        VALUES ('i1', 'w1', 'linkedin', 'app', NULL, NULL, NULL, '');`);
    });
    expect(db.prepare(`SELECT id, organization_pages FROM integrations`).all()).toEqual([
      { id: 'i1', organization_pages: 0 },
    ]);
    db.prepare(`UPDATE integrations SET organization_pages = 1 WHERE id = 'i1'`).run();
    expect(() => db.prepare(`UPDATE integrations SET organization_pages = 2 WHERE id = 'i1'`).run()).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 008 (verify before publish)', () => {
  it('adds verify_since to deliveries, empty for the ones already there', async () => {
    const db = await upgradedTo(8, (before) => {
      before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at)
        VALUES ('g1', 'w1', 'u1', 'hi', '', '');
      INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state,
                              idempotency_key, updated_at)
        VALUES ('d1', 'g1', 'u1', 'x-1', 'x', 'publishing', 'k1', '');`);
    });
    expect(db.prepare(`SELECT id, state, verify_since FROM deliveries`).all()).toEqual([
      { id: 'd1', state: 'publishing', verify_since: null },
    ]);
    db.prepare(`UPDATE deliveries SET verify_since = '2026-01-01T00:00:00.000Z' WHERE id = 'd1'`).run();
    expect(db.prepare(`SELECT verify_since FROM deliveries`).get()).toEqual({
      verify_since: '2026-01-01T00:00:00.000Z',
    });
    db.close();
  });
});

describe('migration 009 (queue index)', () => {
  it('fills the queue entries and counts from the posts already there, then keeps them with every change', async () => {
    const db = await upgradedTo(9, (before) => {
      before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, scheduled_at, created_at, updated_at) VALUES
        ('g1', 'w1', 'u1', 'one', '2026-02-01T09:00:00.000Z', '2026-01-01T00:00:00.000Z', ''),
        ('g2', 'w1', 'u1', 'draft', NULL, '2026-01-05T00:00:00.000Z', '');
      INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state,
                              idempotency_key, updated_at) VALUES
        ('d1', 'g1', 'u1', 'x-1', 'x', 'published', 'k1', ''),
        ('d2', 'g1', 'u1', 'mastodon-1', 'mastodon', 'failed', 'k2', ''),
        ('d3', 'g2', 'u1', 'x-1', 'x', 'draft', 'k3', '');`);
    });
    const entries = () =>
      db
        .prepare(`SELECT post_group_id, state, deliveries, sort_at FROM queue_entries ORDER BY post_group_id, state`)
        .all();
    const counts = () =>
      Object.fromEntries(
        (
          db.prepare(`SELECT state, groups FROM queue_counts ORDER BY state`).all() as {
            state: string;
            groups: number;
          }[]
        )
          .filter((c) => c.groups > 0)
          .map((c) => [c.state, c.groups]),
      );
    // A group is listed at its post time, a draft at when it was made.
    expect(entries()).toEqual([
      { post_group_id: 'g1', state: 'failed', deliveries: 1, sort_at: '2026-02-01T09:00:00.000Z' },
      { post_group_id: 'g1', state: 'published', deliveries: 1, sort_at: '2026-02-01T09:00:00.000Z' },
      { post_group_id: 'g2', state: 'draft', deliveries: 1, sort_at: '2026-01-05T00:00:00.000Z' },
    ]);
    expect(counts()).toEqual({ '': 2, draft: 1, failed: 1, published: 1 });

    // A retry that publishes, a draft scheduled, a new delivery, a group deleted: all followed.
    db.prepare(`UPDATE deliveries SET state = 'published' WHERE id = 'd2'`).run();
    db.prepare(`UPDATE post_groups SET scheduled_at = '2026-03-01T10:00:00.000Z' WHERE id = 'g2'`).run();
    db.prepare(`UPDATE deliveries SET state = 'scheduled' WHERE id = 'd3'`).run();
    db.prepare(
      `INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state,
                               idempotency_key, updated_at)
       VALUES ('d4', 'g2', 'u1', 'mastodon-1', 'mastodon', 'scheduled', 'k4', '')`,
    ).run();
    expect(entries()).toEqual([
      { post_group_id: 'g1', state: 'published', deliveries: 2, sort_at: '2026-02-01T09:00:00.000Z' },
      { post_group_id: 'g2', state: 'scheduled', deliveries: 2, sort_at: '2026-03-01T10:00:00.000Z' },
    ]);
    expect(counts()).toEqual({ '': 2, published: 1, scheduled: 1 });
    db.prepare(`DELETE FROM post_groups WHERE id = 'g1'`).run();
    expect(entries()).toEqual([
      { post_group_id: 'g2', state: 'scheduled', deliveries: 2, sort_at: '2026-03-01T10:00:00.000Z' },
    ]);
    expect(counts()).toEqual({ '': 1, scheduled: 1 });
    db.close();
  });
});

describe('migration 010 (team host)', () => {
  const version = migrations.find((m) => m.name === 'team-host')!.version;

  it('keeps all sessions, adds desk sessions known only by a token hash, and idempotency keys per member', async () => {
    const db = await upgradedTo(version, (before) => {
      before.exec(`INSERT INTO profiles (id, name, email, created_at) VALUES ('p1', 'Olivia', 'o@x.test', '');
      ${WORKSPACE_W1}
      INSERT INTO members (id, workspace_id, profile_id, role, status, created_at)
        VALUES ('m1', 'w1', 'p1', 'owner', 'active', '');
      INSERT INTO sessions (id, member_id, kind, created_at) VALUES ('s1', 'm1', 'app', '2026-01-01');
      INSERT INTO sessions (id, member_id, kind, created_at, ended_at, end_reason)
        VALUES ('s2', 'm1', 'api', '2026-01-02', '2026-01-03', 'force logout');`);
    });
    expect(db.prepare(`SELECT id, kind, ended_at, end_reason, token_hash FROM sessions ORDER BY id`).all()).toEqual([
      { id: 's1', kind: 'app', ended_at: null, end_reason: null, token_hash: null },
      { id: 's2', kind: 'api', ended_at: '2026-01-03', end_reason: 'force logout', token_hash: null },
    ]);
    const desk = db.prepare(
      `INSERT INTO sessions (id, member_id, kind, created_at, token_hash, device_name)
       VALUES (?, 'm1', ?, '', ?, 'Laptop')`,
    );
    desk.run('s3', 'desk', Buffer.alloc(32, 1));
    expect(() => desk.run('s4', 'desk', Buffer.alloc(32, 1))).toThrow(/UNIQUE/);
    expect(() => desk.run('s5', 'desk', null)).toThrow(/CHECK/);
    expect(() => desk.run('s6', 'app', Buffer.alloc(32, 2))).toThrow(/CHECK/);
    expect(() => desk.run('s7', 'desk', Buffer.alloc(16, 3))).toThrow(/CHECK/);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sessions_live'`).get()).toEqual({
      name: 'sessions_live',
    });

    const key = db.prepare(
      `INSERT INTO idempotency_keys (member_id, key, channel, request_hash, created_at)
       VALUES (?, ?, 'post.create', x'00', '')`,
    );
    key.run('m1', 'k1');
    expect(() => key.run('m1', 'k1')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => key.run('nobody', 'k2')).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM members WHERE id = 'm1'`).run();
    expect(db.prepare(`SELECT count(*) AS n FROM idempotency_keys`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT count(*) AS n FROM sessions`).get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migration 011 (media library)', () => {
  const version = migrations.find((m) => m.name === 'media-library')!.version;

  it(
    'moves images out of SQLite into content-addressed files, one library item per client and file, ' +
      'probed at the next start',
    async () => {
      const dataDir = tempDir();
      const before = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, version - 1) });
      before.exec(`INSERT INTO profiles (id, name, email, created_at) VALUES ('p1', 'O', 'o@x.test', '');
        ${WORKSPACE_W1}
        ${CLIENT_U1}
        INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at)
          VALUES ('g1', 'w1', 'u1', 'one', '2026-01-01', '');
        INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at)
          VALUES ('g2', 'w1', 'u1', 'two', '2026-01-02', '');`);
      const photo = jpegOf(640, 480);
      const other = jpegOf(100, 100);
      const media = before.prepare(
        `INSERT INTO post_media (id, post_group_id, position, mime_type, size, alt_text, data)
         VALUES (?, ?, ?, 'image/jpeg', ?, ?, ?)`,
      );
      media.run('m1', 'g1', 0, photo.length, 'A photo', photo);
      media.run('m2', 'g1', 1, other.length, '', other);
      media.run('m3', 'g2', 0, photo.length, '', photo); // the same bytes in another post: one item
      before.close();

      const db = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, version) });
      const items = db
        .prepare(`SELECT id, sha256, size, alt_text, probed, width FROM media ORDER BY size DESC`)
        .all() as { id: string; sha256: string; size: number; alt_text: string; probed: number; width: null }[];
      expect(items.map((i) => [i.size, i.alt_text, i.probed, i.width])).toEqual([
        [photo.length, 'A photo', 0, null],
        [other.length, '', 0, null],
      ]);
      expect(readFileSync(mediaFilePath(dataDir, items[0]!.sha256)).equals(photo)).toBe(true);
      expect(db.prepare(`SELECT post_group_id, position, media_id FROM post_media ORDER BY 1, 2`).all()).toEqual([
        { post_group_id: 'g1', position: 0, media_id: items[0]!.id },
        { post_group_id: 'g1', position: 1, media_id: items[1]!.id },
        { post_group_id: 'g2', position: 0, media_id: items[0]!.id },
      ]);
      const dataColumn = `SELECT count(*) AS n FROM pragma_table_info('post_media') WHERE name = 'data'`;
      expect(db.prepare(dataColumn).get()).toEqual({ n: 0 });
      // An item a post uses cannot be deleted from under it.
      expect(() => db.prepare(`DELETE FROM media WHERE id = ?`).run(items[0]!.id)).toThrow(/FOREIGN KEY/);
      db.close();

      const { engine } = await openTestEngine(dataDir);
      const probed = engine.ctx.db
        .prepare(`SELECT width, height, probed, thumbnail_sha256 FROM media ORDER BY size DESC`)
        .all();
      expect(probed).toEqual([
        { width: 640, height: 480, probed: 1, thumbnail_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { width: 100, height: 100, probed: 1, thumbnail_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ]);
      engine.close();
    },
  );
});

describe('migration 012 (approvals)', () => {
  const version = migrations.find((m) => m.name === 'approvals')!.version;

  it('starts each client at no approval and each post unsubmitted, and adds comments and approval links', async () => {
    const db = await upgradedTo(version, (before) => {
      before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at)
        VALUES ('g1', 'w1', 'u1', 'hi', '', '');`);
    });
    expect(db.prepare(`SELECT approval_policy FROM managed_users`).all()).toEqual([{ approval_policy: 'none' }]);
    expect(db.prepare(`SELECT approval_state, review_stage FROM post_groups`).all()).toEqual([
      { approval_state: 'none', review_stage: null },
    ]);
    expect(() => db.prepare(`UPDATE managed_users SET approval_policy = 'maybe'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE post_groups SET approval_state = 'scheduled'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE post_groups SET review_stage = 'anyone'`).run()).toThrow(/CHECK/);

    const comment = db.prepare(
      `INSERT INTO post_comments (id, post_group_id, visibility, author_kind, author_name, body, created_at)
       VALUES (?, 'g1', ?, 'member', 'O', ?, '')`,
    );
    comment.run('c1', 'internal', 'note');
    expect(() => comment.run('c2', 'public', 'x')).toThrow(/CHECK/);
    expect(() => comment.run('c3', 'client', '')).toThrow(/CHECK/);

    const link = db.prepare(
      `INSERT INTO approval_links (id, workspace_id, managed_user_id, token_hash, created_at, expires_at)
       VALUES (?, 'w1', 'u1', ?, '', '')`,
    );
    link.run('l1', Buffer.alloc(32, 1));
    expect(() => link.run('l2', Buffer.alloc(32, 1))).toThrow(/UNIQUE/);
    expect(() => link.run('l3', Buffer.alloc(16, 2))).toThrow(/CHECK/);

    db.prepare(`DELETE FROM post_groups WHERE id = 'g1'`).run();
    expect(db.prepare(`SELECT count(*) AS n FROM post_comments`).get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migration 014 (review index)', () => {
  it('lists posts by approval state from a partial index that leaves unsubmitted posts out', async () => {
    const db = await openDatabase({ dataDir: tempDir(), clock, migrations });
    db.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at, approval_state) VALUES
        ('g1', 'w1', 'u1', 'a', '2026-01-01T00:00:00Z', '', 'none'),
        ('g2', 'w1', 'u1', 'b', '2026-01-02T00:00:00Z', '', 'in_review');`);
    const sql = `SELECT x.id FROM post_groups x
                 WHERE x.workspace_id = ? AND x.approval_state = ? AND x.approval_state != 'none'
                 ORDER BY x.sort_at DESC, x.rowid DESC`;
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all('w1', 'in_review')
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
    expect(plan).toContain('post_groups_by_approval');
    expect(db.prepare(sql).all('w1', 'in_review')).toEqual([{ id: 'g2' }]);
    expect(
      db
        .prepare(
          `SELECT count(*) AS n FROM post_groups INDEXED BY post_groups_by_approval
           WHERE workspace_id = 'w1' AND approval_state != 'none'`,
        )
        .get(),
    ).toEqual({ n: 1 });
    db.close();
  });
});

describe('migration 016 (threads)', () => {
  it('gives posts an empty thread, no first comment; records what went out as part 0, one row per part', async () => {
    const db = await upgradedTo(16, (before) => {
      before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at)
        VALUES ('g1', 'w1', 'u1', 'hi', '', '');
      INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state, idempotency_key,
                              platform_post_id, platform_post_url, published_at, updated_at) VALUES
        ('d1', 'g1', 'u1', 'x-1', 'x', 'published', 'k1', '190', 'https://x.com/i/web/status/190', '2026-11-01T10:00:00.000Z', ''),
        ('d2', 'g1', 'u1', 'mastodon-1', 'mastodon', 'scheduled', 'k2', NULL, NULL, NULL, '');`);
    });
    expect(db.prepare(`SELECT thread, first_comment FROM post_groups`).all()).toEqual([
      { thread: '[]', first_comment: null },
    ]);
    expect(db.prepare(`SELECT * FROM delivery_parts`).all()).toEqual([
      {
        delivery_id: 'd1',
        part: 0,
        platform_post_id: '190',
        platform_post_url: 'https://x.com/i/web/status/190',
        published_at: '2026-11-01T10:00:00.000Z',
      },
    ]);
    // A part is recorded once: a second row for the same part of a delivery is refused.
    expect(() =>
      db.prepare(`INSERT INTO delivery_parts VALUES ('d1', 0, '191', NULL, '2026-11-01T10:00:01.000Z')`).run(),
    ).toThrow(/UNIQUE/);
    db.prepare(`INSERT INTO delivery_parts VALUES ('d1', 1, '191', NULL, '2026-11-01T10:00:01.000Z')`).run();
    // Deleting the post removes its parts with its deliveries.
    db.prepare(`DELETE FROM post_groups WHERE id = 'g1'`).run();
    expect(db.prepare(`SELECT count(*) AS n FROM delivery_parts`).get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migration 017 (approval settings)', () => {
  it('keeps one row of approval settings per workspace, off unless set, gone with its workspace', async () => {
    const db = await openDatabase({ dataDir: tempDir(), clock, migrations });
    db.exec(WORKSPACE_W1);
    const set = db.prepare(
      `INSERT INTO workspace_approval_settings (workspace_id, typo_fix_keeps_approval, updated_at)
       VALUES ('w1', ?, '')`,
    );
    expect(() => set.run(2)).toThrow(/CHECK/);
    set.run(1);
    expect(() => set.run(0)).toThrow(/UNIQUE|PRIMARY/);
    expect(db.prepare(`SELECT typo_fix_keeps_approval AS v FROM workspace_approval_settings`).get()).toEqual({ v: 1 });
    db.prepare(`DELETE FROM workspaces WHERE id = 'w1'`).run();
    expect(db.prepare(`SELECT count(*) AS n FROM workspace_approval_settings`).get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migration 018 (polls)', () => {
  it('gives every post no poll, and keeps one as JSON', async () => {
    const db = await upgradedTo(18, (before) => {
      before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, created_at, updated_at)
        VALUES ('g1', 'w1', 'u1', 'hi', '', '');`);
    });
    expect(db.prepare(`SELECT poll FROM post_groups`).all()).toEqual([{ poll: null }]);
    db.prepare(`UPDATE post_groups SET poll = ? WHERE id = 'g1'`).run('{"options":["a","b"],"durationMinutes":60}');
    expect(db.prepare(`SELECT poll FROM post_groups`).get()).toEqual({
      poll: '{"options":["a","b"],"durationMinutes":60}',
    });
    db.close();
  });
});

describe('migration 019 (group summaries)', () => {
  it("sums up every post's deliveries and parts already there, then keeps each summary with every change", async () => {
    const dataDir = tempDir();
    const before = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, 18) });
    before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, scheduled_at, created_at, updated_at) VALUES
        ('g1', 'w1', 'u1', 'one', '2026-02-01T09:00:00.000Z', '2026-01-01T00:00:00.000Z', ''),
        ('g2', 'w1', 'u1', 'draft', NULL, '2026-01-05T00:00:00.000Z', '');
      INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state,
                              due_at, next_attempt_at, idempotency_key, platform_post_id, platform_post_url,
                              published_at, last_error, attempts, updated_at) VALUES
        ('d1', 'g1', 'u1', 'x-1', 'x', 'published',
         '2026-02-01T09:00:00.000Z', NULL, 'k1', '190', 'https://x.com/i/web/status/190',
         '2026-02-01T09:00:01.000Z', NULL, 1, ''),
        ('d2', 'g1', 'u1', 'mastodon-1', 'mastodon', 'failed',
         '2026-02-01T09:00:00.000Z', NULL, 'k2', NULL, NULL,
         NULL, 'refused (422)', 3, ''),
        ('d3', 'g2', 'u1', 'x-1', 'x', 'draft', NULL, NULL, 'k3', NULL, NULL, NULL, NULL, 0, '');
      INSERT INTO delivery_parts VALUES ('d1', 1, '191', NULL, '2026-02-01T09:00:02.000Z');`);
    before.close();
    const db = await openDatabase({ dataDir, clock, migrations: migrations.slice(0, 19) });
    const summaries = () =>
      (
        db
          .prepare(
            `SELECT group_rowid, sort_at, states, platform_ids, deliveries FROM group_summaries ORDER BY group_rowid`,
          )
          .all() as { group_rowid: number; sort_at: string; states: number; platform_ids: string; deliveries: string }[]
      ).map((s) => ({
        ...s,
        platform_ids: JSON.parse(s.platform_ids) as unknown,
        deliveries: JSON.parse(s.deliveries) as unknown,
      }));
    const delivery = (fields: Record<string, unknown>) => ({
      scheduledTime: null,
      attempts: 0,
      nextAttemptAt: null,
      platformPostId: null,
      url: null,
      error: null,
      publishedAt: null,
      parts: [],
      ...fields,
    });
    const d1 = delivery({
      id: 'd1',
      platformId: 'x-1',
      platform: 'x',
      state: 'published',
      scheduledTime: '2026-02-01T09:00:00.000Z',
      attempts: 1,
      platformPostId: '190',
      url: 'https://x.com/i/web/status/190',
      publishedAt: '2026-02-01T09:00:01.000Z',
      // The thread's first reply (part 1 in the database, 2 in the contract: the post itself is 1).
      parts: [{ part: 2, platformPostId: '191', url: null, publishedAt: '2026-02-01T09:00:02.000Z' }],
    });
    const d2 = delivery({
      id: 'd2',
      platformId: 'mastodon-1',
      platform: 'mastodon',
      state: 'failed',
      scheduledTime: '2026-02-01T09:00:00.000Z',
      attempts: 3,
      error: 'refused (422)',
    });
    // published 8 + failed 16; draft 1.
    expect(summaries()).toEqual([
      {
        group_rowid: 1,
        sort_at: '2026-02-01T09:00:00.000Z',
        states: 24,
        platform_ids: ['x-1', 'mastodon-1'],
        deliveries: [d1, d2],
      },
      {
        group_rowid: 2,
        sort_at: '2026-01-05T00:00:00.000Z',
        states: 1,
        platform_ids: ['x-1'],
        deliveries: [delivery({ id: 'd3', platformId: 'x-1', platform: 'x', state: 'draft' })],
      },
    ]);

    // A draft scheduled (its time and its delivery's), a retry that publishes, a delivery deleted.
    db.prepare(`UPDATE post_groups SET scheduled_at = '2026-03-01T10:00:00.000Z' WHERE id = 'g2'`).run();
    db.prepare(
      `UPDATE deliveries
       SET state = 'scheduled', due_at = '2026-03-01T10:00:00.000Z', next_attempt_at = '2026-03-01T10:00:00.000Z'
       WHERE id = 'd3'`,
    ).run();
    db.prepare(`UPDATE deliveries SET state = 'published', last_error = NULL WHERE id = 'd2'`).run();
    db.prepare(`DELETE FROM delivery_parts WHERE delivery_id = 'd1' AND part = 1`).run();
    const after = summaries();
    expect(after.map((s) => [s.group_rowid, s.sort_at, s.states])).toEqual([
      [1, '2026-02-01T09:00:00.000Z', 8],
      [2, '2026-03-01T10:00:00.000Z', 2],
    ]);
    expect(after[0]!.deliveries).toEqual([
      { ...d1, parts: [] },
      { ...d2, state: 'published', error: null },
    ]);
    expect(after[1]!.deliveries).toEqual([
      delivery({
        id: 'd3',
        platformId: 'x-1',
        platform: 'x',
        state: 'scheduled',
        scheduledTime: '2026-03-01T10:00:00.000Z',
        nextAttemptAt: '2026-03-01T10:00:00.000Z',
      }),
    ]);
    // Deleting a post takes its summary with it; the table equals a fresh computation throughout.
    db.prepare(`DELETE FROM post_groups WHERE id = 'g1'`).run();
    expect(summaries().map((s) => s.group_rowid)).toEqual([2]);
    expect(db.prepare(`SELECT * FROM group_summaries`).all()).toEqual(
      db.prepare(`SELECT * FROM fresh_group_summaries`).all(),
    );
    db.close();
  });
});

describe('migration 020 (poll limits)', () => {
  it("gives every connection the platform's poll bounds, and keeps a server's own as JSON only", async () => {
    const db = await upgradedTo(20, (before) => {
      before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO connections (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle,
                               display_name, status, connected_at, updated_at)
        VALUES ('c1', 'w1', 'u1', 'mastodon', '7', 'mastodon-7', 'casey', 'Casey', 'active', '', '');`);
    });
    expect(db.prepare(`SELECT poll_limits FROM connections`).all()).toEqual([{ poll_limits: null }]);
    const set = db.prepare(`UPDATE connections SET poll_limits = ? WHERE id = 'c1'`);
    expect(() => set.run('{not json')).toThrow(/CHECK/);
    set.run('{"maxOptions":6,"maxOptionLength":80,"minMinutes":5,"maxMinutes":10080}');
    expect(db.prepare(`SELECT json_extract(poll_limits, '$.maxOptions') AS n FROM connections`).get()).toEqual({
      n: 6,
    });
    db.close();
  });
});

describe('migration 021 (summaries in place)', () => {
  it('keeps existing summaries, and a publish (claim, part, outcome) leaves each equal to a fresh one', async () => {
    const db = await upgradedTo(21, (before) => {
      before.exec(`${WORKSPACE_W1}
      ${CLIENT_U1}
      INSERT INTO post_groups (id, workspace_id, managed_user_id, text, scheduled_at, created_at, updated_at) VALUES
        ('g1', 'w1', 'u1', 'a thread', '2026-02-01T09:00:00.000Z', '2026-01-01T00:00:00.000Z', '');
      INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state,
                              due_at, next_attempt_at, idempotency_key, attempts, updated_at) VALUES
        ('d1', 'g1', 'u1', 'x-1', 'x', 'scheduled',
         '2026-02-01T09:00:00.000Z', '2026-02-01T09:00:00.000Z', 'k1', 0, ''),
        ('d2', 'g1', 'u1', 'mastodon-1', 'mastodon', 'scheduled',
         '2026-02-01T09:00:00.000Z', '2026-02-01T09:00:00.000Z', 'k2', 0, '');`);
    });
    const summary = () => db.prepare(`SELECT * FROM group_summaries`).all();
    const fresh = () => db.prepare(`SELECT * FROM fresh_group_summaries`).all();
    expect(summary()).toEqual(fresh());
    const deliveries = () =>
      JSON.parse(db.prepare<[], string>(`SELECT deliveries FROM group_summaries`).pluck().get()!) as {
        id: string;
        state: string;
        parts: { part: number; platformPostId: string }[];
      }[];
    // The mastodon delivery (the group's second) is claimed, its thread goes out part by part, then it is published.
    db.prepare(`UPDATE deliveries SET state = 'publishing', attempts = attempts + 1 WHERE id = 'd2'`).run();
    expect(summary()).toEqual(fresh());
    const part = db.prepare(
      `INSERT INTO delivery_parts (delivery_id, part, platform_post_id, platform_post_url, published_at)
       VALUES ('d2', ?, ?, NULL, '2026-02-01T09:00:01.000Z')`,
    );
    part.run(0, '110');
    part.run(1, '111');
    expect(summary()).toEqual(fresh());
    db.prepare(`UPDATE deliveries SET state = 'published', platform_post_id = '110' WHERE id = 'd2'`).run();
    expect(summary()).toEqual(fresh());
    expect(deliveries().map((d) => [d.id, d.state, d.parts.map((p) => p.platformPostId)])).toEqual([
      ['d1', 'scheduled', []],
      ['d2', 'published', ['110', '111']],
    ]);
    // A part recorded out of order, and a delivery moved to another platform, still refresh the whole summary.
    db.prepare(`DELETE FROM delivery_parts WHERE delivery_id = 'd2' AND part = 0`).run();
    part.run(0, '109');
    db.prepare(`UPDATE deliveries SET platform_id = 'x-2', state = 'failed' WHERE id = 'd1'`).run();
    expect(summary()).toEqual(fresh());
    expect(deliveries()[1]!.parts.map((p) => p.platformPostId)).toEqual(['109', '111']);
    db.close();
  });
});
