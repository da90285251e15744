import { create } from 'zustand';
import type {
  ActivityEntry,
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

export type View = 'overview' | 'settings';
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

  init(): void;
  refresh(): Promise<void>;
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  setup(input: SetupInput): Promise<Result<AppState>>;
  createWorkspace(input: CreateWorkspaceInput): Promise<Result<Workspace>>;
  selectWorkspace(workspaceId: string): Promise<Result<AppState>>;
  loadLogo(workspaceId: string, kind: LogoKind, sha256: string): Promise<void>;
  listActivity(workspaceId: string, limit?: number): Promise<Result<ActivityEntry[]>>;
  setView(view: View): void;
}

let conn: Connection | null = null;
let workspaceLoad = 0;
const logoLoads = new Set<string>();

export const useStore = create<PostroomStore>()((set, get) => {
  const applyState = async (app: AppState) => {
    set((s) => ({ app, stateVersion: s.stateVersion + 1 }));
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

    init() {
      if (conn || get().fatal) return;
      try {
        conn = connect();
      } catch (err) {
        set({ fatal: err instanceof Error ? err.message : String(err) });
        return;
      }
      conn.bridge.on('state.changed', (app) => void applyState(app));
      conn.onStatus((status) => {
        set({ connection: status });
        if (status === 'unauthorized')
          set({ fatal: 'This page’s link is no longer valid. Open the link that "postroom serve" printed when it started.' });
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
      if (res.ok) {
        set({ view: 'overview' });
        await applyState(res.data);
      }
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

    listActivity(workspaceId, limit = 50) {
      return get().call('activity.list', { workspaceId, limit });
    },

    setView(view) {
      set({ view });
    },
  };
});
