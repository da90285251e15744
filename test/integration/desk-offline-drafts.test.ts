import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskOutbox, OUTBOX_FILE } from '../../src-main/desk/outbox';
import { hostOptionsFrom } from '../../src-main/host/host-options';
import { startTeamHost, type TeamHost } from '../../src-main/host/run-host';
import type { Result } from '../../src-shared/contract';
import type { PostGroup, PostGroupPage } from '../../src-shared/posts';
import { addConnection } from '../support/posting';
import { outboxDesk, ownerOnTwoDesks, startTestHost, type OutboxDesk, type TestHost } from '../support/team-host';
import { tempDir } from '../support/temp';

/*
 * Issue 12 item 4, scenario 8.4 below the UI (D122): a desk drafts posts while its team host is
 * away — answered on the desk at once with desk-local ids, listed "not sent yet", one edited — and
 * on reconnect its outbox replays them in order with their keys; the host's ids replace the local
 * ones, and each post is made once, whatever is replayed twice.
 */

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A desk of the team (outbox and read copy in its own folder), stopped after the test. */
function desk(h: TestHost, sessionToken: string, dataDir?: string): OutboxDesk {
  const d = outboxDesk(h, sessionToken, { reconnect: { minMs: 50, maxMs: 300 }, readCopy: true, dataDir });
  stops.push(d.stop);
  return d;
}

/** The in-process host on the same folder and port: what a host restarted after a crash is. */
function restart(h: TestHost): Promise<TeamHost> {
  return startTeamHost({
    ...hostOptionsFrom({
      dataDir: h.dataDir,
      publicUrl: h.url,
      listen: `127.0.0.1:${new URL(h.url).port}`,
      tlsCert: h.tls.certFile,
      tlsKey: h.tls.keyFile,
    }),
    secretStore: h.secrets,
    tuning: { clock: h.clock, scheduler: { monotonicNow: () => h.clock.monotonic() } },
  });
}

const data = <T>(r: Result<unknown>): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as T;
};

/** A host with its owner on two desks (two sessions), a client with a Mastodon account. */
async function team() {
  const h = await startTestHost();
  let host: TeamHost = h.host;
  stops.push(() => host.stop());
  const [joinedToken, sessionToken] = await ownerOnTwoDesks(h, ['Test desk', 'Olivia’s laptop']);
  const a = desk(h, joinedToken);
  const b = desk(h, sessionToken);
  const client = data<{ id: string }>(
    await a.app.dispatch('client.create', {
      workspaceId: h.workspaceId,
      client: { email: 'north@client.test', displayName: 'Northwind' },
    }),
  );
  const platformId = await addConnection(h.host.app.engine.ctx, h.workspaceId, client.id, 'mastodon', '1', {
    accessToken: 't',
  });
  const draft = (text: string) => ({
    workspaceId: h.workspaceId,
    userId: client.id,
    post: { text, platformIds: [platformId] },
  });
  const drafts = { workspaceId: h.workspaceId, query: { state: 'draft' } };
  return {
    h,
    a,
    b,
    draft,
    drafts,
    sessionToken,
    host: () => host,
    stopHost: async () => {
      await host.stop();
      await expect.poll(() => a.app.connected || b.app.connected).toBe(false);
    },
    restartHost: async () => {
      host = await restart(h);
    },
    /** How many posts with this text the host holds. */
    count: (text: string) =>
      (
        host.app.engine.ctx.db.prepare(`SELECT count(*) AS n FROM post_groups WHERE text = ?`).get(text) as {
          n: number;
        }
      ).n,
  };
}

