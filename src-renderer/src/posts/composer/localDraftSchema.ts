import { z } from 'zod';
import { PostMedia } from '../../../../src-shared/posts';

/**
 * What the composer holds, kept in this browser's localStorage as it is typed (issue 10 item 2):
 * closing the composer, a reload or a crash loses nothing. One copy per workspace for a new post
 * and one per post being edited; saving the post (or discarding) removes it. The post's own
 * images are not kept (the restored note says so); a thread part's are, as library references.
 */
export const LocalDraft = z.object({
  clientId: z.string(),
  targets: z.array(z.string()),
  text: z.string(),
  custom: z.record(z.string(), z.string()),
  when: z.string(),
  /**
   * A thread's parts after the post, with their library items, and the first comment (issue 14
   * item 4). Older copies have none, or parts as bare texts.
   */
  thread: z
    .array(
      z.union([
        z.string().transform((text) => ({ text, media: [] as PostMedia[] })),
        z.object({ text: z.string(), media: z.array(PostMedia).default([]) }),
      ]),
    )
    .default([]),
  firstComment: z.string().default(''),
  poll: z
    .object({ options: z.array(z.string()), durationMinutes: z.number() })
    .nullable()
    .default(null),
  savedAt: z.string(),
});
export type LocalDraft = z.infer<typeof LocalDraft>;

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
