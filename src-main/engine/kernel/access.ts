import { AppError } from './errors';

export const roles = ['owner', 'manager', 'editor', 'collaborator', 'client'] as const;
export type Role = (typeof roles)[number];

/**
 * Everything a caller can ask of the engine that needs permission. Each engine operation names
 * exactly one of these and calls `authorize` before it reads or writes.
 */
export const actions = [
  'workspace.read',
  'workspace.update',
  'workspace.delete',
  'plan.change',
  'ownership.transfer',
  'client.list',
  'client.read',
  'client.create',
  'client.update',
  'client.deactivate',
  'client.delete',
  'client.apiKey',
  'team.read',
  'team.invite',
  'team.update',
  'team.forceLogout',
  'activity.read',
  'apiKey.workspace',
  'connection.read',
  'connection.manage',
  'post.read',
  'post.draft',
  'post.schedule',
  'post.approve',
] as const;
export type Action = (typeof actions)[number];

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

export type PrincipalRole = Role | 'workspace_key' | 'client_key';

const everything = new Set<Action>(actions);
const ownerOnly = new Set<Action>(['plan.change', 'workspace.delete', 'ownership.transfer']);
const without = (set: Set<Action>, drop: Set<Action>) => new Set([...set].filter((a) => !drop.has(a)));

/**
 * The permission matrix of SPEC §2 as data: role × action. Actions on a client are further
 * limited to the clients a principal may see (see `clientScope`).
 */
export const permissionMatrix: Record<PrincipalRole, ReadonlySet<Action>> = {
  owner: everything,
  manager: without(everything, ownerOnly),
  editor: new Set([
    'workspace.read',
    'client.list',
    'client.read',
    'connection.read',
    'post.read',
    'post.draft',
    'post.schedule',
    'team.read',
  ]),
  collaborator: new Set([
    'workspace.read',
    'client.list',
    'client.read',
    'connection.read',
    'post.read',
    'post.draft',
    'team.read',
  ]),
  client: new Set([
    'workspace.read',
    'client.read',
    'connection.read',
    'connection.manage',
    'post.read',
    'post.approve',
  ]),
  // Seed 000: the workspace key manages clients, their keys, connection links and posts.
  workspace_key: new Set([
    'workspace.read',
    'client.list',
    'client.read',
    'client.create',
    'client.update',
    'client.deactivate',
    'client.delete',
    'client.apiKey',
    'connection.read',
    'connection.manage',
    'post.read',
    'post.draft',
    'post.schedule',
    'team.read',
    'team.invite',
    'team.update',
    'team.forceLogout',
    'activity.read',
  ]),
  // A per-client key acts as its client through the API: its own data only.
  client_key: new Set([
    'client.read',
    'connection.read',
    'connection.manage',
    'post.read',
    'post.draft',
    'post.schedule',
  ]),
};

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
