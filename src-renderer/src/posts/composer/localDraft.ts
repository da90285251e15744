import { z } from 'zod';

/**
 * What the composer holds, kept in this browser's localStorage as it is typed (issue 10 item 2):
 * closing the composer, a reload or a crash loses nothing. One copy per workspace for a new post
 * and one per post being edited; saving the post (or discarding) removes it. Images are not kept
 * (they can be megabytes); the restored note says so.
 */
export const LocalDraft = z.object({
  clientId: z.string(),
  targets: z.array(z.string()),
  text: z.string(),
  custom: z.record(z.string(), z.string()),
  when: z.string(),
  /** A thread's parts after the post, and the first comment (issue 14 item 4); older copies have none. */
  thread: z.array(z.string()).default([]),
  firstComment: z.string().default(''),
  poll: z
    .object({ options: z.array(z.string()), durationMinutes: z.number() })
    .nullable()
    .default(null),
  savedAt: z.string(),
});
export type LocalDraft = z.infer<typeof LocalDraft>;

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

/** Whether the form holds anything a person typed or chose beyond where it started. */
export function differs(a: Omit<LocalDraft, 'savedAt'>, b: Omit<LocalDraft, 'savedAt'>): boolean {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  return (
    a.text !== b.text ||
    a.when !== b.when ||
    a.firstComment !== b.firstComment ||
    !same(a.poll, b.poll) ||
    !same(a.thread, b.thread) ||
    !same([...a.targets].sort(), [...b.targets].sort()) ||
    !same(Object.entries(a.custom).sort(), Object.entries(b.custom).sort())
  );
}
