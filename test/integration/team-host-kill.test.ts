import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRemoteApp, type RemoteApp } from '../../src-main/desk/remote-app';
import { DATABASE_FILE } from '../../src-main/engine/db/database';
import type { Result } from '../../src-shared/contract';
import type { PostGroup, PostGroupPage } from '../../src-shared/posts';
import { outboxDesk, ownerOnTwoDesks, startHostProcess, type HostProcess, type OutboxDesk } from '../support/team-host';

/** Each start of the host is a new tsx process that loads the whole engine (several seconds of CPU here). */
const PROCESS_STARTS = 180_000;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

const RECONNECT = { minMs: 100, maxMs: 500 };

/** A desk without an outbox: its calls wait in memory while the host is away. */
function waitingDesk(host: HostProcess, sessionToken: string): { app: RemoteApp } {
  const app = connectRemoteApp({ hostUrl: host.url, sessionToken, ca: host.tls.ca, reconnect: RECONNECT });
  stops.push(() => app.stop());
  return { app };
}

/** A desk with an outbox (issue 12 item 4): what it does while the host is away is kept and replayed. */
function deskWithOutbox(host: HostProcess, sessionToken: string): OutboxDesk {
  const desk = outboxDesk(host, sessionToken, { reconnect: RECONNECT });
  stops.push(desk.stop);
  return desk;
}

/**
 * The real `postroom host` command, and its owner on two desks (a laptop and a desktop) made by
 * `connect`, both connected; the workspace they see. `host()` is the process running now: the test
 * kills it and `restartHost()` starts it again on its folder and port. Stopped after the test.
 */
async function ownerDesksOn<D extends { app: RemoteApp }>(connect: (host: HostProcess, sessionToken: string) => D) {
  const first = await startHostProcess();
  let current: HostProcess = first;
  stops.push(() => (current.child.exitCode === null ? current.stop() : Promise.resolve()));
  const desks = (await ownerOnTwoDesks(first, ['Laptop', 'Desktop'])).map((token) => connect(first, token));
  await expect.poll(() => desks.every((d) => d.app.connected), { timeout: 10_000 }).toBe(true);
  const state = (await desks[0]!.app.dispatch('app.getState', {})) as Result<{ currentWorkspaceId: string }>;
  if (!state.ok) throw new Error(state.error.message);
  return {
    desks,
    workspaceId: state.data.currentWorkspaceId,
    host: () => current,
    restartHost: async () => {
      current = await first.restart();
    },
  };
}

