import type { ReactElement } from 'react';
import { Icon } from '../../components/Icon';

export type MarkStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'pending' | 'running' | 'waiting';

/** A check's (or a gathering step's) status as a small round mark; decorative, the text says it too. */
export function StatusMark({ status }: { status: MarkStatus }): ReactElement {
  return (
    <span className={`diagnose-mark diagnose-mark--${status}`} aria-hidden="true">
      {status === 'pass' ? <Icon name="check" size={12} /> : status === 'fail' ? <Icon name="close" size={11} /> : status === 'warn' ? '!' : null}
    </span>
  );
}
