/**
 * The permission matrix of SPEC §2 as data: who may do what. One copy, read by the engine (which
 * enforces every cell, src-main/engine/kernel/access.ts) and by the renderer (which only hides
 * what a role may not use). Actions on a client are further limited to the clients a principal
 * may see (the engine's `clientScope`).
 */

export const roles = ['owner', 'manager', 'editor', 'collaborator', 'client'] as const;
export type Role = (typeof roles)[number];

/**
 * Everything a caller can ask of the engine that needs permission. Each engine operation names
 * exactly one of these and authorizes it before it reads or writes.
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
  /** Send a post for review (SPEC §13: staff submit; issue 13: editors and collaborators too). */
  'post.submit',
  /** Approve or request changes at the internal stage (`internal_then_client`): managers and owners. */
  'post.review',
  /** Approve or request changes at the client's stage: the client (their login or their key). */
  'post.approve',
  /** Write a comment the client sees, and read those. */
  'post.comment',
  /** Read and write internal notes, which the client never sees. */
  'comment.internal',
  /** Make, list, send and revoke a client's approval links. */
  'approvalLink.manage',
  /** Change the workspace's approval settings (the typo-fix waiver): owners, managers, the workspace key. */
  'approval.configure',
] as const;
export type Action = (typeof actions)[number];

/** Who is calling, as the matrix knows them: a member's role, the workspace key or a per-client key. */
export type PrincipalRole = Role | 'workspace_key' | 'client_key';

const everything = new Set<Action>(actions);
const ownerOnly: readonly Action[] = ['plan.change', 'workspace.delete', 'ownership.transfer'];
const without = (set: ReadonlySet<Action>, drop: readonly Action[]) =>
  new Set([...set].filter((a) => !drop.includes(a)));

/** What staff who write posts share: the reading they need, drafting, submitting and talking about posts. */
const writer: readonly Action[] = [
  'workspace.read',
  'client.list',
  'client.read',
  'connection.read',
  'post.read',
  'post.draft',
  'post.submit',
  'post.comment',
  'comment.internal',
  'team.read',
];

/** The client's own stage of approval is the client's: no one on the staff approves in their name. */
const staff = without(everything, ['post.approve']);

export const permissionMatrix: Record<PrincipalRole, ReadonlySet<Action>> = {
  owner: staff,
  manager: without(staff, ownerOnly),
  editor: new Set([...writer, 'post.schedule', 'approvalLink.manage']),
  // Collaborators draft and submit but never schedule (SPEC §2).
  collaborator: new Set(writer),
  client: new Set([
    'workspace.read',
    'client.read',
    'connection.read',
    'connection.manage',
    'post.read',
    'post.approve',
    'post.comment',
  ]),
  // Seed 000: the workspace key manages clients, their keys, connection links and posts; an
  // agency's script may also submit, review internally and send approval links.
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
    'post.submit',
    'post.review',
    'post.comment',
    'comment.internal',
    'approvalLink.manage',
    'approval.configure',
    'team.read',
    'team.invite',
    'team.update',
    'team.forceLogout',
    'activity.read',
  ]),
  // A per-client key acts as its client through the API: its own data only, and the client's
  // own stage of approval.
  client_key: new Set([
    'client.read',
    'connection.read',
    'connection.manage',
    'post.read',
    'post.draft',
    'post.schedule',
    'post.approve',
    'post.comment',
  ]),
};

/** Whether a role may do an action at all (before any client scope). */
export function roleMay(role: PrincipalRole, action: Action): boolean {
  return permissionMatrix[role].has(action);
}
