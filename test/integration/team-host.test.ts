import { afterEach, describe, expect, it } from 'vitest';
import { DESK_PATHS, SESSION_ENDED_CLOSE_CODE } from '../../src-shared/team-protocol';
import { addConnection } from '../support/posting';
import { DeskSocket, deskJoin, deskSignIn, hostRequest, startTestHost, type TestHost } from '../support/team-host';

const hosts: TestHost[] = [];
const sockets: DeskSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

async function host(tuning?: Parameters<typeof startTestHost>[0]) {
  const h = await startTestHost(tuning);
  hosts.push(h);
  return h;
}

async function open(h: TestHost, token: string) {
  const socket = await DeskSocket.open(h.url, h.tls.ca, token);
  sockets.push(socket);
  return socket;
}

/** The owner joins with the code the host printed, choosing a password; returns their token. */
async function ownerJoins(h: TestHost, password = 'owner password 1') {
  const joined = await deskJoin(h.url, h.tls.ca, {
    invitationCode: h.ownerCode,
    name: 'Olivia Owner',
    password,
    deviceName: 'Olivia’s laptop',
  });
  expect(joined.status).toBe(200);
  return joined.body.sessionToken;
}

describe('team host: desks sign in over TLS and call the contract as their member (issue 12)', () => {
  it('answers info, lets the owner join with the printed code, and signs in with that password', async () => {
    const h = await host();
    const info = await hostRequest(`${h.url}${DESK_PATHS.info}`, h.tls.ca);
    expect(info.body).toEqual({
      product: 'postroom-host',
      protocol: 1,
      publicUrl: h.url,
      workspace: { id: h.workspaceId, name: 'Acme Agency' },
    });
    const token = await ownerJoins(h);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = h.host.app.engine.ctx.db.prepare(`SELECT token_hash FROM sessions WHERE kind = 'desk'`).all();
    expect(JSON.stringify(stored)).not.toContain(token);

    const signedIn = await deskSignIn(h.url, h.tls.ca, { email: 'olivia@agency.test', password: 'owner password 1' });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      member: { email: 'olivia@agency.test', name: 'Olivia Owner', role: 'owner' },
      workspace: { id: h.workspaceId, name: 'Acme Agency' },
    });
    const wrong = await deskSignIn(h.url, h.tls.ca, { email: 'olivia@agency.test', password: 'not it at all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'unauthorized', message: 'wrong email or password' } });

    const desk = await open(h, signedIn.body.sessionToken);
    const state = await desk.call('app.getState');
    expect(state).toMatchObject({
      ok: true,
      data: { profile: { email: 'olivia@agency.test' }, currentWorkspaceId: h.workspaceId, role: 'owner' },
    });
  });

  it('force logout closes the member’s live socket with 4401 and refuses the next call', async () => {
    const h = await host();
    const owner = await open(h, await ownerJoins(h));
    const invited = await owner.change<{ code: string; acceptUrl: string }>('team.invite', {
      workspaceId: h.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor' },
    });
    expect(invited.ok).toBe(true);
    if (!invited.ok) return;
    expect(invited.data.acceptUrl).toBe(`${h.url}/invitations/${invited.data.code}`);
    const joined = await deskJoin(h.url, h.tls.ca, {
      invitationCode: invited.data.code,
      name: 'Ed Editor',
      password: 'editor password',
    });
    expect(joined.body.member).toMatchObject({ role: 'editor', email: 'ed@agency.test' });
    const editor = await open(h, joined.body.sessionToken);
    expect((await editor.call('app.getState')).ok).toBe(true);

    const ended = await owner.change<{ ended: number }>('team.forceLogout', {
      workspaceId: h.workspaceId,
      memberId: joined.body.member.id,
    });
    expect(ended).toEqual({ ok: true, data: { ended: 1 } });
    expect(await editor.whenClosed()).toMatchObject({ code: SESSION_ENDED_CLOSE_CODE });
    expect(editor.events).toContainEqual({ event: 'session.ended', payload: { reason: 'force logout' } });
    await expect(DeskSocket.open(h.url, h.tls.ca, joined.body.sessionToken)).rejects.toMatchObject({ status: 401 });
  });
});

