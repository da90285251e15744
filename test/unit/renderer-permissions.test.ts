import { describe, expect, it } from 'vitest';
import { actions, can as engineCan, roles } from '../../src-main/engine/kernel/access';
import { invitationCode } from '../../src-renderer/src/team/invitations';
import { can } from '../../src-renderer/src/permissions';

/*
 * The renderer hides buttons by the same matrix the engine enforces (src-shared/permissions.ts):
 * for every role and action, the renderer offers exactly what the engine allows.
 */
describe('what the renderer offers each role', () => {
  for (const role of roles) {
    it(`is what the engine allows for ${role}`, () => {
      const principal = {
        kind: 'member' as const,
        workspaceId: 'ws',
        profileId: 'prof',
        memberId: 'mem',
        role,
        clientIds: 'all' as const,
      };
      for (const action of actions) expect(can(role, action), `${role} ${action}`).toBe(engineCan(principal, action));
    });
  }

  it('allows nothing when nobody is signed in', () => {
    for (const action of actions) expect(can(null, action)).toBe(false);
  });
});

describe('invitation codes pasted at the profile chooser', () => {
  const code = 'Zk3_x-9aBcDeFgHiJkLmNoPqRsTuVwXy';

  it('takes a raw code as it is, without surrounding spaces', () => {
    expect(invitationCode(`  ${code}\n`)).toBe(code);
  });

  it('takes the code out of an invitation link', () => {
    expect(invitationCode(`http://127.0.0.1:51234/invitations/${code}`)).toBe(code);
    expect(invitationCode(` http://127.0.0.1:51234/invitations/${code}?from=mail#top `)).toBe(code);
    expect(invitationCode(`http://127.0.0.1:51234/invitations/${encodeURIComponent('a%b')}`)).toBe('a%b');
  });
});
