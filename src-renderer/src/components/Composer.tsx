import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { Platform, Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Connection } from '../../../src-shared/connections';
import type { ErrorObject } from '../../../src-shared/errors';
import type { PostGroup } from '../../../src-shared/posts';
import {
  checkPost,
  countText,
  PLATFORM_RULES,
  type MediaInfo,
  type RuleViolation,
} from '../../../src-shared/platform-rules';
import { fileToUpload } from '../files';
import { formatBytes } from '../format';
import { can } from '../permissions';
import {
  atHandle,
  connectionLabel,
  fromLocalInput,
  platformName,
  platformOf,
  sameTimeOnDay,
  toLocalInput,
} from '../posts';
import { useStore, type ComposerRequest } from '../store';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

interface MediaItem {
  key: number;
  fileName: string;
  dataBase64: string;
  mimeType: string;
  size: number;
  altText: string;
  /** A blob: URL for thumbnails (revoked when the image is removed or the composer closes). */
  previewUrl: string;
}

/** One chosen target as the form sees it. */
interface Target {
  platformId: string;
  platform: Platform;
  /** "X", or "Mastodon @agency" when two targets share a platform. */
  short: string;
  connection: Connection | undefined;
}

type Submit = 'draft' | 'schedule' | 'queue' | 'save' | 'unschedule';

const MAX_MEDIA = 10;
let mediaKeys = 0;

/**
 * The composer (SPEC §8): a client, targets among their active connections, the text with
 * per-platform overrides and live counters exactly as the engine counts (src-shared/platform-rules),
 * images, previews, and a time on the client's wall clock. Also edits an existing post.
 */
