import type { AppState, ParsedRequestOf } from '../../../src-shared/contract';
import { defineChannels, type ChannelHostBase } from '../kernel/channels';
import { AppError } from '../kernel/errors';

/** What the app and session channels need from their host: who is signed in on this desk. */
export interface SessionsHost extends ChannelHostBase {
  readonly publicBaseUrl: string;
  state(): AppState;
  setup(input: ParsedRequestOf<'app.setup'>): Promise<AppState>;
  signIn(profileId: string, password: string | undefined): Promise<AppState>;
  signOut(): AppState;
  acceptInvitation(input: ParsedRequestOf<'session.acceptInvitation'>): Promise<AppState>;
  selectWorkspace(workspaceId: string): Promise<AppState>;
}

const deskOnly = (channel: string) => (): never => {
  throw new AppError('forbidden', `${channel} is answered by the desk's main process, not by an engine.`);
};

/** The app's state and the signed-in person: every change here is a new app state for the renderers. */
export const sessionChannels = defineChannels<SessionsHost>()({
  'app.getState': { handle: (host) => host.state() },
  'app.setup': { changes: ['state'], handle: (host, req) => host.setup(req) },
  // The database opened soundly: there is nothing to restore (the recovery host answers this otherwise).
  'app.restoreLatestBackup': {
    handle: () => {
      throw new AppError('conflict', 'the database is not damaged; restore a backup from Settings instead');
    },
  },
  'app.apiInfo': {
    handle: (host) => ({ baseUrl: host.publicBaseUrl, openApiUrl: `${host.publicBaseUrl}/api/v1/openapi.json` }),
  },
  'session.signIn': { changes: ['state'], handle: (host, req) => host.signIn(req.profileId, req.password) },
  'session.signOut': { changes: ['state'], handle: (host) => host.signOut() },
  'session.acceptInvitation': { changes: ['state'], handle: (host, req) => host.acceptInvitation(req) },
  // Joining a team host is the desk's own business (src-main/desk/desk-app.ts answers it): an
  // engine, on a desk or on a host, never does.
  'desk.join': { handle: deskOnly('desk.join') },
  'desk.signIn': { handle: deskOnly('desk.signIn') },
  'desk.refusedChanges': { handle: deskOnly('desk.refusedChanges') },
  'desk.sendAgain': { handle: deskOnly('desk.sendAgain') },
  'desk.discardRefused': { handle: deskOnly('desk.discardRefused') },
  'workspace.select': { changes: ['state'], handle: (host, req) => host.selectWorkspace(req.workspaceId) },
});