/** An owner on a desk, a second client, and an editor assigned to client A only, each on their own socket. */
async function teamWithEditor(h: TestHost) {
  const owner = await open(h, await ownerJoins(h));
  const made = async (email: string, displayName: string) => {
    const r = await owner.change<{ id: string }>('client.create', {
      workspaceId: h.workspaceId,
      client: { email, displayName },
    });
    if (!r.ok) throw new Error(JSON.stringify(r));
    await addConnection(h.host.app.engine.ctx, h.workspaceId, r.data.id, 'mastodon', r.data.id, { accessToken: 't' });
    return r.data.id;
  };
  const clientA = await made('a@client.test', 'Client A');
  const clientB = await made('b@client.test', 'Client B');
  const invited = await owner.change<{ code: string }>('team.invite', {
    workspaceId: h.workspaceId,
    invite: { email: 'ed@agency.test', role: 'editor', managedUserIds: [clientA] },
  });
  if (!invited.ok) throw new Error(JSON.stringify(invited));
  const joined = await deskJoin(h.url, h.tls.ca, {
    invitationCode: invited.data.code,
    name: 'Ed Editor',
    password: 'editor password',
  });
  const editor = await open(h, joined.body.sessionToken);
  return { owner, editor, clientA, clientB, editorSession: joined.body };
}

