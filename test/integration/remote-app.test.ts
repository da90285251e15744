import { afterEach, describe, expect, it } from 'vitest';
import { connectRemoteApp, type RemoteApp } from '../../src-main/desk/remote-app';
import { hostOptionsFrom } from '../../src-main/host/host-options';
import { startTeamHost, type TeamHost } from '../../src-main/host/run-host';
import { DESK_PATHS } from '../../src-shared/team-protocol';
import { deskJoin, deskSignIn, hostRequest, startTestHost, type TestHost } from '../support/team-host';

/*
 * The desk's carrier of the contract (issue 12 item 3): a RunningApp whose calls go to a real team
 * host over TLS, as the browser host's Node process uses it in team mode.
 */

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function testHost(): Promise<TestHost> {
  const h = await startTestHost();
  stops.push(() => h.stop());
  return h;
}

function desk(h: TestHost, sessionToken: string): RemoteApp {
  const app = connectRemoteApp({ hostUrl: h.url, sessionToken, ca: h.tls.ca, reconnect: { minMs: 50, maxMs: 400 } });
  stops.push(() => app.stop());
  return app;
}

async function ownerToken(h: TestHost): Promise<string> {
  const joined = await deskJoin(h.url, h.tls.ca, {
    invitationCode: h.ownerCode,
    name: 'Olivia Owner',
    password: 'owner password 1',
  });
  expect(joined.status).toBe(200);
  return joined.body.sessionToken;
}

async function secondDeskToken(h: TestHost): Promise<string> {
  const signed = await deskSignIn(h.url, h.tls.ca, {
    email: 'olivia@agency.test',
    password: 'owner password 1',
    deviceName: 'Olivia’s desktop',
  });
  expect(signed.status).toBe(200);
  return signed.body.sessionToken;
}

const newClient = (h: TestHost, n: number) => ({
  workspaceId: h.workspaceId,
  client: { email: `c${n}@client.test`, displayName: `Client ${n}` },
});

function clientCount(h: TestHost | TeamHost): number {
  const engine = 'host' in h ? h.host.app.engine : h.app.engine;
  return (engine.ctx.db.prepare(`SELECT count(*) AS n FROM managed_users`).get() as { n: number }).n;
}

describe('RemoteApp: the contract carried to a team host (issue 12 item 3)', () => {
  it('answers as the session’s member, and a change on one desk is pushed live to the other', async () => {
    const h = await testHost();
    const a = desk(h, await ownerToken(h));
    const b = desk(h, await secondDeskToken(h));
    const state = await a.dispatch('app.getState', {});
    expect(state).toMatchObject({
      ok: true,
      data: { role: 'owner', currentWorkspaceId: h.workspaceId, profile: { email: 'olivia@agency.test' } },
    });
    const seenByB: string[] = [];
    b.subscribe((event) => seenByB.push(event));
    await expect.poll(() => b.connected).toBe(true);

    const created = await a.dispatch('client.create', newClient(h, 1));
    expect(created).toMatchObject({ ok: true, data: { displayName: 'Client 1' } });
    await expect.poll(() => seenByB).toContain('clients.changed');
    const list = await b.dispatch('client.list', { workspaceId: h.workspaceId });
    expect(JSON.stringify(list)).toContain('Client 1');
    // Desk-local channels are never sent to the host.
    expect(await a.dispatch('session.signOut', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a connection dropped while changes are in flight: each runs exactly once after the reconnect', async () => {
    const h = await testHost();
    const a = desk(h, await ownerToken(h));
    await expect.poll(() => a.connected).toBe(true);
    const before = clientCount(h);
    const calls = [1, 2, 3, 4, 5].map((n) => a.dispatch('client.create', newClient(h, n)));
    a.dropConnection();
    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    const ids = new Set(answers.map((r) => (r.ok ? (r.data as { id: string }).id : '')));
    expect(ids.size).toBe(5);
    expect(clientCount(h)).toBe(before + 5);
  });

  it('calls made while the host is down wait, and arrive once when it is back', async () => {
    const h = await startTestHost();
    let host: TeamHost = h.host;
    stops.push(() => host.stop());
    const a = desk(h, await ownerToken(h));
    await expect.poll(() => a.connected).toBe(true);
    const before = clientCount(h);
    await host.stop();
    await expect.poll(() => a.connected).toBe(false);

    const calls = [1, 2, 3].map((n) => a.dispatch('client.create', newClient(h, n)));
    const port = Number(new URL(h.url).port);
    host = await startTeamHost({
      ...hostOptionsFrom({
        dataDir: h.dataDir,
        publicUrl: h.url,
        listen: `127.0.0.1:${port}`,
        tlsCert: h.tls.certFile,
        tlsKey: h.tls.keyFile,
      }),
      secretStore: h.secrets,
      tuning: { clock: h.clock, scheduler: { monotonicNow: () => h.clock.monotonic() } },
    });
    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.ok)).toEqual([true, true, true]);
    expect(clientCount(host)).toBe(before + 3);
  });

  it('a session the host ends is refused at once on the desk, and nothing reconnects', async () => {
    const h = await testHost();
    const token = await ownerToken(h);
    const a = desk(h, token);
    await expect.poll(() => a.connected).toBe(true);
    const out = await hostRequest(`${h.url}${DESK_PATHS.signOut}`, h.tls.ca, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: {},
    });
    expect(out.status).toBe(200);
    await expect.poll(() => a.endedReason).not.toBeNull();
    expect(await a.dispatch('app.getState', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(a.connected).toBe(false);
  });
});
