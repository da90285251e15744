import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase, schemaVersion } from '../../src-main/engine/db/database';
import { migrations } from '../../src-main/engine/db/migrations';
import { searchTerms } from '../../src-main/engine/posts/queue-query';
import type { PostGroupPage } from '../../src-shared/posts';
import { FakeClock, openTestEngine, TEST_PASSWORD } from '../support/engine';
import { addConnection, setUpPosting, UNREACHABLE_PLATFORMS } from '../support/posting';

/** Issue 10 item 6: search over post text (FTS5, migration 013) and over client names (LIKE). */

async function agency() {
  const t = await openTestEngine();
  const setup = await setUpPosting(t.engine, UNREACHABLE_PLATFORMS);
  const draft = (
    text: string,
    platformTexts?: Record<string, string>,
    userId = setup.userId,
    platformIds = [setup.mastodonId],
  ) => {
    t.clock.advance(1000);
    return t.engine.call('post.create', {
      workspaceId: setup.workspaceId,
      userId,
      post: { text, platformIds, ...(platformTexts ? { platformTexts } : {}) },
    });
  };
  const search = async (words: string, extra: Record<string, unknown> = {}) =>
    (
      await t.engine.call('post.list', {
        workspaceId: setup.workspaceId,
        query: { search: words, order: 'asc', ...extra },
      })
    ).groups.map((g) => g.text);
  return { ...t, ...setup, draft, search };
}

describe('search over post text', () => {
  it('finds posts by word starts, accents or not, in any per-account text too, and follows edits', async () => {
    const a = await agency();
    await a.draft('Fresh rolls at seven');
    await a.draft('Café opens Monday');
    const third = await a.draft('Nothing here', { [a.mastodonId]: 'Closing early for the holiday' });
    expect(await a.search('rol')).toEqual(['Fresh rolls at seven']);
    expect(await a.search('cafe')).toEqual(['Café opens Monday']);
    expect(await a.search('FRESH seven')).toEqual(['Fresh rolls at seven']);
    expect(await a.search('fresh monday')).toEqual([]);
    expect(await a.search('holiday')).toEqual(['Nothing here']);
    await a.engine.call('post.update', {
      workspaceId: a.workspaceId,
      id: third.id,
      patch: { text: 'Now about rolls' },
    });
    expect(await a.search('rolls')).toEqual(['Fresh rolls at seven', 'Now about rolls']);
    expect(await a.search('nothing')).toEqual([]);
    a.engine.close();
  });

  it('takes what a person types as text: quotes, FTS operators and stars are not syntax', async () => {
    const a = await agency();
    await a.draft('Say "hello" NOT goodbye');
    expect(await a.search('"hello')).toEqual(['Say "hello" NOT goodbye']);
    expect(await a.search('hello NOT')).toEqual(['Say "hello" NOT goodbye']);
    expect(await a.search('* OR ) (')).toEqual([]);
    expect(searchTerms(' ( "* ')).toBeNull();
    expect(searchTerms('It\'s "ok"')).toBe('"It"* "s"* "ok"*');
    a.engine.close();
  });

  it('pages matches by keyset cursor, counts them, and keeps to the principal’s clients and workspace', async () => {
    const a = await agency();
    for (let i = 0; i < 5; i++) await a.draft(`Bread batch ${i}`);
    await a.draft('Cakes only');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: PostGroupPage = await a.engine.call('post.list', {
        workspaceId: a.workspaceId,
        query: { search: 'bread', order: 'asc', perPage: 2, ...(cursor ? { cursor } : {}) },
      });
      expect(page.total).toBe(5);
      seen.push(...page.groups.map((g) => g.text));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `Bread batch ${i}`));
    expect(await a.search('bread', { state: 'draft' })).toHaveLength(5);
    expect(await a.search('bread', { state: 'scheduled' })).toEqual([]);

    // Another client's post, and a member who sees only the first client.
    const other = await a.engine.call('client.create', {
      workspaceId: a.workspaceId,
      client: { email: 'other@client.test', displayName: 'Other Bakery' },
    });
    const otherMastodon = await addConnection(a.engine.ctx, a.workspaceId, other.id, 'mastodon', '2', {
      accessToken: 'token',
    });
    await a.draft('Bread elsewhere', undefined, other.id, [otherMastodon]);
    expect(await a.search('elsewhere')).toEqual(['Bread elsewhere']);
    const { code } = await a.engine.call('team.invite', {
      workspaceId: a.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor', managedUserIds: [a.userId] },
    });
    await a.engine.call('session.signOut', {});
    await a.engine.call('session.acceptInvitation', { code, name: 'Ed', password: TEST_PASSWORD });
    expect(await a.search('elsewhere')).toEqual([]);
    expect(await a.search('bread')).toHaveLength(5);
    a.engine.close();
  });
});

