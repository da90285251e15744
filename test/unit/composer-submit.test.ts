import { describe, expect, it } from 'vitest';
import { CreatePostGroupInput, UpdatePostGroupInput } from '../../src-shared/posts';
import { createInput, updatePatch, type Submission } from '../../src-renderer/src/posts/composer/postInput';

/** What the composer's buttons send to the engine: the request a person's form becomes. */

const picture = { id: 'med_1' } as Submission['thread'][number]['media'][number];
const form: Submission = {
  kind: 'draft',
  text: 'Fresh bread at 8',
  custom: { 'mastodon-1': 'Fresh bread at 8 #bakery', 'x-gone': 'for an account no longer chosen' },
  thread: [],
  firstComment: '',
  poll: null,
  platformIds: ['x-1', 'mastodon-1'],
  mediaIds: [],
  mediaChanged: false,
  scheduledTime: undefined,
  publishNow: false,
};

describe('a new post from the composer', () => {
  it('sends only what the person gave: a draft is its text, accounts and own texts of chosen accounts', () => {
    const post = createInput(form);
    expect(post).toEqual({
      text: 'Fresh bread at 8',
      platformIds: ['x-1', 'mastodon-1'],
      platformTexts: { 'mastodon-1': 'Fresh bread at 8 #bakery' },
    });
    expect(CreatePostGroupInput.safeParse(post).success).toBe(true);
  });

  it('sends the thread with its pictures, the first comment, the poll, the time or the queue as chosen', () => {
    const at = '2026-12-02T08:00:00.000Z';
    const scheduled = createInput({
      ...form,
      kind: 'schedule',
      custom: {},
      thread: [{ text: 'And croissants', media: [picture] }],
      firstComment: 'Open till 6',
      poll: { options: ['Rye', 'Spelt'], durationMinutes: 60 },
      scheduledTime: at,
      publishNow: true,
      mediaIds: ['med_2'],
    });
    expect(scheduled).toEqual({
      text: 'Fresh bread at 8',
      platformIds: ['x-1', 'mastodon-1'],
      thread: [{ text: 'And croissants', mediaIds: ['med_1'] }],
      firstComment: 'Open till 6',
      poll: { options: ['Rye', 'Spelt'], durationMinutes: 60 },
      scheduledTime: at,
      publishNow: true,
      mediaIds: ['med_2'],
    });
    expect(createInput({ ...form, custom: {}, kind: 'queue', firstComment: '   ' })).toEqual({
      text: 'Fresh bread at 8',
      platformIds: ['x-1', 'mastodon-1'],
      addToQueue: true,
    });
  });
});

describe('an edit from the composer', () => {
  it('replaces texts, thread, first comment and poll whole; an emptied first comment is removed', () => {
    const patch = updatePatch({ ...form, kind: 'save', firstComment: '  ' });
    expect(patch).toEqual({
      text: 'Fresh bread at 8',
      platformTexts: { 'mastodon-1': 'Fresh bread at 8 #bakery' },
      thread: [],
      firstComment: null,
      poll: null,
    });
    expect(UpdatePostGroupInput.safeParse(patch).success).toBe(true);
  });

  it('sends the media only when they changed, and the time as the button asked', () => {
    expect(updatePatch({ ...form, mediaIds: ['med_1'] })).not.toHaveProperty('mediaIds');
    expect(updatePatch({ ...form, mediaChanged: true })).toMatchObject({ mediaIds: [] });
    const at = '2026-12-02T08:00:00.000Z';
    expect(updatePatch({ ...form, kind: 'schedule', scheduledTime: at })).toMatchObject({ scheduledTime: at });
    expect(updatePatch({ ...form, kind: 'unschedule' })).toMatchObject({ scheduledTime: null });
    expect(updatePatch({ ...form, kind: 'save', scheduledTime: at })).not.toHaveProperty('scheduledTime');
  });
});
