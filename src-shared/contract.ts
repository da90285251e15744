import { z } from 'zod';
import { CreateClientInput, ListClientsQuery, ManagedUser, UpdateClientInput, UserId } from './clients';
import { Connection, ConnectionLink, ConnectionSettings, PostAsPage } from './connections';
import { Platform } from './contract-platforms';
import { requiredFields } from './integration-fields';
import {
  CalendarPage,
  CalendarQuery,
  CreatePostGroupInput,
  ListPostGroupsQuery,
  NeedsAttention,
  PostGroup,
  PostGroupPage,
  QueueSlot,
  RetryDeliveriesInput,
  UpdatePostGroupInput,
} from './posts';
import { ErrorObject } from './errors';
import { AltText, FileName, MediaItem, MediaKind, MediaUpload, ReshapeInput, UPLOAD_CHUNK_BYTES } from './media';
import {
  ApprovalLink,
  ApprovalMailReadiness,
  ApprovalPolicy,
  ApprovalSettings,
  CommentInput,
  CreateApprovalLinkInput,
  DecisionInput,
  NewApprovalLink,
  PostComment,
} from './approvals';
import {
  AcceptInvitationInput,
  DeskInvitationCode,
  DeskPassword,
  Invitation,
  InviteInput,
  InviteResult,
  Member,
  NewPassword,
  PersonName,
  Role,
  SignInEmail,
  SignInPassword,
  SmtpSettingsInput,
  SmtpSettingsView,
  UpdateMemberInput,
} from './team';

/*
 * The one contract between the renderer and the main process (SPEC §1). Channel names,
 * request and response schemas and pushed events are defined here once; the Electron host
 * (ipcMain + preload) and the browser host (WebSocket) both carry exactly this map, and both
 * validate with these schemas at the boundary.
 */

export const workspaceTypes = ['iframe embed', 'jwt full embed'] as const;
export const WorkspaceType = z.enum(workspaceTypes);
export type WorkspaceType = z.infer<typeof WorkspaceType>;

export const LayoutType = z.enum(['left navigation', 'no navigation']);
export type LayoutType = z.infer<typeof LayoutType>;

export const PlanId = z.enum(['free', 'team', 'enterprise']);
export type PlanId = z.infer<typeof PlanId>;

export { Platform, platforms } from './contract-platforms';

const PORT = 'Use a port from 1024 to 65535, or leave it empty.';

/** A platform app credential as given by a person or a script; the secret goes to the keychain. */
export const IntegrationInput = z
  .strictObject({
    platform: Platform,
    clientId: z
      .string()
      .trim()
      .min(1, "Enter the app's client ID.")
      .max(500, 'A client ID has at most 500 characters.')
      .optional(),
    clientSecret: z
      .string()
      .min(1, "Enter the app's client secret.")
      .max(2000, 'A client secret has at most 2000 characters.')
      .optional(),
    instanceUrl: z
      .url({ protocol: /^https?$/, error: "Enter the instance's address, such as https://mastodon.social." })
      .max(500, 'An address has at most 500 characters.')
      .optional(),
    redirectPort: z.number({ error: PORT }).int(PORT).min(1024, PORT).max(65535, PORT).optional(),
    /**
     * OpenID Connect issuer of the platform's OAuth server, when it differs from the platform default.
     * For Bluesky: the PLC directory that resolves did:plc accounts (default https://plc.directory).
     */
    issuerUrl: z
      .url({ protocol: /^https?$/, error: "Enter the issuer's address, such as https://accounts.example.com." })
      .max(500, 'An address has at most 500 characters.')
      .optional(),
    /**
     * LinkedIn only: also ask for the organisation-page scopes (w_organization_social,
     * r_organization_admin), so connections may post as a page. LinkedIn grants them only to apps
     * approved for its Community Management API, and refuses the whole sign-in otherwise.
     */
    organizationPages: z.boolean().optional(),
  })
  .refine((i) => !i.organizationPages || i.platform === 'linkedin', {
    message: 'Organisation pages are a LinkedIn setting: turn them off for other platforms.',
    path: ['organizationPages'],
  })
  // Each platform's required fields, said beside each empty one (issue 10 item 7, D107).
  .superRefine((i, ctx) => {
    for (const [field, message] of requiredFields(i.platform))
      if (i[field] === undefined) ctx.addIssue({ code: 'custom', message, path: [field] });
  });
