import { DateTime } from 'luxon';
import type { CalendarPost } from '../../../../src-shared/posts';
import { formatDay, stateLabel } from '../posts';
import { Action } from '../../ui/Action';
import { ApprovalBadge } from '../../approvals/ApprovalBadge';
import { CalendarItem, dropTarget, type CalendarPostView } from './CalendarItem';

interface Props {
  day: string;
  /** The day's posts as loaded, how many the day holds, and how many show (the first few). */
  items: readonly CalendarPost[];
  total: number;
  shown: number;
  /** The day belongs to the month before or after (the first and last weeks' edges). */
  outside: boolean;
  today: boolean;
  /** A dragged post hovers over this day. */
  over: boolean;
  view: CalendarPostView;
  /** "Mastodon", "X": where the post goes. */
  platformsOf: (g: CalendarPost) => string[];
  onMore: () => void;
  onOver: (over: boolean) => void;
  onDrop: (postId: string) => void;
}

/** One day of the month: its posts by time, each opened by a click and moved by drag or its Move button. */
export function CalendarDay({ view, ...p }: Props) {
  const date = DateTime.fromISO(p.day, { zone: view.zone });
  const clock = (iso: string) => DateTime.fromISO(iso, { zone: view.zone }).toFormat('HH:mm');
  const cls = ['calendar-day', p.outside && 'outside', p.today && 'today', p.over && 'drop-over'].filter(Boolean);
  return (
    <li
      className={cls.join(' ')}
      aria-label={formatDay(p.day, view.zone)}
      data-day={p.day}
      {...dropTarget(view.dragging, p)}
    >
      <span className="calendar-date" aria-hidden="true">
        {date.day}
      </span>
      <ul className="calendar-items" aria-label={`Posts on ${formatDay(p.day, view.zone)}`}>
        {p.items.slice(0, p.shown).map((g) => (
          <CalendarItem key={g.id} post={g} view={view}>
            <button type="button" className="calendar-open" onClick={() => view.onOpen(g)} title={stateLabel[g.status]}>
              <time dateTime={view.timeOf(g)}>{clock(view.timeOf(g))}</time> {view.nameOf(g)}{' '}
              <span className="calendar-platforms">{p.platformsOf(g).join(' · ')}</span>{' '}
              <ApprovalBadge approval={g.approval} />
              <span className="visually-hidden"> ({stateLabel[g.status]})</span>
            </button>
          </CalendarItem>
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
