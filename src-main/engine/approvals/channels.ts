import { defineChannels, type ChannelHostBase } from '../kernel/channels';
import {
  addComment,
  approvalMailReadiness,
  decide,
  getApprovalPolicy,
  getApprovalSettings,
  listApprovalLinks,
  listComments,
  makeApprovalLink,
  readGroupFor,
  reviewCount,
  revokeApprovalLink,
  setApprovalPolicy,
  setApprovalSettings,
  submitForReview,
  type DecisionOutcome,
} from './approvals';
import type { MailerFactory } from '../mail/mailer';

/** What the approval channels need from their host: links' base URL, the mailer, and telling people of a decision. */
export interface ApprovalsHost extends ChannelHostBase {
  readonly publicBaseUrl: string;
  readonly mailerFor: MailerFactory;
  /** A decision was made: the renderers show a toast, the desktop app a notification (issue 13 item 5). */
  approvalDecided(outcome: DecisionOutcome, byClient: boolean): void;
}

/** A client's approval policy, submitting and deciding, comments and approval links (SPEC §13). */
export const approvalChannels = defineChannels<ApprovalsHost>()({
  'approval.getPolicy': {
    handle: (host, req) => ({
      policy: getApprovalPolicy(host.ctx, host.memberPrincipal(req.workspaceId), req.userId),
    }),
  },
  // A new policy changes which waiting posts may go out: the scheduler looks again.
  'approval.setPolicy': {
    changes: ['clients', 'posts'],
    handle: (host, req) => ({
      policy: setApprovalPolicy(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.policy),
    }),
  },
  'approval.getSettings': {
    handle: (host, req) => getApprovalSettings(host.ctx, host.memberPrincipal(req.workspaceId)),
  },
  'approval.setSettings': {
    handle: (host, req) =>
      setApprovalSettings(host.ctx, host.memberPrincipal(req.workspaceId), {
        typoFixKeepsApproval: req.typoFixKeepsApproval,
      }),
  },
  'approval.reviewCount': {
    handle: (host, req) => ({ count: reviewCount(host.ctx, host.memberPrincipal(req.workspaceId)) }),
  },
  'post.submit': {
    changes: ['posts'],
    handle: (host, req) => {
      const p = host.memberPrincipal(req.workspaceId);
      submitForReview(host.ctx, p, req.id, req.comment);
      return readGroupFor(host.ctx, p, req.id);
    },
  },
  'post.decide': {
    changes: ['posts'],
    handle: (host, req) => {
      const p = host.memberPrincipal(req.workspaceId);
      host.approvalDecided(decide(host.ctx, p, req.id, req.decision), false);
      return readGroupFor(host.ctx, p, req.id);
    },
  },
  'post.comments': {
    handle: (host, req) => listComments(host.ctx, host.memberPrincipal(req.workspaceId), req.id),
  },
  'post.addComment': {
    changes: ['posts'],
    handle: (host, req) => addComment(host.ctx, host.memberPrincipal(req.workspaceId), req.id, req.comment),
  },
  'approvalLink.create': {
    handle: (host, req) =>
      makeApprovalLink(
        host.ctx,
        host.memberPrincipal(req.workspaceId),
        req.userId,
        req.link,
        host.publicBaseUrl,
        host.mailerFor,
      ),
  },
  'approvalLink.mailReadiness': {
    handle: (host, req) => approvalMailReadiness(host.ctx, host.memberPrincipal(req.workspaceId), req.userId),
  },
  'approvalLink.list': {
    handle: (host, req) => listApprovalLinks(host.ctx, host.memberPrincipal(req.workspaceId), req.userId),
  },
  'approvalLink.revoke': {
    handle: (host, req) => {
      revokeApprovalLink(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.linkId);
      return { revoked: true as const };
    },
  },
});

/** Work on the client's approval page (outside the contract) and what it changes. */
export const approvalPageOperations = {
  /** The client decided through their approval link. */
  'approvalPage.decided': ['posts'],
} as const;
