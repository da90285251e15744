import { useEffect, useRef, useState } from 'react';
import type { ManagedUser } from '../../../../src-shared/clients';
import type { Workspace } from '../../../../src-shared/contract';
import type { ErrorObject } from '../../../../src-shared/errors';
import type { PostGroup } from '../../../../src-shared/posts';
import { checkFirstCommentTargets, checkFollowUps } from '../../../../src-shared/platform-rules';
import { act, useContract } from '../../data/queries';
import { useRole } from '../../data/session';
import { fieldErrors } from '../../errors';
import { can } from '../../permissions';
import { useStore } from '../../store';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../format';
import { fromLocalInput, sameTimeOnDay, toLocalInput } from '../posts';
import { checkPollTargets, checkTargets, targetsOf, type Target } from './checks';
import { FirstCommentField } from './FirstCommentField';
import { ThreadEditor } from './ThreadEditor';
import { PollField, type PollDraft } from './PollField';
import { clearLocalDraft, differs, readLocalDraft, writeLocalDraft, type LocalDraft } from './localDraft';
import { mediaInfoOf, mediaListOf, PostMediaPicker, usePostMedia } from './PostMediaPicker';
import { PublicMediaNotice } from './PublicMediaNotice';
import { PostTexts } from './PostTexts';
import { Previews } from './Previews';
import { TargetPicker } from './TargetPicker';
import { WhenField } from './WhenField';
import { Action } from '../../ui/Action';
import { ConfirmDialog } from '../../ui/ConfirmDialog';

type Submit = 'draft' | 'schedule' | 'queue' | 'save' | 'unschedule';

interface Props {
  workspace: Workspace;
  clients: ManagedUser[];
  presetClientId: string | undefined;
  existing: PostGroup | null;
  onBusy: (busy: boolean) => void;
  /** Whether the form holds changes not saved to the engine (closing then asks). */
  onDirty: (dirty: boolean) => void;
  /** Cancel: the composer asks first when there are changes. */
  onCancel: () => void;
  /** The post was saved: close without asking. */
  onDone: () => void;
}