export type IntegrationInput = z.infer<typeof IntegrationInput>;

/** A file as it crosses the contract: base64 keeps IPC and WebSocket carrying the same JSON. */
export const FileUpload = z.strictObject({
  fileName: z.string().max(255),
  dataBase64: z.base64(),
});
export type FileUpload = z.infer<typeof FileUpload>;

export const WorkspaceName = z
  .string({ error: "Enter the workspace's name." })
  .trim()
  .min(1, "Enter the workspace's name.")
  .max(100, 'Shorten the workspace name to at most 100 characters.');

export const CreateWorkspaceInput = z.strictObject({
  name: WorkspaceName,
  workspaceType: WorkspaceType.default('iframe embed'),
  planId: PlanId.default('free'),
  timezone: z.string().max(64).optional(),
  squareLogo: FileUpload.optional(),
  imageLogo: FileUpload.optional(),
  integrations: z.array(IntegrationInput).max(20).default([]),
});
export type CreateWorkspaceInput = z.input<typeof CreateWorkspaceInput>;

export const LogoInfo = z.object({ mimeType: z.string(), size: z.number(), sha256: z.string() });

export const Integration = z.object({
  id: z.string(),
  platform: Platform,
  clientId: z.string().nullable(),
  instanceUrl: z.string().nullable(),
  redirectPort: z.number().nullable(),
  issuerUrl: z.string().nullable(),
  organizationPages: z.boolean(),
  hasSecret: z.boolean(),
});
export type Integration = z.infer<typeof Integration>;

export const Plan = z.object({
  id: PlanId,
  name: z.string(),
  maxMembers: z.number().nullable(),
  maxClients: z.number().nullable(),
  dailyPostLimit: z.number(),
  priceCents: z.number(),
  currency: z.string(),
});
export type Plan = z.infer<typeof Plan>;

export const Subscription = z.object({
  id: z.string(),
  planId: PlanId,
  startsAt: z.string(),
  endsAt: z.string().nullable(),
});

export const Workspace = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  workspaceType: WorkspaceType,
  layoutType: LayoutType,
  timezone: z.string(),
  plan: Plan,
  subscription: Subscription,
  squareLogo: LogoInfo.nullable(),
  imageLogo: LogoInfo.nullable(),
  integrations: z.array(Integration),
  createdAt: z.string(),
});
export type Workspace = z.infer<typeof Workspace>;

export const WorkspaceSummary = Workspace.pick({
  id: true,
  name: true,
  slug: true,
  workspaceType: true,
  layoutType: true,
});
export type WorkspaceSummary = z.infer<typeof WorkspaceSummary>;

export const Profile = z.object({ id: z.string(), name: z.string(), email: z.string() });
export type Profile = z.infer<typeof Profile>;

export const ProfileChoice = Profile.extend({ hasPassword: z.boolean() });
export type ProfileChoice = z.infer<typeof ProfileChoice>;

export const HostConnection = z.object({
  url: z.string(),
  workspaceName: z.string().nullable(),
  status: z.enum(['connected', 'offline', 'signed_out']),
  /** Why the host ended this desk's session (force logout, deactivation), once it did. */
  endedReason: z.string().nullable(),
  /** Changes made offline that the host refused when they were sent again (`desk.refusedChanges`). */
  refused: z.number().int().min(0),
});
export type HostConnection = z.infer<typeof HostConnection>;

/**
 * A change made while the team host could not be reached, which the host refused when the desk
 * sent it again (issue 12 item 4; D116): what it was and why, kept on the desk until a person
 * edits and sends it again or discards it.
 */
export const RefusedChange = z.object({
  key: z.string(),
  /** What the change was, in words: "New client Northwind (north@client.test)". */
  what: z.string(),
  /** The host's refusal, in the SPEC §7 shape. */
  error: ErrorObject,
  /** What may be edited before sending it again; none: it can only be discarded. */
  fields: z.array(z.object({ name: z.string(), label: z.string(), value: z.string() })),
});
export type RefusedChange = z.infer<typeof RefusedChange>;

const OutboxKey = z.string().min(1).max(100);

