import { describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/engine/engine';
import { OWNER, openTestEngine, TEST_PASSWORD } from '../support/engine';

async function ownerWithClients(plan: 'free' | 'team' = 'free') {
  const t = await openTestEngine();
  const state = await t.engine.call('app.setup', { ...OWNER, workspace: { name: 'Acme Agency', planId: plan } });
  const workspaceId = state.currentWorkspaceId!;
  const a = await t.engine.call('client.create', {
    workspaceId,
    client: { email: 'a@client.test', displayName: 'Client A' },
  });
  const b = await t.engine.call('client.create', {
    workspaceId,
    client: { email: 'b@client.test', displayName: 'Client B' },
  });
  return { ...t, workspaceId, ownerId: state.profile!.id, a, b };
}

describe('invitations (seed 004)', () => {
  it('on the free plan fails with user_limit_reached and an upgrade action; after upgrading it works', async () => {
    const t = await ownerWithClients('free');
    const refused = await t.engine.dispatch('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor' },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'user_limit_reached',
        action: {
          type: 'upgrade_plan',
          current_plan: 'free',
          current_plan_display_name: 'Free',
          required_plan: 'team',
          required_plan_display_name: 'Team',
          upgrade_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1\/upgrade\/ws_[\w-]+~free~team~\w+~[\w-]{22}$/),
          expires_at: '2026-11-25T10:30:00.000Z',
        },
      },
    });
    const upgraded = await t.engine.call('plan.change', { workspaceId: t.workspaceId, planId: 'team' });
    expect(upgraded.plan.id).toBe('team');
    const txns = t.engine.ctx.db
      .prepare(`SELECT amount_cents FROM transactions WHERE workspace_id = ? ORDER BY rowid`)
      .all(t.workspaceId);
    expect(txns).toEqual([{ amount_cents: 0 }, { amount_cents: 4900 }]);
    const invited = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor', managedUserIds: [t.a.id] },
    });
    expect(invited.invitation).toMatchObject({
      status: 'pending',
      invitationPending: true,
      invitationAccepted: false,
      managedUserIds: [t.a.id],
    });
    expect(invited.code.length).toBeGreaterThanOrEqual(32);
    expect(invited.emailSent).toBe(false);
  });

  it('an accepted editor signs in as a second profile and sees only the assigned clients', async () => {
    const t = await ownerWithClients('team');
    const { code } = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor', managedUserIds: [t.a.id] },
    });
    await t.engine.call('session.signOut', {});
    const state = await t.engine.call('session.acceptInvitation', {
      code,
      name: 'Eddie Editor',
      password: 'correct horse',
    });
    expect(state).toMatchObject({
      profile: { name: 'Eddie Editor', email: 'ed@agency.test' },
      role: 'editor',
      currentWorkspaceId: t.workspaceId,
    });
    const visible = await t.engine.call('client.list', { workspaceId: t.workspaceId });
    expect(visible.users.map((u) => u.displayName)).toEqual(['Client A']);
    expect(await t.engine.dispatch('client.get', { workspaceId: t.workspaceId, userId: t.b.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(
      await t.engine.dispatch('client.create', {
        workspaceId: t.workspaceId,
        client: { email: 'x@y.test', displayName: 'X' },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // The code is single-use.
    await t.engine.call('session.signOut', {});
    expect(
      await t.engine.dispatch('session.acceptInvitation', { code, name: 'Again', password: TEST_PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // Both profiles are on the chooser; the editor's needs the password.
    const chooser = await t.engine.call('app.getState', {});
    expect(chooser.profiles.map((p) => [p.name, p.hasPassword])).toEqual([
      ['Olivia Owner', true],
      ['Eddie Editor', true],
    ]);
    const editorId = chooser.profiles[1]!.id;
    expect(await t.engine.dispatch('session.signIn', { profileId: editorId, password: 'wrong one' })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect((await t.engine.call('session.signIn', { profileId: editorId, password: 'correct horse' })).role).toBe(
      'editor',
    );
  });

  it('gives managers every client (managedUserIds ignored) and lets editors be assigned later', async () => {
    const t = await ownerWithClients('team');
    const mgr = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'm@agency.test', role: 'manager', managedUserIds: [t.a.id] },
    });
    expect(mgr.invitation.managedUserIds).toEqual([]);
    const ed = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'e@agency.test', role: 'editor' },
    });
    await t.engine.call('session.signOut', {});
    await t.engine.call('session.acceptInvitation', { code: mgr.code, name: 'Mia Manager', password: TEST_PASSWORD });
    expect((await t.engine.call('client.list', { workspaceId: t.workspaceId })).total).toBe(2);
    await t.engine.call('session.signOut', {});
    await t.engine.call('session.acceptInvitation', { code: ed.code, name: 'Ed', password: TEST_PASSWORD });
    expect((await t.engine.call('client.list', { workspaceId: t.workspaceId })).total).toBe(0);
    await t.engine.call('session.signIn', { profileId: t.ownerId, password: TEST_PASSWORD });
    const team = await t.engine.call('team.list', { workspaceId: t.workspaceId });
    const edMember = team.members.find((m) => m.email === 'e@agency.test')!;
    await t.engine.call('team.updateMember', {
      workspaceId: t.workspaceId,
      memberId: edMember.id,
      patch: { clientIds: [t.b.id] },
    });
    await t.engine.call('session.signIn', { profileId: edMember.profileId, password: TEST_PASSWORD });
    expect((await t.engine.call('client.list', { workspaceId: t.workspaceId })).users.map((u) => u.id)).toEqual([
      t.b.id,
    ]);
    expect(team.invitations.every((i) => i.status === 'accepted' && i.invitationAccepted)).toBe(true);
  });

  it('refuses an expired code, and a revoked one', async () => {
    const t = await ownerWithClients('team');
    const late = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'late@agency.test', role: 'collaborator' },
    });
    const revoked = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'rev@agency.test', role: 'collaborator' },
    });
    await t.engine.call('team.revokeInvitation', { workspaceId: t.workspaceId, invitationId: revoked.invitation.id });
    t.clock.advance(7 * 24 * 3600 * 1000 + 1);
    expect(
      await t.engine.dispatch('session.acceptInvitation', { code: late.code, name: 'Late', password: TEST_PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('expired') },
    });
    expect(
      await t.engine.dispatch('session.acceptInvitation', { code: revoked.code, name: 'Rev', password: TEST_PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const invitations = (await t.engine.call('team.list', { workspaceId: t.workspaceId })).invitations;
    expect(invitations.map((i) => i.status).sort()).toEqual(['expired', 'revoked']);
  });
});

