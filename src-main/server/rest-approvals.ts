import type { FastifyInstance } from 'fastify';
import {
  ApprovalPolicyBody,
  ApprovalSettings,
  ApproveBody,
  CommentInput,
  CreateApprovalLinkInput,
  RequestChangesBody,
  SubmitForReviewBody,
} from '../../src-shared/approvals';
import {
  addComment,
  decide,
  getApprovalPolicy,
  getApprovalSettings,
  listApprovalLinks,
  listComments,
  makeApprovalLink,
  readGroupFor,
  revokeApprovalLink,
  setApprovalPolicy,
  setApprovalSettings,
  submitForReview,
} from '../engine/approvals/approvals';
import type { Engine } from '../engine/engine';
import { parse, principalFrom } from './rest-auth';
import { pathId, userIdParam } from './rest-params';

/**
 * Approvals over REST (issue 13 item 7), in the style of seed 000's routes: a client's policy,
 * submitting, approving and requesting changes, comments and approval links. The same domain
 * functions as the contract's channels, with the key's principal: the workspace key submits and
 * decides at the internal stage; only the client's own key decides at the client's stage
 * (src-shared/permissions.ts).
 */
export function registerApprovalRoutes(app: FastifyInstance, engine: Engine, baseUrl: () => string): void {
  const ctx = engine.ctx;

  app.get('/api/v1/workspace/users/:userId/approval-policy', async (request) => ({
    policy: getApprovalPolicy(ctx, principalFrom(engine, request), userIdParam(request)),
  }));

  app.patch('/api/v1/workspace/users/:userId/approval-policy', async (request) => {
    const p = principalFrom(engine, request);
    const userId = userIdParam(request);
    const { policy } = parse(ApprovalPolicyBody, request.body);
    return {
      policy: await engine.perform('approval.setPolicy', p.workspaceId, () =>
        setApprovalPolicy(ctx, p, userId, policy),
      ),
    };
  });

  app.get('/api/v1/workspace/approval-settings', async (request) =>
    getApprovalSettings(ctx, principalFrom(engine, request)),
  );

  app.patch('/api/v1/workspace/approval-settings', async (request) => {
    const p = principalFrom(engine, request);
    const input = parse(ApprovalSettings, request.body);
    return engine.perform('approval.setSettings', p.workspaceId, () => setApprovalSettings(ctx, p, input));
  });

  app.post('/api/v1/post-groups/:id/submit', async (request) => {
    const p = principalFrom(engine, request);
    const id = pathId(request, 'id');
    const { comment } = parse(SubmitForReviewBody, request.body ?? {});
    await engine.perform('post.submit', p.workspaceId, () => submitForReview(ctx, p, id, comment));
    return readGroupFor(ctx, p, id);
  });

  for (const [verb, schema] of [
    ['approve', ApproveBody],
    ['request-changes', RequestChangesBody],
  ] as const) {
    app.post(`/api/v1/post-groups/:id/${verb}`, async (request) => {
      const p = principalFrom(engine, request);
      const id = pathId(request, 'id');
      const { comment } = parse(schema, request.body ?? {});
      const outcome = await engine.perform('post.decide', p.workspaceId, () =>
        decide(
          ctx,
          p,
          id,
          verb === 'approve' ? { decision: 'approve', comment } : { decision: 'requestChanges', comment: comment! },
        ),
      );
      engine.approvalDecided(outcome, p.kind === 'client_key');
      return readGroupFor(ctx, p, id);
    });
  }

  app.get('/api/v1/post-groups/:id/comments', async (request) =>
    listComments(ctx, principalFrom(engine, request), pathId(request, 'id')),
  );

  app.post('/api/v1/post-groups/:id/comments', async (request, reply) => {
    const p = principalFrom(engine, request);
    const id = pathId(request, 'id');
    const input = parse(CommentInput, request.body);
    const comment = await engine.perform('post.addComment', p.workspaceId, () => addComment(ctx, p, id, input));
    return reply.code(201).send(comment);
  });

  app.post('/api/v1/workspace/users/:userId/approval-links', async (request, reply) => {
    const p = principalFrom(engine, request);
    const userId = userIdParam(request);
    const input = parse(CreateApprovalLinkInput, request.body ?? {});
    const link = await engine.perform('approvalLink.create', p.workspaceId, () =>
      makeApprovalLink(ctx, p, userId, input, baseUrl(), engine.mailerFor),
    );
    return reply.code(201).send(link);
  });

  app.get('/api/v1/workspace/users/:userId/approval-links', async (request) =>
    listApprovalLinks(ctx, principalFrom(engine, request), userIdParam(request)),
  );

  app.delete('/api/v1/workspace/users/:userId/approval-links/:linkId', async (request) => {
    const p = principalFrom(engine, request);
    const userId = userIdParam(request);
    const linkId = pathId(request, 'linkId');
    await engine.perform('approvalLink.revoke', p.workspaceId, () => revokeApprovalLink(ctx, p, userId, linkId));
    return { id: linkId, revoked: true };
  });
}