describe('search over clients', () => {
  it('matches part of a name or an email in any case; % and _ are only text', async () => {
    const a = await agency();
    for (const [displayName, email] of [
      ['Northwind Bakery', 'orders@northwind.test'],
      ['Southbank 100% Organic', 'hello@southbank.test'],
      ['Eastside_Cafe', 'team@eastside.test'],
    ])
      await a.engine.call('client.create', { workspaceId: a.workspaceId, client: { displayName, email } });
    const names = async (search: string) =>
      (await a.engine.call('client.list', { workspaceId: a.workspaceId, search })).users
        .map((u) => u.displayName)
        .sort();
    expect(await names('wind')).toEqual(['Northwind Bakery']);
    expect(await names('BAKERY')).toEqual(['Northwind Bakery']);
    expect(await names('southbank.test')).toEqual(['Southbank 100% Organic']);
    expect(await names('100%')).toEqual(['Southbank 100% Organic']);
    expect(await names('_')).toEqual(['Eastside_Cafe']);
    expect(await names('nobody')).toEqual([]);
    a.engine.close();
  });
});

describe('migration 013 (post search)', () => {
  it('indexes the posts already there when a version-12 database is upgraded', async () => {
    const a = await agency();
    await a.draft('Written before search existed');
    a.engine.close();
    // Back to version 10, as an install before this version left it.
    const raw = new Database(join(a.dataDir, DATABASE_FILE));
    for (const op of ['insert', 'delete', 'update']) raw.exec(`DROP TRIGGER post_text_fts_${op}`);
    // Migrations 014 (the review index), 015 (Mastodon apps), 016 (threads), 017 (approval settings),
    // 018 (polls), 019 (group summaries), 020 (poll limits) and 021 (summaries in place) came later: they go
    // too, and run again after 013.
    for (const on of [
      'group_insert',
      'group_move',
      'group_delete',
      'delivery_insert',
      'delivery_change',
      'delivery_identity',
    ])
      raw.exec(`DROP TRIGGER group_summaries_${on}`);
    raw.exec(
      `DROP TRIGGER group_summaries_delivery_leave; DROP TRIGGER group_summaries_delivery_delete;
       DROP VIEW fresh_group_summaries; DROP TABLE group_summaries; DROP TABLE post_text_fts;
       DROP INDEX post_groups_by_approval; DROP TABLE mastodon_apps;
       DROP TABLE delivery_parts; ALTER TABLE post_groups DROP COLUMN thread;
       ALTER TABLE post_groups DROP COLUMN first_comment;
       ALTER TABLE post_media DROP COLUMN part; ALTER TABLE post_groups DROP COLUMN poll;
       DROP TABLE workspace_approval_settings; ALTER TABLE connections DROP COLUMN poll_limits;
       PRAGMA user_version = 12;`,
    );
    expect(raw.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'post_text_fts%'`).get()).toEqual({
      n: 0,
    });
    raw.close();
    const db = await openDatabase({ dataDir: a.dataDir, clock: new FakeClock() });
    expect(schemaVersion(db)).toBe(migrations.at(-1)?.version);
    expect(
      db
        .prepare(
          `SELECT g.text FROM post_text_fts f JOIN post_groups g ON g.rowid = f.rowid WHERE post_text_fts MATCH ?`,
        )
        .all('"existed"*'),
    ).toEqual([{ text: 'Written before search existed' }]);
    db.exec(`DELETE FROM deliveries; DELETE FROM post_groups;`);
    expect(db.prepare(`SELECT count(*) AS n FROM post_text_fts WHERE post_text_fts MATCH '"existed"*'`).get()).toEqual({
      n: 0,
    });
    db.close();
  });
});
