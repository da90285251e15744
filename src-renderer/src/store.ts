import { create } from 'zustand';
import type { AppState, EventPayload } from '../../src-shared/contract';
import { selectWorkspace } from './data/session';
import type { ConnectionStatus } from './wsBridge';

/*
 * UI state only: where the person is, what is open, what the app says to them. Data from the
 * main process lives in the query layer (./data).
 */

export type View =
  | 'overview'
  | 'clients'
  | 'client'
  | 'queue'
  | 'drafts'
  | 'calendar'
  | 'review'
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
export type Toast =
  | (EventPayload<'delivery.problem'> & { kind: 'problem'; id: string })
  /** A client decided on a post through their approval link (issue 13 item 5). */
  | (EventPayload<'approval.decided'> & { kind: 'decision'; id: string });

interface UiStore {
  /** Set when the page cannot reach the app at all (no bridge, no token). */
  fatal: string | null;
  connection: ConnectionStatus;
  view: View;
  /** The client the client page shows (view 'client'). */
  clientId: string | null;
  /** The post the post page shows (view 'post'), and where its Back button goes. */
  postId: string | null;
  returnView: View;
  /** The composer, when open. */
  composer: ComposerRequest | null;
  /** Whether the platforms can be reached, as the scheduler last found (`network.status`). */
  online: boolean;
  /** The OS keychain is locked: publishing waits until it is unlocked (`keychain.status`). */
  keychainLocked: boolean;
  /** The disk holding the data folder is full (`disk.status`): changes cannot be saved. */
  diskFull: boolean;
  toasts: Toast[];
  /** Views that show a delivery being published right now, by view name. */
  publishing: Record<string, boolean>;

  /** The app state changed from `before` to `after`: views that no longer fit close. */
  followState(before: AppState | undefined, after: AppState): void;
  setView(view: View): void;
  openClient(clientId: string): void;
  openPost(postId: string, workspaceId?: string): Promise<void>;
  openComposer(request?: ComposerRequest): void;
  closeComposer(): void;
  addProblem(problem: EventPayload<'delivery.problem'>): void;
  addDecision(decision: EventPayload<'approval.decided'>): void;
  dismissToast(id: string): void;
  setPublishing(source: string, publishing: boolean): void;
}

let toastCount = 0;

export const useStore = create<UiStore>()((set, get) => ({
  fatal: null,
  connection: 'connecting',
  view: 'overview',
  clientId: null,
  postId: null,
  returnView: 'queue',
  composer: null,
  online: true,
  keychainLocked: false,
  diskFull: false,
  toasts: [],
  publishing: {},

  followState(before, after) {
    // Another person signed in (or nobody is): start them on the overview. Another workspace:
    // a client page of the old one makes no sense there.
    if (before?.profile?.id !== after.profile?.id)
      set({ view: 'overview', clientId: null, postId: null, composer: null, toasts: [] });
    else if (before?.currentWorkspaceId !== after.currentWorkspaceId) {
      set({ composer: null, publishing: {} });
      if (get().view === 'client') set({ view: 'clients', clientId: null });
      if (get().view === 'post') set({ view: 'queue', postId: null });
    }
  },

  setView(view) {
    set({ view });
  },

  openClient(clientId) {
    set({ view: 'client', clientId });
  },

  async openPost(postId, workspaceId) {
    if (workspaceId && !(await selectWorkspace(workspaceId))) return;
    const from = get().view;
    set({ view: 'post', postId, returnView: from === 'post' ? get().returnView : from });
  },

  openComposer(request = {}) {
    set({ composer: request });
  },

  closeComposer() {
    set({ composer: null });
  },

  addProblem(problem) {
    // The newest few stay; older ones are still in the post's own page.
    set((s) => ({
      toasts: [...s.toasts, { ...problem, kind: 'problem' as const, id: `toast-${++toastCount}` }].slice(-5),
    }));
  },

  addDecision(decision) {
    set((s) => ({
      toasts: [...s.toasts, { ...decision, kind: 'decision' as const, id: `toast-${++toastCount}` }].slice(-5),
    }));
  },

  dismissToast(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },

  setPublishing(source, publishing) {
    if (Boolean(get().publishing[source]) === publishing) return;
    set((s) => ({ publishing: { ...s.publishing, [source]: publishing } }));
  },
}));