describe('team host: the host authorizes every call by the session’s member', () => {
  it('an editor reaches only assigned clients, never another workspace, whatever the desk says', async () => {
    const h = await host();
    const { owner, editor, clientA, clientB } = await teamWithEditor(h);
    // The owner makes a second workspace on the host: the editor is no member of it.
    const other = await owner.change<{ id: string }>('workspace.create', { name: 'Other Agency' });
    expect(other.ok).toBe(true);
    if (!other.ok) return;

    const listed = await editor.call<{ users: { id: string }[] }>('client.list', { workspaceId: h.workspaceId });
    expect(listed.ok && listed.data.users.map((u) => u.id)).toEqual([clientA]);
    expect(await editor.call('client.get', { workspaceId: h.workspaceId, userId: clientB })).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/not_found|forbidden/) },
    });
    expect(
      await editor.change('post.create', {
        workspaceId: h.workspaceId,
        userId: clientB,
        post: { text: 'not mine', platformIds: [`mastodon-${clientB}`] },
      }),
    ).toMatchObject({ ok: false, error: { code: expect.stringMatching(/not_found|forbidden/) } });
    expect(await editor.call('team.list', { workspaceId: other.data.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await editor.change('workspace.select', { workspaceId: other.data.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // An editor cannot invite, force logout or see API keys, whatever it sends.
    expect(
      await editor.change('team.invite', {
        workspaceId: h.workspaceId,
        invite: { email: 'x@agency.test', role: 'manager' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await editor.call('workspace.revealApiKey', { workspaceId: h.workspaceId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // The app state shows the editor only themselves: no other profile of the host.
    const state = await editor.call<{ profiles: { email: string }[] }>('app.getState');
    expect(state.ok && state.data.profiles.map((p) => p.email)).toEqual(['ed@agency.test']);
  });

  it('refuses desk-local channels and changes without an idempotency key', async () => {
    const h = await host();
    const owner = await open(h, await ownerJoins(h));
    for (const channel of ['session.signIn', 'session.signOut', 'app.setup', 'session.acceptInvitation'])
      expect(await owner.call(channel, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(
      await owner.call('client.create', {
        workspaceId: h.workspaceId,
        client: { email: 'a@c.test', displayName: 'A' },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'parameter_missing', details: { fields: { idempotencyKey: 'required' } } },
    });
  });

  it('pushes changes only to desks that may see them', async () => {
    const h = await host();
    const { owner, editor, clientA, clientB } = await teamWithEditor(h);
    const other = await owner.change<{ id: string }>('workspace.create', { name: 'Other Agency' });
    if (!other.ok) throw new Error('no workspace');
    owner.events.length = 0;
    editor.events.length = 0;
    await owner.change('post.create', {
      workspaceId: h.workspaceId,
      userId: clientA,
      post: { text: 'for A', platformIds: [`mastodon-${clientA}`] },
    });
    await expect.poll(() => editor.events.map((e) => e.event)).toContain('posts.changed');
    expect(editor.events).toContainEqual({ event: 'posts.changed', payload: { workspaceId: h.workspaceId } });

    // A delivery problem about client B is not pushed to the editor (A only); the owner gets it.
    editor.events.length = 0;
    owner.events.length = 0;
    const engine = h.host.app.engine;
    const post = await owner.change<{ id: string }>('post.create', {
      workspaceId: h.workspaceId,
      userId: clientB,
      post: { text: 'for B', platformIds: [`mastodon-${clientB}`] },
    });
    if (!post.ok) throw new Error('no post');
    const problem = {
      workspaceId: h.workspaceId,
      deliveryId: 'd1',
      postGroupId: post.data.id,
      platformId: 'x-1',
      state: 'failed' as const,
      error: 'gone',
    };
    engine.emit('delivery.problem', problem);
    await expect.poll(() => owner.events.map((e) => e.event)).toContain('delivery.problem');
    expect(editor.events.map((e) => e.event)).not.toContain('delivery.problem');

    // Events of another workspace reach nobody outside it.
    editor.events.length = 0;
    engine.emit('clients.changed', { workspaceId: other.data.id });
    engine.emit('clients.changed', { workspaceId: h.workspaceId });
    await expect.poll(() => editor.events.length).toBe(1);
    expect(editor.events).toEqual([{ event: 'clients.changed', payload: { workspaceId: h.workspaceId } }]);
  });
});

describe('team host: idempotency keys', () => {
  it('runs a change once per key, replays the first answer, refuses a key reused for another change', async () => {
    const h = await host();
    const owner = await open(h, await ownerJoins(h));
    const client = await owner.change<{ id: string }>('client.create', {
      workspaceId: h.workspaceId,
      client: { email: 'a@client.test', displayName: 'Client A' },
    });
    if (!client.ok) throw new Error('no client');
    const platformId = await addConnection(h.host.app.engine.ctx, h.workspaceId, client.data.id, 'mastodon', '1', {
      accessToken: 't',
    });
    const key = crypto.randomUUID();
    const request = {
      workspaceId: h.workspaceId,
      userId: client.data.id,
      post: { text: 'once', platformIds: [platformId] },
    };
    // Three sends of the same change at once (a reconnecting desk replaying its outbox), then one more later.
    const answers = await Promise.all([1, 2, 3].map(() => owner.call<{ id: string }>('post.create', request, key)));
    const later = await owner.call<{ id: string }>('post.create', request, key);
    const ids = new Set([...answers, later].map((a) => (a.ok ? a.data.id : a.error.code)));
    expect(ids.size).toBe(1);
    const db = h.host.app.engine.ctx.db;
    expect(db.prepare(`SELECT count(*) AS n FROM post_groups WHERE text = 'once'`).get()).toEqual({ n: 1 });
    expect(
      db.prepare(`SELECT channel, response IS NOT NULL AS answered FROM idempotency_keys WHERE key = ?`).get(key),
    ).toEqual({
      channel: 'post.create',
      answered: 1,
    });
    expect(
      await owner.call('post.create', { ...request, post: { text: 'other', platformIds: [platformId] } }, key),
    ).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('records nothing for a refused change: its replay is decided again', async () => {
    const h = await host();
    const owner = await open(h, await ownerJoins(h));
    const key = crypto.randomUUID();
    const bad = { workspaceId: h.workspaceId, client: { email: 'not-an-email', displayName: 'X' } };
    expect((await owner.call('client.create', bad, key)).ok).toBe(false);
    const db = h.host.app.engine.ctx.db;
    expect(db.prepare(`SELECT count(*) AS n FROM idempotency_keys WHERE key = ?`).get(key)).toEqual({ n: 0 });
  });
});

describe('team host: sign-in throttling and sessions across machines', () => {
  it('throttles failed sign-ins per account, even with the right password afterwards, and per address', async () => {
    const h = await host({ tuning: { signInLimits: { perAccount: 3, perAddress: 6 } } });
    await ownerJoins(h, 'owner password 1');
    const attempt = (email: string, password: string) => deskSignIn(h.url, h.tls.ca, { email, password });
    for (let i = 0; i < 3; i++) expect((await attempt('olivia@agency.test', 'wrong guess')).status).toBe(401);
    const locked = await attempt('olivia@agency.test', 'owner password 1');
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({
      error: { code: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } },
    });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Other accounts from the same address: counted per address too (3 so far; 3 more reach 6).
    for (let i = 0; i < 3; i++) expect((await attempt(`nobody${i}@agency.test`, 'guess')).status).toBe(401);
    expect((await attempt('someone@agency.test', 'guess')).status).toBe(429);
  });

  it('the sessions limit ends the oldest desk session on another machine at once', async () => {
    const h = await host();
    const { owner, editor, editorSession } = await teamWithEditor(h);
    expect(
      await owner.change('team.updateMember', {
        workspaceId: h.workspaceId,
        memberId: editorSession.member.id,
        patch: { sessionsLimit: 1 },
      }),
    ).toMatchObject({ ok: true });
    const second = await deskSignIn(h.url, h.tls.ca, {
      email: 'ed@agency.test',
      password: 'editor password',
      deviceName: 'Ed’s other laptop',
    });
    expect(second.status).toBe(200);
    expect(await editor.whenClosed()).toMatchObject({ code: SESSION_ENDED_CLOSE_CODE });
    expect(editor.events).toContainEqual({ event: 'session.ended', payload: { reason: 'sessions limit' } });
    const stillIn = await open(h, second.body.sessionToken);
    expect((await stillIn.call('app.getState')).ok).toBe(true);
  });

  it('signing out ends that session only; its token is refused afterwards', async () => {
    const h = await host();
    const token = await ownerJoins(h);
    const other = await deskSignIn(h.url, h.tls.ca, { email: 'olivia@agency.test', password: 'owner password 1' });
    const desk = await open(h, token);
    const out = await hostRequest(`${h.url}${DESK_PATHS.signOut}`, h.tls.ca, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out).toMatchObject({ status: 200, body: { signedOut: true } });
    expect(await desk.whenClosed()).toMatchObject({ code: SESSION_ENDED_CLOSE_CODE });
    await expect(DeskSocket.open(h.url, h.tls.ca, token)).rejects.toMatchObject({ status: 401 });
    await expect(DeskSocket.open(h.url, h.tls.ca, 'made-up-token')).rejects.toMatchObject({ status: 401 });
    await expect(DeskSocket.open(h.url, h.tls.ca, null)).rejects.toMatchObject({ status: 401 });
    expect((await (await open(h, other.body.sessionToken)).call('app.getState')).ok).toBe(true);
  });
});

describe('team host: a server that faces a network (issue 12 item 6)', () => {
  it('serves only TLS, with HSTS and security headers on every answer', async () => {
    const h = await host();
    const plain = await fetch(h.url.replace('https:', 'http:') + DESK_PATHS.info).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    for (const path of [DESK_PATHS.info, '/invitations/abc', '/connect/unknown', '/api/v1/openapi.json', '/nope']) {
      const answer = await hostRequest(`${h.url}${path}`, h.tls.ca);
      expect(answer.headers['strict-transport-security'], path).toBe('max-age=31536000');
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
      expect(answer.headers['content-security-policy'], path).toMatch(/default-src 'none'/);
      expect(answer.headers['x-frame-options'], path).toBeDefined();
    }
    const invitation = await hostRequest(`${h.url}/invitations/abc`, h.tls.ca);
    expect(invitation.text).toContain('Join a team host');
    expect(invitation.text).toContain(h.url);
  });

  it('answers only to its public name and origin', async () => {
    const h = await host();
    const foreignHost = await hostRequest(`${h.url}${DESK_PATHS.info}`, h.tls.ca, {
      headers: { host: 'evil.example' },
    });
    expect(foreignHost.status).toBe(421);
    const foreignOrigin = await hostRequest(`${h.url}${DESK_PATHS.signIn}`, h.tls.ca, {
      headers: { origin: 'https://evil.example' },
      body: { email: 'olivia@agency.test', password: 'x', deviceName: 'x' },
    });
    expect(foreignOrigin).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const sameOrigin = await hostRequest(`${h.url}${DESK_PATHS.signIn}`, h.tls.ca, {
      headers: { origin: h.url },
      body: { email: 'olivia@agency.test', password: 'x', deviceName: 'x' },
    });
    expect(sameOrigin.status).toBe(401);
  });

  it('puts a CSRF token in every form and refuses a post without it', async () => {
    const h = await host();
    const engine = h.host.app.engine;
    const owner = await open(h, await ownerJoins(h));
    await owner.change('integration.add', { workspaceId: h.workspaceId, integration: { platform: 'bluesky' } });
    const client = await owner.change<{ id: string }>('client.create', {
      workspaceId: h.workspaceId,
      client: { email: 'a@client.test', displayName: 'Client A' },
    });
    if (!client.ok) throw new Error('no client');
    const link = await owner.change<{ connectionUrl: string }>('connection.createLink', {
      workspaceId: h.workspaceId,
      userId: client.data.id,
    });
    if (!link.ok) throw new Error('no link');
    expect(link.data.connectionUrl.startsWith(`${h.url}/connect/`)).toBe(true);
    const form = await hostRequest(`${link.data.connectionUrl}/bluesky`, h.tls.ca);
    expect(form.status).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    expect(token).toBeTruthy();
    const cookie = String(form.headers['set-cookie']).split(';')[0]!;
    expect(String(form.headers['set-cookie'])).toMatch(
      /__Host-postroom-csrf=.*; Path=\/; HttpOnly; Secure; SameSite=Strict/,
    );
    const post = (body: string, headers: Record<string, string> = {}) =>
      hostRequest(`${link.data.connectionUrl}/bluesky`, h.tls.ca, {
        method: 'POST',
        rawBody: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    const without = await post('identifier=someone.test&appPassword=abcd-efgh');
    expect(without.status).toBe(403);
    expect(without.text).toContain('This form has expired');
    const wrongToken = await post(`identifier=someone.test&appPassword=abcd-efgh&_csrf=${'x'.repeat(20)}`, { cookie });
    expect(wrongToken.status).toBe(403);
    // With the token and its cookie the form is read (an empty handle is then refused by the form itself).
    const withToken = await post(`identifier=&appPassword=&_csrf=${encodeURIComponent(token!)}`, { cookie });
    expect(withToken.status).toBe(400);
    expect(withToken.text).toContain('Enter your handle and an app password.');
    expect(engine.ctx.db.prepare(`SELECT count(*) AS n FROM connections`).get()).toEqual({ n: 0 });
  });
});
