import { z } from 'zod';
import { CreateClientInput, ListClientsQuery, ManagedUser, UpdateClientInput } from '../../src-shared/clients';
import {
  Connection,
  ConnectionLink,
  ConnectionSettings,
  PostAsPage,
  UpdateConnectionInput,
} from '../../src-shared/connections';
import { ActivityEntry, ActivityFilter, Integration, LayoutType } from '../../src-shared/contract';
import {
  ApprovalLink,
  ApprovalPolicy,
  ApprovalPolicyBody,
  ApprovalSettings,
  ApproveBody,
  CommentInput,
  CreateApprovalLinkInput,
  PostComment,
  RequestChangesBody,
  SubmitForReviewBody,
  NewApprovalLink,
} from '../../src-shared/approvals';
import { ErrorBody } from '../../src-shared/errors';
import {
  CreatePostGroupInput,
  ListPostGroupsQuery,
  PostGroup,
  RetryDeliveriesInput,
  UpdatePostGroupInput,
} from '../../src-shared/posts';
import { ListMediaQuery, MediaItem, UpdateMediaInput } from '../../src-shared/media';
import { Invitation, InviteInput, Member, UpdateMemberInput } from '../../src-shared/team';

/**
 * The REST API as data: every route with the very schemas its handler validates with, and the
 * schemas of its answers. The OpenAPI document is generated from this table, and the API tests
 * check every answer against it.
 */
export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Fastify-style path (`:userId`). */
  path: string;
  summary: string;
  auth: 'publoraKey' | 'adminBearer' | 'none';
  actsForUser?: boolean;
  query?: z.ZodType;
  body?: z.ZodType;
  multipart?: Record<string, 'string' | 'binary'>;
  responses: Record<number, z.ZodType | 'csv'>;
  /** Headers of the success answer, described in the document. */
  headers?: Record<string, { description: string; type: 'string' | 'integer' | 'boolean' }>;
}

const Deleted = (idName: string) => z.object({ [idName]: z.string() }).passthrough();
const errorsFor = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, ErrorBody])) as Record<number, z.ZodType>;
// 421: a foreign Host (DNS rebinding) is refused before any route runs.
// 507: the disk holding the data folder is full (`disk_full`); nothing of the request was written.
const STANDARD = errorsFor(400, 401, 403, 404, 413, 421, 429, 507);

export const PostGroupCreated = PostGroup.extend({ dailyPostsLeft: z.number() });

