import { describe, expect, it } from 'vitest';
import { differs, LocalDraft } from '../../src-renderer/src/posts/composer/localDraftSchema';

/** The composer's kept copy (issue 10 item 2), read back as it was written, old copies included. */

const picture = {
  id: 'med_1',
  kind: 'image' as const,
  mimeType: 'image/jpeg',
  size: 1200,
  width: 4,
  height: 4,
  durationMs: null,
  fileName: 'banner.jpg',
  altText: '',
  hasThumbnail: true,
};
const base = { clientId: 'u1', targets: ['x-1'], text: 'Hi', custom: {}, when: '', savedAt: '2026-12-01T09:00:00Z' };

describe('LocalDraft', () => {
  it('keeps a thread part’s picture (a library reference) with its text', () => {
    const kept = LocalDraft.parse(
      JSON.parse(JSON.stringify({ ...base, thread: [{ text: 'Part two', media: [picture] }] })),
    );
    expect(kept.thread).toEqual([{ text: 'Part two', media: [picture] }]);
  });

  it('reads a copy kept before parts had pictures (bare texts) and one from before threads', () => {
    expect(LocalDraft.parse({ ...base, thread: ['Part two', 'Part three'] }).thread).toEqual([
      { text: 'Part two', media: [] },
      { text: 'Part three', media: [] },
    ]);
    expect(LocalDraft.parse(base)).toMatchObject({ thread: [], firstComment: '', poll: null });
  });

  it('counts a picture added to or taken from a part as a change', () => {
    const without = LocalDraft.parse({ ...base, thread: [{ text: 'Part two', media: [] }] });
    const withPicture = LocalDraft.parse({ ...base, thread: [{ text: 'Part two', media: [picture] }] });
    expect(differs(without, withPicture)).toBe(true);
    expect(differs(withPicture, LocalDraft.parse(JSON.parse(JSON.stringify(withPicture))))).toBe(false);
  });
});
