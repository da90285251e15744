import type { Profile } from '../../../src-shared/contract';
import { authorize } from '../kernel/access';
import { actorOf } from '../kernel/activity';
import { defineChannels, type ChannelHostBase } from '../kernel/channels';
import { getLogoData, getWorkspace } from '../queries/workspaces';
import { addIntegration, removeIntegration, testIntegration } from './integrations';
import { changePlan, createWorkspace, listPlans, revealWorkspaceApiKey, rotateWorkspaceApiKey } from './workspaces';

/** What the workspace channels need from their host: the person who creates a workspace. */
export interface WorkspacesHost extends ChannelHostBase {
  requireProfile(): Profile;
}

/**
 * Workspaces, their plans, integrations and API key. The app state lists the workspaces with their
 * plans and integrations, so what changes them announces `state`.
 */
export const workspaceChannels = defineChannels<WorkspacesHost>()({
  'workspace.create': {
    changes: ['state'],
    handle: async (host, req) => {
      const profile = host.requireProfile();
      const created = await createWorkspace(host.ctx, req, { kind: 'member', id: profile.id }, profile.id);
      return created.workspace;
    },
  },
  'workspace.get': {
    handle: (host, req) => {
      authorize(host.memberPrincipal(req.workspaceId), 'workspace.read');
      return getWorkspace(host.ctx.db, req.workspaceId);
    },
  },
  'workspace.getLogo': {
    handle: (host, req) => {
      authorize(host.memberPrincipal(req.workspaceId), 'workspace.read');
      const logo = getLogoData(host.ctx.db, req.workspaceId, req.kind);
      return logo ? { mimeType: logo.mimeType, dataBase64: logo.data.toString('base64') } : null;
    },
  },
  'workspace.revealApiKey': {
    handle: async (host, req) => {
      authorize(host.memberPrincipal(req.workspaceId), 'apiKey.workspace');
      return { apiKey: await revealWorkspaceApiKey(host.ctx, req.workspaceId) };
    },
  },
  'workspace.rotateApiKey': {
    handle: async (host, req) => {
      const p = host.memberPrincipal(req.workspaceId);
      authorize(p, 'apiKey.workspace');
      return { apiKey: await rotateWorkspaceApiKey(host.ctx, req.workspaceId, actorOf(p)) };
    },
  },
  'integration.add': {
    changes: ['state'],
    handle: (host, req) => addIntegration(host.ctx, host.memberPrincipal(req.workspaceId), req.integration),
  },
  'integration.remove': {
    changes: ['state'],
    handle: async (host, req) => {
      await removeIntegration(host.ctx, host.memberPrincipal(req.workspaceId), req.integrationId);
      return { removed: true as const };
    },
  },
  'integration.test': {
    handle: (host, req) => testIntegration(host.ctx, host.memberPrincipal(req.workspaceId), req.integrationId),
  },
  'plan.list': { handle: (host) => listPlans(host.ctx.db) },
  'plan.change': {
    changes: ['state'],
    handle: (host, req) => changePlan(host.ctx, host.memberPrincipal(req.workspaceId), req.planId),
  },
});
