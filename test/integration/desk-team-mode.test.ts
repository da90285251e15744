import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppState, RefusedChange } from '../../src-shared/contract';
import type { Result } from '../../src-shared/contract';
import { startDesk, type DeskApp } from '../../src-main/desk/desk-app';
import { DESK_SETTINGS_FILE, readDeskSettings, sessionAccount } from '../../src-main/desk/desk-settings';
import { OUTBOX_FILE } from '../../src-main/desk/outbox';
import { READ_COPY_FILE } from '../../src-main/desk/read-copy';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeychainSecretStore } from '../../src-main/engine/secrets/keychain-store';
import { DeskSocket, makeTestCertificate, startHostProcess, startTestHost, type TestHost } from '../support/team-host';
import { tempDir } from '../support/temp';

/*
 * A desk in team mode (issue 12 items 2–3), with the real parts: a team host on TLS in this
 * process, the desk's data folder on disk, and the OS keychain (run under .ci/with-keyring).
 */

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const OWNER_PASSWORD = 'owner password 1';

async function testHost(): Promise<TestHost> {
  const h = await startTestHost();
  stops.push(() => h.stop());
  return h;
}

async function desk(dataDir: string, ca?: string): Promise<DeskApp> {
  const app = await startDesk({
    dataDir,
    deviceName: 'Test desk',
    ...(ca ? { ca } : {}),
    reconnect: { minMs: 50, maxMs: 400 },
  });
  stops.push(() => app.stop());
  return app;
}

function ok<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.data as T;
}

/** The next `state.changed` that `match` accepts. */
function nextState(app: DeskApp, match: (s: AppState) => boolean): Promise<AppState> {
  return new Promise((done) => {
    const off = app.subscribe((event, payload) => {
      if (event === 'state.changed' && match(payload as AppState)) {
        off();
        done(payload as AppState);
      }
    });
  });
}

/** Every file under `dir`, as text. */
function everyFile(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? everyFile(path) : [{ path, text: readFileSync(path, 'latin1') }];
  });
}

async function joinAsOwner(app: DeskApp, h: { url: string; ownerCode: string | null }): Promise<AppState> {
  return ok<AppState>(
    await app.dispatch('desk.join', {
      hostUrl: h.url,
      invitationCode: h.ownerCode,
      name: 'Olivia Owner',
      password: OWNER_PASSWORD,
    }),
  );
}

