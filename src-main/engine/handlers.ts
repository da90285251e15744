import type { Channel, ParsedRequestOf, ResponseOf } from '../../src-shared/contract';
import { authorize } from './kernel/access';
import { activityCsv, listActivity, actorOf } from './kernel/activity';
import {
  createClient,
  deleteClient,
  getClient,
  issueClientApiKey,
  listClients,
  revealClientApiKey,
  setClientActive,
  updateClient,
} from './clients/clients';
import {
  appPasswordTarget,
  connectWithAppPassword,
  listConnectionLinks,
  listConnections,
  removeConnection,
  revokeConnectionLink,
} from './connections/connections';
import {
  connectionCredentials,
  listCredentialModes,
  listPostAsPages,
  reauthenticationFor,
  setCredentialMode,
  setPostAs,
} from './connections/credentials';
import type { Engine } from './engine';
import { AppError } from './kernel/errors';
import { addIntegration, removeIntegration, testIntegration } from './workspaces/integrations';
import {
  cancelPostGroup,
  createPostGroup,
  dailyLimitOf,
  dailyPostsLeft,
  getPostGroup,
  getQueueSlots,
  listPostGroups,
  localDay,
  setQueueSlots,
  updatePostGroup,
} from './posts/posts';
import {
  forceLogout,
  inviteMember,
  listInvitations,
  listMembers,
  revokeInvitation,
  setMemberActive,
  setSmtp,
  updateMember,
} from './team/team';
import { changePlan, createWorkspace, listPlans } from './workspaces/workspaces';
import { createConnectionLink } from './queries/connection-links';
import { getLogoData, getWorkspace } from './queries/workspaces';

