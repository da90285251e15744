import {
  actions,
  permissionMatrix,
  roles,
  type Action,
  type PrincipalRole,
  type Role,
} from '../../../src-shared/permissions';
import { AppError } from './errors';

export { actions, permissionMatrix, roles, type Action, type PrincipalRole, type Role };

/** Who is calling: a signed-in member, the workspace API key, or a per-client API key. */
export type Principal =
  | {
      kind: 'member';
      workspaceId: string;
      profileId: string;
      memberId: string;
      role: Role;
      clientIds: readonly string[] | 'all';
    }
  | { kind: 'workspace_key'; workspaceId: string; keyId: string }
  | { kind: 'client_key'; workspaceId: string; keyId: string; managedUserId: string };

export function principalRole(p: Principal): PrincipalRole {
  return p.kind === 'member' ? p.role : p.kind;
}

/** The clients a principal may see: every one, or a fixed list. */
export function clientScope(p: Principal): readonly string[] | 'all' {
  if (p.kind === 'workspace_key') return 'all';
  if (p.kind === 'client_key') return [p.managedUserId];
  if (p.role === 'owner' || p.role === 'manager') return 'all';
  return p.clientIds;
}

export function can(p: Principal, action: Action, target: { managedUserId?: string } = {}): boolean {
  if (!permissionMatrix[principalRole(p)].has(action)) return false;
  if (target.managedUserId === undefined) return true;
  const scope = clientScope(p);
  return scope === 'all' || scope.includes(target.managedUserId);
}

/**
 * Throws unless the principal may do `action` (on that client). A client outside the caller's
 * scope answers `not_found`, the same as a client that does not exist, so scopes cannot be probed.
 */
export function authorize(p: Principal, action: Action, target: { managedUserId?: string } = {}): void {
  if (!permissionMatrix[principalRole(p)].has(action)) {
    throw new AppError('forbidden', `your role (${principalRole(p).replace('_', ' ')}) may not ${describe(action)}`, {
      action,
    });
  }
  if (target.managedUserId !== undefined && !can(p, action, target)) {
    throw new AppError('not_found', 'user not found', { userId: target.managedUserId });
  }
}

function describe(action: Action): string {
  const [object, verb] = action.split('.') as [string, string];
  return `${verb} ${object}`.replace(/([A-Z])/g, ' $1').toLowerCase();
}
