import { LocalDraft } from './localDraftSchema';

// The composer's kept copy in this browser's localStorage; its shape is in ./localDraftSchema.
export { differs } from './localDraftSchema';
export { LocalDraft };

const keyOf = (workspaceId: string, postId: string | null) => `postroom.composer.${workspaceId}.${postId ?? 'new'}`;

/** The kept copy, or null when there is none (or it cannot be read: nothing to restore). */
export function readLocalDraft(workspaceId: string, postId: string | null): LocalDraft | null {
  try {
    const raw = localStorage.getItem(keyOf(workspaceId, postId));
    const parsed = raw === null ? null : LocalDraft.safeParse(JSON.parse(raw));
    return parsed?.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeLocalDraft(workspaceId: string, postId: string | null, draft: Omit<LocalDraft, 'savedAt'>) {
  try {
    localStorage.setItem(keyOf(workspaceId, postId), JSON.stringify({ ...draft, savedAt: new Date().toISOString() }));
  } catch {
    // A full or disabled storage keeps nothing locally; the post itself is still saved by the engine.
  }
}

export function clearLocalDraft(workspaceId: string, postId: string | null) {
  try {
    localStorage.removeItem(keyOf(workspaceId, postId));
  } catch {
    // Nothing was kept.
  }
}
