import type { Profile } from '../../../src-shared/contract';
import { defineChannels, type ChannelHostBase } from '../kernel/channels';
import {
  forceLogout,
  invitationUrl,
  inviteMember,
  listInvitations,
  listMembers,
  readSmtp,
  revokeInvitation,
  setMemberActive,
  setSmtp,
  updateMember,
  type MailerFactory,
} from './team';

/** What the team channels need from their host: the inviter, the mailer, and where invitation links point. */
export interface TeamHost extends ChannelHostBase {
  readonly publicBaseUrl: string;
  readonly mailerFor: MailerFactory;
  requireProfile(): Profile;
}

/**
 * Members, invitations and sessions. Ending a member's sessions (deactivation, force logout)
 * announces `sessions`: if the person signed in on this desk was that member, the app returns to
 * the profile chooser.
 */
export const teamChannels = defineChannels<TeamHost>()({
  'team.list': {
    handle: (host, req) => {
      const p = host.memberPrincipal(req.workspaceId);
      return { members: listMembers(host.ctx, p), invitations: listInvitations(host.ctx, p) };
    },
  },
  'team.invite': {
    handle: async (host, req) => {
      const p = host.memberPrincipal(req.workspaceId);
      const inviter = host.requireProfile();
      const urlOf = (code: string) => invitationUrl(host.publicBaseUrl, code);
      const outcome = await inviteMember(host.ctx, p, req.invite, host.mailerFor, urlOf, inviter.name);
      return { ...outcome, acceptUrl: urlOf(outcome.code) };
    },
  },
  'team.revokeInvitation': {
    handle: (host, req) => revokeInvitation(host.ctx, host.memberPrincipal(req.workspaceId), req.invitationId),
  },
  'team.updateMember': {
    handle: (host, req) => updateMember(host.ctx, host.memberPrincipal(req.workspaceId), req.memberId, req.patch),
  },
  'team.setMemberActive': {
    changes: ['sessions'],
    handle: (host, req) => setMemberActive(host.ctx, host.memberPrincipal(req.workspaceId), req.memberId, req.active),
  },
  'team.forceLogout': {
    changes: ['sessions'],
    handle: (host, req) => ({ ended: forceLogout(host.ctx, host.memberPrincipal(req.workspaceId), req.memberId) }),
  },
  'team.getSmtp': {
    handle: (host, req) => ({ smtp: readSmtp(host.ctx, host.memberPrincipal(req.workspaceId)) }),
  },
  'team.setSmtp': {
    handle: async (host, req) => {
      await setSmtp(host.ctx, host.memberPrincipal(req.workspaceId), req.smtp);
      return { configured: req.smtp !== null };
    },
  },
});
