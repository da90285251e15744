import type { Platform } from '../../../src-shared/contract';
import type { Change } from '../kernel/channels';
import { defineChannels, type ChannelHostBase } from '../kernel/channels';
import { createConnectionLink } from '../queries/connection-links';
import {
  appPasswordTarget,
  connectWithAppPassword,
  listConnectionLinks,
  listConnections,
  removeConnection,
  revokeConnectionLink,
  type OAuthFlows,
} from './connections';
import {
  connectionCredentials,
  listCredentialModes,
  listPostAsPages,
  reauthenticationFor,
  setCredentialMode,
  setPostAs,
} from './credentials';

/** What the connection channels need from their host: links to hand out and the OAuth flows in progress. */
export interface ConnectionsHost extends ChannelHostBase {
  readonly publicBaseUrl: string;
  readonly oauthFlows: OAuthFlows;
  callbackUriFor(workspaceId: string, platform: Platform): Promise<string>;
}

/**
 * A client's social accounts, their links and credentials. Anything a client page shows about a
 * connection (the account, its links, who it posts as) announces `connections`; the token keeper
 * also re-plans on it.
 */
export const connectionChannels = defineChannels<ConnectionsHost>()({
  'connection.list': {
    handle: (host, req) => listConnections(host.ctx, host.memberPrincipal(req.workspaceId), req.userId),
  },
  'connection.remove': {
    changes: ['connections'],
    handle: async (host, req) => {
      await removeConnection(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.platformId);
      return { removed: true as const };
    },
  },
  'connection.listLinks': {
    handle: (host, req) => listConnectionLinks(host.ctx, host.memberPrincipal(req.workspaceId), req.userId),
  },
  'connection.addWithAppPassword': {
    changes: ['connections'],
    handle: async (host, req) => {
      const target = appPasswordTarget(host.ctx, host.memberPrincipal(req.workspaceId), req.userId);
      const connected = await connectWithAppPassword(host.ctx, target, req.identifier, req.appPassword);
      return { platformId: connected.platformId, displayName: connected.displayName };
    },
  },
  'connection.credentials': {
    handle: (host, req) =>
      connectionCredentials(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.platformId),
  },
  'connection.credentialModes': {
    handle: (host, req) => listCredentialModes(host.ctx, host.memberPrincipal(req.workspaceId)),
  },
  'connection.setCredentialMode': {
    handle: (host, req) => {
      const p = host.memberPrincipal(req.workspaceId);
      setCredentialMode(host.ctx, p, req.memberId, req.userId, req.platformId, req.mode);
      return { mode: req.mode };
    },
  },
  'connection.setPostAs': {
    changes: ['connections'],
    handle: (host, req) => {
      setPostAs(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.platformId, req.postAs);
      return { postAs: req.postAs };
    },
  },
  'connection.pages': {
    handle: (host, req) => listPostAsPages(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.platformId),
  },
  'connection.reauthenticate': {
    handle: async (host, req) => {
      const flow = reauthenticationFor(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.platformId);
      const redirectUri = await host.callbackUriFor(flow.workspaceId, flow.platform);
      return { authorizationUrl: await host.oauthFlows.startReauthentication({ ...flow, redirectUri }) };
    },
  },
  'connection.createLink': {
    changes: ['connections'],
    handle: (host, req) =>
      createConnectionLink(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, host.publicBaseUrl),
  },
  'connection.revokeLink': {
    changes: ['connections'],
    handle: (host, req) => {
      revokeConnectionLink(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.linkId);
      return { revoked: true as const };
    },
  },
});

/**
 * Work the loopback server's connection pages do outside the contract (a client through a
 * connection link), with the changes it causes, announced by the engine like a channel's.
 */
export const connectionPageOperations = {
  /** An OAuth callback connected an account or renewed a connection's sign-in. */
  'connectPage.signedIn': ['connections'],
  /** A client connected Bluesky with an app password from the link's form. */
  'connectPage.appPassword': ['connections'],
} as const satisfies Record<string, readonly Change[]>;