export function Composer({
  workspace,
  request,
  onClose,
}: {
  workspace: Workspace;
  request: ComposerRequest;
  onClose: () => void;
}) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const editId = request.postId ?? null;
  const existing = useContract(
    'post.get',
    { workspaceId: workspace.id, id: editId ?? '' },
    { enabled: editId !== null },
  );
  const clients = useContract('client.list', { workspaceId: workspace.id, perPage: 10_000 });

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const title = editId ? 'Edit post' : 'New post';
  const ready =
    !existing.error && !clients.error && clients.data !== undefined && (!editId || existing.data !== undefined);

  return (
    <dialog
      ref={ref}
      className="dialog dialog-wide"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <header className="dialog-header dialog-header-row">
        <h2 id={`${id}-title`}>{title}</h2>
        <button
          type="button"
          className="button subtle"
          aria-label="Close the composer"
          disabled={busy}
          onClick={onClose}
        >
          ✕
        </button>
      </header>
      {ready && clients.data ? (
        <ComposerForm
          key={editId ?? 'new'}
          workspace={workspace}
          clients={clients.data.users}
          presetClientId={request.clientId}
          existing={editId ? (existing.data ?? null) : null}
          titleId={`${id}-title`}
          onBusy={setBusy}
          onClose={onClose}
        />
      ) : (
        <div className="dialog-body">
          {existing.error ? (
            <ErrorAlert error={existing.error} />
          ) : clients.error ? (
            <ErrorAlert error={clients.error} />
          ) : (
            <p role="status" className="muted">
              Loading…
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

interface FormProps {
  workspace: Workspace;
  clients: ManagedUser[];
  presetClientId: string | undefined;
  existing: PostGroup | null;
  titleId: string;
  onBusy: (busy: boolean) => void;
  onClose: () => void;
}

function ComposerForm({ workspace, clients, presetClientId, existing, titleId, onBusy, onClose }: FormProps) {
  const role = useRole();
  const openPost = useStore((s) => s.openPost);
  const setView = useStore((s) => s.setView);
  const id = useId();
  const [clientId, setClientId] = useState<string>(() => {
    const active = clients.filter((c) => !c.deactivated);
    return existing?.userId ?? presetClientId ?? (active.length === 1 ? active[0]!.id : '');
  });
  const [targets, setTargets] = useState<string[]>(existing?.platformIds ?? []);
  const [text, setText] = useState(existing?.text ?? '');
  const [custom, setCustom] = useState<Record<string, string>>(existing?.platformTexts ?? {});
  const [media, setMedia] = useState<MediaItem[]>([]);
  const [touched, setTouched] = useState(existing !== null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusyState] = useState(false);
  const client = clients.find((c) => c.id === clientId);
  const tz = client?.timezone ?? workspace.timezone;
  const [when, setWhen] = useState(existing?.scheduledTime ? toLocalInput(existing.scheduledTime, tz) : '');
  const editing = existing !== null;
  const previewUrls = useRef(new Set<string>());
  useEffect(() => {
    const urls = previewUrls.current;
    return () => urls.forEach((u) => URL.revokeObjectURL(u));
  }, []);
  const removeMedia = (m: MediaItem) => {
    URL.revokeObjectURL(m.previewUrl);
    previewUrls.current.delete(m.previewUrl);
    setMedia((all) => all.filter((x) => x.key !== m.key));
  };

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

  // The targets, named; two accounts on one platform are told apart by their handles.
  const chosen: Target[] = targets.flatMap((platformId) => {
    const connection = accounts.find((c) => c.platformId === platformId);
    const platform = connection?.platform ?? platformOf(platformId);
    return platform ? [{ platformId, platform, connection, short: '' }] : [];
  });
  for (const t of chosen) {
    const shared = chosen.filter((o) => o.platform === t.platform).length > 1;
    t.short =
      shared && t.connection
        ? `${platformName(t.platform)} ${atHandle(t.connection.handle)}`
        : platformName(t.platform);
  }

  // In edit mode the images cannot change; the engine knows their types, we know their number.
  const mediaInfo: MediaInfo[] = editing
    ? Array.from({ length: existing.mediaCount }, () => ({ mimeType: 'image/png', size: 0 }))
    : media.map((m) => ({ mimeType: m.mimeType, size: m.size }));
  const textOf = (t: Target) => custom[t.platformId] ?? text;
  const checks = chosen.map((t) => {
    const value = textOf(t);
    // A Mastodon instance may set its own limit; the connection carries it.
    const max = t.connection?.maxTextLength ?? PLATFORM_RULES[t.platform].maxTextLength;
    const violations = checkPost(t.platform, value, mediaInfo, max);
    return {
      target: t,
      count: countText(t.platform, value),
      max,
      violations,
      over: violations.some((v) => v.rule === 'text_too_long'),
    };
  });
  const allViolations: RuleViolation[] = checks.flatMap((c) => c.violations);
  const shownViolations = [
    ...new Set(allViolations.filter((v) => touched || v.rule !== 'text_required').map((v) => v.message)),
  ];
  const blocked = busy || !client || chosen.length === 0 || allViolations.length > 0;
  const mainOver = checks.some((c) => c.over && !(c.target.platformId in custom));

  const mayDraft = can(role, 'post.draft');
  const maySchedule = can(role, 'post.schedule');

  function toggleTarget(platformId: string, on: boolean) {
    setTargets((ts) => (on ? [...ts, platformId] : ts.filter((t) => t !== platformId)));
    if (!on) setCustom(({ [platformId]: _dropped, ...rest }) => rest);
    setError(null);
  }

  async function addFiles(files: FileList | null) {
    if (!files || files.length === 0) return;
    const picked = [...files].slice(0, Math.max(0, MAX_MEDIA - media.length));
    try {
      const read = await Promise.all(
        picked.map(async (file) => {
          const upload = await fileToUpload(file);
          const previewUrl = URL.createObjectURL(file);
          previewUrls.current.add(previewUrl);
          return {
            key: ++mediaKeys,
            fileName: file.name,
            dataBase64: upload.dataBase64,
            mimeType: file.type || 'application/octet-stream',
            size: file.size,
            altText: '',
            previewUrl,
          };
        }),
      );
      setMedia((m) => [...m, ...read]);
      setTouched(true);
      setError(
        files.length > picked.length
          ? { code: 'validation_failed', message: `at most ${MAX_MEDIA} images per post` }
          : null,
      );
    } catch (err) {
      setError({ code: 'internal', message: err instanceof Error ? err.message : 'the file could not be read' });
    }
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
        setError({
          code: 'validation_failed',
          message: 'choose a date and time to schedule the post',
          details: { fields: { scheduledTime: 'choose a date and time to schedule the post' } },
        });
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
            ...(media.length
              ? {
                  media: media.map((m) => ({
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

  const counter = (c: (typeof checks)[number]) => (
    <li
      key={c.target.platformId}
      className={c.over ? 'counter over' : 'counter'}
      data-platform={c.target.platform}
      aria-invalid={c.over || undefined}
      aria-label={`${c.target.short}: ${c.count} of ${c.max} characters${c.over ? ', over the limit' : ''}`}
    >
      <span className="counter-name">{c.target.short}</span> {c.count} / {c.max}
    </li>
  );

  return (
    <form
      noValidate
      aria-labelledby={titleId}
      aria-busy={busy}
      onSubmit={(e) => {
        e.preventDefault();
        void submit(editing ? 'save' : maySchedule && when ? 'schedule' : 'draft');
      }}
    >
      <div className="dialog-body composer">
        <div className="composer-main">
          <fieldset disabled={busy} className="plain">
            {editing || presetClientId ? (
              <p className="composer-for">
                For <strong>{client?.displayName ?? 'this client'}</strong>
              </p>
            ) : (
              <div className="field">
                <label htmlFor={`${id}-client`}>Client</label>
                <select
                  id={`${id}-client`}
                  value={clientId}
                  onChange={(e) => {
                    setClientId(e.target.value);
                    setTargets([]);
                    setCustom({});
                    setError(null);
                  }}
                >
                  <option value="">Choose a client…</option>
                  {clients
                    .filter((c) => !c.deactivated)
                    .map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.displayName}
                      </option>
                    ))}
                </select>
              </div>
            )}

            {client && (
              <fieldset className="checklist targets">
                <legend>Post to</legend>
                {connections.error && <ErrorAlert error={connections.error} />}
                {editing ? (
                  <ul className="plain-list">
                    {chosen.map((t) => (
                      <li key={t.platformId}>{t.connection ? connectionLabel(t.connection) : t.platformId}</li>
                    ))}
                  </ul>
                ) : connections.data === undefined ? (
                  <p className="hint">Loading accounts…</p>
                ) : accounts.length === 0 ? (
                  <p className="hint">
                    {client.displayName} has no connected accounts yet. Send a connection link from their page.
                  </p>
                ) : (
                  accounts.map((c) => (
                    <label key={c.platformId} className="check">
                      <input
                        type="checkbox"
                        checked={targets.includes(c.platformId)}
                        disabled={c.status !== 'active'}
                        onChange={(e) => toggleTarget(c.platformId, e.target.checked)}
                      />
                      {connectionLabel(c)}
                      {c.status !== 'active' && <span className="muted"> (needs re-authentication)</span>}
                    </label>
                  ))
                )}
              </fieldset>
            )}

            <div className="field">
              <label htmlFor={`${id}-text`}>Text</label>
              <textarea
                id={`${id}-text`}
                rows={6}
                value={text}
                aria-invalid={mainOver || undefined}
                aria-describedby={`${id}-counts ${id}-problems`}
                onChange={(e) => {
                  setText(e.target.value);
                  setTouched(true);
                }}
              />
              <ul id={`${id}-counts`} className="counters" aria-label="Character counts" aria-live="polite">
                {checks.filter((c) => !(c.target.platformId in custom)).map(counter)}
              </ul>
            </div>

            {chosen.map((t) => {
              const on = t.platformId in custom;
              const check = checks.find((c) => c.target.platformId === t.platformId)!;
              return (
                <div key={t.platformId} className="custom-text">
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={on}
                      onChange={(e) =>
                        setCustom(({ [t.platformId]: _dropped, ...rest }) =>
                          e.target.checked ? { ...rest, [t.platformId]: text } : rest,
                        )
                      }
                    />
                    Customise for {t.short}
                  </label>
                  {on && (
                    <div className="field">
                      <label htmlFor={`${id}-text-${t.platformId}`}>Text for {t.short}</label>
                      <textarea
                        id={`${id}-text-${t.platformId}`}
                        rows={4}
                        value={custom[t.platformId]}
                        aria-invalid={check.over || undefined}
                        aria-describedby={`${id}-counts-${t.platformId} ${id}-problems`}
                        onChange={(e) => setCustom((c) => ({ ...c, [t.platformId]: e.target.value }))}
                      />
                      <ul
                        id={`${id}-counts-${t.platformId}`}
                        className="counters"
                        aria-label={`Character count for ${t.short}`}
                        aria-live="polite"
                      >
                        {counter(check)}
                      </ul>
                    </div>
                  )}
                </div>
              );
            })}

            <ul
              id={`${id}-problems`}
              className="violations"
              aria-label="Problems"
              aria-live="polite"
              hidden={shownViolations.length === 0}
            >
              {shownViolations.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>

            {editing ? (
              existing.mediaCount > 0 && (
                <p className="hint">
                  {existing.mediaCount} {existing.mediaCount === 1 ? 'image' : 'images'}: images cannot be changed once
                  a post is saved.
                </p>
              )
            ) : (
              <div className="field">
                <label htmlFor={`${id}-media`}>Images</label>
                <input
                  id={`${id}-media`}
                  type="file"
                  multiple
                  accept="image/png,image/jpeg,image/webp,image/gif"
                  disabled={media.length >= MAX_MEDIA}
                  onChange={(e) => {
                    void addFiles(e.target.files);
                    e.target.value = '';
                  }}
                />
                {media.length > 0 && (
                  <ul className="media-list" aria-label="Chosen images">
                    {media.map((m) => (
                      <li key={m.key} className="media-item">
                        <img src={m.previewUrl} alt="" className="media-thumb" />
                        <div className="media-fields">
                          <span>
                            {m.fileName}{' '}
                            <span className="muted">
                              · {m.mimeType}, {formatBytes(m.size)}
                            </span>
                          </span>
                          <input
                            type="text"
                            aria-label={`Alt text for ${m.fileName}`}
                            placeholder="Alt text (describe the image)"
                            maxLength={1500}
                            value={m.altText}
                            onChange={(e) =>
                              setMedia((all) =>
                                all.map((x) => (x.key === m.key ? { ...x, altText: e.target.value } : x)),
                              )
                            }
                          />
                        </div>
                        <button
                          type="button"
                          className="button small"
                          aria-label={`Remove ${m.fileName}`}
                          onClick={() => removeMedia(m)}
                        >
                          Remove
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}

            {maySchedule && (
              <div className="field">
                <label htmlFor={`${id}-when`}>Date and time</label>
                <div className="copy-row">
                  <input
                    id={`${id}-when`}
                    type="datetime-local"
                    value={when}
                    aria-describedby={`${id}-zone`}
                    onChange={(e) => setWhen(e.target.value)}
                  />
                  <button type="button" className="button" onClick={() => setWhen(toLocalInput(new Date(), tz))}>
                    Now
                  </button>
                </div>
                <p className="hint" id={`${id}-zone`}>
                  Time zone: {tz}
                  {client ? ` (${client.displayName}'s)` : ''}
                </p>
              </div>
            )}
          </fieldset>
        </div>

        <aside className="composer-previews" aria-label="Previews">
          <h3 className="subheading">Previews</h3>
          {chosen.length === 0 ? (
            <p className="muted">Choose where to post to see how it will look.</p>
          ) : (
            checks.map((c) => (
              <article
                key={c.target.platformId}
                className={c.over ? 'preview over' : 'preview'}
                aria-label={`Preview on ${c.target.short}`}
              >
                <header className="preview-header">
                  <strong>{c.target.connection?.displayName || platformName(c.target.platform)}</strong>{' '}
                  <span className="muted">
                    {c.target.connection ? atHandle(c.target.connection.handle) : c.target.platformId}
                  </span>
                  <span className="preview-platform">{platformName(c.target.platform)}</span>
                </header>
                <p className="preview-text">{textOf(c.target) || <span className="muted">(no text)</span>}</p>
                {mediaInfo.length > 0 && (
                  <div className="preview-media">
                    {editing ? (
                      <span className="muted">
                        {mediaInfo.length} {mediaInfo.length === 1 ? 'image' : 'images'}
                      </span>
                    ) : (
                      media
                        .slice(0, PLATFORM_RULES[c.target.platform].maxImages)
                        .map((m) => <img key={m.key} src={m.previewUrl} alt={m.altText} />)
                    )}
                  </div>
                )}
              </article>
            ))
          )}
        </aside>
      </div>

      <div className="dialog-body">
        {error && (
          <ErrorAlert
            error={error}
            onUpgrade={() => {
              onClose();
              setView('plan');
            }}
          >
            {nextDay && movedIso && (
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => {
                  setWhen(toLocalInput(movedIso, tz));
                  void submit('schedule', movedIso);
                }}
              >
                Schedule on {nextDay} instead
              </button>
            )}
          </ErrorAlert>
        )}
      </div>

      <footer className="dialog-actions">
        <button type="button" className="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        {editing ? (
          <>
            {mayDraft && (
              <button type="button" className="button" disabled={blocked} onClick={() => void submit('save')}>
                Save changes
              </button>
            )}
            {mayDraft && existing.scheduledTime && (
              <button type="button" className="button" disabled={blocked} onClick={() => void submit('unschedule')}>
                Move to drafts
              </button>
            )}
          </>
        ) : (
          mayDraft && (
            <button type="button" className="button" disabled={blocked} onClick={() => void submit('draft')}>
              Save draft
            </button>
          )
        )}
        {maySchedule && !editing && (
          <button type="button" className="button" disabled={blocked} onClick={() => void submit('queue')}>
            Add to queue
          </button>
        )}
        {maySchedule && (
          <button type="button" className="button primary" disabled={blocked} onClick={() => void submit('schedule')}>
            Schedule
          </button>
        )}
      </footer>
    </form>
  );
}
