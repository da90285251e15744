import { describe, expect, it } from 'vitest';
import { actions, permissionMatrix, roles, type Action, type Role } from '../../src-main/engine/kernel/access';
import type { Channel } from '../../src-shared/contract';
import { OWNER, openTestEngine, TEST_PASSWORD } from '../support/engine';

/**
 * Every role against every engine operation, through the contract as the UI calls it. What each
 * operation needs is named here once; the expectation comes from the permission matrix (data),
 * and the outcome from the real engine.
 */
interface Operation {
  channel: Channel;
  action: Action;
  request: (ids: Ids) => Record<string, unknown>;
}
interface Ids {
  workspaceId: string;
  assigned: string;
  other: string;
  memberId: string;
}

const operations: Operation[] = [
  { channel: 'workspace.get', action: 'workspace.read', request: (i) => ({ workspaceId: i.workspaceId }) },
  { channel: 'workspace.revealApiKey', action: 'apiKey.workspace', request: (i) => ({ workspaceId: i.workspaceId }) },
  {
    channel: 'plan.change',
    action: 'plan.change',
    request: (i) => ({ workspaceId: i.workspaceId, planId: 'enterprise' }),
  },
  { channel: 'activity.list', action: 'activity.read', request: (i) => ({ workspaceId: i.workspaceId }) },
  { channel: 'activity.exportCsv', action: 'activity.read', request: (i) => ({ workspaceId: i.workspaceId }) },
  { channel: 'client.list', action: 'client.list', request: (i) => ({ workspaceId: i.workspaceId }) },
  {
    channel: 'client.get',
    action: 'client.read',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned }),
  },
  {
    channel: 'client.create',
    action: 'client.create',
    request: (i) => ({ workspaceId: i.workspaceId, client: { email: 'new@c.test', displayName: 'New' } }),
  },
  {
    channel: 'client.update',
    action: 'client.update',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned, patch: { displayName: 'Renamed' } }),
  },
  {
    channel: 'client.setActive',
    action: 'client.deactivate',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned, active: true }),
  },
  {
    channel: 'client.issueApiKey',
    action: 'client.apiKey',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned }),
  },
  {
    channel: 'client.revealApiKey',
    action: 'client.apiKey',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned }),
  },
  {
    channel: 'client.delete',
    action: 'client.delete',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.other }),
  },
  { channel: 'team.list', action: 'team.read', request: (i) => ({ workspaceId: i.workspaceId }) },
  {
    channel: 'team.invite',
    action: 'team.invite',
    request: (i) => ({
      workspaceId: i.workspaceId,
      invite: { email: 'someone@new.test', role: 'collaborator', skipInvitationEmail: true },
    }),
  },
  {
    channel: 'team.updateMember',
    action: 'team.update',
    request: (i) => ({ workspaceId: i.workspaceId, memberId: i.memberId, patch: { sessionsLimit: 7 } }),
  },
  {
    channel: 'team.forceLogout',
    action: 'team.forceLogout',
    request: (i) => ({ workspaceId: i.workspaceId, memberId: i.memberId }),
  },
  {
    channel: 'approval.getPolicy',
    action: 'client.read',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned }),
  },
  {
    channel: 'approval.setPolicy',
    action: 'client.update',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned, policy: 'client' }),
  },
  {
    channel: 'approvalLink.list',
    action: 'approvalLink.manage',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned }),
  },
  {
    channel: 'approvalLink.mailReadiness',
    action: 'approvalLink.manage',
    request: (i) => ({ workspaceId: i.workspaceId, userId: i.assigned }),
  },
  { channel: 'team.setSmtp', action: 'workspace.update', request: (i) => ({ workspaceId: i.workspaceId, smtp: null }) },
  { channel: 'approval.getSettings', action: 'workspace.read', request: (i) => ({ workspaceId: i.workspaceId }) },
  {
    channel: 'approval.setSettings',
    action: 'approval.configure',
    request: (i) => ({ workspaceId: i.workspaceId, typoFixKeepsApproval: true }),
  },
  { channel: 'team.getSmtp', action: 'workspace.update', request: (i) => ({ workspaceId: i.workspaceId }) },
];

/** A fresh workspace with a signed-in member of `role`, assigned to one client of two. */
async function signedInAs(role: Role) {
  const t = await openTestEngine();
  const state = await t.engine.call('app.setup', { ...OWNER, workspace: { name: 'Matrix', planId: 'team' } });
  const workspaceId = state.currentWorkspaceId!;
  const assigned = (
    await t.engine.call('client.create', { workspaceId, client: { email: 'a@c.test', displayName: 'Assigned' } })
  ).id;
  const other = (
    await t.engine.call('client.create', { workspaceId, client: { email: 'o@c.test', displayName: 'Other' } })
  ).id;
  const bystander = await t.engine.call('team.invite', {
    workspaceId,
    invite: { email: 'by@stander.test', role: 'collaborator' },
  });
  await t.engine.call('session.signOut', {});
  await t.engine.call('session.acceptInvitation', { code: bystander.code, name: 'Bystander', password: TEST_PASSWORD });
  await t.engine.call('session.signIn', { profileId: state.profile!.id, password: TEST_PASSWORD });
  const memberId = (await t.engine.call('team.list', { workspaceId })).members.find((m) => m.name === 'Bystander')!.id;
  if (role !== 'owner') {
    const { code } = await t.engine.call('team.invite', {
      workspaceId,
      invite: { email: `${role}@team.test`, role, managedUserIds: [assigned] },
    });
    await t.engine.call('session.signOut', {});
    await t.engine.call('session.acceptInvitation', { code, name: role, password: TEST_PASSWORD });
  }
  return { engine: t.engine, ids: { workspaceId, assigned, other, memberId } };
}

describe('the permission matrix, enforced by the engine', () => {
  it('covers every role and names only known actions', () => {
    expect(Object.keys(permissionMatrix).sort()).toEqual([...roles, 'client_key', 'workspace_key'].sort());
    for (const set of Object.values(permissionMatrix)) for (const a of set) expect(actions).toContain(a);
  });

  for (const role of roles) {
    it(`${role}: each operation is allowed exactly when the matrix says so`, async () => {
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const op of operations) {
        // A fresh workspace per operation, so earlier operations (a deletion, a plan change) change nothing.
        const { engine, ids } = await signedInAs(role);
        const result = await engine.dispatch(op.channel, op.request(ids));
        outcomes[op.channel] = result.ok
          ? 'allowed'
          : result.error.code === 'forbidden'
            ? 'forbidden'
            : `error:${result.error.code}`;
        expected[op.channel] = permissionMatrix[role].has(op.action) ? 'allowed' : 'forbidden';
        engine.close();
      }
      expect(outcomes).toEqual(expected);
    }, 120_000);
  }

  it('keeps a member out of a client not assigned to them (not_found, as if it did not exist)', async () => {
    const { engine, ids } = await signedInAs('editor');
    expect(await engine.dispatch('client.get', { workspaceId: ids.workspaceId, userId: ids.other })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const client = await signedInAs('client');
    expect(
      await client.engine.dispatch('client.get', { workspaceId: client.ids.workspaceId, userId: client.ids.other }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(
      await client.engine.dispatch('client.get', { workspaceId: client.ids.workspaceId, userId: client.ids.assigned }),
    ).toMatchObject({ ok: true });
  });
});
