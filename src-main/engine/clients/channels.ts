import { defineChannels } from '../kernel/channels';
import {
  createClient,
  deleteClient,
  getClient,
  issueClientApiKey,
  listClients,
  revealClientApiKey,
  setClientActive,
  updateClient,
} from './clients';

/**
 * Clients (managed users). Deactivating pauses a client's posts, reactivating resumes them and
 * deleting cancels them, so those change posts too; a new client key shows on the client's page.
 */
export const clientChannels = defineChannels()({
  'client.list': { handle: (host, req) => listClients(host.ctx, host.memberPrincipal(req.workspaceId), req) },
  'client.create': {
    changes: ['clients'],
    handle: (host, req) => createClient(host.ctx, host.memberPrincipal(req.workspaceId), req.client),
  },
  'client.get': { handle: (host, req) => getClient(host.ctx, host.memberPrincipal(req.workspaceId), req.userId) },
  // A new time zone or daily limit changes how the client's posts are counted and shown.
  'client.update': {
    changes: ['clients', 'posts'],
    handle: (host, req) => updateClient(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.patch),
  },
  'client.setActive': {
    changes: ['clients', 'posts'],
    handle: (host, req) => setClientActive(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, req.active),
  },
  'client.delete': {
    changes: ['clients', 'posts'],
    handle: async (host, req) => {
      await deleteClient(host.ctx, host.memberPrincipal(req.workspaceId), req.userId);
      return { deleted: true as const };
    },
  },
  'client.issueApiKey': {
    changes: ['clients'],
    handle: async (host, req) => {
      const { apiKey } = await issueClientApiKey(host.ctx, host.memberPrincipal(req.workspaceId), req.userId);
      return { apiKey };
    },
  },
  'client.revealApiKey': {
    handle: async (host, req) => ({
      apiKey: await revealClientApiKey(host.ctx, host.memberPrincipal(req.workspaceId), req.userId),
    }),
  },
});
