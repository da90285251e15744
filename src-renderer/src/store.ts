import { create } from 'zustand';
import type {
  ActivityEntry,
  ActivityFilter,
  AppState,
  Channel,
  CreateWorkspaceInput,
  RequestOf,
  ResponseOf,
  Result,
  SetupInput,
  Workspace,
} from '../../src-shared/contract';
import { connect, type Connection } from './bridge';
import type { ConnectionStatus } from './wsBridge';

export type View =
  | 'overview'
  | 'clients'
  | 'client'
  | 'queue'
  | 'drafts'
  | 'calendar'
  | 'post'
  | 'team'
  | 'plan'
  | 'activity'
  | 'api'
  | 'settings';

/** What the composer opens with: a client chosen beforehand, or a post to edit. */
export interface ComposerRequest {
  clientId?: string;
  postId?: string;
}

/** A delivery that failed or needs a person (the `delivery.problem` event), shown as a toast. */
export interface Toast {
  id: string;
  workspaceId: string;
  postGroupId: string;
  message: string;
}
export type LogoKind = 'square' | 'image';

export const logoKey = (workspaceId: string, kind: LogoKind, sha256: string) => `${workspaceId}:${kind}:${sha256}`;

interface PostroomStore {
  /** Set when the page cannot reach the app at all (no bridge, no token). */
  fatal: string | null;
  connection: ConnectionStatus;
  app: AppState | null;
  /** The current workspace in full, or null when none is selected or it is loading. */
  workspace: Workspace | null;
  /** Bumped on every state refresh, so views showing derived data (activity) reload. */
  stateVersion: number;
  /** Logo data URLs by `logoKey`; null means the workspace has no such logo. */
  logos: Record<string, string | null>;
  view: View;
  /** The client the client page shows (view 'client'). */
  clientId: string | null;
  /** Bumped when the current workspace's clients change (the `clients.changed` event). */
  clientsVersion: number;
  /** Bumped on `posts.changed` and `connections.changed` for the current workspace. */
  postsVersion: number;
  connectionsVersion: number;
  /** The post the post page shows (view 'post'), and where its Back button goes. */
  postId: string | null;
  returnView: View;
  /** The composer, when open. */
  composer: ComposerRequest | null;
  /** Whether the platforms can be reached, as the scheduler last found (`network.status`). */
  online: boolean;
  toasts: Toast[];
  /** Views that show a delivery being published right now, by view name. */
  publishing: Record<string, boolean>;

  init(): void;
  refresh(): Promise<void>;
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  setup(input: SetupInput): Promise<Result<AppState>>;
  createWorkspace(input: CreateWorkspaceInput): Promise<Result<Workspace>>;
  selectWorkspace(workspaceId: string): Promise<Result<AppState>>;
  loadLogo(workspaceId: string, kind: LogoKind, sha256: string): Promise<void>;
  listActivity(workspaceId: string, limit?: number, filter?: ActivityFilter): Promise<Result<ActivityEntry[]>>;
  signIn(profileId: string, password?: string): Promise<Result<AppState>>;
  signOut(): Promise<Result<AppState>>;
  acceptInvitation(input: RequestOf<'session.acceptInvitation'>): Promise<Result<AppState>>;
  setView(view: View): void;
  openClient(clientId: string): void;
  openPost(postId: string, workspaceId?: string): Promise<void>;
  openComposer(request?: ComposerRequest): void;
  closeComposer(): void;
  dismissToast(id: string): void;
  setPublishing(source: string, publishing: boolean): void;
}

let toastCount = 0;

let conn: Connection | null = null;
let workspaceLoad = 0;
const logoLoads = new Set<string>();