/** A team host's address as a person types it: https, or http on this computer only (D89). */
export const HostUrl = z
  .string({ error: "Enter the team host's address, such as https://postroom.agency.example." })
  .trim()
  .min(1, "Enter the team host's address, such as https://postroom.agency.example.")
  .max(500, 'An address has at most 500 characters.')
  .pipe(
    z.url({
      protocol: /^https?$/,
      error: "Enter the team host's address, such as https://postroom.agency.example.",
    }),
  );

/** Joining a team host from a desk with an invitation code (or the owner's first sign-in code). */
export const DeskJoinInput = z.strictObject({
  hostUrl: HostUrl,
  invitationCode: DeskInvitationCode,
  name: PersonName,
  password: DeskPassword,
});
export type DeskJoinInput = z.input<typeof DeskJoinInput>;

/** Signing in to a team host from a desk with an account there. */
export const DeskSignInInput = z.strictObject({
  hostUrl: HostUrl,
  email: SignInEmail,
  password: SignInPassword,
});
export type DeskSignInInput = z.input<typeof DeskSignInInput>;

export const AppState = z.object({
  needsSetup: z.boolean(),
  /** The signed-in person, or null: the profile chooser shows `profiles`. */
  profile: Profile.nullable(),
  profiles: z.array(ProfileChoice),
  workspaces: z.array(WorkspaceSummary),
  currentWorkspaceId: z.string().nullable(),
  /** The signed-in person's role in the current workspace. */
  role: Role.nullable(),
  /**
   * Present only when the database failed its integrity check at open (issue 9 item 11): the app
   * shows the recovery screen, which offers `app.restoreLatestBackup`.
   */
  recovery: z
    .object({
      /** SQLite's words for what is wrong, and the whole explanation for a person. */
      problem: z.string(),
      message: z.string(),
      latestBackup: z.object({ takenAt: z.string() }).nullable(),
    })
    .optional(),
  /**
   * Present only on a desk in team mode (issue 12, SPEC §12): the team host it works against and
   * whether it is reachable now (`connected`), cannot be reached (`offline`: what it last loaded
   * is shown, changes wait), or has no session on it (`signed_out`: the sign-in page shows).
   */
  host: HostConnection.optional(),
});
export type AppState = z.infer<typeof AppState>;

export const ActivityEntry = z.object({
  id: z.string(),
  at: z.string(),
  actorKind: z.enum(['member', 'api_key', 'system']),
  actorId: z.string().nullable(),
  action: z.string(),
  objectKind: z.string(),
  objectId: z.string().nullable(),
  detail: z.string(),
});
export type ActivityEntry = z.infer<typeof ActivityEntry>;

export const SetupInput = z.strictObject({
  ownerName: z.string().trim().min(1, 'Enter your name.').max(100, 'Shorten your name to at most 100 characters.'),
  ownerEmail: z
    .email('Enter your email address, such as name@example.com.')
    .max(254, 'An email address has at most 254 characters.'),
  password: NewPassword,
  workspace: CreateWorkspaceInput,
});
export type SetupInput = z.input<typeof SetupInput>;

const WorkspaceRef = z.strictObject({ workspaceId: z.string().min(1).max(64) });
const ClientRef = WorkspaceRef.extend({ userId: UserId });
/** One of a client's connections, by its `<platform>-<accountId>` id. */
const ConnectionRef = ClientRef.extend({ platformId: z.string().min(1).max(300) });
const MemberRef = WorkspaceRef.extend({ memberId: z.string().min(1).max(64) });
const MediaId = z.string().min(1).max(64);
const UploadId = z.string().min(1).max(64);

export const ActivityFilter = z.strictObject({
  actorKind: z.enum(['member', 'api_key', 'system']).optional(),
  action: z.string().max(100).optional(),
  objectId: z.string().max(64).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
});
export type ActivityFilter = z.infer<typeof ActivityFilter>;

