import { describe, expect, it } from 'vitest';
import { actions, permissionMatrix, roles, type Action, type Role } from '../../src-main/engine/kernel/access';
import type { Channel } from '../../src-shared/contract';
import { OWNER, openTestEngine, TEST_PASSWORD } from '../support/engine';

/**
 * Every role against every engine operation, through the contract as the UI calls it. What each
 * operation needs is named here once; the expectation comes from the permission matrix (data),
 * and the outcome from the real engine.
 */
interface Ids {
  workspaceId: string;
  assigned: string;
  other: string;
  memberId: string;
}

/** What an operation names besides its workspace: nothing, the member's client, the other client, or another member. */
const TARGETS = {
  workspace: () => ({}),
  assigned: (i: Ids) => ({ userId: i.assigned }),
  other: (i: Ids) => ({ userId: i.other }),
  member: (i: Ids) => ({ memberId: i.memberId }),
} as const;

interface Operation {
  channel: Channel;
  action: Action;
  on: keyof typeof TARGETS;
  /** The rest of the request. */
  more?: Record<string, unknown>;
}

const operations: Operation[] = [
  { channel: 'workspace.get', action: 'workspace.read', on: 'workspace' },
  { channel: 'workspace.revealApiKey', action: 'apiKey.workspace', on: 'workspace' },
  { channel: 'plan.change', action: 'plan.change', on: 'workspace', more: { planId: 'enterprise' } },
  { channel: 'activity.list', action: 'activity.read', on: 'workspace' },
  { channel: 'activity.exportCsv', action: 'activity.read', on: 'workspace' },
  { channel: 'client.list', action: 'client.list', on: 'workspace' },
  { channel: 'client.get', action: 'client.read', on: 'assigned' },
  {
    channel: 'client.create',
    action: 'client.create',
    on: 'workspace',
    more: { client: { email: 'new@c.test', displayName: 'New' } },
  },
  { channel: 'client.update', action: 'client.update', on: 'assigned', more: { patch: { displayName: 'Renamed' } } },
  { channel: 'client.setActive', action: 'client.deactivate', on: 'assigned', more: { active: true } },
  { channel: 'client.issueApiKey', action: 'client.apiKey', on: 'assigned' },
  { channel: 'client.revealApiKey', action: 'client.apiKey', on: 'assigned' },
  { channel: 'client.delete', action: 'client.delete', on: 'other' },
  { channel: 'team.list', action: 'team.read', on: 'workspace' },
  {
    channel: 'team.invite',
    action: 'team.invite',
    on: 'workspace',
    more: { invite: { email: 'someone@new.test', role: 'collaborator', skipInvitationEmail: true } },
  },
  { channel: 'team.updateMember', action: 'team.update', on: 'member', more: { patch: { sessionsLimit: 7 } } },
  { channel: 'team.forceLogout', action: 'team.forceLogout', on: 'member' },
  { channel: 'approval.getPolicy', action: 'client.read', on: 'assigned' },
  { channel: 'approval.setPolicy', action: 'client.update', on: 'assigned', more: { policy: 'client' } },
  { channel: 'approvalLink.list', action: 'approvalLink.manage', on: 'assigned' },
  { channel: 'approvalLink.mailReadiness', action: 'approvalLink.manage', on: 'assigned' },
  { channel: 'team.setSmtp', action: 'workspace.update', on: 'workspace', more: { smtp: null } },
  { channel: 'approval.getSettings', action: 'workspace.read', on: 'workspace' },
  {
    channel: 'approval.setSettings',
    action: 'approval.configure',
    on: 'workspace',
    more: { typoFixKeepsApproval: true },
  },
  { channel: 'team.getSmtp', action: 'workspace.update', on: 'workspace' },
];

/** The request the UI would send for `op`, naming the ids of `signedInAs`. */
const requestOf = (op: Operation, ids: Ids) => ({ workspaceId: ids.workspaceId, ...TARGETS[op.on](ids), ...op.more });

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
        const result = await engine.dispatch(op.channel, requestOf(op, ids));
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
