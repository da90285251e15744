import { useState } from 'react';
import type { ManagedUser } from '../../../../src-shared/clients';
import type { Workspace } from '../../../../src-shared/contract';
import type { ErrorObject } from '../../../../src-shared/errors';
import type { PostGroup } from '../../../../src-shared/posts';
import type { MediaInfo } from '../../../../src-shared/platform-rules';
import { act, useContract } from '../../data/queries';
import { useRole } from '../../data/session';
import { fieldErrors } from '../../errors';
import { can } from '../../permissions';
import { useStore } from '../../store';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fromLocalInput, sameTimeOnDay, toLocalInput } from '../posts';
import { checkTargets, targetsOf, type Target } from './checks';
import { MediaPicker, useMedia } from './MediaPicker';
import { PostTexts } from './PostTexts';
import { Previews } from './Previews';
import { TargetPicker } from './TargetPicker';
import { WhenField } from './WhenField';
import { Action } from '../../ui/Action';

type Submit = 'draft' | 'schedule' | 'queue' | 'save' | 'unschedule';

interface Props {
  workspace: Workspace;
  clients: ManagedUser[];
  presetClientId: string | undefined;
  existing: PostGroup | null;
  onBusy: (busy: boolean) => void;
  onClose: () => void;
}

export function ComposerForm({ workspace, clients, presetClientId, existing, onBusy, onClose }: Props) {
  const role = useRole();
  const openPost = useStore((s) => s.openPost);
  const setView = useStore((s) => s.setView);
  const [clientId, setClientId] = useState<string>(() => {
    const active = clients.filter((c) => !c.deactivated);
    return existing?.userId ?? presetClientId ?? (active.length === 1 ? active[0]!.id : '');
  });
  const [targets, setTargets] = useState<string[]>(existing?.platformIds ?? []);
  const [text, setText] = useState(existing?.text ?? '');
  const [custom, setCustom] = useState<Record<string, string>>(existing?.platformTexts ?? {});
  const [touched, setTouched] = useState(existing !== null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusyState] = useState(false);
  const client = clients.find((c) => c.id === clientId);
  const tz = client?.timezone ?? workspace.timezone;
  const [when, setWhen] = useState(existing?.scheduledTime ? toLocalInput(existing.scheduledTime, tz) : '');
  const editing = existing !== null;
  const media = useMedia((e) => {
    setTouched(true);
    setError(e);
  });

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
  // In edit mode the images cannot change; the engine knows their types, we know their number.
  const mediaInfo: MediaInfo[] = editing
    ? Array.from({ length: existing.mediaCount }, () => ({ mimeType: 'image/png', size: 0 }))
    : media.media.map((m) => ({ mimeType: m.mimeType, size: m.size }));
  const textOf = (t: Target) => custom[t.platformId] ?? text;
  const checks = checkTargets(chosen, textOf, mediaInfo);
  const allViolations = checks.flatMap((c) => c.violations);
  const problems = [
    ...new Set(allViolations.filter((v) => touched || v.rule !== 'text_required').map((v) => v.message)),
  ];
  const blocked = busy || !client || chosen.length === 0 || allViolations.length > 0;

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
  }

  async function submit(kind: Submit, at?: string) {
    if (blocked) return;
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
            ...(kind === 'schedule' ? { scheduledTime } : kind === 'unschedule' ? { scheduledTime: null } : {}),
          },
        })
      : await act('post.create', {
          workspaceId: workspace.id,
          userId: clientId,
          post: {
            text,
            platformIds: chosen.map((t) => t.platformId),
            ...(Object.keys(platformTexts).length ? { platformTexts } : {}),
            ...(scheduledTime ? { scheduledTime } : {}),
            ...(kind === 'queue' ? { addToQueue: true } : {}),
            ...(media.media.length
              ? {
                  media: media.media.map((m) => ({
                    fileName: m.fileName.slice(0, 255),
                    dataBase64: m.dataBase64,
                    ...(m.altText.trim() ? { altText: m.altText.trim() } : {}),
                  })),
                }
              : {}),
          },
        });
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    onClose();
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
      disabled={blocked}
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
              onText={(t) => {
                setText(t);
                setTouched(true);
              }}
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
            {editing ? (
              existing.mediaCount > 0 && (
                <p className="hint">
                  {existing.mediaCount} {existing.mediaCount === 1 ? 'image' : 'images'}: images cannot be changed once
                  a post is saved.
                </p>
              )
            ) : (
              <MediaPicker {...media} />
            )}
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
        <Previews checks={checks} textOf={textOf} media={media.media} mediaInfo={mediaInfo} editing={editing} />
      </div>

      <div className="dialog-body">
        {formError && (
          <ErrorAlert
            error={formError}
            onUpgrade={() => {
              onClose();
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
        <Action disabled={busy} onClick={onClose}>
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
    </form>
  );
}