/** Every request channel: its request schema and its response schema. */
export const channels = {
  'app.getState': { request: z.strictObject({}), response: AppState },
  /**
   * Restores the newest sound automatic backup over a damaged database, keeping the damaged file
   * in `damaged/`, and opens the app on it. `conflict` when the database is not damaged.
   */
  'app.restoreLatestBackup': { request: z.strictObject({}), response: AppState },
  'app.setup': { request: SetupInput, response: AppState },
  'workspace.create': { request: CreateWorkspaceInput, response: Workspace },
  'workspace.select': { request: WorkspaceRef, response: AppState },
  'workspace.get': { request: WorkspaceRef, response: Workspace },
  'workspace.getLogo': {
    request: WorkspaceRef.extend({ kind: z.enum(['square', 'image']) }),
    response: z.object({ mimeType: z.string(), dataBase64: z.string() }).nullable(),
  },
  'activity.list': {
    request: WorkspaceRef.extend({
      limit: z.number().int().min(1).max(500).default(100),
      filter: ActivityFilter.default({}),
    }),
    response: z.array(ActivityEntry),
  },
  'activity.exportCsv': {
    request: WorkspaceRef.extend({ filter: ActivityFilter.default({}) }),
    response: z.object({ fileName: z.string(), csv: z.string() }),
  },
  'workspace.revealApiKey': { request: WorkspaceRef, response: z.object({ apiKey: z.string() }) },
  /** A new workspace key; the old one stops working at once. */
  'workspace.rotateApiKey': { request: WorkspaceRef, response: z.object({ apiKey: z.string() }) },
  /** Where the local REST API listens, for the API page. */
  'app.apiInfo': { request: z.strictObject({}), response: z.object({ baseUrl: z.string(), openApiUrl: z.string() }) },
  'integration.add': { request: WorkspaceRef.extend({ integration: IntegrationInput }), response: Integration },
  'integration.remove': {
    request: WorkspaceRef.extend({ integrationId: z.string().min(1).max(64) }),
    response: z.object({ removed: z.literal(true) }),
  },
  'integration.test': {
    request: WorkspaceRef.extend({ integrationId: z.string().min(1).max(64) }),
    response: z.object({ ok: z.boolean(), message: z.string() }),
  },
  'plan.list': { request: z.strictObject({}), response: z.array(Plan) },
  'plan.change': { request: WorkspaceRef.extend({ planId: PlanId }), response: Workspace },

  'session.signIn': {
    request: z.strictObject({
      profileId: z.string().min(1).max(64),
      /** The profile's password, or the one it chooses when it has none yet (made by `postroom init`). */
      password: z.string({ error: 'Enter your password.' }).max(200, 'A password has at most 200 characters.'),
    }),
    response: AppState,
  },
  'session.signOut': { request: z.strictObject({}), response: AppState },
  'session.acceptInvitation': { request: AcceptInvitationInput, response: AppState },
  /**
   * First run on a desk: "Join a team host" (issue 12). Answered by the desk's main process, which
   * joins (or signs in) on the host, keeps the session token in the OS keychain and works against
   * the host from then on; never sent to a host.
   */
  'desk.join': { request: DeskJoinInput, response: AppState },
  'desk.signIn': { request: DeskSignInInput, response: AppState },
  /** Changes the host refused when the desk's outbox sent them again; answered by the desk. */
  'desk.refusedChanges': { request: z.strictObject({}), response: z.array(RefusedChange) },
  /** "Edit again": the refused change with the fields edited, sent to the host as a new change. */
  'desk.sendAgain': {
    request: z.strictObject({
      key: OutboxKey,
      values: z.record(z.string().max(100), z.string().max(10_000)),
    }),
    response: z.object({ sent: z.literal(true) }),
  },
  'desk.discardRefused': {
    request: z.strictObject({ key: OutboxKey }),
    response: z.object({ discarded: z.literal(true) }),
  },

  'client.list': {
    request: WorkspaceRef.extend({
      email: z.string().max(254).optional(),
      search: ListClientsQuery.shape.search,
      deactivated: z.boolean().optional(),
      page: z.number().int().min(1).default(1),
      perPage: z.number().int().min(1).max(10_000).default(1000),
    }),
    response: z.object({ users: z.array(ManagedUser), total: z.number() }),
  },
  'client.create': { request: WorkspaceRef.extend({ client: CreateClientInput }), response: ManagedUser },
  'client.get': { request: ClientRef, response: ManagedUser },
  'client.update': { request: ClientRef.extend({ patch: UpdateClientInput }), response: ManagedUser },
  'client.setActive': { request: ClientRef.extend({ active: z.boolean() }), response: ManagedUser },
  'client.delete': { request: ClientRef, response: z.object({ deleted: z.literal(true) }) },
  'client.issueApiKey': { request: ClientRef, response: z.object({ apiKey: z.string() }) },
  'client.revealApiKey': { request: ClientRef, response: z.object({ apiKey: z.string().nullable() }) },

  'connection.list': { request: ClientRef, response: z.array(Connection) },
  'connection.remove': {
    request: ConnectionRef,
    response: z.object({ removed: z.literal(true) }),
  },
  'connection.listLinks': { request: ClientRef, response: z.array(ConnectionLink) },
  /** Bluesky's fallback: a handle and an app password (never the account password). */
  'connection.addWithAppPassword': {
    request: ClientRef.extend({
      platform: z.literal('bluesky'),
      identifier: z
        .string()
        .trim()
        .min(3, 'Enter the Bluesky handle, such as name.bsky.social.')
        .max(253, 'A handle has at most 253 characters.'),
      appPassword: z
        .string()
        .min(4, 'Enter the app password from Bluesky’s settings.')
        .max(100, 'An app password has at most 100 characters.'),
    }),
    response: z.object({ platformId: z.string(), displayName: z.string() }),
  },
  /** Seed 003: the signed-in person's credential mode for a connection, and who may reconnect it. */
  'connection.credentials': {
    request: ConnectionRef,
    response: ConnectionSettings,
  },
  /** Every credential mode set in a workspace (connections not listed use the owner's credentials). */
  'connection.credentialModes': {
    request: WorkspaceRef,
    response: z.array(z.object({ memberId: z.string(), connectionId: z.string(), mode: z.enum(['owner', 'member']) })),
  },
  'connection.setCredentialMode': {
    request: ConnectionRef.extend({
      memberId: z.string().min(1).max(64),
      mode: z.enum(['owner', 'member']),
    }),
    response: z.object({ mode: z.enum(['owner', 'member']) }),
  },
  'connection.setPostAs': {
    request: ConnectionRef.extend({ postAs: z.string().max(200).nullable() }),
    response: z.object({ postAs: z.string().nullable() }),
  },
  /**
   * The organisation pages the account administers (LinkedIn, with organisation pages turned on),
   * by name, to choose "post as" from; only those who may change "post as" may list them.
   */
  'connection.pages': {
    request: ConnectionRef,
    response: z.array(PostAsPage),
  },
  /** Starts a re-authentication; the renderer opens the URL in the system browser. */
  'connection.reauthenticate': {
    request: ConnectionRef,
    response: z.object({ authorizationUrl: z.string() }),
  },
  'connection.createLink': {
    request: ClientRef,
    response: z.object({ id: z.string(), connectionUrl: z.string(), expiresAt: z.string() }),
  },
  'connection.revokeLink': {
    request: ClientRef.extend({ linkId: z.string().min(1).max(64) }),
    response: z.object({ revoked: z.literal(true) }),
  },

  'post.create': { request: ClientRef.extend({ post: CreatePostGroupInput }), response: PostGroup },
  'post.list': {
    request: WorkspaceRef.extend({
      userId: UserId.optional(),
      query: ListPostGroupsQuery.default({ page: 1, perPage: 100, order: 'desc' }),
    }),
    response: PostGroupPage,
  },
  /** The calendar's days: counts and the first posts of each, read from indexes (issue 11, D104). */
  'post.calendar': {
    request: WorkspaceRef.extend({ userId: UserId.optional(), query: CalendarQuery }),
    response: CalendarPage,
  },
  'post.get': { request: WorkspaceRef.extend({ id: z.string().min(1).max(64) }), response: PostGroup },
  'post.update': {
    request: WorkspaceRef.extend({ id: z.string().min(1).max(64), patch: UpdatePostGroupInput }),
    response: PostGroup,
  },
  'post.cancel': { request: WorkspaceRef.extend({ id: z.string().min(1).max(64) }), response: PostGroup },
  /** The overview's panel: failed and waiting deliveries, connections to reconnect (issue 10 item 6). */
  'post.needsAttention': { request: WorkspaceRef, response: NeedsAttention },
  /** Only failed deliveries go out again (issue 10 item 6); `platformIds` picks which. */
  'post.retry': {
    request: WorkspaceRef.extend({ id: z.string().min(1).max(64) }).extend(RetryDeliveriesInput.shape),
    response: PostGroup,
  },
  'post.dailyUsage': {
    request: ClientRef.extend({ day: z.iso.date().optional() }),
    response: z.object({ day: z.string(), limit: z.number(), dailyPostsLeft: z.number() }),
  },
  /** A client's media library, newest first (SPEC §14). */
  'media.list': {
    request: ClientRef.extend({ kind: MediaKind.optional(), limit: z.number().int().min(1).max(1000).default(200) }),
    response: z.array(MediaItem),
  },
  'media.get': { request: WorkspaceRef.extend({ mediaId: MediaId }), response: MediaItem },
  /** A JPEG that fits in 320×320, or null (videos, and images not probed yet). */
  'media.thumbnail': {
    request: WorkspaceRef.extend({ mediaId: MediaId }),
    response: z.object({ mimeType: z.string(), dataBase64: z.string() }).nullable(),
  },
  /** A whole file at once (up to 8 MB); larger files go through `media.beginUpload`. */
  'media.upload': {
    request: ClientRef.extend({ file: FileUpload, altText: AltText.optional() }),
    response: MediaItem,
  },
  /** Starts an upload in chunks (large files, video): its progress is `received` of `size`. */
  'media.beginUpload': {
    request: ClientRef.extend({
      fileName: FileName,
      size: z.number().int().min(1, 'The file is empty.'),
      altText: AltText.optional(),
    }),
    response: MediaUpload,
  },
  /** Where an upload got to (after a cut: resume from `received`). */
  'media.getUpload': { request: WorkspaceRef.extend({ uploadId: UploadId }), response: MediaUpload },
  /** One chunk at `offset`; a chunk sent twice is acknowledged once, a gap is `conflict` with `details.received`. */
  'media.uploadChunk': {
    request: WorkspaceRef.extend({
      uploadId: UploadId,
      offset: z.number().int().min(0),
      dataBase64: z.base64().max(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4, 'A chunk carries at most 4 MiB.'),
    }),
    response: MediaUpload,
  },
  /** All bytes are in: probe the file and add it to the library (or refuse it, naming the rule). */
  'media.finishUpload': { request: WorkspaceRef.extend({ uploadId: UploadId }), response: MediaItem },
  'media.cancelUpload': {
    request: WorkspaceRef.extend({ uploadId: UploadId }),
    response: z.object({ cancelled: z.literal(true) }),
  },
  'media.update': {
    request: WorkspaceRef.extend({ mediaId: MediaId, patch: z.strictObject({ altText: AltText }) }),
    response: MediaItem,
  },
  /** Only an item no post uses; its file goes when nothing else has the same bytes. */
  'media.delete': {
    request: WorkspaceRef.extend({ mediaId: MediaId }),
    response: z.object({ deleted: z.literal(true) }),
  },
  /** A copy of an image cropped (or padded) to an aspect ratio, as a new library item. */
  'media.reshape': {
    request: WorkspaceRef.extend({ mediaId: MediaId }).extend(ReshapeInput.shape),
    response: MediaItem,
  },

  'approval.getPolicy': { request: ClientRef, response: z.object({ policy: ApprovalPolicy }) },
  'approval.setPolicy': {
    request: ClientRef.extend({ policy: ApprovalPolicy }),
    response: z.object({ policy: ApprovalPolicy }),
  },
  /** The workspace's approval settings (the typo-fix waiver, issue 13 item 1). */
  'approval.getSettings': { request: WorkspaceRef, response: ApprovalSettings },
  'approval.setSettings': { request: WorkspaceRef.extend(ApprovalSettings.shape), response: ApprovalSettings },
  /** How many posts wait for the caller's own decision (the "needs your review" count). */
  'approval.reviewCount': { request: WorkspaceRef, response: z.object({ count: z.number() }) },
  'post.submit': {
    request: WorkspaceRef.extend({ id: z.string().min(1).max(64), comment: CommentInput.shape.body.optional() }),
    response: PostGroup,
  },
  'post.decide': {
    request: WorkspaceRef.extend({ id: z.string().min(1).max(64), decision: DecisionInput }),
    response: PostGroup,
  },
  'post.comments': { request: WorkspaceRef.extend({ id: z.string().min(1).max(64) }), response: z.array(PostComment) },
  'post.addComment': {
    request: WorkspaceRef.extend({ id: z.string().min(1).max(64), comment: CommentInput }),
    response: PostComment,
  },
  'approvalLink.create': {
    request: ClientRef.extend({ link: CreateApprovalLinkInput.default({ validDays: 7, sendEmail: false }) }),
    response: NewApprovalLink,
  },
  /** Whether a new link can be emailed (the workspace has SMTP) and to which address. */
  'approvalLink.mailReadiness': { request: ClientRef, response: ApprovalMailReadiness },
  'approvalLink.list': { request: ClientRef, response: z.array(ApprovalLink) },
  'approvalLink.revoke': {
    request: ClientRef.extend({ linkId: z.string().min(1).max(64) }),
    response: z.object({ revoked: z.literal(true) }),
  },
  'queue.getSlots': { request: ClientRef, response: z.array(QueueSlot) },
  'queue.setSlots': { request: ClientRef.extend({ slots: z.array(QueueSlot).max(200) }), response: z.array(QueueSlot) },

  'team.list': {
    request: WorkspaceRef,
    response: z.object({ members: z.array(Member), invitations: z.array(Invitation) }),
  },
  'team.invite': { request: WorkspaceRef.extend({ invite: InviteInput }), response: InviteResult },
  'team.revokeInvitation': {
    request: WorkspaceRef.extend({ invitationId: z.string().min(1).max(64) }),
    response: Invitation,
  },
  'team.updateMember': { request: MemberRef.extend({ patch: UpdateMemberInput }), response: Member },
  'team.setMemberActive': { request: MemberRef.extend({ active: z.boolean() }), response: Member },
  'team.forceLogout': { request: MemberRef, response: z.object({ ended: z.number() }) },
  'team.setSmtp': {
    request: WorkspaceRef.extend({ smtp: SmtpSettingsInput.nullable() }),
    response: z.object({ configured: z.boolean() }),
  },
  /** The workspace's email (SMTP) settings, without the password; null when email is not set up. */
  'team.getSmtp': { request: WorkspaceRef, response: z.object({ smtp: SmtpSettingsView.nullable() }) },
} as const;