export const useStore = create<PostroomStore>()((set, get) => {
  const applyState = async (app: AppState) => {
    const before = get().app;
    set((s) => ({ app, stateVersion: s.stateVersion + 1 }));
    // Another person signed in (or nobody is): start them on the overview. Another workspace:
    // a client page of the old one makes no sense there.
    if (before?.profile?.id !== app.profile?.id)
      set({ view: 'overview', clientId: null, postId: null, composer: null, toasts: [] });
    else if (before?.currentWorkspaceId !== app.currentWorkspaceId) {
      set({ composer: null, publishing: {} });
      if (get().view === 'client') set({ view: 'clients', clientId: null });
      if (get().view === 'post') set({ view: 'queue', postId: null });
    }
    const id = app.currentWorkspaceId;
    const ticket = ++workspaceLoad;
    if (!id) {
      set({ workspace: null });
      return;
    }
    if (get().workspace?.id !== id) set({ workspace: null });
    const res = await get().call('workspace.get', { workspaceId: id });
    if (ticket !== workspaceLoad) return;
    if (res.ok) set({ workspace: res.data });
  };

  return {
    fatal: null,
    connection: 'connecting',
    app: null,
    workspace: null,
    stateVersion: 0,
    logos: {},
    view: 'overview',
    clientId: null,
    clientsVersion: 0,
    postsVersion: 0,
    connectionsVersion: 0,
    postId: null,
    returnView: 'queue',
    composer: null,
    online: true,
    toasts: [],
    publishing: {},

    init() {
      if (conn || get().fatal) return;
      try {
        conn = connect();
      } catch (err) {
        set({ fatal: err instanceof Error ? err.message : String(err) });
        return;
      }
      conn.bridge.on('state.changed', (app) => void applyState(app));
      conn.bridge.on('clients.changed', ({ workspaceId }) => {
        if (workspaceId === get().app?.currentWorkspaceId) set((s) => ({ clientsVersion: s.clientsVersion + 1 }));
      });
      conn.bridge.on('posts.changed', ({ workspaceId }) => {
        if (workspaceId === get().app?.currentWorkspaceId) set((s) => ({ postsVersion: s.postsVersion + 1 }));
      });
      conn.bridge.on('connections.changed', ({ workspaceId }) => {
        if (workspaceId === get().app?.currentWorkspaceId)
          set((s) => ({ connectionsVersion: s.connectionsVersion + 1 }));
      });
      conn.bridge.on('network.status', ({ online }) => set({ online }));
      conn.bridge.on('delivery.problem', (problem) => {
        const what = problem.state === 'failed' ? 'failed' : 'needs attention';
        const toast: Toast = {
          id: `toast-${++toastCount}`,
          workspaceId: problem.workspaceId,
          postGroupId: problem.postGroupId,
          message: `Post to ${problem.platformId} ${what}: ${problem.error}`,
        };
        // The newest few stay; older ones are still in the post's own page.
        set((s) => ({ toasts: [...s.toasts, toast].slice(-5) }));
      });
      conn.onStatus((status) => {
        set({ connection: status });
        if (status === 'unauthorized')
          set({
            fatal: 'This page’s link is no longer valid. Open the link that "postroom serve" printed when it started.',
          });
        if (status === 'open') void get().refresh();
      });
      set({ connection: conn.status() });
      if (conn.status() === 'open') void get().refresh();
    },

    async refresh() {
      const res = await get().call('app.getState', {});
      if (res.ok) await applyState(res.data);
    },

    async call(channel, request) {
      if (!conn) return { ok: false, error: { code: 'internal', message: 'not connected to the app' } };
      try {
        return await conn.bridge.invoke(channel, request);
      } catch (err) {
        // The contract says calls never reject; guard anyway so the UI never crashes.
        return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
      }
    },

    async setup(input) {
      const res = await get().call('app.setup', input);
      // applyState starts a new profile on the overview; the state.changed push may have done
      // so already, and a place chosen since then must not be taken back.
      if (res.ok) await applyState(res.data);
      return res;
    },

    async createWorkspace(input) {
      const res = await get().call('workspace.create', input);
      if (!res.ok) return res;
      const sel = await get().selectWorkspace(res.data.id);
      if (!sel.ok) return sel;
      return res;
    },

    async selectWorkspace(workspaceId) {
      const res = await get().call('workspace.select', { workspaceId });
      if (res.ok) await applyState(res.data);
      return res;
    },

    async loadLogo(workspaceId, kind, sha256) {
      const key = logoKey(workspaceId, kind, sha256);
      if (key in get().logos || logoLoads.has(key)) return;
      logoLoads.add(key);
      try {
        const res = await get().call('workspace.getLogo', { workspaceId, kind });
        if (!res.ok) return;
        const url = res.data ? `data:${res.data.mimeType};base64,${res.data.dataBase64}` : null;
        set((s) => ({ logos: { ...s.logos, [key]: url } }));
      } finally {
        logoLoads.delete(key);
      }
    },

    listActivity(workspaceId, limit = 50, filter = {}) {
      return get().call('activity.list', { workspaceId, limit, filter });
    },

    async signIn(profileId, password) {
      const res = await get().call('session.signIn', { profileId, ...(password !== undefined ? { password } : {}) });
      if (res.ok) await applyState(res.data);
      return res;
    },

    async signOut() {
      const res = await get().call('session.signOut', {});
      if (res.ok) await applyState(res.data);
      return res;
    },

    async acceptInvitation(input) {
      const res = await get().call('session.acceptInvitation', input);
      if (res.ok) await applyState(res.data);
      return res;
    },

    setView(view) {
      set({ view });
    },

    openClient(clientId) {
      set({ view: 'client', clientId });
    },

    async openPost(postId, workspaceId) {
      if (workspaceId && workspaceId !== get().app?.currentWorkspaceId) {
        const res = await get().selectWorkspace(workspaceId);
        if (!res.ok) return;
      }
      const from = get().view;
      set({ view: 'post', postId, returnView: from === 'post' ? get().returnView : from });
    },

    openComposer(request = {}) {
      set({ composer: request });
    },

    closeComposer() {
      set({ composer: null });
    },

    dismissToast(id) {
      set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
    },

    setPublishing(source, publishing) {
      if (Boolean(get().publishing[source]) === publishing) return;
      set((s) => ({ publishing: { ...s.publishing, [source]: publishing } }));
    },
  };
});