export function ComposerForm({
  workspace,
  clients,
  presetClientId,
  existing,
  onBusy,
  onDirty,
  onCancel,
  onDone,
}: Props) {
  const role = useRole();
  const openPost = useStore((s) => s.openPost);
  const setView = useStore((s) => s.setView);
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
  const [thread, setThread] = useState<LocalDraft['thread']>(initial.thread);
  const [firstComment, setFirstComment] = useState(initial.firstComment);
  const [poll, setPoll] = useState<PollDraft | null>(initial.poll);
  const [touched, setTouched] = useState(existing !== null || restored !== null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusyState] = useState(false);
  const [pastTime, setPastTime] = useState<string | null>(null);
  const client = clients.find((c) => c.id === clientId);
  const tz = client?.timezone ?? workspace.timezone;
  const [when, setWhen] = useState(initial.when);
  const editing = existing !== null;
  const media = usePostMedia(existing, () => setTouched(true));
  /** A setter of what the person writes: once they have written, a missing text is shown as a problem. */
  function written<T>(set: (value: T) => void) {
    return (value: T) => {
      set(value);
      setTouched(true);
    };
  }

  const connections = useContract(
    'connection.list',
    { workspaceId: workspace.id, userId: clientId },
    { enabled: clientId !== '' },
  );
  const accounts = connections.data ?? [];

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

  const setBusy = (b: boolean) => {
    setBusyState(b);
    onBusy(b);
  };

  const chosen = targetsOf(targets, accounts);
  const mediaInfo = media.items.map(mediaInfoOf);
  const textOf = (t: Target) => custom[t.platformId] ?? text;
  const checks = checkTargets(chosen, textOf, mediaInfo);
  // The thread's parts and the first comment, checked as the engine checks them (issue 14 item 4).
  const followUps = [
    ...chosen.flatMap((t) =>
      checkFollowUps(
        t.platform,
        thread.map((p) => ({ text: p.text, media: p.media.map(mediaInfoOf) })),
        firstComment,
        t.connection?.maxTextLength ?? undefined,
      ),
    ),
    ...checkFirstCommentTargets(
      chosen.map((t) => t.platform),
      firstComment,
    ),
    ...checkPollTargets(chosen, poll, mediaInfo.length),
  ];
  const allViolations = [...checks.flatMap((c) => c.violations), ...followUps];
  const problems = [
    ...new Set(
      allViolations
        // The thread editor and the poll show their own problems.
        .filter((v) => !v.part && v.rule !== 'thread_not_supported' && !v.rule.startsWith('poll_'))
        .filter((v) => touched || v.rule !== 'text_required')
        .map((v) => v.message),
    ),
  ];
  // A draft may break a platform's limits (they apply when scheduling, D93); a post needs a client and a target.
  const incomplete = busy || !client || chosen.length === 0;
  const blocked = incomplete || allViolations.length > 0;
  const blocks = (kind: Submit) =>
    kind === 'draft' || kind === 'unschedule' || (kind === 'save' && !existing?.scheduledTime) ? incomplete : blocked;

  const mayDraft = can(role, 'post.draft');
  const maySchedule = can(role, 'post.schedule');
  const fields = fieldErrors(error);

  function toggleTarget(platformId: string, on: boolean) {
    setTargets((ts) => (on ? [...ts, platformId] : ts.filter((t) => t !== platformId)));
    if (!on) setCustom(({ [platformId]: _dropped, ...rest }) => rest);
    setError(null);
  }

  function chooseClient(id: string) {
    setClientId(id);
    setTargets([]);
    setCustom({});
    setError(null);
    for (const m of media.items) media.remove(m.id);
    // Another client's library: the thread's parts keep their texts, not their pictures.
    setThread((parts) => parts.map((p) => ({ ...p, media: [] })));
  }

  /** A thread part's media, changed in place (an upload may end after more typing). */
  const partMedia = (i: number) =>
    mediaListOf(
      thread[i]?.media ?? [],
      (next) => {
        setThread((parts) => parts.map((p, j) => (j === i ? { ...p, media: next(p.media) } : p)));
        setTouched(true);
      },
      (next) => setThread((parts) => parts.map((p, j) => (j === i ? { ...p, media: next(p.media) } : p))),
    );
  const threadInput = thread.map((p) => ({ text: p.text, mediaIds: p.media.map((m) => m.id) }));

  async function submit(kind: Submit, at?: string, publishNow = false) {
    if (blocks(kind)) return;
    const platformTexts = Object.fromEntries(
      chosen.filter((t) => t.platformId in custom).map((t) => [t.platformId, custom[t.platformId]!]),
    );
    let scheduledTime: string | undefined;
    if (kind === 'schedule') {
      scheduledTime = at ?? fromLocalInput(when, tz) ?? undefined;
      if (!scheduledTime) {
        const message = 'Choose a date and time to schedule the post.';
        setError({ code: 'validation_failed', message, details: { fields: { scheduledTime: message } } });
        return;
      }
      // A time before this minute has passed: ask whether to publish now (the engine would refuse it).
      if (!publishNow && new Date(scheduledTime).getTime() < Math.floor(Date.now() / 60_000) * 60_000) {
        setPastTime(scheduledTime);
        return;
      }
    }
    setBusy(true);
    setError(null);
    const res = existing
      ? await act('post.update', {
          workspaceId: workspace.id,
          id: existing.id,
          patch: {
            text,
            platformTexts,
            thread: threadInput,
            firstComment: firstComment.trim() ? firstComment : null,
            poll,
            ...(media.changed ? { mediaIds: media.items.map((m) => m.id) } : {}),
            ...(kind === 'schedule' ? { scheduledTime } : kind === 'unschedule' ? { scheduledTime: null } : {}),
            ...(publishNow ? { publishNow } : {}),
          },
        })
      : await act('post.create', {
          workspaceId: workspace.id,
          userId: clientId,
          post: {
            text,
            platformIds: chosen.map((t) => t.platformId),
            ...(Object.keys(platformTexts).length ? { platformTexts } : {}),
            ...(thread.length ? { thread: threadInput } : {}),
            ...(firstComment.trim() ? { firstComment } : {}),
            ...(poll ? { poll } : {}),
            ...(scheduledTime ? { scheduledTime } : {}),
            ...(kind === 'queue' ? { addToQueue: true } : {}),
            ...(publishNow ? { publishNow } : {}),
            ...(media.items.length ? { mediaIds: media.items.map((m) => m.id) } : {}),
          },
        });
    setBusy(false);
    if (!res.ok) {
      if (res.error.code === 'time_in_past' && scheduledTime) setPastTime(scheduledTime);
      else setError(res.error);
      return;
    }
    clearLocalDraft(workspace.id, postId);
    onDone();
    void openPost(res.data.id);
  }

  /** `daily_limit_reached` names the next day with room: the same time of day on that day. */
  const nextDay =
    error?.code === 'daily_limit_reached' && typeof error.details?.nextDayWithRoom === 'string'
      ? error.details.nextDayWithRoom
      : null;
  const whenIso = fromLocalInput(when, tz);
  const movedIso = nextDay && whenIso ? sameTimeOnDay(whenIso, nextDay, tz) : null;
  // The time's own error stands beside the time; every other error under the form.
  const formError = error && !(fields.scheduledTime && Object.keys(fields).length === 1) ? error : null;

  const button = (kind: Submit, label: string, primary = false) => (
    <button
      type="button"
      className={primary ? 'button primary' : 'button'}
      disabled={blocks(kind)}
      onClick={() => void submit(kind)}
    >
      {label}
    </button>
  );

  return (
    <form
      noValidate
      aria-busy={busy}
      onSubmit={(e) => {
        e.preventDefault();
        void submit(editing ? 'save' : maySchedule && when ? 'schedule' : 'draft');
      }}
    >
      {restored && (
        <div className="dialog-body">
          <p className="notice" role="status">
            Restored what you typed on {formatDateTime(restored.savedAt)}; it is not saved as a post yet
            {existing ? '' : ' (images are not kept)'}.{' '}
            <Action small onClick={discardRestored}>
              Discard it
            </Action>
          </p>
        </div>
      )}
      <div className="dialog-body composer">
        <div className="composer-main">
          <fieldset disabled={busy} className="plain">
            <TargetPicker
              clients={clients}
              client={client}
              fixedClient={editing || presetClientId !== undefined}
              onClient={chooseClient}
              accounts={connections.data}
              accountsError={connections.error}
              targets={editing ? chosen.map((t) => t.platformId) : targets}
              onTarget={toggleTarget}
              editing={editing}
            />
            <PostTexts
              text={text}
              onText={written(setText)}
              custom={custom}
              onCustom={(platformId, value) =>
                setCustom(({ [platformId]: _dropped, ...rest }) =>
                  value === null ? rest : { ...rest, [platformId]: value },
                )
              }
              targets={chosen}
              checks={checks}
              problems={problems}
            />
            <ThreadEditor
              parts={thread}
              onParts={written(setThread)}
              targets={chosen}
              partMedia={(i) => (
                <PostMediaPicker workspaceId={workspace.id} userId={clientId} media={partMedia(i)} part={i + 2} />
              )}
            />
            <PollField poll={poll} onPoll={setPoll} targets={chosen} mediaCount={mediaInfo.length} />
            <FirstCommentField
              value={firstComment}
              onChange={setFirstComment}
              targets={chosen}
              error={fields.firstComment}
            />
            <PostMediaPicker workspaceId={workspace.id} userId={clientId} media={media} />
            <PublicMediaNotice targets={chosen} mediaCount={media.items.length} />
            {maySchedule && (
              <WhenField
                value={when}
                onChange={setWhen}
                zone={tz}
                whose={client?.displayName}
                error={fields.scheduledTime}
              />
            )}
          </fieldset>
        </div>
        <Previews
          workspaceId={workspace.id}
          checks={checks}
          textOf={textOf}
          media={media.items}
          followUps={{ thread, firstComment, poll }}
        />
      </div>

      <div className="dialog-body">
        {formError && (
          <ErrorAlert
            error={formError}
            onUpgrade={() => {
              onCancel();
              setView('plan');
            }}
          >
            {nextDay && movedIso && (
              <Action
                disabled={busy}
                onClick={() => {
                  setWhen(toLocalInput(movedIso, tz));
                  void submit('schedule', movedIso);
                }}
              >
                Schedule on {nextDay} instead
              </Action>
            )}
          </ErrorAlert>
        )}
      </div>

      <footer className="dialog-actions">
        <Action disabled={busy} onClick={onCancel}>
          Cancel
        </Action>
        {editing ? (
          <>
            {mayDraft && button('save', 'Save changes')}
            {mayDraft && existing.scheduledTime && button('unschedule', 'Move to drafts')}
          </>
        ) : (
          mayDraft && button('draft', 'Save draft')
        )}
        {maySchedule && !editing && button('queue', 'Add to queue')}
        {maySchedule && button('schedule', 'Schedule', true)}
      </footer>
      {pastTime && (
        <ConfirmDialog
          title="That time has passed"
          cancelLabel="Choose another time"
          confirmLabel="Publish now"
          tone="primary"
          onConfirm={() => {
            const at = pastTime;
            setPastTime(null);
            void submit('schedule', at, true);
          }}
          onCancel={() => setPastTime(null)}
        >
          <p>
            {formatDateTime(pastTime, tz)} is in the past. Publish the post now instead? It counts against today&apos;s
            daily limit.
          </p>
        </ConfirmDialog>
      )}
    </form>
  );
}
