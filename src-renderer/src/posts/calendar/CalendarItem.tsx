import type { DragEvent, ReactNode } from 'react';
import type { CalendarPost } from '../../../../src-shared/posts';

/** What a post dragged in the calendar carries: its id, read where it is dropped. */
export const DRAG_TYPE = 'application/x-postroom-post';

/** How the calendar shows and moves each of its posts, in the month's days and the week's hours alike. */
export interface CalendarPostView {
  /** The viewer's time zone: the days, hours and times the calendar shows are in it (D110). */
  zone: string;
  /** The id of the post being dragged in this window, if any. */
  dragging: string | null;
  timeOf: (g: CalendarPost) => string;
  nameOf: (g: CalendarPost) => string;
  /** The client's colour, shown as the item's left border. */
  colourOf: (g: CalendarPost) => string;
  movable: (g: CalendarPost) => boolean;
  pending: (g: CalendarPost) => boolean;
  onOpen: (g: CalendarPost) => void;
  onMove: (g: CalendarPost) => void;
  onDragStart: (g: CalendarPost) => void;
  onDragEnd: () => void;
}

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

/**
 * One post in the calendar: its state and client colour, dragged by its id where it may move, opened
 * by its button (`children`, what the month or the week shows of it) and moved by its Move button.
 */
export function CalendarItem({
  post: g,
  view: p,
  className,
  children,
}: {
  post: CalendarPost;
  view: CalendarPostView;
  /** More classes of the item (the week's `calendar-slot`). */
  className?: string;
  children: ReactNode;
}) {
  return (
    <li
      className={['calendar-item', className, `state-${g.status}`, p.pending(g) && 'pending'].filter(Boolean).join(' ')}
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
      {children}
      {p.movable(g) && <MovePostButton name={p.nameOf(g)} onMove={() => p.onMove(g)} />}
    </li>
  );
}

/**
 * What makes a day (month) or an hour (week) a place to drop a post: it takes a calendar post
 * dragged in this window or carrying DRAG_TYPE, says while one hovers over it (`onOver`), and hands
 * the post's id to `onDrop`.
 */
export function dropTarget(
  dragging: string | null,
  { over, onOver, onDrop }: { over: boolean; onOver: (over: boolean) => void; onDrop: (postId: string) => void },
) {
  return {
    onDragOver: (e: DragEvent<HTMLElement>) => {
      if (!dragging && !e.dataTransfer.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      if (!over) onOver(true);
    },
    onDragLeave: () => onOver(false),
    onDrop: (e: DragEvent<HTMLElement>) => {
      e.preventDefault();
      onOver(false);
      onDrop(e.dataTransfer.getData(DRAG_TYPE) || dragging || '');
    },
  };
}
