import { TEST_PASSWORD } from '../support/engine';
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src-shared/errors';
import { inviteOverRest, startTestApp } from '../support/app';
import { callWithKey } from '../support/rest';

describe('team routes', () => {
  it('invites over REST: 422 user_limit_reached with upgrade_plan on free, 201 with a code on team', async () => {
    const t = await startTestApp();
    const refused = await inviteOverRest(t, { email: 'ed@a.test', role: 'editor' });
    expect(refused.status).toBe(422);
    expect(ErrorBody.parse(refused.body).error).toMatchObject({
      code: 'user_limit_reached',
      action: { type: 'upgrade_plan' },
    });
    await t.app.engine.call('plan.change', { workspaceId: t.workspaceId, planId: 'team' });
    const invited = await inviteOverRest(t, { email: 'ed@a.test', role: 'editor', skipInvitationEmail: true });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({
      data: { email: 'ed@a.test', role: 'editor', invitationPending: true },
      emailSent: false,
    });
    expect(invited.body.acceptUrl).toBe(`${t.url}/invitations/${invited.body.code}`);
    const page = await fetch(invited.body.acceptUrl);
    expect(await page.text()).toContain(invited.body.code);
    const list = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/invitations');
    expect(list.body).toHaveLength(1);
    const bad = await inviteOverRest(t, { email: 'x@a.test', role: 'owner' });
    expect(bad.status).toBe(400);
  });

  it('lists members, forces a logout, and exports the activity log as CSV', async () => {
    const t = await startTestApp();
    const members = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/members');
    expect(members.body).toEqual([
      expect.objectContaining({ role: 'owner', email: 'olivia@agency.test', liveSessions: 1 }),
    ]);
    const ownerId = members.body[0].id;
    // The key acts for no person: it may not sign the owner out (issue 9 item 8).
    const refused = await callWithKey(
      t.url,
      t.workspaceApiKey,
      'POST',
      `/api/v1/workspace/members/${ownerId}/force-logout`,
    );
    expect(refused.status).toBe(403);
    // An editor who joined is signed out by the key.
    t.app.engine.ctx.db.prepare(`UPDATE workspaces SET plan_id = 'team'`).run();
    const ownerProfile = t.app.engine.state().profile!.id;
    const { code } = await t.app.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'ed@a.test', role: 'editor', skipInvitationEmail: true },
    });
    await t.app.engine.call('session.acceptInvitation', { code, name: 'Ed Editor', password: TEST_PASSWORD });
    const editorId = (await t.app.engine.call('team.list', { workspaceId: t.workspaceId })).members.find(
      (m) => m.role === 'editor',
    )!.id;
    const out = await callWithKey(
      t.url,
      t.workspaceApiKey,
      'POST',
      `/api/v1/workspace/members/${editorId}/force-logout`,
    );
    expect(out.body).toEqual({ memberId: editorId, sessionsEnded: 1 });
    expect((await t.app.engine.call('app.getState', {})).profile).toBeNull();
    await t.app.engine.signIn(ownerProfile, TEST_PASSWORD, t.workspaceId);
    const csv = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/activity?format=csv');
    expect(csv.type).toContain('text/csv');
    expect(csv.text.split('\n')[0]).toBe('at,actor_kind,actor_id,action,object_kind,object_id,detail');
    expect(csv.text).toContain('team.force_logout');
    const json = await callWithKey(t.url, t.workspaceApiKey, 'GET', '/api/v1/workspace/activity?action=team');
    expect(json.body.map((e: { action: string }) => e.action)).toEqual([
      'team.force_logout',
      'team.invitation_accepted',
      'team.invited',
    ]);
  });
});
