import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  foldUpdate,
  isLocalId,
  listedBy,
  localIdsIn,
  newLocalId,
  notSentPost,
  withHostIds,
  withNotSent,
  withPatch,
} from '../../src-main/desk/offline-posts';
import { DeskOutbox, FIRST_OUTBOX_TABLE, OUTBOX_FILE } from '../../src-main/desk/outbox';
import { PostGroup, type PostGroupPage } from '../../src-shared/posts';
import { tempDir } from '../support/temp';

/*
 * Posts drafted on a desk while its team host is away (issue 12 item 4; D122):
 * the pure rules and the outbox's id map.
 */

const create = (text: string, extra: Record<string, unknown> = {}) => ({
  workspaceId: 'ws1',
  userId: 'u1',
  post: { text, platformIds: ['mastodon-1'], ...extra },
});

describe('offline posts: local ids', () => {
  it('a local id is `local-<uuid>`, within a post id’s 64 characters, and found at any depth of a request', () => {
    const id = newLocalId();
    expect(id).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(isLocalId(id) && !isLocalId('pg_123') && !isLocalId(7)).toBe(true);
    const other = newLocalId();
    expect([...localIdsIn({ id, nested: [{ ids: [other, 'pg_1'] }] })].sort()).toEqual([id, other].sort());
  });

  it('rewrites local ids the host answered to its ids, leaves others (and an untouched request) as they are', () => {
    const [a, b] = [newLocalId(), newLocalId()];
    const request = { workspaceId: 'ws1', id: a, ids: [a, b, 'pg_9'] };
    expect(withHostIds(request, new Map([[a, 'pg_1']]))).toEqual({
      workspaceId: 'ws1',
      id: 'pg_1',
      ids: ['pg_1', b, 'pg_9'],
    });
    const plain = { workspaceId: 'ws1', id: 'pg_2' };
    expect(withHostIds(plain, new Map([[a, 'pg_1']]))).toBe(plain);
  });
});

describe('offline posts: edits fold into the queued create', () => {
  it('takes the patch’s fields; a null time moves it back to drafts; null comment and poll remove them', () => {
    const queued = create('First', {
      scheduledTime: '2026-12-02T09:00:00Z',
      firstComment: 'c',
      poll: { options: ['a', 'b'], durationMinutes: 60 },
    });
    const folded = foldUpdate(queued, { text: 'Second', scheduledTime: null, firstComment: null, poll: null });
    expect(folded).toEqual({ workspaceId: 'ws1', userId: 'u1', post: { text: 'Second', platformIds: ['mastodon-1'] } });
    // The queued create itself is not changed in place.
    expect(queued.post.text).toBe('First');
    expect(foldUpdate(create('x'), { scheduledTime: '2026-12-03T10:00:00Z' }).post).toMatchObject({
      scheduledTime: '2026-12-03T10:00:00Z',
    });
  });
});

