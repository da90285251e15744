import { DateTime } from 'luxon';
import type { CalendarPost } from '../../../../src-shared/posts';
import { formatDay, stateLabel } from '../posts';
import { Action } from '../../ui/Action';
import { ApprovalBadge } from '../../approvals/ApprovalBadge';

export const DRAG_TYPE = 'application/x-postroom-post';

interface Props {
  day: string;
  zone: string;
  mode: 'week' | 'month';
  /** The day's posts as loaded, how many the day holds, and how many show (a month cell shows the first few). */
  items: readonly CalendarPost[];
  total: number;
  shown: number;
  outside: boolean;
  today: boolean;
  /** A dragged post hovers over this day. */
  over: boolean;
  dragging: string | null;
  timeOf: (g: CalendarPost) => string;
  nameOf: (g: CalendarPost) => string;
  /** The client's colour, shown as the item's left border. */
  colourOf: (g: CalendarPost) => string;
  /** "Mastodon", "X": where the post goes. */
  platformsOf: (g: CalendarPost) => string[];
  movable: (g: CalendarPost) => boolean;
  pending: (g: CalendarPost) => boolean;
  onOpen: (g: CalendarPost) => void;
  onMove: (g: CalendarPost) => void;
  onMore: () => void;
  onDragStart: (g: CalendarPost) => void;
  onDragEnd: () => void;
  onOver: (over: boolean) => void;
  onDrop: (postId: string) => void;
}

/** One day of the calendar: its posts by time, each opened by a click and moved by drag or its Move button. */
/** "Move": opens the move dialog for one post, the way to move it without dragging. */
export function MovePostButton({ name, onMove }: { name: string; onMove: () => void }) {
  return (
    <button
      type="button"
      className="button small calendar-move"
      aria-haspopup="dialog"
      aria-label={`Move ${name}`}
      onClick={onMove}
    >
      Move
    </button>
  );
}

export function CalendarDay(p: Props) {
  const date = DateTime.fromISO(p.day, { zone: p.zone });
  const clock = (iso: string) => DateTime.fromISO(iso, { zone: p.zone }).toFormat('HH:mm');
  const cls = ['calendar-day', p.outside && 'outside', p.today && 'today', p.over && 'drop-over'].filter(Boolean);
  return (
    <li
      className={cls.join(' ')}
      aria-label={formatDay(p.day, p.zone)}
      data-day={p.day}
      onDragOver={(e) => {
        if (!p.dragging && !e.dataTransfer.types.includes(DRAG_TYPE)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        if (!p.over) p.onOver(true);
      }}
      onDragLeave={() => p.onOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        p.onDrop(e.dataTransfer.getData(DRAG_TYPE) || p.dragging || '');
      }}
    >
      <span className="calendar-date" aria-hidden="true">
        {p.mode === 'week' ? date.toFormat('ccc d') : date.day}
      </span>
      <ul className="calendar-items" aria-label={`Posts on ${formatDay(p.day, p.zone)}`}>
        {p.items.slice(0, p.shown).map((g) => (
          <li
            key={g.id}
            className={`calendar-item state-${g.status}${p.pending(g) ? ' pending' : ''}`}
            style={{ borderLeftColor: p.colourOf(g) }}
            draggable={p.movable(g)}
            data-post-id={g.id}
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_TYPE, g.id);
              e.dataTransfer.effectAllowed = 'move';
              p.onDragStart(g);
            }}
            onDragEnd={p.onDragEnd}
          >
            <button type="button" className="calendar-open" onClick={() => p.onOpen(g)} title={stateLabel[g.status]}>
              <time dateTime={p.timeOf(g)}>{clock(p.timeOf(g))}</time> {p.nameOf(g)}{' '}
              <span className="calendar-platforms">{p.platformsOf(g).join(' · ')}</span>{' '}
              <ApprovalBadge approval={g.approval} />
              <span className="visually-hidden"> ({stateLabel[g.status]})</span>
            </button>
            {p.movable(g) && <MovePostButton name={p.nameOf(g)} onMove={() => p.onMove(g)} />}
          </li>
        ))}
      </ul>
      {p.total > Math.min(p.shown, p.items.length) && (
        <Action small tone="subtle" onClick={p.onMore}>
          {p.total - Math.min(p.shown, p.items.length)} more
        </Action>
      )}
    </li>
  );
}
