import { describe, expect, it } from 'vitest';
import type { Timers } from '../../src-main/engine/kernel/timers';
import { Scheduler } from '../../src-main/engine/posts/scheduler';
import { openTestEngine, type TestEngine, TEST_PASSWORD } from '../support/engine';
import { startLinkedInServer, type LinkedInServer, type LinkedInServerOptions } from '../support/linkedin-server';
import { addConnection, setUpLinkedInPosting } from '../support/posting';
import { closeAfterTest } from '../support/closers';

/*
 * Choosing the LinkedIn page to "post as" from a list (`connection.pages`), through the engine's
 * contract: the connection's tokens come from the secret store, the integration's `instanceUrl`
 * points at a local LinkedIn, and the page chosen is the author of what the scheduler publishes.
 */

const BAKERY = 'urn:li:organization:1001';
const SOCIAL = 'urn:li:organization:2414183';
const PAGE_SCOPE = 'email,openid,profile,w_member_social,w_organization_social,r_organization_admin';
const MEMBER_SCOPE = 'email,openid,profile,w_member_social';

/** Timers nobody fires: the test runs the scheduler by hand. */
const idleTimers: Timers = { setTimeout: () => null, clearTimeout: () => undefined };

interface World extends TestEngine {
  li: LinkedInServer;
  workspaceId: string;
  userId: string;
  ref: { workspaceId: string; userId: string; platformId: string };
}

async function world(
  options: { organizationPages?: boolean; tokenScope?: string | null; server?: LinkedInServerOptions } = {},
): Promise<World> {
  const li = await startLinkedInServer({
    administeredOrganizations: [SOCIAL, BAKERY],
    organizationNames: { [SOCIAL]: 'Northwind Social', [BAKERY]: 'Northwind Bakery' },
    scope: PAGE_SCOPE,
    ...options.server,
  });
  closeAfterTest(() => li.close());
  const t = await openTestEngine();
  const { workspaceId, userId, platformId } = await setUpLinkedInPosting(t.engine, li, {
    scope: options.tokenScope === undefined ? PAGE_SCOPE : options.tokenScope,
    integration: options.organizationPages === false ? {} : { organizationPages: true },
  });
  return { ...t, li, workspaceId, userId, ref: { workspaceId, userId, platformId } };
}

const aclCalls = (w: World) => w.li.requests().filter((r) => r.startsWith('GET /rest/organization'));