describe('posts drafted on a desk while its team host is away (issue 12 item 4, scenario 8.4)', () => {
  it(
    'are answered at once with local ids and listed as not sent yet, ' +
      'an edit folds in, ' +
      'and back online each is made once with the host’s id',
    async () => {
      const t = await team();
      // Desk B loaded its drafts while connected: its read copy holds them.
      expect(data<PostGroupPage>(await t.b.app.dispatch('post.list', t.drafts)).total).toBe(0);
      await t.stopHost();

      const made = await Promise.all(
        ['Offline one', 'Offline two', 'Offline three'].map(async (text) =>
          data<PostGroup>(await t.b.app.dispatch('post.create', t.draft(text))),
        ),
      );
      expect(made.map((p) => [p.id.startsWith('local-'), p.notSent, p.status])).toEqual([
        [true, true, 'draft'],
        [true, true, 'draft'],
        [true, true, 'draft'],
      ]);
      const edited = data<PostGroup>(
        await t.b.app.dispatch('post.update', {
          workspaceId: t.h.workspaceId,
          id: made[1]!.id,
          patch: { text: 'Offline two, edited' },
        }),
      );
      expect(edited).toMatchObject({ id: made[1]!.id, text: 'Offline two, edited', notSent: true });
      const offline = data<PostGroupPage>(await t.b.app.dispatch('post.list', t.drafts));
      expect(offline.total).toBe(3);
      expect(offline.groups.map((g) => g.text).sort()).toEqual(['Offline one', 'Offline three', 'Offline two, edited']);
      expect(
        data<PostGroup>(await t.b.app.dispatch('post.get', { workspaceId: t.h.workspaceId, id: made[1]!.id })).text,
      ).toBe('Offline two, edited');
      // The edit folded into the post's queued create: three changes wait, not four.
      expect(t.b.outbox.pending().map((p) => p.channel)).toEqual(['post.create', 'post.create', 'post.create']);
      // Bad input is refused on the desk at once, in the SPEC §7 shape.
      expect(
        await t.b.app.dispatch('post.create', { workspaceId: t.h.workspaceId, userId: 'x', post: { text: 1 } }),
      ).toMatchObject({ ok: false, error: { code: 'validation_failed', details: { fields: expect.any(Object) } } });

      await t.restartHost();
      await expect.poll(() => t.b.outbox.pending().length, { timeout: 10_000 }).toBe(0);
      expect(['Offline one', 'Offline two', 'Offline two, edited', 'Offline three'].map(t.count)).toEqual([1, 0, 1, 1]);
      // The local ids now answer with the host's rows; the lists show the host's rows only, once each.
      const hostTwo = data<PostGroup>(
        await t.b.app.dispatch('post.get', { workspaceId: t.h.workspaceId, id: made[1]!.id }),
      );
      expect(hostTwo.id.startsWith('local-')).toBe(false);
      expect(hostTwo).toMatchObject({ text: 'Offline two, edited' });
      expect(hostTwo.notSent).toBeUndefined();
      for (const d of [t.a, t.b]) {
        const listed = data<PostGroupPage>(await d.app.dispatch('post.list', t.drafts));
        expect(listed.groups.map((g) => [g.text, g.id.startsWith('local-')]).sort()).toEqual([
          ['Offline one', false],
          ['Offline three', false],
          ['Offline two, edited', false],
        ]);
      }
    },
  );

  it('replayed twice (an outbox copy resent, one answer lost in a crash), each post is still made once', async () => {
    const t = await team();
    await t.stopHost();
    for (const text of ['Twice one', 'Twice two']) data(await t.b.app.dispatch('post.create', t.draft(text)));
    // The same outbox as a desk restored from a backup would have it: the same changes, the same keys.
    const copyDir = tempDir('postroom-desk-copy-');
    new Database(join(t.b.dataDir, OUTBOX_FILE)).exec(`VACUUM INTO '${join(copyDir, OUTBOX_FILE)}'`);

    await t.restartHost();
    await expect.poll(() => t.b.outbox.pending().length, { timeout: 10_000 }).toBe(0);
    // The host "crashed" between making the second post and keeping its answer: its key has no answer.
    const [, second] = (() => {
      const copy = DeskOutbox.open(copyDir);
      const keys = copy.pending().map((p) => p.key);
      copy.close();
      return keys;
    })();
    t.host().app.engine.ctx.db.prepare(`UPDATE idempotency_keys SET response = NULL WHERE key = ?`).run(second);
    const again = desk(t.h, t.sessionToken, copyDir);
    expect(again.outbox.pending()).toHaveLength(2);
    await expect.poll(() => again.outbox.pending().length, { timeout: 10_000 }).toBe(0);
    // Made on the host all the same: done, not refused, and not made again.
    expect(again.outbox.refused()).toEqual([]);
    expect(['Twice one', 'Twice two'].map(t.count)).toEqual([1, 1]);
    // The first is mapped to the same host id on both desks; the second's id the copy never learnt.
    const first = [...t.b.outbox.hostIds().entries()].sort((x, y) => (x[1] < y[1] ? -1 : 1));
    expect([...again.outbox.hostIds().entries()]).toHaveLength(1);
    expect(first).toContainEqual([...again.outbox.hostIds().entries()][0]);
  });

  it('an edit to a create sent but not answered waits as its own change, rewritten to the host’s id', async () => {
    const t = await team();
    await t.stopHost();
    const post = data<PostGroup>(await t.b.app.dispatch('post.create', t.draft('Sent once')));
    // As if an earlier run sent it and stopped before the host answered: its request is now fixed.
    await t.b.app.stop();
    const [create] = t.b.outbox.pending();
    t.b.outbox.markSent(create!.key);
    const restarted = desk(t.h, t.sessionToken, t.b.dataDir);
    const edited = data<PostGroup>(
      await restarted.app.dispatch('post.update', {
        workspaceId: t.h.workspaceId,
        id: post.id,
        patch: { text: 'Sent once, then edited' },
      }),
    );
    expect(edited).toMatchObject({ id: post.id, text: 'Sent once, then edited', notSent: true });
    expect(restarted.outbox.pending().map((p) => p.channel)).toEqual(['post.create', 'post.update']);

    await t.restartHost();
    await expect.poll(() => restarted.outbox.pending().length, { timeout: 10_000 }).toBe(0);
    expect(restarted.outbox.refused()).toEqual([]);
    expect(['Sent once', 'Sent once, then edited'].map(t.count)).toEqual([0, 1]);
  });

  it('a post the host refuses goes to the refused changes, and an edit waiting for it with it', async () => {
    const t = await team();
    await t.stopHost();
    const post = data<PostGroup>(
      await t.b.app.dispatch('post.create', { ...t.draft('Not allowed'), userId: 'no-such-client' }),
    );
    await t.b.app.stop();
    t.b.outbox.markSent(t.b.outbox.pending()[0]!.key);
    const restarted = desk(t.h, t.sessionToken, t.b.dataDir);
    data(
      await restarted.app.dispatch('post.update', { workspaceId: t.h.workspaceId, id: post.id, patch: { text: 'x' } }),
    );
    await t.restartHost();
    await expect.poll(() => restarted.outbox.refused().length, { timeout: 10_000 }).toBe(2);
    expect(restarted.outbox.refused().map((r) => [r.channel, r.error.code])).toEqual([
      ['post.create', expect.stringMatching(/not_found|forbidden|validation_failed/)],
      ['post.update', 'not_found'],
    ]);
    expect(restarted.outbox.pending()).toEqual([]);
  });
});
