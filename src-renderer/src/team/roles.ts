import type { ErrorObject } from '../../../src-shared/errors';
import type { Invitation, Member, Role } from '../../../src-shared/team';

export type InvitableRole = Exclude<Role, 'owner'>;

/** The roles an invitation or a member may have, and what each may do (seed 002). */
export const invitableRoles: { value: InvitableRole; label: string; hint: string }[] = [
  { value: 'manager', label: 'Manager', hint: 'everything on every client, and the team' },
  { value: 'editor', label: 'Editor', hint: 'creates, schedules and publishes posts for their clients' },
  { value: 'collaborator', label: 'Collaborator', hint: 'drafts posts for their clients; cannot schedule or publish' },
  { value: 'client', label: 'Client', hint: "the client's own login: sees only their own data (exactly one client)" },
];

export const roleLabel = (role: Role) =>
  role === 'owner' ? 'Owner' : (invitableRoles.find((r) => r.value === role)?.label ?? role);

export const statusLabel: Record<Member['status'] | Invitation['status'], string> = {
  pending: 'Pending',
  active: 'Active',
  deactivated: 'Deactivated',
  accepted: 'Accepted',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** What a team change did, said to the person, or the error it met. */
export interface Outcome {
  error?: ErrorObject;
  notice?: string;
}
