import type { ReactElement, ReactNode } from 'react';

/**
 * A table row's buttons, in its last cell: the main action as a small text button, the others
 * as icon buttons, on one line whatever the width (each reachable with Tab, named for screen
 * readers, with a tooltip).
 */
export function RowActions({ label, children }: { label: string; children: ReactNode }): ReactElement {
  return (
    <td className="actions">
      <div className="row-actions" role="group" aria-label={label}>
        {children}
      </div>
    </td>
  );
}