describe('a desk in team mode (issue 12 items 2–3)', () => {
  it('joins a team host at first run: token in the keychain only, host URL in settings, host answering', async () => {
    const h = await testHost();
    const dataDir = tempDir('postroom-desk-');
    const app = await desk(dataDir, h.tls.ca);
    expect(ok<AppState>(await app.dispatch('app.getState', {}))).toMatchObject({ needsSetup: true });
    expect(app.teamMode).toBe(false);

    const state = await joinAsOwner(app, h);
    expect(state).toMatchObject({
      needsSetup: false,
      profile: { name: 'Olivia Owner', email: 'olivia@agency.test' },
      role: 'owner',
      currentWorkspaceId: h.workspaceId,
      host: { url: h.url, workspaceName: 'Acme Agency', status: 'connected', endedReason: null },
    });
    expect(app.teamMode).toBe(true);
    expect(readDeskSettings(dataDir)).toMatchObject({ mode: 'team', hostUrl: h.url });

    const keychain = await KeychainSecretStore.open();
    const token = await keychain.get(sessionAccount(dataDir, h.url));
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // Nowhere in the data folder (SQLite, settings, logs), nor in what the renderer is answered.
    for (const file of everyFile(dataDir)) expect(file.text, file.path).not.toContain(token!);
    expect(JSON.stringify(state)).not.toContain(token!);

    // The contract goes to the host: a client made on the desk is in the host's database.
    ok(
      await app.dispatch('client.create', {
        workspaceId: h.workspaceId,
        client: { email: 'north@client.test', displayName: 'Northwind' },
      }),
    );
    const onHost = h.host.app.engine.ctx.db.prepare(`SELECT display_name FROM managed_users`).all();
    expect(onHost).toEqual([{ display_name: 'Northwind' }]);
  });

  it('a restarted desk comes back in team mode, and shows what it last loaded while the host is away', async () => {
    const h = await testHost();
    const dataDir = tempDir('postroom-desk-');
    const first = await desk(dataDir, h.tls.ca);
    await joinAsOwner(first, h);
    await first.stop();

    const again = await desk(dataDir, h.tls.ca);
    expect(again.teamMode).toBe(true);
    const connected = await new Promise<AppState>((done) => {
      const check = async () => {
        const s = ok<AppState>(await again.dispatch('app.getState', {}));
        if (s.host?.status === 'connected') done(s);
        else setTimeout(() => void check(), 50);
      };
      void check();
    });
    expect(connected).toMatchObject({ profile: { name: 'Olivia Owner' }, role: 'owner' });

    const offline = nextState(again, (s) => s.host?.status === 'offline');
    await h.stop();
    expect(await offline).toMatchObject({
      profile: { name: 'Olivia Owner' },
      currentWorkspaceId: h.workspaceId,
      host: { status: 'offline', workspaceName: 'Acme Agency' },
    });
  });

  it(
    'says what is wrong beside the field: a bad address, nothing there, an untrusted certificate, ' +
      'a wrong password, an unknown invitation',
    async () => {
      const h = await testHost();
      const app = await desk(tempDir('postroom-desk-'), h.tls.ca);
      const fieldError = async (request: Record<string, unknown>, channel: 'desk.join' | 'desk.signIn') => {
        const res = await app.dispatch(channel, request);
        expect(res.ok).toBe(false);
        return !res.ok ? res.error : null;
      };
      const signIn = { hostUrl: h.url, email: 'olivia@agency.test', password: 'not the password' };

      const notUrl = await fieldError({ ...signIn, hostUrl: 'postroom agency' }, 'desk.signIn');
      expect(notUrl).toMatchObject({ code: 'validation_failed', details: { fields: { hostUrl: expect.any(String) } } });

      const closedPort = new URL(h.url);
      closedPort.port = '1';
      const nothing = await fieldError({ ...signIn, hostUrl: closedPort.origin }, 'desk.signIn');
      expect(nothing).toMatchObject({
        code: 'platform_unavailable',
        details: { fields: { hostUrl: expect.stringContaining('No team host answers at 127.0.0.1:1') } },
      });

      const cleartext = await fieldError({ ...signIn, hostUrl: 'http://postroom.agency.example' }, 'desk.signIn');
      expect(cleartext?.details?.fields).toEqual({
        hostUrl: expect.stringContaining('https://postroom.agency.example'),
      });

      // A desk that trusts another CA than the host's.
      const stranger = await desk(tempDir('postroom-desk-'), (await makeTestCertificate()).ca);
      const untrusted = await stranger.dispatch('desk.signIn', signIn);
      expect(untrusted).toMatchObject({
        ok: false,
        error: {
          code: 'validation_failed',
          details: { fields: { hostUrl: expect.stringContaining('does not trust the certificate of') } },
        },
      });

      await joinAsOwner(await desk(tempDir('postroom-desk-'), h.tls.ca), h);
      const wrong = await fieldError(signIn, 'desk.signIn');
      expect(wrong).toMatchObject({
        code: 'unauthorized',
        details: { fields: { password: 'wrong email or password' } },
      });

      const unknown = await fieldError(
        { hostUrl: h.url, invitationCode: 'x'.repeat(32), name: 'Eve', password: 'a new password' },
        'desk.join',
      );
      expect(unknown?.details?.fields).toHaveProperty('invitationCode');
      // Nothing of a failed join stays: the desk is still at its first run.
      expect(ok<AppState>(await app.dispatch('app.getState', {}))).toMatchObject({ needsSetup: true });
      expect(app.teamMode).toBe(false);
    },
  );

  it('signing out on the desk ends the session on the host and forgets the token', async () => {
    const h = await testHost();
    const dataDir = tempDir('postroom-desk-');
    const app = await desk(dataDir, h.tls.ca);
    await joinAsOwner(app, h);
    const keychain = await KeychainSecretStore.open();
    const token = (await keychain.get(sessionAccount(dataDir, h.url)))!;

    const state = ok<AppState>(await app.dispatch('session.signOut', {}));
    expect(state).toMatchObject({ profile: null, host: { status: 'signed_out', endedReason: null } });
    expect(await keychain.get(sessionAccount(dataDir, h.url))).toBeNull();
    await expect(DeskSocket.open(h.url, h.tls.ca, token)).rejects.toMatchObject({ status: 401 });
    expect(await app.dispatch('client.list', { workspaceId: h.workspaceId })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });

    // Signing in again from the sign-in page.
    const back = ok<AppState>(
      await app.dispatch('desk.signIn', { hostUrl: h.url, email: 'olivia@agency.test', password: OWNER_PASSWORD }),
    );
    expect(back).toMatchObject({ profile: { name: 'Olivia Owner' }, host: { status: 'connected' } });
  });

  it('a member the owner deactivates is signed out on their desk at once', async () => {
    const h = await testHost();
    const owner = await desk(tempDir('postroom-desk-'), h.tls.ca);
    await joinAsOwner(owner, h);
    const invite = ok<{ code: string }>(
      await owner.dispatch('team.invite', {
        workspaceId: h.workspaceId,
        invite: { email: 'eddie@agency.test', role: 'editor', skipInvitationEmail: true },
      }),
    );
    const editorDir = tempDir('postroom-desk-');
    const editor = await desk(editorDir, h.tls.ca);
    const joined = ok<AppState>(
      await editor.dispatch('desk.join', {
        hostUrl: h.url,
        invitationCode: invite.code,
        name: 'Eddie Editor',
        password: 'editor password 1',
      }),
    );
    expect(joined).toMatchObject({ profile: { name: 'Eddie Editor' }, role: 'editor' });

    const team = ok<{ members: { id: string; email: string }[] }>(
      await owner.dispatch('team.list', { workspaceId: h.workspaceId }),
    );
    const eddie = team.members.find((m) => m.email === 'eddie@agency.test')!;
    const signedOut = nextState(editor, (s) => s.host?.status === 'signed_out');
    ok(await owner.dispatch('team.setMemberActive', { workspaceId: h.workspaceId, memberId: eddie.id, active: false }));
    expect(await signedOut).toMatchObject({
      profile: null,
      host: { status: 'signed_out', endedReason: expect.any(String) },
    });
    expect(await (await KeychainSecretStore.open()).get(sessionAccount(editorDir, h.url))).toBeNull();
    expect(await editor.dispatch('post.list', { workspaceId: h.workspaceId })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(readFileSync(join(editorDir, DESK_SETTINGS_FILE), 'utf8')).not.toContain('password');
  });
});