export type Channels = typeof channels;
export type Channel = keyof Channels;
export type RequestOf<C extends Channel> = z.input<Channels[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Channels[C]['response']>;

/** Events the main process pushes to every renderer. */
export const events = {
  'state.changed': AppState,
  'clients.changed': z.object({ workspaceId: z.string() }),
  'connections.changed': z.object({ workspaceId: z.string() }),
  'posts.changed': z.object({ workspaceId: z.string() }),
  /** A delivery failed for good or needs a person: the UI shows a toast, Electron a notification. */
  'delivery.problem': z.object({
    workspaceId: z.string(),
    deliveryId: z.string(),
    postGroupId: z.string(),
    platformId: z.string(),
    state: z.enum(['failed', 'needs_attention']),
    error: z.string(),
  }),
  /** Someone decided on a post in review (the client through their link, or a reviewer): a toast and a notification. */
  'approval.decided': z.object({
    workspaceId: z.string(),
    postGroupId: z.string(),
    decision: z.enum(['approve', 'requestChanges']),
    final: z.boolean(),
    by: z.string(),
    byClient: z.boolean(),
  }),
  /** Whether the platforms can be reached, as far as the scheduler can tell. */
  'network.status': z.object({ online: z.boolean() }),
  /**
   * The OS keychain is locked (publishing waits; nothing is lost and no token goes anywhere else)
   * or usable again (publishing resumes). The UI shows a banner while it is locked.
   */
  'keychain.status': z.object({ locked: z.boolean() }),
  /** The disk is full (changes cannot be saved; outcomes of publishing wait in memory) or has room again. */
  'disk.status': z.object({ full: z.boolean() }),
} as const;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

/** Errors are data: every call resolves to one of these, never rejects. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorObject };

export const isChannel = (name: unknown): name is Channel =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);

/** What the preload exposes as `window.postroom`, and what the browser host's client implements. */
export interface PostroomBridge {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export const IPC_INVOKE = 'postroom:invoke';
export const IPC_EVENT = 'postroom:event';
