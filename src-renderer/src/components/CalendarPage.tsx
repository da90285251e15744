import { DateTime } from 'luxon';
import { useId, useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import type { PostGroup } from '../../../src-shared/posts';
import { can } from '../permissions';
import {
  excerpt,
  formatDay,
  fromLocalInput,
  isChangeable,
  useAllPosts,
  sameTimeOnDay,
  stateLabel,
  toLocalInput,
  useReportPublishing,
} from '../posts';
import { useStore } from '../store';
import { useClients } from '../useClients';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act } from '../data/queries';

type Mode = 'week' | 'month';
const MONTH_ITEMS = 4;
const DRAG_TYPE = 'application/x-postroom-post';

/** A move on its way to the engine: shown at once, dropped when it fails or the data catches up. */
interface PendingMove {
  iso: string;
  /** The post's updatedAt when the move started: newer data means the engine answered. */
  baseUpdatedAt: string;
}

/**
 * Scheduled and published posts by day, in the workspace's time zone (SPEC §8). A post moves by
 * drag and drop onto another day, or with its Move button; either keeps its time of day.
 */
export function CalendarPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openPost = useStore((s) => s.openPost);
  const id = useId();
  const zone = workspace.timezone;
  const { byId } = useClients(workspace);
  const [mode, setMode] = useState<Mode>('month');
  const [anchor, setAnchor] = useState(() => DateTime.now().setZone(zone).toISODate()!);
  const [moves, setMoves] = useState<Record<string, PendingMove>>({});
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [moving, setMoving] = useState<PostGroup | null>(null);
  const mayMove = can(role, 'post.schedule');

  const day0 = DateTime.fromISO(anchor, { zone });
  const start = mode === 'week' ? day0.startOf('week') : day0.startOf('month').startOf('week');
  const end = mode === 'week' ? start.plus({ days: 7 }) : day0.endOf('month').endOf('week').plus({ milliseconds: 1 });
  const days: string[] = [];
  for (let d = start; d < end; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  const from = start.toISO()!;
  const to = end.toISO()!;

  const posts = useAllPosts(workspace.id, null, { from, to }, { keepPrevious: true });
  const groups = useMemo(
    () => (posts.data?.groups ?? []).filter((g) => g.scheduledTime && g.status !== 'cancelled' && g.status !== 'draft'),
    [posts.data],
  );
  useReportPublishing('calendar', groups);

  const timeOf = (g: PostGroup): string => {
    const m = moves[g.id];
    return m && m.baseUpdatedAt === g.updatedAt ? m.iso : g.scheduledTime!;
  };
  const byDay = new Map<string, PostGroup[]>();
  for (const g of groups) {
    const key = DateTime.fromISO(timeOf(g), { zone }).toISODate()!;
    byDay.set(key, [...(byDay.get(key) ?? []), g]);
  }
  for (const list of byDay.values()) list.sort((a, b) => timeOf(a).localeCompare(timeOf(b)));

  const movable = (g: PostGroup) => mayMove && isChangeable(g) && g.status !== 'draft';
  const nameOf = (g: PostGroup) => `${byId.get(g.userId)?.displayName ?? 'Client'}: ${excerpt(g.text, 30)}`;

  async function move(g: PostGroup, iso: string) {
    if (new Date(iso).getTime() === new Date(g.scheduledTime!).getTime()) return;
    setError(null);
    setNotice('');
    setMoves((m) => ({ ...m, [g.id]: { iso, baseUpdatedAt: g.updatedAt } }));
    const res = await act('post.update', { workspaceId: workspace.id, id: g.id, patch: { scheduledTime: iso } });
    if (res.ok) {
      setNotice(`Moved ${nameOf(g)} to ${DateTime.fromISO(iso, { zone }).toLocaleString(DateTime.DATETIME_MED)}.`);
      posts.refetch();
      return;
    }
    // The post goes back where it was.
    setMoves(({ [g.id]: _failed, ...rest }) => rest);
    setError(res.error);
  }

  function drop(day: string, draggedId: string) {
    setOver(null);
    setDragging(null);
    const g = groups.find((x) => x.id === draggedId);
    if (!g || !movable(g)) return;
    const iso = sameTimeOnDay(timeOf(g), day, zone);
    if (iso) void move(g, iso);
  }

  const step = (n: number) => setAnchor(day0.plus(mode === 'week' ? { weeks: n } : { months: n }).toISODate()!);
  const title =
    mode === 'month'
      ? day0.toLocaleString({ month: 'long', year: 'numeric' })
      : `${start.toLocaleString({ day: 'numeric', month: 'short' })} – ${end.minus({ days: 1 }).toLocaleString({ day: 'numeric', month: 'short', year: 'numeric' })}`;
  const today = DateTime.now().setZone(zone).toISODate();

  return (
    <div className="page page-wide">
      <header className="page-header page-header-actions">
        <div>
          <h1>Calendar</h1>
          <p className="muted">
            Scheduled and published posts, in {zone}. Drag a post to another day, or use its Move button.
          </p>
        </div>
      </header>

      <section className="card" aria-labelledby={`${id}-title`}>
        <div className="calendar-toolbar">
          <h2 id={`${id}-title`} aria-live="polite">
            {title}
          </h2>
          <div className="button-row">
            <div className="view-toggle" role="group" aria-label="Calendar view">
              {(['week', 'month'] as const).map((m) => (
                <button
                  key={m}
                  type="button"
                  className="button subtle"
                  aria-pressed={mode === m}
                  onClick={() => setMode(m)}
                >
                  {m === 'week' ? 'Week' : 'Month'}
                </button>
              ))}
            </div>
            <button type="button" className="button" onClick={() => step(-1)}>
              Previous
            </button>
            <button type="button" className="button" onClick={() => setAnchor(today!)}>
              Today
            </button>
            <button type="button" className="button" onClick={() => step(1)}>
              Next
            </button>
            <label className="inline-label">
              Go to date
              <input type="date" value={anchor} onChange={(e) => e.target.value && setAnchor(e.target.value)} />
            </label>
          </div>
        </div>
        {posts.error && <ErrorAlert error={posts.error} />}
        {error && <ErrorAlert error={error} />}
        <p role="status" className="notice">
          {notice}
        </p>

        <ol className={`calendar calendar-${mode}`} aria-labelledby={`${id}-title`} aria-busy={posts.isFetching}>
          {days.map((day) => {
            const items = byDay.get(day) ?? [];
            const shown = mode === 'month' ? items.slice(0, MONTH_ITEMS) : items;
            const outside = mode === 'month' && !day.startsWith(day0.toFormat('yyyy-LL'));
            return (
              <li
                key={day}
                className={[
                  'calendar-day',
                  outside ? 'outside' : '',
                  day === today ? 'today' : '',
                  over === day ? 'drop-over' : '',
                ].join(' ')}
                aria-label={formatDay(day, zone)}
                data-day={day}
                onDragOver={(e) => {
                  if (!dragging && !e.dataTransfer.types.includes(DRAG_TYPE)) return;
                  e.preventDefault();
                  e.dataTransfer.dropEffect = 'move';
                  if (over !== day) setOver(day);
                }}
                onDragLeave={() => setOver((o) => (o === day ? null : o))}
                onDrop={(e) => {
                  e.preventDefault();
                  drop(day, e.dataTransfer.getData(DRAG_TYPE) || dragging || '');
                }}
              >
                <span className="calendar-date" aria-hidden="true">
                  {mode === 'week'
                    ? DateTime.fromISO(day, { zone }).toFormat('ccc d')
                    : DateTime.fromISO(day, { zone }).day}
                </span>
                <ul className="calendar-items" aria-label={`Posts on ${formatDay(day, zone)}`}>
                  {shown.map((g) => {
                    const canMove = movable(g);
                    const pending = moves[g.id]?.baseUpdatedAt === g.updatedAt;
                    return (
                      <li
                        key={g.id}
                        className={`calendar-item state-${g.status}${pending ? ' pending' : ''}`}
                        draggable={canMove}
                        data-post-id={g.id}
                        onDragStart={(e) => {
                          e.dataTransfer.setData(DRAG_TYPE, g.id);
                          e.dataTransfer.effectAllowed = 'move';
                          setDragging(g.id);
                        }}
                        onDragEnd={() => {
                          setDragging(null);
                          setOver(null);
                        }}
                      >
                        <button
                          type="button"
                          className="calendar-open"
                          onClick={() => void openPost(g.id)}
                          title={stateLabel[g.status]}
                        >
                          <time dateTime={timeOf(g)}>{DateTime.fromISO(timeOf(g), { zone }).toFormat('HH:mm')}</time>{' '}
                          {nameOf(g)}
                          <span className="visually-hidden"> ({stateLabel[g.status]})</span>
                        </button>
                        {canMove && (
                          <button
                            type="button"
                            className="button small calendar-move"
                            aria-haspopup="dialog"
                            aria-label={`Move ${nameOf(g)}`}
                            onClick={() => setMoving(g)}
                          >
                            Move
                          </button>
                        )}
                      </li>
                    );
                  })}
                </ul>
                {items.length > shown.length && (
                  <button
                    type="button"
                    className="button subtle small"
                    onClick={() => {
                      setAnchor(day);
                      setMode('week');
                    }}
                  >
                    {items.length - shown.length} more
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      </section>

      {moving && (
        <MoveDialog
          label={nameOf(moving)}
          zone={zone}
          initial={toLocalInput(timeOf(moving), zone)}
          onCancel={() => setMoving(null)}
          onMove={(iso) => {
            const g = moving;
            setMoving(null);
            void move(g, iso);
          }}
        />
      )}
    </div>
  );
}

/** The keyboard way to move a post: a date and time on the workspace's wall clock. */
function MoveDialog({
  label,
  zone,
  initial,
  onCancel,
  onMove,
}: {
  label: string;
  zone: string;
  initial: string;
  onCancel: () => void;
  onMove: (iso: string) => void;
}) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState(initial);
  const [problem, setProblem] = useState('');

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    const iso = fromLocalInput(value, zone);
    if (!iso) setProblem('Choose a date and a time.');
    else onMove(iso);
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form noValidate onSubmit={submit}>
        <header className="dialog-header">
          <h2 id={`${id}-title`}>Move post</h2>
          <p className="muted">{label}</p>
        </header>
        <div className="dialog-body">
          <div className="field">
            <label htmlFor={`${id}-when`}>New date and time</label>
            <input
              id={`${id}-when`}
              type="datetime-local"
              value={value}
              aria-describedby={`${id}-zone`}
              autoFocus
              onChange={(e) => setValue(e.target.value)}
            />
            <p className="hint" id={`${id}-zone`}>
              Time zone: {zone}
            </p>
          </div>
          {problem && (
            <p role="alert" className="alert">
              {problem}
            </p>
          )}
        </div>
        <footer className="dialog-actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button primary">
            Move
          </button>
        </footer>
      </form>
    </dialog>
  );
}