/**
 * The real `postroom host` command and its owner joined on a desk in a data folder of its own: where
 * the outbox and read-copy cases start. `host()` is the process running now (killed and restarted by
 * the test); it is stopped after the test.
 */
async function ownerOnHostProcess() {
  const tls = await makeTestCertificate();
  let host = await startHostProcess({ tls });
  stops.push(() => host.stop());
  const dataDir = tempDir('postroom-desk-');
  const first = await desk(dataDir, tls.ca);
  const { currentWorkspaceId } = await joinAsOwner(first, host);
  return {
    tls,
    host: () => host,
    restartHost: async () => {
      host = await host.restart();
    },
    dataDir,
    first,
    workspaceId: currentWorkspaceId!,
  };
}

describe('the outbox of a desk in team mode (issue 12 item 4, part)', () => {
  it(
    'changes made while the host is down survive a restart of the desk, arrive once when it is back, ' +
      'and refused ones stay with their reason until edited and sent again or discarded',
    async () => {
      const { tls, host, restartHost, dataDir, first, workspaceId } = await ownerOnHostProcess();

      const offline = nextState(first, (s) => s.host?.status === 'offline');
      await host().kill();
      await offline;
      // Three clients made with the host down, and a fourth and fifth with the first and second ones'
      // emails, which the host will refuse: the calls wait (nobody answers them in this run).
      const made = [1, 2, 3, 1, 2].map((n, i) => ({
        email: `c${n}@client.test`,
        displayName: `Offline client ${i + 1}`,
      }));
      for (const client of made) void first.dispatch('client.create', { workspaceId, client });
      const waiting = () => {
        const db = new Database(join(dataDir, OUTBOX_FILE), { readonly: true });
        try {
          return db
            .prepare<[], { channel: string; state: string; error: string | null }>(
              `SELECT channel, state, error FROM outbox ORDER BY seq`,
            )
            .all();
        } finally {
          db.close();
        }
      };
      expect(waiting()).toEqual(made.map(() => ({ channel: 'client.create', state: 'pending', error: null })));
      await first.stop();

      // The desk starts again while the host is still down: offline, with what it last loaded.
      const again = await desk(dataDir, tls.ca);
      expect(ok<AppState>(await again.dispatch('app.getState', {}))).toMatchObject({
        profile: { name: 'Olivia Owner' },
        host: { status: 'offline' },
      });
      expect(waiting()).toHaveLength(5);

      const connected = nextState(again, (s) => s.host?.status === 'connected');
      await restartHost();
      await connected;
      // The replay waits for the reconnect back-off and three answers from a host that just started.
      await expect.poll(() => waiting().filter((r) => r.state === 'pending').length, { timeout: 20_000 }).toBe(0);
      // The refused ones stay on the desk with the host's reason; the others are done with.
      const [refused, ...others] = waiting();
      expect(others).toEqual([expect.objectContaining({ state: 'refused' })]);
      expect(refused).toMatchObject({ state: 'refused' });
      expect(JSON.parse(refused!.error!)).toMatchObject({
        code: 'conflict',
        message: 'a user with email c1@client.test already exists',
      });
      const names = async () =>
        ok<{ users: { displayName: string }[] }>(await again.dispatch('client.list', { workspaceId }))
          .users.map((u) => u.displayName)
          .sort();
      expect(await names()).toEqual(['Offline client 1', 'Offline client 2', 'Offline client 3']);

      // The person sees them in words, with the host's reason and what they may edit (D119).
      expect(ok<AppState>(await again.dispatch('app.getState', {})).host).toMatchObject({ refused: 2 });
      const listed = ok<RefusedChange[]>(await again.dispatch('desk.refusedChanges', {}));
      expect(listed).toEqual([
        {
          key: expect.any(String),
          what: 'New client Offline client 4 (c1@client.test)',
          error: expect.objectContaining({
            code: 'conflict',
            message: 'a user with email c1@client.test already exists',
          }),
          fields: [
            { name: 'client.displayName', label: 'Display name', value: 'Offline client 4' },
            { name: 'client.email', label: 'Email', value: 'c1@client.test' },
          ],
        },
        expect.objectContaining({ what: 'New client Offline client 5 (c2@client.test)' }),
      ]);
      // Edit again: refused a second time, it stays; with a new email, it is made and goes.
      const stillTaken = await again.dispatch('desk.sendAgain', {
        key: listed[0]!.key,
        values: { 'client.email': 'c2@client.test' },
      });
      expect(stillTaken).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(ok<RefusedChange[]>(await again.dispatch('desk.refusedChanges', {}))).toHaveLength(2);
      const badField = await again.dispatch('desk.sendAgain', { key: listed[0]!.key, values: { workspaceId: 'x' } });
      expect(badField).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
      const countChanged = nextState(again, (s) => s.host?.refused === 1);
      expect(
        await again.dispatch('desk.sendAgain', { key: listed[0]!.key, values: { 'client.email': 'c4@client.test' } }),
      ).toEqual({ ok: true, data: { sent: true } });
      await countChanged;
      expect(await names()).toEqual(['Offline client 1', 'Offline client 2', 'Offline client 3', 'Offline client 4']);
      // Discard: gone from the desk, nothing sent.
      expect(await again.dispatch('desk.discardRefused', { key: listed[1]!.key })).toEqual({
        ok: true,
        data: { discarded: true },
      });
      expect(ok<RefusedChange[]>(await again.dispatch('desk.refusedChanges', {}))).toEqual([]);
      expect(waiting()).toEqual([]);
      expect(await again.dispatch('desk.discardRefused', { key: listed[1]!.key })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      expect(await names()).toHaveLength(4);
    },
  );

  it(
    'a desk restarted while the host is away shows the lists it last loaded from its read copy, ' +
      'and forgets them at sign-out',
    async () => {
      const { tls, host, restartHost, dataDir, first, workspaceId } = await ownerOnHostProcess();
      const made = ok<{ id: string }>(
        await first.dispatch('client.create', {
          workspaceId,
          client: { email: 'north@client.test', displayName: 'Northwind' },
        }),
      );
      // What the screens load: the clients, a client's page, its connections and posts.
      const loaded = {
        clients: ok(await first.dispatch('client.list', { workspaceId })),
        client: ok(await first.dispatch('client.get', { workspaceId, userId: made.id })),
        connections: ok(await first.dispatch('connection.list', { workspaceId, userId: made.id })),
      };
      const apiKey = await first.dispatch('workspace.revealApiKey', { workspaceId });
      await host().kill();
      await first.stop();

      // Started again with the host down: the same answers at once, not a wait for the host.
      const again = await desk(dataDir, tls.ca);
      expect(ok<AppState>(await again.dispatch('app.getState', {}))).toMatchObject({ host: { status: 'offline' } });
      const offline = async (channel: string, request: unknown) =>
        Promise.race([again.dispatch(channel, request), sleep(5_000).then(() => 'still waiting for the host')]);
      expect(await offline('client.list', { workspaceId })).toEqual({ ok: true, data: loaded.clients });
      expect(await offline('client.get', { workspaceId, userId: made.id })).toEqual({ ok: true, data: loaded.client });
      expect(await offline('connection.list', { workspaceId, userId: made.id })).toEqual({
        ok: true,
        data: loaded.connections,
      });
      // Nothing secret was kept: not the session token, not an API key the person revealed.
      const token = await (await KeychainSecretStore.open()).get(sessionAccount(dataDir, host().url));
      const copyBytes = readFileSync(join(dataDir, READ_COPY_FILE), 'latin1');
      expect(copyBytes).toContain('Northwind');
      expect(copyBytes).not.toContain(token!);
      if (apiKey.ok) expect(copyBytes).not.toContain((apiKey.data as { apiKey: string }).apiKey);

      // Back online, then signed out: the copy is emptied for whoever signs in next.
      const connected = nextState(again, (s) => s.host?.status === 'connected');
      await restartHost();
      await connected;
      ok(await again.dispatch('session.signOut', {}));
      const db = new Database(join(dataDir, READ_COPY_FILE), { readonly: true });
      try {
        expect(db.prepare(`SELECT count(*) AS n FROM answers`).get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    },
  );
});
