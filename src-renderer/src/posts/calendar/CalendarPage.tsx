import { DateTime } from 'luxon';
import { useId, useMemo, useState } from 'react';
import { platforms, type Platform, type Workspace } from '../../../../src-shared/contract';
import type { ErrorObject } from '../../../../src-shared/errors';
import type { CalendarPost } from '../../../../src-shared/posts';
import { can } from '../../permissions';
import {
  excerpt,
  platformName,
  platformOf,
  sameTimeOnDay,
  toLocalInput,
  useCalendarDays,
  useReportPublishing,
} from '../posts';
import { Choice } from '../../ui/Field';
import { useStore } from '../../store';
import { useClients } from '../../clients/useClients';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Notice, PageHeader } from '../../ui/Section';
import { CalendarDay } from './CalendarDay';
import { CalendarWeek } from './CalendarWeek';
import type { CalendarPostView } from './CalendarItem';
import { MoveDialog } from './MoveDialog';
import { useRole } from '../../data/session';
import { act } from '../../data/queries';
import { Action } from '../../ui/Action';

type Mode = 'week' | 'month';
const MONTH_ITEMS = 4;
/** Client colours, by the client's place in the list: distinct for the first eight. */
const CLIENT_COLOURS = ['#2563eb', '#db2777', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4d7c0f'];
const platformOptions = [
  { value: '' as const, label: 'All platforms' },
  ...platforms.map((p) => ({ value: p, label: platformName(p) })),
];

/** A move on its way to the engine: shown at once, dropped when it fails or the data catches up. */
interface PendingMove {
  iso: string;
  /** The post's updatedAt when the move started: newer data means the engine answered. */
  baseUpdatedAt: string;
}

/**
 * Scheduled and published posts by day, in the viewer's own time zone (SPEC §8, D110): the month
 * as days, the week as an hour grid. A post moves by drag and drop onto another day (keeping its
 * time of day) or, in the week, onto another hour (keeping its minutes), or with its Move button.
 */
export function CalendarPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openPost = useStore((s) => s.openPost);
  const id = useId();
  // The viewer's local time: a person reads the calendar in their own day (D110).
  const zone = useMemo(() => DateTime.local().zoneName, []);
  const { clients, byId } = useClients(workspace);
  const [clientId, setClientId] = useState('');
  const [platform, setPlatform] = useState<Platform | ''>('');
  const clientList = clients.data?.users ?? [];
  const clientOptions = [
    { value: '', label: 'All clients' },
    ...clientList.map((u) => ({ value: u.id, label: u.displayName })),
  ];
  const colourOf = (userId: string) => {
    const i = clientList.findIndex((u) => u.id === userId);
    return i < 0 ? 'var(--muted)' : CLIENT_COLOURS[i % CLIENT_COLOURS.length]!;
  };
  const platformListOf = (g: CalendarPost) => [
    ...new Set(g.platformIds.map(platformOf).filter((p): p is Platform => p !== null)),
  ];
  const platformsOf = (g: CalendarPost) => platformListOf(g).map(platformName);
  const [mode, setMode] = useState<Mode>('month');
  const [anchor, setAnchor] = useState(() => DateTime.now().setZone(zone).toISODate()!);
  const [moves, setMoves] = useState<Record<string, PendingMove>>({});
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [moving, setMoving] = useState<CalendarPost | null>(null);
  const mayMove = can(role, 'post.schedule');

  const day0 = DateTime.fromISO(anchor, { zone });
  const start = mode === 'week' ? day0.startOf('week') : day0.startOf('month').startOf('week');
  const end = mode === 'week' ? start.plus({ days: 7 }) : day0.endOf('month').endOf('week').plus({ milliseconds: 1 });
  const days: string[] = [];
  for (let d = start; d < end; d = d.plus({ days: 1 })) days.push(d.toISODate()!);

  // Each day's count and the posts its cell shows, chosen by the engine (post.calendar, D104):
  // a month cell shows MONTH_ITEMS, a week's day every post.
  const posts = useCalendarDays(
    workspace.id,
    clientId || null,
    {
      from: days[0]!,
      to: end.toISODate()!,
      zone,
      ...(platform ? { platform } : {}),
      perDay: mode === 'month' ? MONTH_ITEMS : 1000,
    },
    { keepPrevious: true },
  );
  const groups = useMemo(() => (posts.data?.days ?? []).flatMap((d) => d.posts), [posts.data]);
  const totals = useMemo(() => new Map((posts.data?.days ?? []).map((d) => [d.day, d.total])), [posts.data]);
  useReportPublishing('calendar', groups);

  const timeOf = (g: CalendarPost): string => {
    const m = moves[g.id];
    return m && m.baseUpdatedAt === g.updatedAt ? m.iso : g.scheduledTime!;
  };
  const byDay = new Map<string, CalendarPost[]>();
  for (const g of groups) {
    const key = DateTime.fromISO(timeOf(g), { zone }).toISODate()!;
    byDay.set(key, [...(byDay.get(key) ?? []), g]);
  }
  for (const list of byDay.values()) list.sort((a, b) => timeOf(a).localeCompare(timeOf(b)));

  const movable = (g: CalendarPost) => mayMove && g.changeable && g.status !== 'draft';
  const nameOf = (g: CalendarPost) => `${byId.get(g.userId)?.displayName ?? 'Client'}: ${excerpt(g.excerpt, 30)}`;

  // How every post shows and moves, in the month's days and the week's hours alike.
  const view: CalendarPostView = {
    zone,
    dragging,
    timeOf,
    nameOf,
    colourOf: (g) => colourOf(g.userId),
    movable,
    pending: (g) => moves[g.id]?.baseUpdatedAt === g.updatedAt,
    onOpen: (g) => void openPost(g.id),
    onMove: setMoving,
    onDragStart: (g) => setDragging(g.id),
    onDragEnd: () => {
      setDragging(null);
      setOver(null);
    },
  };

  async function move(g: CalendarPost, iso: string) {
    if (new Date(iso).getTime() === new Date(g.scheduledTime!).getTime()) return;
    setError(null);
    setNotice('');
    setMoves((m) => ({ ...m, [g.id]: { iso, baseUpdatedAt: g.updatedAt } }));
    const res = await act('post.update', { workspaceId: workspace.id, id: g.id, patch: { scheduledTime: iso } });
    if (res.ok) {
      setNotice(`Moved ${nameOf(g)} to ${DateTime.fromISO(iso, { zone }).toLocaleString(DateTime.DATETIME_MED)}.`);
      return;
    }
    // The post goes back where it was.
    setMoves(({ [g.id]: _failed, ...rest }) => rest);
    setError(res.error);
  }

  function drop(day: string, draggedId: string, hour?: number) {
    setOver(null);
    setDragging(null);
    const g = groups.find((x) => x.id === draggedId);
    if (!g || !movable(g)) return;
    const iso = sameTimeOnDay(timeOf(g), day, zone);
    if (!iso) return;
    // Onto an hour of the week's grid: that hour, the same minutes.
    void move(g, hour === undefined ? iso : DateTime.fromISO(iso, { zone }).set({ hour }).toISO()!);
  }

  const step = (n: number) => setAnchor(day0.plus(mode === 'week' ? { weeks: n } : { months: n }).toISODate()!);
  const title =
    mode === 'month'
      ? day0.toLocaleString({ month: 'long', year: 'numeric' })
      : `${start.toLocaleString({ day: 'numeric', month: 'short' })} – ` +
        end.minus({ days: 1 }).toLocaleString({ day: 'numeric', month: 'short', year: 'numeric' });
  const today = DateTime.now().setZone(zone).toISODate();

  return (
    <div className="page page-wide">
      <PageHeader
        title="Calendar"
        subtitle={`Scheduled and published posts${mode === 'week' ? ' by hour' : ''}, in your time (${zone}). ${
          mode === 'week' ? 'Drag a post to another hour or day' : 'Drag a post to another day'
        }, or use its Move button.`}
      />

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
            <Action onClick={() => step(-1)}>Previous</Action>
            <Action onClick={() => setAnchor(today!)}>Today</Action>
            <Action onClick={() => step(1)}>Next</Action>
            <label className="inline-label">
              Go to date
              <input type="date" value={anchor} onChange={(e) => e.target.value && setAnchor(e.target.value)} />
            </label>
          </div>
        </div>
        <div className="filters" role="search" aria-label="Filter the calendar">
          <Choice label="Client" value={clientId} options={clientOptions} onChange={setClientId} />
          <Choice label="Platform" value={platform} options={platformOptions} onChange={setPlatform} />
        </div>
        {posts.error && <ErrorAlert error={posts.error} />}
        {error && <ErrorAlert error={error} />}
        <Notice>{notice}</Notice>

        {mode === 'week' ? (
          <CalendarWeek
            days={days}
            today={today}
            byDay={byDay}
            view={view}
            clientOf={(g) => byId.get(g.userId)?.displayName ?? 'Client'}
            platformsOf={platformListOf}
            onDrop={(day, hour, postId) => drop(day, postId, hour)}
          />
        ) : (
          <>
            <ul className="calendar-weekdays" aria-label="Weekdays">
              {days.slice(0, 7).map((day) => (
                <li key={day}>{DateTime.fromISO(day, { zone }).toFormat('cccc')}</li>
              ))}
            </ul>
            <ol className="calendar calendar-month" aria-labelledby={`${id}-title`} aria-busy={posts.isFetching}>
              {days.map((day) => {
                const items = byDay.get(day) ?? [];
                return (
                  <CalendarDay
                    key={day}
                    day={day}
                    items={items}
                    total={Math.max(totals.get(day) ?? 0, items.length)}
                    shown={MONTH_ITEMS}
                    outside={!day.startsWith(day0.toFormat('yyyy-LL'))}
                    today={day === today}
                    over={over === day}
                    view={view}
                    platformsOf={platformsOf}
                    onMore={() => {
                      setAnchor(day);
                      setMode('week');
                    }}
                    onOver={(on) => setOver((o) => (on ? day : o === day ? null : o))}
                    onDrop={(postId) => drop(day, postId)}
                  />
                );
              })}
            </ol>
          </>
        )}
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
