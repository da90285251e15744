import type { CreatePostGroupInput, UpdatePostGroupInput } from '../../../../src-shared/posts';
import type { LocalDraft } from './localDraftSchema';

/** The composer's buttons: what each asks of the engine. */
export type Submit = 'draft' | 'schedule' | 'queue' | 'save' | 'unschedule';

/** What a submit sends: the form's values for the chosen accounts, and what the button asked. */
export interface Submission extends Pick<LocalDraft, 'text' | 'custom' | 'thread' | 'firstComment' | 'poll'> {
  kind: Submit;
  platformIds: string[];
  mediaIds: string[];
  /** Whether the post's own media changed (an edit sends them only then). */
  mediaChanged: boolean;
  scheduledTime: string | undefined;
  publishNow: boolean;
}

/** The texts written for one account, of the accounts still chosen. */
const platformTextsOf = (s: Submission) =>
  Object.fromEntries(s.platformIds.filter((id) => id in s.custom).map((id) => [id, s.custom[id]!]));

const threadOf = (s: Submission) => s.thread.map((p) => ({ text: p.text, mediaIds: p.media.map((m) => m.id) }));

/** A new post as `post.create` takes it: only what the person gave (seed 000's body and more). */
export function createInput(s: Submission): CreatePostGroupInput {
  const platformTexts = platformTextsOf(s);
  return {
    text: s.text,
    platformIds: s.platformIds,
    ...(Object.keys(platformTexts).length ? { platformTexts } : {}),
    ...(s.thread.length ? { thread: threadOf(s) } : {}),
    ...(s.firstComment.trim() ? { firstComment: s.firstComment } : {}),
    ...(s.poll ? { poll: s.poll } : {}),
    ...(s.scheduledTime ? { scheduledTime: s.scheduledTime } : {}),
    ...(s.kind === 'queue' ? { addToQueue: true } : {}),
    ...(s.publishNow ? { publishNow: true } : {}),
    ...(s.mediaIds.length ? { mediaIds: s.mediaIds } : {}),
  };
}

/**
 * An edit as `post.update` takes it: the texts, thread, first comment and poll whole (an empty
 * first comment removes it); the media only when they changed; the time as the button asked
 * (Schedule sets it, Move to drafts clears it, Save changes leaves it).
 */
export function updatePatch(s: Submission): UpdatePostGroupInput {
  return {
    text: s.text,
    platformTexts: platformTextsOf(s),
    thread: threadOf(s),
    firstComment: s.firstComment.trim() ? s.firstComment : null,
    poll: s.poll,
    ...(s.mediaChanged ? { mediaIds: s.mediaIds } : {}),
    ...(s.kind === 'schedule'
      ? { scheduledTime: s.scheduledTime }
      : s.kind === 'unschedule'
        ? { scheduledTime: null }
        : {}),
    ...(s.publishNow ? { publishNow: true } : {}),
  };
}
