import { z } from 'zod';
import { requiredText } from './required-text';

/** Members, invitations and sessions (seeds 002, 003, 004), shared by the contract and the REST API. */

export const Role = z.enum(['owner', 'manager', 'editor', 'collaborator', 'client']);
export type Role = z.infer<typeof Role>;
export const InvitableRole = Role.exclude(['owner']);

export const Member = z.object({
  id: z.string(),
  profileId: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  status: z.enum(['pending', 'active', 'deactivated']),
  sessionsLimit: z.number(),
  liveSessions: z.number(),
  clientIds: z.array(z.string()),
  allClients: z.boolean(),
  createdAt: z.string(),
});
export type Member = z.infer<typeof Member>;

export const Invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: InvitableRole,
  managedUserIds: z.array(z.string()),
  status: z.enum(['pending', 'accepted', 'expired', 'revoked']),
  invitationPending: z.boolean(),
  invitationAccepted: z.boolean(),
  expiresAt: z.string(),
  createdAt: z.string(),
  emailSent: z.boolean(),
});
export type Invitation = z.infer<typeof Invitation>;

/**
 * A password a person chooses (first run, an invitation, a profile's first sign-in): 8 to 200
 * characters (NIST SP 800-63B's minimum for a chosen secret), each rule saying how to fix it.
 */
export const NewPassword = z
  .string({ error: 'Choose a password for your profile.' })
  .min(1, 'Choose a password for your profile.')
  .min(8, 'Choose a password of at least 8 characters.')
  .max(200, 'Choose a password of at most 200 characters.');

/** A person's name as they give it when they join a workspace or a team host. */
export const PersonName = requiredText('Enter your name.', 100, 'Shorten your name to at most 100 characters.');

/** What joining a team host from a desk asks for: the code pasted and the password chosen. */
export const DeskInvitationCode = requiredText('Paste the invitation code.', 200, 'That is not an invitation code.');
export const DeskPassword = z
  .string()
  .min(8, 'Choose a password of at least 8 characters.')
  .max(200, 'Choose a password of at most 200 characters.');

/** The email and password a member signs in to a team host with. */
export const SignInEmail = z
  .string()
  .trim()
  .min(3, 'Enter your email address.')
  .max(254, 'An email address has at most 254 characters.');
export const SignInPassword = z
  .string()
  .min(1, 'Enter your password.')
  .max(200, 'A password has at most 200 characters.');

export const InviteInput = z.strictObject({
  email: z
    .email('Enter the email address of the person to invite, such as name@example.com.')
    .max(254, 'An email address has at most 254 characters.'),
  role: InvitableRole,
  managedUserIds: z.array(z.string().min(1).max(64)).max(1000).optional(),
  skipInvitationEmail: z.boolean().default(false),
});
export type InviteInput = z.input<typeof InviteInput>;

/** What inviting returns: the invitation, and the code and link to copy (shown once). */
export const InviteResult = z.object({
  invitation: Invitation,
  code: z.string(),
  acceptUrl: z.string(),
  emailSent: z.boolean(),
});
export type InviteResult = z.infer<typeof InviteResult>;

export const AcceptInvitationInput = z.strictObject({
  code: z
    .string()
    .trim()
    .min(10, 'Paste the invitation code or the link you were sent.')
    .max(200, 'Paste only the invitation code or the link you were sent.'),
  name: PersonName,
  password: NewPassword,
});

const SESSIONS = 'The sessions limit is a whole number from 1 to 999,999.';

export const UpdateMemberInput = z.strictObject({
  role: InvitableRole.optional(),
  clientIds: z.array(z.string().min(1).max(64)).max(1000).optional(),
  sessionsLimit: z.number({ error: SESSIONS }).int(SESSIONS).min(1, SESSIONS).max(999_999, SESSIONS).optional(),
});
export type UpdateMemberInput = z.input<typeof UpdateMemberInput>;

/** The workspace's SMTP settings as the app shows them: never the password, only whether one is kept. */
export const SmtpSettingsView = z.object({
  host: z.string(),
  port: z.number(),
  secure: z.boolean(),
  username: z.string().nullable(),
  from: z.string(),
  hasPassword: z.boolean(),
});
export type SmtpSettingsView = z.infer<typeof SmtpSettingsView>;

export const SmtpSettingsInput = z.strictObject({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().default(false),
  username: z.string().max(254).nullable().default(null),
  password: z.string().max(500).nullable().default(null),
  from: z.email('a valid sender address is required').max(254),
});
