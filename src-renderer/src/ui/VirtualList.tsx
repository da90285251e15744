import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';

interface Props<T> {
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
   * the rows in view come within 100 of the loaded end.
   */
  total?: number;
  onNeedMore?: () => void;
}

/** A long list that renders only the rows in view (thousands of clients or posts stay smooth). */
export function VirtualList<T>(props: Props<T>) {
  const { label, items, rowHeight, busy, itemKey, rowClassName, rowData, children, total, onNeedMore } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const count = Math.max(items.length, total ?? 0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's own state drives re-renders
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  const rows = virtualizer.getVirtualItems();
  const lastInView = rows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (onNeedMore && lastInView >= items.length - 100) onNeedMore();
  }, [onNeedMore, items.length, lastInView]);

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
            <li
              key={itemKey(item)}
              className={rowClassName ? `virtual-row ${rowClassName}` : 'virtual-row'}
              aria-setsize={count}
              aria-posinset={row.index + 1}
              {...rowData?.(item)}
              style={{ height: row.size, transform: `translateY(${row.start}px)` }}
            >
              {children(item)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
