import type { ReactElement, ReactNode } from 'react';

export interface Column {
  label: string;
  /** `num` right-aligns figures; `actions` is the row buttons' column. */
  className?: string;
  /** Read by screen readers only (the actions column needs no visible heading). */
  hidden?: boolean;
}

/** The last column of a table whose rows have buttons (RowActions). */
export const ACTIONS_COLUMN: Column = { label: 'Actions', className: 'actions', hidden: true };

/** A bordered table with a header row; its body is the children (rows). */
export function DataTable({ label, className, columns, children }: { label?: string; className?: string; columns: readonly (string | Column)[]; children: ReactNode }): ReactElement {
  return (
    <div className="table-wrap">
      <table className={className ? `data-table ${className}` : 'data-table'} aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => {
              const column = typeof c === 'string' ? { label: c } : c;
              return (
                <th key={column.label} scope="col" className={column.className}>
                  {column.hidden ? <span className="visually-hidden">{column.label}</span> : column.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
