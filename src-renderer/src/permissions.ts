import type { Role } from '../../src-shared/team';

/*
 * What each role may do, copied from the engine's permission matrix (src-main/engine/access.ts)
 * for the acts the renderer offers as buttons. The UI only hides what a role may not use; the
 * engine still enforces every one of them. test/unit/renderer-permissions.test.ts keeps this
 * copy in step with the engine's matrix.
 */

export const permissions = [
  'plan.change',
  'client.list',
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
  'workspace.update',
  'connection.read',
  'connection.manage',
  'post.read',
  'post.draft',
  'post.schedule',
] as const;
export type Permission = (typeof permissions)[number];

type Row = Record<Permission, boolean>;

const owner: Row = {
  'plan.change': true,
  'client.list': true,
  'client.create': true,
  'client.update': true,
  'client.deactivate': true,
  'client.delete': true,
  'client.apiKey': true,
  'team.read': true,
  'team.invite': true,
  'team.update': true,
  'team.forceLogout': true,
  'activity.read': true,
  'apiKey.workspace': true,
  'workspace.update': true,
  'connection.read': true,
  'connection.manage': true,
  'post.read': true,
  'post.draft': true,
  'post.schedule': true,
};

const nothing: Row = Object.fromEntries(permissions.map((p) => [p, false])) as Row;

export const permissionMatrix: Record<Role, Row> = {
  owner,
  manager: { ...owner, 'plan.change': false },
  editor: {
    ...nothing,
    'client.list': true,
    'team.read': true,
    'connection.read': true,
    'post.read': true,
    'post.draft': true,
    'post.schedule': true,
  },
  // Collaborators draft but never schedule (SPEC §2).
  collaborator: {
    ...nothing,
    'client.list': true,
    'team.read': true,
    'connection.read': true,
    'post.read': true,
    'post.draft': true,
  },
  client: { ...nothing, 'connection.read': true, 'connection.manage': true, 'post.read': true },
};

/** Whether the signed-in role may use an act; false when nobody is signed in. */
export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role ? permissionMatrix[role][permission] : false;
}
