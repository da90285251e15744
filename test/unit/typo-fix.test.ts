import { describe, expect, it } from 'vitest';
import { isTypoFix, textEdits, type PostEdit } from '../../src-main/engine/queries/approvals';
import { TYPO_FIX_MAX_EDITS } from '../../src-shared/approvals';

/** Issue 13 item 1 (D120): what counts as a typo fix, cell by cell. */

const base = { text: 'Spring sale starts Monday', platformTexts: { 'x-1': 'Spring sale! Monday' } };
const edit = (after: Partial<PostEdit['after']>, more: Partial<Omit<PostEdit, 'before' | 'after'>> = {}): PostEdit => ({
  before: base,
  after: { ...base, ...after },
  mediaChanged: false,
  timeChanged: false,
  ...more,
});

describe('the typo-fix rule', () => {
  it('allows at most 3 characters changed in all', () => expect(TYPO_FIX_MAX_EDITS).toBe(3));

  it.each<[string, PostEdit, number, boolean]>([
    ['nothing changed', edit({}), 0, true],
    ['one letter swapped', edit({ text: 'Spring sale starts Mondey' }), 1, true],
    ['a transposition (two substitutions)', edit({ text: 'Spring sale starts Mnoday' }), 2, true],
    ['three letters added', edit({ text: 'Spring sale starts Monday!!!' }), 3, true],
    ['four letters added', edit({ text: 'Spring sale starts Monday!!!!' }), 4, false],
    ['a word replaced', edit({ text: 'Spring sale starts Tuesday' }), 4, false],
    ['a platform text fixed', edit({ platformTexts: { 'x-1': 'Spring sale! Mondays' } }), 1, true],
    [
      'main text and platform text together over the limit',
      edit({ text: 'Spring sale starts Monday!!', platformTexts: { 'x-1': 'Spring sale! Monday!!' } }),
      4,
      false,
    ],
    [
      'a platform text added (all of it counts)',
      edit({ platformTexts: { ...base.platformTexts, 'mastodon-1': 'New' } }),
      3,
      true,
    ],
    ['a platform text removed (all of it counts)', edit({ platformTexts: {} }), 19, false],
    ['an emoji counts as its UTF-16 units', edit({ text: 'Spring sale starts Monday 🎉' }), 3, true],
  ])('%s: %i edits, typo fix %s', (_name, e, edits, typo) => {
    expect(textEdits(e)).toBe(edits);
    expect(isTypoFix(e)).toBe(typo);
  });

  it.each<[string, PostEdit]>([
    ['one letter and the media', edit({ text: 'Spring sale starts Mondey' }, { mediaChanged: true })],
    ['one letter and the time', edit({ text: 'Spring sale starts Mondey' }, { timeChanged: true })],
    ['the media alone', edit({}, { mediaChanged: true })],
  ])('is never a typo fix when more than text changes: %s', (_name, e) => {
    expect(isTypoFix(e)).toBe(false);
  });
});
