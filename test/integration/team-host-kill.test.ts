import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskOutbox } from '../../src-main/desk/outbox';
import { connectRemoteApp, type RemoteApp } from '../../src-main/desk/remote-app';
import { DATABASE_FILE } from '../../src-main/engine/db/database';
import type { Result } from '../../src-shared/contract';
import type { PostGroup, PostGroupPage } from '../../src-shared/posts';
import { deskJoin, deskSignIn, startHostProcess, type HostProcess } from '../support/team-host';
import { tempDir } from '../support/temp';

/** Each start of the host is a new tsx process that loads the whole engine (several seconds of CPU here). */
const PROCESS_STARTS = 180_000;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('the team host SIGKILLed while two desks send changes (issue 12 item 8, the kill test)', () => {
  it(
    'every change arrives exactly once after the restart: nothing lost, nothing doubled',
    async () => {
      const first = await startHostProcess();
      let current: HostProcess = first;
      stops.push(() => (current.child.exitCode === null ? current.stop() : Promise.resolve()));
      const joined = await deskJoin(first.url, first.tls.ca, {
        invitationCode: first.ownerCode!,
        name: 'Olivia Owner',
        password: 'owner password 1',
        deviceName: 'Laptop',
      });
      const signedIn = await deskSignIn(first.url, first.tls.ca, {
        email: 'olivia@agency.test',
        password: 'owner password 1',
        deviceName: 'Desktop',
      });
      expect([joined.status, signedIn.status]).toEqual([200, 200]);
      const desks: RemoteApp[] = [joined.body.sessionToken, signedIn.body.sessionToken].map((sessionToken) => {
        const app = connectRemoteApp({
          hostUrl: first.url,
          sessionToken,
          ca: first.tls.ca,
          reconnect: { minMs: 100, maxMs: 500 },
        });
        stops.push(() => app.stop());
        return app;
      });
      await expect.poll(() => desks.every((d) => d.connected), { timeout: 10_000 }).toBe(true);
      const state = (await desks[0]!.dispatch('app.getState', {})) as Result<{ currentWorkspaceId: string }>;
      if (!state.ok) throw new Error(state.error.message);
      const workspaceId = state.data.currentWorkspaceId;

      // Four clients from each desk (the team plan allows ten), sent one after another while the host dies.
      const names = [0, 1, 2, 3].flatMap((n) => [`Laptop ${n}`, `Desktop ${n}`]);
      let sent = 0;
      const sending = (async () => {
        const answers: Promise<Result<unknown>>[] = [];
        for (const [i, name] of names.entries()) {
          const desk = desks[i % 2]!;
          answers.push(
            desk.dispatch('client.create', {
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
      await current.kill();
      // The host died with some changes sent and the others still to come.
      const sentBeforeKill = sent;
      expect(sentBeforeKill).toBeGreaterThan(0);
      expect(sentBeforeKill).toBeLessThan(names.length);
      current = await first.restart();
      const answers = await sending;
      expect(answers.filter((a) => !a.ok)).toEqual([]);

      const list = await desks[1]!.dispatch('client.list', { workspaceId });
      const text = JSON.stringify(list);
      for (const name of names) expect(text.split(`"displayName":"${name}"`).length - 1, name).toBe(1);
      expect(current.output()).not.toContain('has no password yet');
    },
    PROCESS_STARTS,
  );

  it(
    'the host SIGKILLed while two desks replay outboxes of posts drafted offline: each post is made exactly once, with its edit',
    async () => {
      const first = await startHostProcess();
      let current: HostProcess = first;
      stops.push(() => (current.child.exitCode === null ? current.stop() : Promise.resolve()));
      const joined = await deskJoin(first.url, first.tls.ca, {
        invitationCode: first.ownerCode!,
        name: 'Olivia Owner',
        password: 'owner password 1',
        deviceName: 'Laptop',
      });
      const signedIn = await deskSignIn(first.url, first.tls.ca, {
        email: 'olivia@agency.test',
        password: 'owner password 1',
        deviceName: 'Desktop',
      });
      expect([joined.status, signedIn.status]).toEqual([200, 200]);
      const desks = [joined.body.sessionToken, signedIn.body.sessionToken].map((sessionToken) => {
        const outbox = DeskOutbox.open(tempDir('postroom-desk-'));
        const app = connectRemoteApp({
          hostUrl: first.url,
          sessionToken,
          ca: first.tls.ca,
          reconnect: { minMs: 100, maxMs: 500 },
          outbox,
        });
        stops.push(async () => {
          await app.stop();
          outbox.close();
        });
        return { app, outbox };
      });
      await expect.poll(() => desks.every((d) => d.app.connected), { timeout: 10_000 }).toBe(true);
      const state = (await desks[0]!.app.dispatch('app.getState', {})) as Result<{ currentWorkspaceId: string }>;
      if (!state.ok) throw new Error(state.error.message);
      const workspaceId = state.data.currentWorkspaceId;
      const client = (await desks[0]!.app.dispatch('client.create', {
        workspaceId,
        client: { email: 'north@client.test', displayName: 'Northwind' },
      })) as Result<{ id: string }>;
      if (!client.ok) throw new Error(client.error.message);

      // The host goes down. The client's Mastodon account is added to its folder meanwhile (as a
      // finished connection leaves it; drafts need an account, never its tokens).
      await current.kill();
      const hostDb = new Database(join(first.dataDir, DATABASE_FILE));
      const at = new Date().toISOString();
      hostDb
        .prepare(
          `INSERT INTO connections (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle, display_name, status, connected_at, updated_at)
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
      current = await first.restart();
      await expect.poll(() => pending(), { interval: 2, timeout: 30_000 }).toBeLessThan(16);
      await current.kill();
      const leftAtKill = pending();
      current = await first.restart();
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
