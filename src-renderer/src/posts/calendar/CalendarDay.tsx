import { DateTime } from 'luxon';
import type { CalendarPost } from '../../../../src-shared/posts';
import { formatDay, stateLabel } from '../posts';
import { Action } from '../../ui/Action';
import { ApprovalBadge } from '../../approvals/ApprovalBadge';
import { CalendarItem, dropTarget, type CalendarPostView } from './CalendarItem';

interface Props extends CalendarPostView {
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
  /** "Mastodon", "X": where the post goes. */
  platformsOf: (g: CalendarPost) => string[];
  onMore: () => void;
  onOver: (over: boolean) => void;
  onDrop: (postId: string) => void;
}

/** One day of the calendar: its posts by time, each opened by a click and moved by drag or its Move button. */
export function CalendarDay(p: Props) {
  const date = DateTime.fromISO(p.day, { zone: p.zone });
  const clock = (iso: string) => DateTime.fromISO(iso, { zone: p.zone }).toFormat('HH:mm');
  const cls = ['calendar-day', p.outside && 'outside', p.today && 'today', p.over && 'drop-over'].filter(Boolean);
  return (
    <li className={cls.join(' ')} aria-label={formatDay(p.day, p.zone)} data-day={p.day} {...dropTarget(p)}>
      <span className="calendar-date" aria-hidden="true">
        {p.mode === 'week' ? date.toFormat('ccc d') : date.day}
      </span>
      <ul className="calendar-items" aria-label={`Posts on ${formatDay(p.day, p.zone)}`}>
        {p.items.slice(0, p.shown).map((g) => (
          <CalendarItem key={g.id} post={g} view={p}>
            <button type="button" className="calendar-open" onClick={() => p.onOpen(g)} title={stateLabel[g.status]}>
              <time dateTime={p.timeOf(g)}>{clock(p.timeOf(g))}</time> {p.nameOf(g)}{' '}
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
