import { afterEach, describe, expect, it } from 'vitest';
import { connectRemoteApp, type RemoteApp } from '../../src-main/desk/remote-app';
import type { Result } from '../../src-shared/contract';
import { deskJoin, deskSignIn, startHostProcess, type HostProcess } from '../support/team-host';

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
});