describe('choosing the LinkedIn page to post as from a list', () => {
  it('lists the pages by name, and the page chosen is the author of the published post', async () => {
    const w = await world();
    expect(await w.engine.call('connection.pages', w.ref)).toEqual([
      { urn: BAKERY, name: 'Northwind Bakery' },
      { urn: SOCIAL, name: 'Northwind Social' },
    ]);
    expect(aclCalls(w)).toEqual(['GET /rest/organizationAcls', 'GET /rest/organizations']);

    expect(await w.engine.call('connection.setPostAs', { ...w.ref, postAs: BAKERY })).toEqual({ postAs: BAKERY });
    const group = await w.engine.call('post.create', {
      workspaceId: w.workspaceId,
      userId: w.userId,
      post: { text: 'Fresh bread at 7', platformIds: [w.ref.platformId], scheduledTime: w.clock.now().toISOString() },
    });
    const scheduler = new Scheduler({ ctx: w.engine.ctx, timers: idleTimers });
    closeAfterTest(() => scheduler.stop());
    await scheduler.runDue();
    const published = await w.engine.call('post.get', { workspaceId: w.workspaceId, id: group.id });
    expect(published.deliveries.map((d) => d.state)).toEqual(['published']);
    expect(w.li.posts()).toEqual([expect.objectContaining({ author: BAKERY, text: 'Fresh bread at 7' })]);
  });

  it("answers LinkedIn's failures as errors a person can act on, without the token", async () => {
    const w = await world();
    const dispatch = () => w.engine.dispatch('connection.pages', w.ref);

    w.li.failNext(401);
    const dead = await dispatch();
    expect(dead).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringContaining('reconnect the account'),
        details: { reconnect: true, platformStatus: 401 },
      },
    });

    w.li.failNext(503);
    expect(await dispatch()).toMatchObject({
      ok: false,
      error: { code: 'platform_unavailable', details: { retryable: true, platformStatus: 503 } },
    });

    w.li.failNextOn('/rest/organizations', 500);
    expect(await dispatch()).toMatchObject({
      ok: false,
      error: { code: 'platform_unavailable', details: { retryable: true, platformStatus: 500 } },
    });

    w.li.failNext(429, { 'Retry-After': '60' });
    expect(await dispatch()).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', details: { retryAfterMs: 60_000 } },
    });

    w.li.failNext(403);
    expect(await dispatch()).toMatchObject({
      ok: false,
      error: { code: 'forbidden', details: { platformStatus: 403 } },
    });

    await w.li.close();
    const offline = await dispatch();
    expect(offline).toMatchObject({
      ok: false,
      error: { code: 'platform_unavailable', message: expect.stringContaining('could not be reached') },
    });

    for (const answer of [dead, offline]) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain(w.li.accessToken);
      expect(text).not.toContain(w.li.refreshToken);
    }
    // A read: no failure changed the connection.
    expect((await w.engine.call('connection.list', { workspaceId: w.workspaceId, userId: w.userId }))[0]).toMatchObject(
      { status: 'active' },
    );
  });

  it('refuses without calling LinkedIn if organisation pages are off or the sign-in lacks the page scope', async () => {
    const off = await world({ organizationPages: false });
    expect(await off.engine.dispatch('connection.pages', off.ref)).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        message:
          'listing LinkedIn pages needs organisation pages turned on in the LinkedIn integration, ' +
          'then this account reconnected',
      },
    });
    expect(off.li.requests()).toEqual([]);

    const oldSignIn = await world({ tokenScope: MEMBER_SCOPE });
    expect(await oldSignIn.engine.dispatch('connection.pages', oldSignIn.ref)).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringContaining(
          'turn on organisation pages in the LinkedIn integration and reconnect the account',
        ),
      },
    });
    expect(oldSignIn.li.requests()).toEqual([]);

    // Tokens that do not say their scope are tried; LinkedIn itself refuses them.
    const unknown = await world({ tokenScope: null, server: { scope: MEMBER_SCOPE } });
    expect(await unknown.engine.dispatch('connection.pages', unknown.ref)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('Not enough permissions') },
    });
  });

  it('is refused for a connection that needs reconnecting, and for one that does not exist', async () => {
    const w = await world();
    w.engine.ctx.db.prepare(`UPDATE connections SET status = 'needs_reauth'`).run();
    expect(await w.engine.dispatch('connection.pages', w.ref)).toMatchObject({
      ok: false,
      error: { code: 'conflict', details: { reconnect: true } },
    });
    expect(
      await w.engine.dispatch('connection.pages', { ...w.ref, platformId: 'linkedin-someone-else' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(w.li.requests()).toEqual([]);
  });

  it(
    'follows who may change "post as": an editor with the owner\'s credentials may not list the pages; ' +
      'in member mode they may',
    async () => {
      const w = await world();
      const { engine } = w;
      const ownerProfileId = engine.state().profile!.id;
      const { code } = await engine.call('team.invite', {
        workspaceId: w.workspaceId,
        invite: { email: 'ed@agency.test', role: 'editor', managedUserIds: [w.userId] },
      });
      await engine.call('session.signOut', {});
      await engine.call('session.acceptInvitation', { code, name: 'Eddie Editor', password: TEST_PASSWORD });

      const refused = await engine.dispatch('connection.pages', w.ref);
      expect(refused).toMatchObject({
        ok: false,
        error: {
          code: 'forbidden',
          message: expect.stringContaining('only Olivia Owner may change who this account posts as'),
        },
      });
      expect(w.li.requests()).toEqual([]);

      await engine.call('session.signIn', { profileId: ownerProfileId, password: TEST_PASSWORD });
      const eddie = (await engine.call('team.list', { workspaceId: w.workspaceId })).members.find(
        (m) => m.role === 'editor',
      )!;
      await engine.call('connection.setCredentialMode', { ...w.ref, memberId: eddie.id, mode: 'member' });
      await engine.call('session.signIn', { profileId: eddie.profileId, password: TEST_PASSWORD });
      // No tokens of their own yet: the connection's are used, as their posts would be.
      expect((await engine.call('connection.pages', w.ref)).map((p) => p.name)).toEqual([
        'Northwind Bakery',
        'Northwind Social',
      ]);
    },
  );

  it('has nothing to list for a platform that posts as the account itself', async () => {
    const w = await world();
    await w.engine.call('integration.add', {
      workspaceId: w.workspaceId,
      integration: { platform: 'x', clientId: 'x-app', instanceUrl: w.li.url },
    });
    const xId = await addConnection(w.engine.ctx, w.workspaceId, w.userId, 'x', '2244994945', {
      accessToken: 'x-token',
    });
    expect(await w.engine.dispatch('connection.pages', { ...w.ref, platformId: xId })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: 'x posts as the account itself; there are no pages to choose from' },
    });
  });
});