describe('the team host SIGKILLed while two desks send changes (issue 12 item 8, the kill test)', () => {
  it(
    'every change arrives exactly once after the restart: nothing lost, nothing doubled',
    async () => {
      const { desks, workspaceId, host, restartHost } = await ownerDesksOn(waitingDesk);

      // Four clients from each desk (the team plan allows ten), sent one after another while the host dies.
      const names = [0, 1, 2, 3].flatMap((n) => [`Laptop ${n}`, `Desktop ${n}`]);
      let sent = 0;
      const sending = (async () => {
        const answers: Promise<Result<unknown>>[] = [];
        for (const [i, name] of names.entries()) {
          const desk = desks[i % 2]!;
          answers.push(
            desk.app.dispatch('client.create', {
              workspaceId,
              client: { email: `${name.replace(' ', '-').toLowerCase()}@client.test`, displayName: name },
            }),
          );
          sent += 1;
          await pause(60);
        }
        return Promise.all(answers);
      })();
      await pause(150);
      await host().kill();
      // The host died with some changes sent and the others still to come.
      const sentBeforeKill = sent;
      expect(sentBeforeKill).toBeGreaterThan(0);
      expect(sentBeforeKill).toBeLessThan(names.length);
      await restartHost();
      const answers = await sending;
      expect(answers.filter((a) => !a.ok)).toEqual([]);

      const list = await desks[1]!.app.dispatch('client.list', { workspaceId });
      const text = JSON.stringify(list);
      for (const name of names) expect(text.split(`"displayName":"${name}"`).length - 1, name).toBe(1);
      expect(host().output()).not.toContain('has no password yet');
    },
    PROCESS_STARTS,
  );

  it(
    'the host SIGKILLed while two desks replay outboxes of posts drafted offline: ' +
      'each post is made exactly once, with its edit',
    async () => {
      const { desks, workspaceId, host, restartHost } = await ownerDesksOn(deskWithOutbox);
      const client = (await desks[0]!.app.dispatch('client.create', {
        workspaceId,
        client: { email: 'north@client.test', displayName: 'Northwind' },
      })) as Result<{ id: string }>;
      if (!client.ok) throw new Error(client.error.message);

      // The host goes down. The client's Mastodon account is added to its folder meanwhile (as a
      // finished connection leaves it; drafts need an account, never its tokens).
      await host().kill();
      const hostDb = new Database(join(host().dataDir, DATABASE_FILE));
      const at = new Date().toISOString();
      hostDb
        .prepare(
          `INSERT INTO connections
             (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle, display_name, status,
              connected_at, updated_at)
           VALUES ('conn-kill', ?, ?, 'mastodon', '1', 'mastodon-1', 'north', 'North', 'active', ?, ?)`,
        )
        .run(workspaceId, client.data.id, at, at);
      hostDb.close();
      // The desks have seen the host go (a person sees "Offline"): from now on posts are kept on the desk.
      await expect.poll(() => desks.every((d) => !d.app.connected), { timeout: 10_000 }).toBe(true);

      // Each desk drafts eight posts offline (answered on the desk) and edits its first.
      const texts = (name: string) => [0, 1, 2, 3, 4, 5, 6, 7].map((n) => `${name} draft ${n}`);
      for (const [i, name] of ['Laptop', 'Desktop'].entries()) {
        const d = desks[i]!;
        const made: PostGroup[] = [];
        for (const text of texts(name)) {
          const r = await d.app.dispatch('post.create', {
            workspaceId,
            userId: client.data.id,
            post: { text, platformIds: ['mastodon-1'] },
          });
          if (!r.ok) throw new Error(r.error.message);
          made.push(r.data as PostGroup);
        }
        const edit = await d.app.dispatch('post.update', {
          workspaceId,
          id: made[0]!.id,
          patch: { text: `${name} draft 0, edited` },
        });
        expect(edit.ok).toBe(true);
        expect(d.outbox.pending()).toHaveLength(8);
      }
      const pending = () => desks.reduce((n, d) => n + d.outbox.pending().length, 0);

      // The host comes back; as soon as the first replayed post is made, it is SIGKILLed again.
      await restartHost();
      await expect.poll(() => pending(), { interval: 2, timeout: 30_000 }).toBeLessThan(16);
      await host().kill();
      const leftAtKill = pending();
      await restartHost();
      await expect.poll(() => pending(), { timeout: 30_000 }).toBe(0);
      expect(desks.flatMap((d) => d.outbox.refused())).toEqual([]);

      const listed = (await desks[1]!.app.dispatch('post.list', {
        workspaceId,
        query: { perPage: 100 },
      })) as Result<PostGroupPage>;
      if (!listed.ok) throw new Error(listed.error.message);
      const made = listed.data.groups.map((g) => g.text).sort();
      const expected = ['Laptop', 'Desktop']
        .flatMap((name) => texts(name).map((t, n) => (n === 0 ? `${name} draft 0, edited` : t)))
        .sort();
      expect(made).toEqual(expected);
      expect(listed.data.groups.every((g) => !g.id.startsWith('local-') && !g.notSent)).toBe(true);
      // The kill came while the replay was under way (some sent, some not yet answered).
      expect(leftAtKill).toBeGreaterThan(0);
      expect(leftAtKill).toBeLessThan(16);
    },
    PROCESS_STARTS,
  );
});