describe('offline posts: as the renderer sees them', () => {
  it('a create is a contract post group, marked not sent yet; scheduled when it has a time or a queue slot', () => {
    const group = notSentPost(
      'local-1',
      create('Hello', { thread: [{ text: 'two' }], mediaIds: ['m1'] }),
      '2026-12-01T09:00:00.000Z',
    );
    expect(PostGroup.parse(group)).toEqual(group);
    expect(group).toMatchObject({
      id: 'local-1',
      userId: 'u1',
      text: 'Hello',
      status: 'draft',
      notSent: true,
      mediaCount: 1,
    });
    expect(group.thread).toEqual([{ text: 'two', media: [] }]);
    expect(notSentPost('local-2', create('t', { scheduledTime: '2026-12-02T09:00:00Z' }), 'x').status).toBe(
      'scheduled',
    );
    expect(notSentPost('local-3', create('t', { addToQueue: true }), 'x').status).toBe('scheduled');
    expect(withPatch(group, { text: 'Edited' }, '2026-12-01T10:00:00.000Z')).toMatchObject({
      id: 'local-1',
      text: 'Edited',
      thread: [{ text: 'two' }],
      updatedAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it('is listed by the lists that would hold it: workspace, client, state, platform, time and words', () => {
    const g = notSentPost('local-1', create('Winter sale starts'), '2026-12-01T09:00:00.000Z');
    const list = (query: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      listedBy(g, 'ws1', { workspaceId: 'ws1', query, ...extra });
    expect(list()).toBe(true);
    expect(listedBy(g, 'ws1', { workspaceId: 'ws2', query: {} })).toBe(false);
    expect([list({}, { userId: 'u1' }), list({}, { userId: 'u2' })]).toEqual([true, false]);
    expect([list({ state: 'draft' }), list({ state: 'scheduled' }), list({ state: 'published' })]).toEqual([
      true,
      false,
      false,
    ]);
    expect([list({ platform: 'mastodon' }), list({ platform: 'x' })]).toEqual([true, false]);
    expect([list({ from: '2026-12-01T00:00:00Z' }), list({ to: '2026-11-30T00:00:00Z' })]).toEqual([true, false]);
    expect([list({ search: 'win sta' }), list({ search: 'summer' })]).toEqual([true, false]);
  });

  it('goes on top of the host’s last page, counted, never twice', () => {
    const g = notSentPost('local-1', create('New'), 'x');
    const page: PostGroupPage = { groups: [], total: 4, totalCapped: false, nextCursor: null };
    const merged = withNotSent(page, [g]);
    expect([merged.groups.map((x) => x.id), merged.total]).toEqual([['local-1'], 5]);
    expect(withNotSent(merged, [g]).total).toBe(5);
    expect(withNotSent(page, [])).toBe(page);
  });
});

describe('the outbox keeps the host’s ids of posts drafted offline', () => {
  it(
    'maps a local id in one transaction: the create goes, ' +
      'later changes naming it are rewritten, the map survives reopening',
    () => {
      const dir = tempDir('postroom-outbox-');
      const outbox = DeskOutbox.open(dir);
      const local = newLocalId();
      outbox.add({ key: 'k1', channel: 'post.create', request: create('A'), localId: local });
      outbox.add({
        key: 'k2',
        channel: 'post.update',
        request: { workspaceId: 'ws1', id: local, patch: { text: 'B' } },
      });
      outbox.add({ key: 'k3', channel: 'client.create', request: { workspaceId: 'ws1' } });
      // Never sent: it may be rewritten; once sent, its request stays as the host may have run it.
      expect(outbox.rewrite('k1', create('A2'))).toBe(true);
      outbox.markSent('k1');
      expect(outbox.rewrite('k1', create('A3'))).toBe(false);
      expect(outbox.pending()[0]).toMatchObject({ key: 'k1', localId: local, sent: true, request: create('A2') });

      outbox.mapLocalId(local, 'pg_1', 'k1', (r) => withHostIds(r, new Map([[local, 'pg_1']])));
      expect(outbox.pending().map((p) => [p.key, p.request])).toEqual([
        ['k2', { workspaceId: 'ws1', id: 'pg_1', patch: { text: 'B' } }],
        ['k3', { workspaceId: 'ws1' }],
      ]);
      outbox.close();
      const reopened = DeskOutbox.open(dir);
      expect(reopened.hostIds()).toEqual(new Map([[local, 'pg_1']]));
      reopened.close();
    },
  );

  it('an outbox of the earlier version gains the new columns and keeps its rows', () => {
    const dir = tempDir('postroom-outbox-');
    const db = new Database(join(dir, OUTBOX_FILE));
    db.exec(FIRST_OUTBOX_TABLE);
    db.prepare(
      `INSERT INTO outbox (idempotency_key, channel, request, created_at) VALUES ('old', 'client.create', '{}', 'x')`,
    ).run();
    db.close();
    const outbox = DeskOutbox.open(dir);
    expect(outbox.pending()).toEqual([
      { key: 'old', channel: 'client.create', request: {}, sent: false, createdAt: 'x' },
    ]);
    outbox.close();
  });
});
