import { describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/engine/db/database';
import { startTestApp } from '../support/app';
import { startMastodonServer } from '../support/mastodon-server';
import { setUpPosting } from '../support/posting';
import { startXServer } from '../support/x-server';
import { localPlatforms } from '../support/posting-world';

/*
 * Issue 9 item 10: the disk fills up while Postroom runs. Simulated with SQLite's
 * `max_page_count` (the database may not grow by a page), after the free space inside the file is
 * used up too, so that any write needing a new page fails with SQLITE_FULL as on a full disk.
 */

function fillTheDisk(db: Db, workspaceId: string): void {
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  let n = 0;
  for (const size of [4000, 400, 40, 4]) {
    for (;;) {
      try {
        db.prepare(
          `INSERT INTO activity (id, workspace_id, at, actor_kind, actor_id, action, object_kind, object_id, detail)
           VALUES (?, ?, ?, 'system', NULL, 'test.filler', 'test', NULL, ?)`,
        ).run(`act_filler_${n++}`, workspaceId, new Date(0).toISOString(), 'x'.repeat(size));
      } catch (err) {
        expect((err as { code?: string }).code).toBe('SQLITE_FULL');
        break;
      }
    }
  }
}

const spaceReturns = (db: Db) => db.pragma('max_page_count = 1073741823');

describe('issue 9 item 10: a full disk', () => {
  it('says so plainly, writes nothing halfway, keeps publishing what is due, recovers when space returns', async () => {
    const mastodon = await startMastodonServer();
    const x = await startXServer();
    try {
      const t = await startTestApp({ setUp: false });
      const engine = t.app.engine;
      const setup = await setUpPosting(engine, localPlatforms(mastodon, x));
      const disk: boolean[] = [];
      engine.subscribe((event, payload) => event === 'disk.status' && disk.push((payload as { full: boolean }).full));
      const inAMinute = new Date(t.clock.now().getTime() + 60_000).toISOString();
      const due = await engine.call('post.create', {
        workspaceId: setup.workspaceId,
        userId: setup.userId,
        post: { text: 'Queued before the disk filled up', platformIds: [setup.mastodonId], scheduledTime: inAMinute },
      });
      const count = () =>
        engine.ctx.db
          .prepare(
            `SELECT (SELECT count(*) FROM post_groups) AS groups, (SELECT count(*) FROM deliveries) AS deliveries`,
          )
          .get();
      fillTheDisk(engine.ctx.db, setup.workspaceId);
      const before = count();

      // A person saves a post: told in plain words, nothing half-written.
      const refused = await engine.dispatch('post.create', {
        workspaceId: setup.workspaceId,
        userId: setup.userId,
        post: { text: 'Will not fit', platformIds: [setup.mastodonId], scheduledTime: inAMinute },
      });
      expect(refused).toEqual({
        ok: false,
        error: {
          code: 'disk_full',
          message: expect.stringMatching(
            /^The disk is full, so Postroom could not save this change; nothing of it was written\./,
          ),
        },
      });
      expect(count()).toEqual(before);
      // A script through the REST API: 507 in the SPEC §7 shape.
      const apiKey = await engine.revealWorkspaceApiKey(setup.workspaceId);
      const rest = await fetch(`${t.url}/api/v1/post-groups`, {
        method: 'POST',
        headers: { 'x-publora-key': apiKey, 'x-publora-user-id': setup.userId, 'content-type': 'application/json' },
        body: JSON.stringify({
          text: 'Will not fit either',
          platformIds: [setup.mastodonId],
          scheduledTime: inAMinute,
        }),
      });
      const restBody = await rest.clone().text();
      expect(rest.status, restBody).toBe(507);
      expect(((await rest.json()) as { error: { code: string } }).error.code).toBe('disk_full');
      expect(count()).toEqual(before);

      // What was already due still goes out, once; its outcome waits in memory for room.
      t.clock.advance(60_000);
      await t.app.scheduler.runDue();
      expect(mastodon.statusTexts().map((s) => s.text)).toEqual(['Queued before the disk filled up']);
      expect(disk).toEqual([true]);
      // Still marked as going out in the file: after a crash now, it would be checked, not sent blindly.
      expect((await engine.call('post.get', { workspaceId: setup.workspaceId, id: due.id })).status).toBe('publishing');
      await t.app.scheduler.runDue();
      expect(mastodon.statusTexts()).toHaveLength(1);

      // Space returns: the outcome is written, with its activity entry, and saving works again.
      spaceReturns(engine.ctx.db);
      await t.app.scheduler.runDue();
      const published = await engine.call('post.get', { workspaceId: setup.workspaceId, id: due.id });
      expect(published.deliveries[0]).toMatchObject({ state: 'published', url: expect.stringContaining(mastodon.url) });
      expect(disk).toEqual([true, false]);
      const log = await engine.call('activity.list', {
        workspaceId: setup.workspaceId,
        limit: 5,
        filter: { action: 'post.published' },
      });
      expect(log).toHaveLength(1);
      const saved = await engine.dispatch('post.create', {
        workspaceId: setup.workspaceId,
        userId: setup.userId,
        post: { text: 'Fits now', platformIds: [setup.mastodonId] },
      });
      expect(saved.ok).toBe(true);
      expect(mastodon.statusTexts()).toHaveLength(1);
    } finally {
      await mastodon.close();
      await x.close();
    }
  });
});
