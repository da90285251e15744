import { permissionMatrix, type Action } from '../../src-shared/permissions';
import type { Role } from '../../src-shared/team';

/*
 * What the signed-in role may do, read from the one permission matrix (src-shared/permissions.ts)
 * for the acts the renderer offers as buttons. The UI only hides what a role may not use; the
 * engine still enforces every cell.
 */

export type Permission = Action;

/** Whether the signed-in role may use an act; false when nobody is signed in. */
export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role ? permissionMatrix[role].has(permission) : false;
}