export const apiRoutes: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/api/workspaces/add',
    summary: 'Create a workspace (seed 001), with logos and integrations',
    auth: 'adminBearer',
    multipart: {
      name: 'string',
      workspaceType: 'string',
      planId: 'string',
      timezone: 'string',
      integrations: 'string',
      squareLogo: 'binary',
      imageLogo: 'binary',
    },
    responses: {
      200: z.object({
        status: z.literal(200),
        data: z.object({ workspaceId: z.string(), slug: z.string(), layoutType: LayoutType, apiKey: z.string() }),
        message: z.string(),
      }),
      ...STANDARD,
    },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/users',
    summary: 'List managed users',
    auth: 'publoraKey',
    query: ListClientsQuery,
    responses: { 200: z.array(ManagedUser), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/users',
    summary: 'Create a managed user',
    auth: 'publoraKey',
    body: CreateClientInput,
    responses: { 201: ManagedUser, ...STANDARD, ...errorsFor(409, 422) },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/users/:userId',
    summary: 'Read a managed user',
    auth: 'publoraKey',
    responses: { 200: ManagedUser, ...STANDARD },
  },
  {
    method: 'patch',
    path: '/api/v1/workspace/users/:userId',
    summary: 'Update a managed user',
    auth: 'publoraKey',
    body: UpdateClientInput,
    responses: { 200: ManagedUser, ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'delete',
    path: '/api/v1/workspace/users/:userId',
    summary: 'Delete a managed user',
    auth: 'publoraKey',
    responses: { 200: Deleted('id'), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/users/:userId/deactivate',
    summary: 'Deactivate a managed user',
    auth: 'publoraKey',
    responses: { 200: ManagedUser, ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/users/:userId/reactivate',
    summary: 'Reactivate a managed user',
    auth: 'publoraKey',
    responses: { 200: ManagedUser, ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/users/:userId/api-key',
    summary: 'Issue a per-user API key (the old one stops working)',
    auth: 'publoraKey',
    responses: { 200: z.object({ apiKey: z.string() }), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/users/:userId/connection-url',
    summary: 'Make a connection link (409 conflict, reason no_platform_ready, while no platform is set up)',
    auth: 'publoraKey',
    responses: { 200: z.object({ connectionUrl: z.string(), expiresAt: z.string() }), ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/integrations',
    summary: "The workspace's platform integrations (secrets never leave the keychain)",
    auth: 'publoraKey',
    responses: { 200: z.array(Integration), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/integrations/:integrationId/test',
    summary: "Check that an integration's platform answers",
    auth: 'publoraKey',
    responses: { 200: z.object({ ok: z.boolean(), message: z.string() }), ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/users/:userId/connection-urls',
    summary: 'List connection links',
    auth: 'publoraKey',
    responses: { 200: z.array(ConnectionLink), ...STANDARD },
  },
  {
    method: 'delete',
    path: '/api/v1/workspace/users/:userId/connection-urls/:linkId',
    summary: 'Revoke a connection link',
    auth: 'publoraKey',
    responses: { 200: Deleted('id'), ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/connections',
    summary: "A user's connections",
    auth: 'publoraKey',
    actsForUser: true,
    responses: { 200: z.array(Connection), ...STANDARD },
  },
  {
    method: 'patch',
    path: '/api/v1/connections/:platformId',
    summary: 'Change who a connection posts as (LinkedIn: an organisation page URN; null: the account itself)',
    auth: 'publoraKey',
    actsForUser: true,
    body: UpdateConnectionInput,
    responses: { 200: ConnectionSettings, ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/connections/:platformId/pages',
    summary: 'The organisation pages the account administers, to post as (LinkedIn with organisation pages on)',
    auth: 'publoraKey',
    actsForUser: true,
    responses: { 200: z.array(PostAsPage), ...STANDARD, ...errorsFor(409, 503) },
  },
  {
    method: 'delete',
    path: '/api/v1/connections/:platformId',
    summary: 'Remove a connection',
    auth: 'publoraKey',
    actsForUser: true,
    responses: { 200: Deleted('platformId'), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/post-groups',
    summary:
      'Create a post group ' +
      "(a draft without scheduledTime; a draft may break a platform's limits, which apply when it is scheduled)",
    auth: 'publoraKey',
    actsForUser: true,
    body: CreatePostGroupInput,
    responses: { 201: PostGroupCreated, ...STANDARD, ...errorsFor(409, 422) },
  },
  {
    method: 'get',
    path: '/api/v1/post-groups',
    summary: 'List post groups (by page number, or by cursor: pass the x-next-cursor of the last answer as cursor)',
    auth: 'publoraKey',
    query: ListPostGroupsQuery,
    responses: { 200: z.array(PostGroup), ...STANDARD },
    headers: {
      'x-total-count': {
        description: 'How many post groups match (at least, with x-total-count-capped)',
        type: 'integer',
      },
      'x-total-count-capped': {
        description: 'Present (true) when a platform or date filter matched more than x-total-count groups',
        type: 'boolean',
      },
      'x-next-cursor': { description: 'The cursor of the next page; absent on the last page', type: 'string' },
    },
  },
  {
    method: 'get',
    path: '/api/v1/post-groups/:id',
    summary: 'Read a post group with its deliveries',
    auth: 'publoraKey',
    responses: { 200: PostGroup, ...STANDARD },
  },
  {
    method: 'patch',
    path: '/api/v1/post-groups/:id',
    summary: 'Edit or reschedule a post group',
    auth: 'publoraKey',
    body: UpdatePostGroupInput,
    // 422 `time_in_past`: a time more than 5 minutes ago without `publishNow`; 403 `daily_limit_reached`.
    responses: { 200: PostGroup, ...STANDARD, ...errorsFor(409, 422) },
  },
  {
    method: 'post',
    path: '/api/v1/post-groups/:id/retry',
    summary: 'Retry the failed deliveries of a post group (all, or those of platformIds)',
    auth: 'publoraKey',
    body: RetryDeliveriesInput,
    // 409 `conflict`: nothing of the post has failed, or its account must be reconnected first.
    responses: { 200: PostGroup, ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'delete',
    path: '/api/v1/post-groups/:id',
    summary: 'Cancel what has not gone out',
    auth: 'publoraKey',
    responses: { 200: PostGroup, ...STANDARD },
  },
  // Approvals (issue 13 item 7). 409 `conflict`: the post is not in a state the act starts from
  // (already in review, not waiting, gone out) or its client needs no approval.
  {
    method: 'post',
    path: '/api/v1/post-groups/:id/submit',
    summary: "Submit a post group for review, to its client's policy's first stage (optional comment to the reviewer)",
    auth: 'publoraKey',
    body: SubmitForReviewBody,
    responses: { 200: PostGroup, ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'post',
    path: '/api/v1/post-groups/:id/approve',
    summary:
      'Approve at the stage the post waits at (the internal stage: the workspace key; ' +
      'the client stage: the client key); approved at the last stage, it goes out at its time',
    auth: 'publoraKey',
    body: ApproveBody,
    responses: { 200: PostGroup, ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'post',
    path: '/api/v1/post-groups/:id/request-changes',
    summary: 'Ask for changes at the stage the post waits at, with a comment the client sees',
    auth: 'publoraKey',
    body: RequestChangesBody,
    responses: { 200: PostGroup, ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'get',
    path: '/api/v1/post-groups/:id/comments',
    summary: "A post group's comments, oldest first (internal notes only for the workspace key)",
    auth: 'publoraKey',
    responses: { 200: z.array(PostComment), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/post-groups/:id/comments',
    summary:
      'Comment on a post group: client-visible (default) or an internal note (staff only); @name mentions members',
    auth: 'publoraKey',
    body: CommentInput,
    responses: { 201: PostComment, ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/approval-settings',
    summary: "The workspace's approval settings: whether typo fixes keep an approval (off by default)",
    auth: 'publoraKey',
    responses: { 200: ApprovalSettings, ...STANDARD },
  },
  {
    method: 'patch',
    path: '/api/v1/workspace/approval-settings',
    summary:
      'Turn the typo-fix waiver on or off: with it on, an edit of an approved post that changes only text, ' +
      'by at most 3 characters in all (Levenshtein), and no media or time keeps the approval',
    auth: 'publoraKey',
    body: ApprovalSettings,
    responses: { 200: ApprovalSettings, ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/users/:userId/approval-policy',
    summary: "A user's approval policy: none, client, or internal_then_client",
    auth: 'publoraKey',
    responses: { 200: z.object({ policy: ApprovalPolicy }), ...STANDARD },
  },
  {
    method: 'patch',
    path: '/api/v1/workspace/users/:userId/approval-policy',
    summary: "Set a user's approval policy (posts waiting follow it at once)",
    auth: 'publoraKey',
    body: ApprovalPolicyBody,
    responses: { 200: z.object({ policy: ApprovalPolicy }), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/users/:userId/approval-links',
    summary:
      'Make an approval link for the client (covers postGroupIds, or every post waiting for them when opened; ' +
      "1–30 days); sendEmail mails it to the client's address through the workspace's SMTP " +
      '(`email`: sent to whom and when, or the SPEC §7 error of a failed send; the link works either way)',
    auth: 'publoraKey',
    body: CreateApprovalLinkInput,
    // 409: the client needs no approval, or is deactivated, or sendEmail without SMTP settings.
    responses: { 201: NewApprovalLink, ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/users/:userId/approval-links',
    summary: "A client's approval links, newest first (their status; never their token)",
    auth: 'publoraKey',
    responses: { 200: z.array(ApprovalLink), ...STANDARD },
  },
  {
    method: 'delete',
    path: '/api/v1/workspace/users/:userId/approval-links/:linkId',
    summary: 'Revoke an approval link (its page then says so)',
    auth: 'publoraKey',
    responses: { 200: Deleted('id'), ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/media',
    summary: "The client's media library, newest first",
    auth: 'publoraKey',
    actsForUser: true,
    query: ListMediaQuery,
    responses: { 200: z.array(MediaItem), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/media',
    summary:
      "Add a file to the client's media library (multipart: file, altText); refused naming the rule when it is " +
      'cut off, mislabeled, too large or in a codec no platform takes',
    auth: 'publoraKey',
    actsForUser: true,
    multipart: { file: 'binary', altText: 'string' },
    responses: { 201: MediaItem, ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/media/:id',
    summary: 'Read a media item (type, size, dimensions, duration, alt text, how many posts use it)',
    auth: 'publoraKey',
    responses: { 200: MediaItem, ...STANDARD },
  },
  {
    method: 'patch',
    path: '/api/v1/media/:id',
    summary: "Change a media item's alt text",
    auth: 'publoraKey',
    body: UpdateMediaInput,
    responses: { 200: MediaItem, ...STANDARD },
  },
  {
    method: 'delete',
    path: '/api/v1/media/:id',
    summary: 'Delete a media item no post uses (409 while a post uses it)',
    auth: 'publoraKey',
    responses: { 200: Deleted('id'), ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/members',
    summary: 'List members',
    auth: 'publoraKey',
    responses: { 200: z.array(Member), ...STANDARD },
  },
  {
    method: 'patch',
    path: '/api/v1/workspace/members/:memberId',
    summary: 'Change role, clients or sessions limit',
    auth: 'publoraKey',
    body: UpdateMemberInput,
    responses: { 200: Member, ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/members/:memberId/deactivate',
    summary: 'Deactivate a member',
    auth: 'publoraKey',
    responses: { 200: Member, ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/members/:memberId/reactivate',
    summary: 'Reactivate a member',
    auth: 'publoraKey',
    responses: { 200: Member, ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/members/:memberId/force-logout',
    summary: 'End every session of a member',
    auth: 'publoraKey',
    responses: { 200: z.object({ memberId: z.string(), sessionsEnded: z.number() }), ...STANDARD },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/invitations',
    summary: 'List invitations',
    auth: 'publoraKey',
    responses: { 200: z.array(Invitation), ...STANDARD },
  },
  {
    method: 'post',
    path: '/api/v1/workspace/invitations',
    summary: 'Invite a member (seed 004)',
    auth: 'publoraKey',
    body: InviteInput,
    responses: {
      201: z.object({ data: Invitation, code: z.string(), acceptUrl: z.string(), emailSent: z.boolean() }),
      ...STANDARD,
      ...errorsFor(409, 422),
    },
  },
  {
    method: 'delete',
    path: '/api/v1/workspace/invitations/:invitationId',
    summary: 'Revoke a pending invitation',
    auth: 'publoraKey',
    responses: { 200: Invitation, ...STANDARD, ...errorsFor(409) },
  },
  {
    method: 'get',
    path: '/api/v1/workspace/activity',
    summary: 'The activity log (JSON, or CSV with format=csv)',
    auth: 'publoraKey',
    query: ActivityFilter.extend({
      limit: z.coerce.number().int().min(1).max(10_000).default(100),
      format: z.enum(['json', 'csv']).default('json'),
    }),
    responses: { 200: z.array(ActivityEntry), ...STANDARD },
  },
];

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return rest;
}

/** The OpenAPI 3.1 document of the local API, generated from `apiRoutes`. */
export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of apiRoutes) {
    const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (route.actsForUser)
      params.push({ name: 'x-publora-user-id', in: 'header', required: false, schema: { type: 'string' } } as never);
    if (route.query) {
      const q = jsonSchema(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {}))
        params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema } as never);
    }
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.responses)) {
      responses[status] = {
        description: Number(status) < 400 ? 'Success' : 'An error in the SPEC §7 shape',
        content:
          schema === 'csv'
            ? { 'text/csv': { schema: { type: 'string' } } }
            : { 'application/json': { schema: jsonSchema(schema, 'output') } },
        ...(Number(status) < 400 && route.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(route.headers).map(([name, h]) => [
                  name,
                  { description: h.description, schema: { type: h.type } },
                ]),
              ),
            }
          : {}),
      };
    }
    const camelPath = route.path.replace(/[^a-zA-Z0-9]+(\w)?/g, (_m, c: string | undefined) =>
      c ? c.toUpperCase() : '',
    );
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: `${route.method}${camelPath}`,
      parameters: params,
      responses,
      security: route.auth === 'none' ? [] : [{ [route.auth]: [] }],
    };
    if (route.body)
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    if (route.multipart) {
      operation.requestBody = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['name'],
              properties: Object.fromEntries(
                Object.entries(route.multipart).map(([k, t]) => [
                  k,
                  t === 'binary'
                    ? { type: 'string', contentMediaType: 'application/octet-stream' }
                    : { type: 'string' },
                ]),
              ),
            },
          },
        },
      };
    }
    (paths[toOpenApiPath(route.path)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Postroom local API',
      version: '1',
      description:
        'Compatible with the Publora Workspace API. Served on 127.0.0.1 only. ' +
        'Errors: {"error": {code, message, details?, action?}}.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        publoraKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-publora-key',
          description: 'Workspace key, or a per-user key',
        },
        adminBearer: { type: 'http', scheme: 'bearer', description: 'The install admin key' },
      },
    },
    paths,
  };
}

/** Finds the route of a request, by method and Fastify route pattern. */
export function routeFor(method: string, pattern: string): ApiRoute | undefined {
  return apiRoutes.find((r) => r.method === method.toLowerCase() && r.path === pattern);
}

/** JSON schemas of a route's successful answers, for Fastify's compiled serializers. */
export function successSchemas(route: ApiRoute): Record<number, Record<string, unknown>> {
  const out: Record<number, Record<string, unknown>> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    if (Number(status) < 300 && schema !== 'csv') out[Number(status)] = jsonSchema(schema, 'output');
  }
  return out;
}
