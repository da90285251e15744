import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  /** The list's accessible name. */
  label: string;
  items: readonly T[];
  rowHeight: number;
  busy?: boolean;
  itemKey: (item: T) => string;
  /** Extra class and data attributes of a row. */
  rowClassName?: string;
  rowData?: (item: T) => Record<`data-${string}`, string>;
  children: (item: T) => ReactNode;
  /**
   * The whole list's length when only its first `items` are loaded (a list paged by cursor): the
   * list is sized to it, rows not loaded yet say so, and `onNeedMore` asks for the next page once
   * the rows in view come within `LOAD_AHEAD` of the loaded end.
   */
  total?: number;
  onNeedMore?: () => void;
}

/**
 * Rows rendered beyond each edge of the view: TanStack Virtual's default, one. The rows come in
 * with the scroll event, in the same frame (flushSync), so a wider margin never shows a row sooner;
 * it only makes every frame of a fast scroll build rows nobody sees (3 cost a fifth of the main
 * thread's time per frame at the queue's 1,200 px a frame; issue 11, D125).
 */
const OVERSCAN = 1;
/** The next page is asked for while this many loaded rows are still ahead of the view. */
const LOAD_AHEAD = 300;

interface RowProps<T> {
  item: T;
  index: number;
  count: number;
  start: number;
  size: number;
  className: string;
  rowData?: (item: T) => Record<`data-${string}`, string>;
  render: (item: T) => ReactNode;
}

/**
 * One row, rendered again only when its item, place or renderer changes: a scroll re-renders the
 * list, and the rows already in view must cost nothing then (issue 11 `ui_queue_100k_scroll`).
 */
const Row = memo(function Row<T>({ item, index, count, start, size, className, rowData, render }: RowProps<T>) {
  return (
    <li
      className={className}
      aria-setsize={count}
      aria-posinset={index + 1}
      {...rowData?.(item)}
      style={{ height: size, transform: `translateY(${start}px)` }}
    >
      {render(item)}
    </li>
  );
}) as <T>(props: RowProps<T>) => ReactNode;

/** A long list that renders only the rows in view (thousands of clients or posts stay smooth). */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const { label, items, rowHeight, busy, itemKey, rowClassName, rowData, children, total, onNeedMore } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const count = Math.max(items.length, total ?? 0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's own state drives re-renders
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN,
  });
  const rows = virtualizer.getVirtualItems();
  const lastInView = rows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (onNeedMore && lastInView >= items.length - LOAD_AHEAD) onNeedMore();
  }, [onNeedMore, items.length, lastInView]);
  const className = rowClassName ? `virtual-row ${rowClassName}` : 'virtual-row';

  return (
    <div ref={scroller} className="virtual-scroller" hidden={count === 0}>
      <ul className="virtual-list" aria-label={label} aria-busy={busy} style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => {
          const item = items[row.index];
          if (item === undefined)
            return (
              <li
                key={`loading-${row.index}`}
                className="virtual-row muted"
                aria-setsize={count}
                aria-posinset={row.index + 1}
                style={{ height: row.size, transform: `translateY(${row.start}px)` }}
              >
                Loading…
              </li>
            );
          return (
            <Row
              key={itemKey(item)}
              item={item}
              index={row.index}
              count={count}
              start={row.start}
              size={row.size}
              className={className}
              rowData={rowData}
              render={children}
            />
          );
        })}
      </ul>
    </div>
  );
}
