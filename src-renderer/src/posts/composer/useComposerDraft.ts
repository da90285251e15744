import { useEffect, useRef, useState } from 'react';
import type { ManagedUser } from '../../../../src-shared/clients';
import type { Workspace } from '../../../../src-shared/contract';
import type { PostGroup } from '../../../../src-shared/posts';
import { toLocalInput } from '../posts';
import { clearLocalDraft, differs, readLocalDraft, writeLocalDraft, type LocalDraft } from './localDraft';
import type { PollDraft } from './PollField';
import { usePostMedia } from './PostMediaPicker';

interface Options {
  workspace: Workspace;
  clients: ManagedUser[];
  presetClientId: string | undefined;
  existing: PostGroup | null;
  /** Whether the form holds changes not saved to the engine (closing then asks). */
  onDirty: (dirty: boolean) => void;
}

/**
 * What the composer holds (issue 10 item 2, D93): the saved post or an empty new one, or what was
 * typed here before and not saved, restored from this browser's copy. Every change is kept in that
 * copy at once, and it goes when the changes are undone, discarded or saved (`clearKept`).
 */
export function useComposerDraft({ workspace, clients, presetClientId, existing, onDirty }: Options) {
  const postId = existing?.id ?? null;
  const tzOf = (id: string) => clients.find((c) => c.id === id)?.timezone ?? workspace.timezone;
  // Where the form starts: the saved post, or an empty new post (for the preset or only client).
  const [start] = useState<Omit<LocalDraft, 'savedAt'>>(() => {
    const active = clients.filter((c) => !c.deactivated);
    const startClient = existing?.userId ?? presetClientId ?? (active.length === 1 ? active[0]!.id : '');
    return {
      clientId: startClient,
      targets: existing?.platformIds ?? [],
      text: existing?.text ?? '',
      custom: existing?.platformTexts ?? {},
      when: existing?.scheduledTime ? toLocalInput(existing.scheduledTime, tzOf(startClient)) : '',
      thread: existing?.thread.map((p) => ({ text: p.text, media: p.media })) ?? [],
      firstComment: existing?.firstComment ?? '',
      poll: existing?.poll ?? null,
    };
  });
  // What was typed here before and not saved comes back (for a preset client, only its own).
  const [restored, setRestored] = useState<LocalDraft | null>(() => {
    const kept = readLocalDraft(workspace.id, postId);
    if (!kept || (presetClientId !== undefined && kept.clientId !== presetClientId)) return null;
    if (existing && kept.clientId !== existing.userId) return null;
    return differs(kept, start) ? kept : null;
  });
  const initial = restored ?? start;
  const [clientId, setClientId] = useState<string>(initial.clientId);
  const [targets, setTargets] = useState<string[]>(initial.targets);
  const [text, setText] = useState(initial.text);
  const [custom, setCustom] = useState<Record<string, string>>(initial.custom);
  const [when, setWhen] = useState(initial.when);
  const [thread, setThread] = useState<LocalDraft['thread']>(initial.thread);
  const [firstComment, setFirstComment] = useState(initial.firstComment);
  const [poll, setPoll] = useState<PollDraft | null>(initial.poll);
  const [touched, setTouched] = useState(existing !== null || restored !== null);
  const media = usePostMedia(existing, () => setTouched(true));

  const current = { clientId, targets, text, custom, when, thread, firstComment, poll };
  const dirty = differs(current, start) || media.changed;
  // Only a copy this form wrote is removed when its changes are undone: another client's stays.
  const wrote = useRef(restored !== null);
  useEffect(() => {
    onDirty(dirty);
    if (dirty) writeLocalDraft(workspace.id, postId, current);
    else if (wrote.current) clearLocalDraft(workspace.id, postId);
    wrote.current = dirty;
    // `current` is rebuilt each render from the values listed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dirty, clientId, targets, text, custom, when, thread, firstComment, poll]);

  /** Back to where the form started, the restored copy thrown away. */
  function discardRestored() {
    clearLocalDraft(workspace.id, postId);
    setRestored(null);
    setClientId(start.clientId);
    setTargets(start.targets);
    setText(start.text);
    setCustom(start.custom);
    setWhen(start.when);
    setThread(start.thread);
    setFirstComment(start.firstComment);
    setPoll(start.poll);
    setTouched(existing !== null);
  }

  /** A setter of what the person writes: once they have written, a missing text is shown as a problem. */
  function written<T>(set: (value: T) => void) {
    return (value: T) => {
      set(value);
      setTouched(true);
    };
  }

  return {
    ...current,
    setClientId,
    setTargets,
    setText,
    setCustom,
    setWhen,
    setThread,
    setFirstComment,
    setPoll,
    media,
    touched,
    setTouched,
    written,
    restored,
    discardRestored,
    /** The post was saved: the kept copy goes. */
    clearKept: () => clearLocalDraft(workspace.id, postId),
  };
}
