import { describe, expect, it } from 'vitest';
import { permissionMatrix as engineMatrix, roles } from '../../src-main/engine/kernel/access';
import { invitationCode } from '../../src-renderer/src/team/invitations';
import { can, permissionMatrix, permissions } from '../../src-renderer/src/permissions';

/*
 * The renderer hides buttons from its own copy of the permission matrix (the engine still
 * enforces). This keeps the copy in step with the engine's matrix, cell by cell.
 */
describe("the renderer's copy of the permission matrix", () => {
  for (const role of roles) {
    it(`matches the engine for ${role}`, () => {
      const fromEngine = Object.fromEntries(permissions.map((p) => [p, engineMatrix[role].has(p)]));
      expect(permissionMatrix[role]).toEqual(fromEngine);
    });
  }

  it('allows nothing when nobody is signed in', () => {
    for (const p of permissions) expect(can(null, p)).toBe(false);
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
