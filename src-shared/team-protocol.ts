import { z } from 'zod';
import { type Channel, channels, DeskJoinInput, DeskSignInInput } from './contract';
import { ErrorObject } from './errors';
import { requiredText } from './required-text';

/*
 * The wire protocol between a team host and its desks (SPEC §12, issue 12), as written in
 * /work/coord/team-protocol.md: the HTTPS endpoints' bodies, the WebSocket frames, and which
 * channels are answered where. The host validates with these schemas; the desk builds its
 * messages with the same ones.
 */

export const DESK_PROTOCOL_VERSION = 1;

export const DESK_PATHS = {
  info: '/desk/v1/info',
  join: '/desk/v1/join',
  signIn: '/desk/v1/sign-in',
  signOut: '/desk/v1/sign-out',
  contract: '/desk/v1/contract',
} as const;

/**
 * A post a desk drafted while its host could not be reached has this id (`local-<uuid>`) until the
 * host answers its create; later outbox items naming it are rewritten to the host's id. Never
 * sent to the host as an id of its own (team-protocol.md, "Offline").
 */
export const DESK_LOCAL_ID_PREFIX = 'local-';

/** WebSocket close code for an ended or unknown session (4000–4999 are the application's). */
export const SESSION_ENDED_CLOSE_CODE = 4401;

const DeviceName = requiredText(
  'Name this computer, such as "Ada’s laptop".',
  100,
  'A device name has at most 100 characters.',
);

export const HostInfo = z.object({
  product: z.literal('postroom-host'),
  protocol: z.number().int(),
  publicUrl: z.string(),
  workspace: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type HostInfo = z.infer<typeof HostInfo>;

/** What a desk sends to join or sign in: what the person typed on the desk, with this computer's name. */
export const JoinRequest = DeskJoinInput.omit({ hostUrl: true }).extend({ deviceName: DeviceName });
export type JoinRequest = z.infer<typeof JoinRequest>;

export const SignInRequest = DeskSignInInput.omit({ hostUrl: true }).extend({ deviceName: DeviceName });
export type SignInRequest = z.infer<typeof SignInRequest>;

/** The answer to join and sign-in. */
export const DeskSession = z.object({
  sessionToken: z.string(),
  member: z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['owner', 'manager', 'editor', 'collaborator', 'client']),
  }),
  workspace: z.object({ id: z.string(), name: z.string() }),
});
export type DeskSession = z.infer<typeof DeskSession>;

/** Desk → host over the contract socket. */
export const DeskCall = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  request: z.unknown(),
  idempotencyKey: z.uuid().optional(),
});
export type DeskCall = z.infer<typeof DeskCall>;

/** Host → desk: the answer to a call, or a pushed event. */
export const HostAnswer = z.object({
  id: z.number().int().nullable(),
  result: z.union([
    z.object({ ok: z.literal(true), data: z.unknown() }),
    z.object({ ok: z.literal(false), error: ErrorObject }),
  ]),
});
export const HostEvent = z.object({ event: z.string(), payload: z.unknown() });

/** Pushed right before the host closes a desk's socket with 4401. */
export const SessionEnded = z.object({ reason: z.string() });

/**
 * Channels a desk answers itself and never sends (choosing the mode, joining, signing in and out
 * on the desk, the first-run setup, restoring the desk's own backup, its outbox's refused changes).
 * The host refuses them.
 */
export const deskLocalChannels = [
  'app.setup',
  'app.restoreLatestBackup',
  'session.signIn',
  'session.signOut',
  'session.acceptInvitation',
  'desk.join',
  'desk.signIn',
  'desk.refusedChanges',
  'desk.sendAgain',
  'desk.discardRefused',
] as const satisfies readonly Channel[];

/**
 * Channels that only read: sent without an idempotency key. Every other channel changes
 * something and is sent with one (a UUID); the host refuses a change that comes without.
 */
export const readChannels = [
  'app.getState',
  'app.apiInfo',
  'workspace.get',
  'workspace.getLogo',
  'workspace.revealApiKey',
  'activity.list',
  'activity.exportCsv',
  'integration.test',
  'plan.list',
  'client.list',
  'client.get',
  'client.revealApiKey',
  'connection.list',
  'connection.listLinks',
  'connection.credentials',
  'connection.credentialModes',
  'connection.pages',
  'post.list',
  'post.calendar',
  'post.get',
  'post.dailyUsage',
  'queue.getSlots',
  'team.list',
] as const satisfies readonly Channel[];

const deskLocal = new Set<string>(deskLocalChannels);
const reads = new Set<string>(readChannels);

/** Where a channel is answered, and whether the host needs an idempotency key for it. */
export type ChannelKind = 'desk-local' | 'read' | 'change';

export function channelKind(channel: Channel): ChannelKind {
  if (deskLocal.has(channel)) return 'desk-local';
  return reads.has(channel) ? 'read' : 'change';
}

/** Every channel with its kind, for tests and for the desk's outbox. */
export const channelKinds = Object.fromEntries(
  (Object.keys(channels) as Channel[]).map((c) => [c, channelKind(c)]),
) as Record<Channel, ChannelKind>;
