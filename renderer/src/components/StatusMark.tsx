import type { ReactElement } from 'react';
import { Icon } from './Icon';

/** A step's or a check's state, as the mark shows it. */
export type MarkState = 'done' | 'failed' | 'warn' | 'skipped' | 'pending' | 'running';

/**
 * A small round mark: a check when done, a cross when failed, "!" for a warning, a dashed ring
 * when skipped, a ring while waiting, a spinner while running. Decorative: the text beside it says
 * the same, so it is hidden from screen readers.
 */
export function StatusMark({ state }: { state: MarkState }): ReactElement {
  return (
    <span className={`status-mark status-mark--${state}`} aria-hidden="true">
      {state === 'done' ? <Icon name="check" size={12} /> : state === 'failed' ? <Icon name="close" size={11} /> : state === 'warn' ? '!' : null}
    </span>
  );
}
