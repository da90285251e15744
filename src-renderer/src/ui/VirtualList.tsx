import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

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
}

/** A long list that renders only the rows in view (thousands of clients or posts stay smooth). */
export function VirtualList<T>({ label, items, rowHeight, busy, itemKey, rowClassName, rowData, children }: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer's own state drives re-renders
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });

  return (
    <div ref={scroller} className="virtual-scroller" hidden={items.length === 0}>
      <ul className="virtual-list" aria-label={label} aria-busy={busy} style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const item = items[row.index];
          if (item === undefined) return null;
          return (
            <li
              key={itemKey(item)}
              className={rowClassName ? `virtual-row ${rowClassName}` : 'virtual-row'}
              aria-setsize={items.length}
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
