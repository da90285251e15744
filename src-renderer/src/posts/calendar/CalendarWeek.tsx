import { DateTime } from 'luxon';
import { useEffect, useRef, useState } from 'react';
import type { Platform } from '../../../../src-shared/contract';
import type { CalendarPost } from '../../../../src-shared/posts';
import { excerpt, formatDay, platformName, stateLabel } from '../posts';
import { CalendarItem, dropTarget, type CalendarPostView } from './CalendarItem';
import { ApprovalBadge } from '../../approvals/ApprovalBadge';

/** The hours of a day, as the grid's rows. */
const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** The row the grid opens on when the week has nothing earlier: the working day's start. */
const FIRST_SHOWN_HOUR = 7;
/** How many characters of a post's text its entry shows. */
const TEXT_START = 40;

/**
 * Each platform as a small mark people know it by: its initials on its colour. The mark is an image
 * named by the platform, so a screen reader says "Mastodon".
 */
const PLATFORM_MARKS: Record<Platform, { mark: string; colour: string }> = {
  bluesky: { mark: 'Bs', colour: '#0a7aff' },
  mastodon: { mark: 'M', colour: '#6364ff' },
  x: { mark: 'X', colour: '#000000' },
  linkedin: { mark: 'in', colour: '#0a66c2' },
  threads: { mark: '@', colour: '#101010' },
  instagram: { mark: 'IG', colour: '#c13584' },
  facebook: { mark: 'f', colour: '#1877f2' },
};

export function PlatformIcon({ platform }: { platform: Platform }) {
  const { mark, colour } = PLATFORM_MARKS[platform];
  return (
    <span className="platform-icon" role="img" aria-label={platformName(platform)} style={{ background: colour }}>
      {mark}
    </span>
  );
}

interface Props {
  /** The week's seven days (ISO dates), Monday first. */
  days: readonly string[];
  today: string | null;
  byDay: ReadonlyMap<string, readonly CalendarPost[]>;
  view: CalendarPostView;
  clientOf: (g: CalendarPost) => string;
  platformsOf: (g: CalendarPost) => Platform[];
  /** A post dropped on an hour of a day: it keeps its minutes. */
  onDrop: (day: string, hour: number, postId: string) => void;
}

/**
 * The week as an hour grid (issue 10 item 4): a row per hour of the viewer's day, a column per
 * day; each post sits in its hour with its time, its client's colour, its platforms' marks and the
 * start of its text. Dragging it onto another hour (of any day) moves it there; the engine decides
 * whether it may (the daily limit, approvals), and a refused move goes back.
 */
export function CalendarWeek({ view, ...p }: Props) {
  const [over, setOver] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const local = (g: CalendarPost) => DateTime.fromISO(view.timeOf(g), { zone: view.zone });
  const cellPosts = new Map<string, CalendarPost[]>();
  for (const day of p.days)
    for (const g of p.byDay.get(day) ?? []) {
      const key = `${day} ${local(g).hour}`;
      cellPosts.set(key, [...(cellPosts.get(key) ?? []), g]);
    }
  const earliest = Math.min(
    FIRST_SHOWN_HOUR,
    ...p.days.flatMap((d) => (p.byDay.get(d) ?? []).map((g) => local(g).hour)),
  );
  const firstDay = p.days[0];

  // Opens each week on the working day (or its first post), not at midnight; posts arriving later
  // do not move the grid under the person's pointer.
  const scrolledFor = useRef<string | undefined>(undefined);
  useEffect(() => {
    const row = scroller.current?.querySelector<HTMLElement>(`tr[data-hour="${earliest}"]`);
    if (!scroller.current || !row || scrolledFor.current === firstDay) return;
    scrolledFor.current = firstDay;
    scroller.current.scrollTop = row.offsetTop - (row.offsetHeight || 0);
  }, [earliest, firstDay]);

  const hourLabel = (hour: number) => DateTime.fromObject({ hour }, { zone: view.zone }).toFormat('HH:mm');
  return (
    <div className="calendar-hours" ref={scroller}>
      <table className="calendar-grid">
        <caption className="visually-hidden">Week, by hour, in {view.zone}</caption>
        <thead>
          <tr>
            <td className="calendar-hour" />
            {p.days.map((day) => (
              <th key={day} scope="col" className={day === p.today ? 'today' : undefined} data-day={day}>
                {DateTime.fromISO(day, { zone: view.zone }).toFormat('ccc d')}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {HOURS.map((hour) => (
            <tr key={hour} data-hour={hour}>
              <th scope="row" className="calendar-hour">
                {hourLabel(hour)}
              </th>
              {p.days.map((day) => {
                const key = `${day} ${hour}`;
                const posts = cellPosts.get(key) ?? [];
                return (
                  <td
                    key={day}
                    data-day={day}
                    data-hour={hour}
                    aria-label={`${formatDay(day, view.zone)}, ${hourLabel(hour)}`}
                    className={over === key ? 'drop-over' : undefined}
                    {...dropTarget(view.dragging, {
                      over: over === key,
                      onOver: (on) => setOver((o) => (on ? key : o === key ? null : o)),
                      onDrop: (postId) => p.onDrop(day, hour, postId),
                    })}
                  >
                    {posts.length > 0 && (
                      <ul className="calendar-items">
                        {posts.map((g) => (
                          <CalendarItem key={g.id} post={g} view={view} className="calendar-slot">
                            <button
                              type="button"
                              className="calendar-open"
                              onClick={() => view.onOpen(g)}
                              title={`${p.clientOf(g)} · ${stateLabel[g.status]}`}
                            >
                              <span className="calendar-slot-head">
                                <time dateTime={view.timeOf(g)}>{local(g).toFormat('HH:mm')}</time>
                                <span className="calendar-platforms">
                                  {p.platformsOf(g).map((platform) => (
                                    <PlatformIcon key={platform} platform={platform} />
                                  ))}
                                </span>
                                <ApprovalBadge approval={g.approval} />
                              </span>
                              <span className="calendar-text">{excerpt(g.excerpt, TEXT_START)}</span>
                              <span className="visually-hidden">
                                {' '}
                                ({p.clientOf(g)}, {stateLabel[g.status]})
                              </span>
                            </button>
                          </CalendarItem>
                        ))}
                      </ul>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