type Handler<C extends Channel> = (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
export type HandlerMap = { [C in Channel]: Handler<C> };

/**
 * The one typed handler map behind the contract. Each handler turns the signed-in person into a
 * principal for the workspace named in the request; the domain function authorizes it.
 */
export function buildHandlers(engine: Engine): HandlerMap {
  const ctx = engine.ctx;
  const as = (workspaceId: string) => engine.memberPrincipal(workspaceId);

  return {
    // ---- app and sessions ----
    'app.getState': () => engine.state(),
    'app.setup': (req) => engine.setup(req),
    // The database opened soundly: there is nothing to restore (the recovery host answers this otherwise).
    'app.restoreLatestBackup': () => {
      throw new AppError('conflict', 'the database is not damaged; restore a backup from Settings instead');
    },
    'session.signIn': (req) => engine.signIn(req.profileId, req.password),
    'session.signOut': () => engine.signOut(),
    'session.acceptInvitation': (req) => engine.acceptInvitation(req),

    // ---- workspaces and plans ----
    'workspace.create': async (req) => {
      const profile = engine.requireProfile();
      const { workspace } = await createWorkspace(ctx, req, { kind: 'member', id: profile.id }, profile.id);
      engine.emitState();
      return workspace;
    },
    'workspace.select': (req) => engine.selectWorkspace(req.workspaceId),
    'workspace.get': (req) => {
      authorize(as(req.workspaceId), 'workspace.read');
      return getWorkspace(ctx.db, req.workspaceId);
    },
    'workspace.getLogo': (req) => {
      authorize(as(req.workspaceId), 'workspace.read');
      const logo = getLogoData(ctx.db, req.workspaceId, req.kind);
      return logo ? { mimeType: logo.mimeType, dataBase64: logo.data.toString('base64') } : null;
    },
    'workspace.revealApiKey': async (req) => {
      authorize(as(req.workspaceId), 'apiKey.workspace');
      return { apiKey: await engine.revealWorkspaceApiKey(req.workspaceId) };
    },
    'integration.add': async (req) => {
      const integration = await addIntegration(ctx, as(req.workspaceId), req.integration);
      engine.emitState();
      return integration;
    },
    'integration.remove': async (req) => {
      await removeIntegration(ctx, as(req.workspaceId), req.integrationId);
      engine.emitState();
      return { removed: true as const };
    },
    'integration.test': (req) => testIntegration(ctx, as(req.workspaceId), req.integrationId),
    'workspace.rotateApiKey': async (req) => {
      const p = as(req.workspaceId);
      authorize(p, 'apiKey.workspace');
      return { apiKey: await engine.rotateWorkspaceApiKey(req.workspaceId, actorOf(p)) };
    },
    'app.apiInfo': () => ({ baseUrl: engine.publicBaseUrl, openApiUrl: `${engine.publicBaseUrl}/api/v1/openapi.json` }),
    'plan.list': () => listPlans(ctx.db),
    'plan.change': (req) => {
      const workspace = changePlan(ctx, as(req.workspaceId), req.planId);
      engine.emitState();
      return workspace;
    },

    // ---- activity ----
    'activity.list': (req) => {
      authorize(as(req.workspaceId), 'activity.read');
      return listActivity(ctx.db, req.workspaceId, req.limit, req.filter);
    },
    'activity.exportCsv': (req) => {
      authorize(as(req.workspaceId), 'activity.read');
      const entries = listActivity(ctx.db, req.workspaceId, 1_000_000, req.filter);
      return {
        fileName: `postroom-activity-${ctx.clock.now().toISOString().slice(0, 10)}.csv`,
        csv: activityCsv(entries),
      };
    },

    // ---- clients ----
    'client.list': (req) => listClients(ctx, as(req.workspaceId), req),
    'client.create': (req) => {
      const user = createClient(ctx, as(req.workspaceId), req.client);
      engine.clientsChanged(req.workspaceId);
      return user;
    },
    'client.get': (req) => getClient(ctx, as(req.workspaceId), req.userId),
    'client.update': (req) => {
      const user = updateClient(ctx, as(req.workspaceId), req.userId, req.patch);
      engine.clientsChanged(req.workspaceId);
      return user;
    },
    'client.setActive': (req) => {
      const user = setClientActive(ctx, as(req.workspaceId), req.userId, req.active);
      engine.clientsChanged(req.workspaceId);
      engine.postsChanged(req.workspaceId);
      return user;
    },
    'client.delete': async (req) => {
      await deleteClient(ctx, as(req.workspaceId), req.userId);
      engine.clientsChanged(req.workspaceId);
      engine.postsChanged(req.workspaceId);
      return { deleted: true as const };
    },
    'client.issueApiKey': async (req) => {
      const { apiKey } = await issueClientApiKey(ctx, as(req.workspaceId), req.userId);
      return { apiKey };
    },
    'client.revealApiKey': async (req) => ({ apiKey: await revealClientApiKey(ctx, as(req.workspaceId), req.userId) }),

    // ---- connections ----
    'connection.list': (req) => listConnections(ctx, as(req.workspaceId), req.userId),
    'connection.remove': async (req) => {
      await removeConnection(ctx, as(req.workspaceId), req.userId, req.platformId);
      engine.emit('connections.changed', { workspaceId: req.workspaceId });
      return { removed: true as const };
    },
    'connection.listLinks': (req) => listConnectionLinks(ctx, as(req.workspaceId), req.userId),
    'connection.addWithAppPassword': async (req) => {
      const connected = await connectWithAppPassword(
        ctx,
        appPasswordTarget(ctx, as(req.workspaceId), req.userId),
        req.identifier,
        req.appPassword,
      );
      engine.emit('connections.changed', { workspaceId: req.workspaceId });
      return { platformId: connected.platformId, displayName: connected.displayName };
    },
    'connection.credentials': (req) => connectionCredentials(ctx, as(req.workspaceId), req.userId, req.platformId),
    'connection.credentialModes': (req) => listCredentialModes(ctx, as(req.workspaceId)),
    'connection.setCredentialMode': (req) => {
      setCredentialMode(ctx, as(req.workspaceId), req.memberId, req.userId, req.platformId, req.mode);
      return { mode: req.mode };
    },
    'connection.setPostAs': (req) => {
      setPostAs(ctx, as(req.workspaceId), req.userId, req.platformId, req.postAs);
      engine.emit('connections.changed', { workspaceId: req.workspaceId });
      return { postAs: req.postAs };
    },
    'connection.pages': (req) => listPostAsPages(ctx, as(req.workspaceId), req.userId, req.platformId),
    'connection.reauthenticate': async (req) => {
      const flow = reauthenticationFor(ctx, as(req.workspaceId), req.userId, req.platformId);
      const redirectUri = await engine.callbackUriFor(flow.workspaceId, flow.platform);
      return { authorizationUrl: await engine.oauthFlows.startReauthentication({ ...flow, redirectUri }) };
    },
    'connection.createLink': (req) => {
      const link = createConnectionLink(ctx, as(req.workspaceId), req.userId, engine.publicBaseUrl);
      engine.emit('connections.changed', { workspaceId: req.workspaceId });
      return link;
    },
    'connection.revokeLink': (req) => {
      revokeConnectionLink(ctx, as(req.workspaceId), req.userId, req.linkId);
      engine.emit('connections.changed', { workspaceId: req.workspaceId });
      return { revoked: true as const };
    },

    // ---- posts ----
    'post.create': async (req) => {
      const group = await createPostGroup(ctx, as(req.workspaceId), req.userId, req.post, engine.publicBaseUrl);
      engine.postsChanged(req.workspaceId);
      return group;
    },
    'post.list': (req) => listPostGroups(ctx, as(req.workspaceId), req.userId ?? null, req.query),
    'post.get': (req) => getPostGroup(ctx, as(req.workspaceId), req.id),
    'post.update': (req) => {
      const group = updatePostGroup(ctx, as(req.workspaceId), req.id, req.patch);
      engine.postsChanged(req.workspaceId);
      return group;
    },
    'post.cancel': (req) => {
      const group = cancelPostGroup(ctx, as(req.workspaceId), req.id);
      engine.postsChanged(req.workspaceId);
      return group;
    },
    'post.dailyUsage': (req) => {
      const p = as(req.workspaceId);
      authorize(p, 'post.read', { managedUserId: req.userId });
      const client = getClient(ctx, p, req.userId);
      const day = req.day ?? localDay(ctx.clock.now(), client.timezone);
      return {
        day,
        limit: dailyLimitOf(ctx.db, req.workspaceId, req.userId),
        dailyPostsLeft: dailyPostsLeft(ctx, req.workspaceId, req.userId, day),
      };
    },
    'queue.getSlots': (req) => {
      const p = as(req.workspaceId);
      authorize(p, 'post.read', { managedUserId: req.userId });
      // The client must be this workspace's (issue 9 item 4): a manager's scope is "all" of theirs.
      getClient(ctx, p, req.userId);
      return getQueueSlots(ctx.db, req.userId);
    },
    'queue.setSlots': (req) => setQueueSlots(ctx, as(req.workspaceId), req.userId, req.slots),

    // ---- team ----
    'team.list': (req) => {
      const p = as(req.workspaceId);
      return { members: listMembers(ctx, p), invitations: listInvitations(ctx, p) };
    },
    'team.invite': async (req) => {
      const p = as(req.workspaceId);
      const inviter = engine.requireProfile();
      const outcome = await inviteMember(
        ctx,
        p,
        req.invite,
        engine.mailerFor,
        (code) => invitationUrl(engine, code),
        inviter.name,
      );
      return { ...outcome, acceptUrl: invitationUrl(engine, outcome.code) };
    },
    'team.revokeInvitation': (req) => revokeInvitation(ctx, as(req.workspaceId), req.invitationId),
    'team.updateMember': (req) => updateMember(ctx, as(req.workspaceId), req.memberId, req.patch),
    'team.setMemberActive': (req) => {
      const member = setMemberActive(ctx, as(req.workspaceId), req.memberId, req.active);
      if (!req.active) engine.afterSessionsEnded(req.memberId);
      return member;
    },
    'team.forceLogout': (req) => {
      const ended = forceLogout(ctx, as(req.workspaceId), req.memberId);
      engine.afterSessionsEnded(req.memberId);
      return { ended };
    },
    'team.setSmtp': async (req) => {
      await setSmtp(ctx, as(req.workspaceId), req.smtp);
      return { configured: req.smtp !== null };
    },
  };
}

/** The link in an invitation: a page of the loopback server that shows the code to paste in the app. */
export function invitationUrl(engine: Engine, code: string): string {
  return `${engine.publicBaseUrl}/invitations/${encodeURIComponent(code)}`;
}
