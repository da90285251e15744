import { useState } from 'react';
import type { ManagedUser } from '../../../../src-shared/clients';
import type { Workspace } from '../../../../src-shared/contract';
import type { ErrorObject } from '../../../../src-shared/errors';
import type { PostGroup } from '../../../../src-shared/posts';
import { act, useContract } from '../../data/queries';
import { useRole } from '../../data/session';
import { fieldErrors } from '../../errors';
import { can } from '../../permissions';
import { useStore } from '../../store';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../format';
import { fromLocalInput, sameTimeOnDay, toLocalInput } from '../posts';
import { checkFollowUpTargets, checkTargets, problemsUnderText, targetsOf, type Target } from './checks';
import { FirstCommentField } from './FirstCommentField';
import { ThreadEditor } from './ThreadEditor';
import { PollField } from './PollField';
import { createInput, updatePatch, type Submission, type Submit } from './postInput';
import { mediaInfoOf, mediaListOf, PostMediaPicker } from './PostMediaPicker';
import { PublicMediaNotice } from './PublicMediaNotice';
import { PostTexts } from './PostTexts';
import { Previews } from './Previews';
import { TargetPicker } from './TargetPicker';
import { WhenField } from './WhenField';
import { Action } from '../../ui/Action';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { useComposerDraft } from './useComposerDraft';

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
  const draft = useComposerDraft({ workspace, clients, presetClientId, existing, onDirty });
  const { clientId, targets, text, custom, when, thread, firstComment, poll, media, touched, written } = draft;
  const { setClientId, setTargets, setText, setCustom, setWhen, setThread, setFirstComment, setPoll, setTouched } =
    draft;
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusyState] = useState(false);
  const [pastTime, setPastTime] = useState<string | null>(null);
  const client = clients.find((c) => c.id === clientId);
  const tz = client?.timezone ?? workspace.timezone;
  const editing = existing !== null;

  const connections = useContract(
    'connection.list',
    { workspaceId: workspace.id, userId: clientId },
    { enabled: clientId !== '' },
  );
  const accounts = connections.data ?? [];

  const setBusy = (b: boolean) => {
    setBusyState(b);
    onBusy(b);
  };

  const chosen = targetsOf(targets, accounts);
  const mediaInfo = media.items.map(mediaInfoOf);
  const textOf = (t: Target) => custom[t.platformId] ?? text;
  const checks = checkTargets(chosen, textOf, mediaInfo);
  const followUps = checkFollowUpTargets(
    chosen,
    { thread: thread.map((p) => ({ text: p.text, media: p.media.map(mediaInfoOf) })), firstComment, poll },
    mediaInfo.length,
  );
  const allViolations = [...checks.flatMap((c) => c.violations), ...followUps];
  const problems = problemsUnderText(allViolations, touched);
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

  async function submit(kind: Submit, at?: string, publishNow = false) {
    if (blocks(kind)) return;
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
    const sent: Submission = {
      kind,
      text,
      custom,
      thread,
      firstComment,
      poll,
      scheduledTime,
      publishNow,
      platformIds: chosen.map((t) => t.platformId),
      mediaIds: media.items.map((m) => m.id),
      mediaChanged: media.changed,
    };
    const res = existing
      ? await act('post.update', { workspaceId: workspace.id, id: existing.id, patch: updatePatch(sent) })
      : await act('post.create', { workspaceId: workspace.id, userId: clientId, post: createInput(sent) });
    setBusy(false);
    if (!res.ok) {
      if (res.error.code === 'time_in_past' && scheduledTime) setPastTime(scheduledTime);
      else setError(res.error);
      return;
    }
    draft.clearKept();
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
      {draft.restored && (
        <div className="dialog-body">
          <p className="notice" role="status">
            Restored what you typed on {formatDateTime(draft.restored.savedAt)}; it is not saved as a post yet
            {existing ? '' : ' (images are not kept)'}.{' '}
            <Action small onClick={draft.discardRestored}>
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