describe('sessions (seed 002)', () => {
  async function withEditor() {
    const t = await ownerWithClients('team');
    const { code } = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor' },
    });
    await t.engine.call('session.signOut', {});
    const state = await t.engine.call('session.acceptInvitation', { code, name: 'Ed', password: TEST_PASSWORD });
    const editorProfileId = state.profile!.id;
    await t.engine.call('session.signIn', { profileId: t.ownerId, password: TEST_PASSWORD });
    const editor = (await t.engine.call('team.list', { workspaceId: t.workspaceId })).members.find(
      (m) => m.role === 'editor',
    )!;
    return { ...t, editor, editorProfileId };
  }

  it('evicts the oldest session past the sessions limit', async () => {
    const t = await withEditor();
    await t.engine.call('team.updateMember', {
      workspaceId: t.workspaceId,
      memberId: t.editor.id,
      patch: { sessionsLimit: 2 },
    });
    const { openSession } = await import('../../src-main/engine/team/team');
    const first = openSession(t.engine.ctx.db, t.editor.id, t.clock.now());
    t.clock.advance(1000);
    openSession(t.engine.ctx.db, t.editor.id, t.clock.now());
    t.clock.advance(1000);
    openSession(t.engine.ctx.db, t.editor.id, t.clock.now());
    const live = t.engine.ctx.db
      .prepare(`SELECT id FROM sessions WHERE member_id = ? AND ended_at IS NULL`)
      .all(t.editor.id);
    expect(live).toHaveLength(2);
    expect(live).not.toContainEqual({ id: first });
  });

  it('force logout ends every session at once and returns the app to the chooser if it was them', async () => {
    const t = await withEditor();
    await t.engine.call('session.signIn', { profileId: t.editorProfileId, password: TEST_PASSWORD });
    const events: unknown[] = [];
    t.engine.subscribe((name, payload) => name === 'state.changed' && events.push(payload));
    // The owner forces the logout through the engine as the owner (e.g. from another window or the API).
    const { forceLogout } = await import('../../src-main/engine/team/team');
    const ownerPrincipal = { kind: 'workspace_key' as const, workspaceId: t.workspaceId, keyId: 'k' };
    expect(forceLogout(t.engine.ctx, ownerPrincipal, t.editor.id)).toBeGreaterThanOrEqual(1);
    t.engine.afterSessionsEnded(t.editor.id);
    const state = await t.engine.call('app.getState', {});
    expect(state.profile).toBeNull();
    expect(events.at(-1)).toMatchObject({ profile: null });
    expect(await t.engine.dispatch('client.list', { workspaceId: t.workspaceId })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
  });

  it('a deactivated member cannot sign in; reactivated, they can', async () => {
    const t = await withEditor();
    await t.engine.call('team.setMemberActive', { workspaceId: t.workspaceId, memberId: t.editor.id, active: false });
    expect(
      await t.engine.dispatch('session.signIn', { profileId: t.editorProfileId, password: TEST_PASSWORD }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await t.engine.call('team.setMemberActive', { workspaceId: t.workspaceId, memberId: t.editor.id, active: true });
    expect(
      (await t.engine.call('session.signIn', { profileId: t.editorProfileId, password: TEST_PASSWORD })).role,
    ).toBe('editor');
  });

  it('keeps the signed-in session across a restart', async () => {
    const t = await ownerWithClients();
    t.engine.close();
    const reopened = await Engine.open({ dataDir: t.dataDir, secrets: t.secrets, clock: t.clock });
    expect((await reopened.call('app.getState', {})).profile?.email).toBe(OWNER.ownerEmail);
    reopened.close();
  });
});

describe('activity log', () => {
  it('filters by action family and exports CSV with a header row', async () => {
    const t = await ownerWithClients();
    const clientEvents = await t.engine.call('activity.list', {
      workspaceId: t.workspaceId,
      filter: { action: 'client' },
    });
    expect(clientEvents.map((e) => e.action)).toEqual(['client.created', 'client.created']);
    const { csv, fileName } = await t.engine.call('activity.exportCsv', { workspaceId: t.workspaceId });
    expect(fileName).toMatch(/^postroom-activity-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('at,actor_kind,actor_id,action,object_kind,object_id,detail');
    expect(lines).toHaveLength(4);
    expect(csv).toContain('"Created client Client A <a@client.test>"'.replace(/"/g, ''));
  });
});
