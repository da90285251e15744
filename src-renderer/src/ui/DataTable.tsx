import type { HTMLAttributes, ReactNode } from 'react';

export interface Column<T> {
  header: string;
  /** Read by screen readers only (e.g. "Actions" over a column of buttons). */
  hideHeader?: boolean;
  cell: (row: T) => ReactNode;
  /** This column names the row (a <th scope="row">): rows are found by it. */
  rowHeader?: boolean;
  className?: string;
}

interface Props<T> {
  /** The id of the heading that names the table. */
  labelledBy: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
}

/** A table of rows by columns, named by its heading, scrolling sideways on narrow windows. */
export function DataTable<T>({ labelledBy, columns, rows, rowKey, rowProps }: Props<T>) {
  return (
    <div className="table-scroll">
      <table className="table" aria-labelledby={labelledBy}>
        <TableHead columns={columns} />
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.header} scope="row" className={c.className}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.header} className={c.className}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The header row of a table; also for tables whose rows are components of their own. */
export function TableHead({ columns }: { columns: readonly Pick<Column<never>, 'header' | 'hideHeader'>[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c.header} scope="col">
            {c.hideHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
          </th>
        ))}
      </tr>
    </thead>
  );
}
