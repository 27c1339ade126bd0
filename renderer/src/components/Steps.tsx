import type { ReactElement } from 'react';
import { StatusMark, type MarkState } from './StatusMark';

export interface StepView {
  id: string;
  label: string;
  /** The feature's own word for the state (it names the row's class and data-status). */
  status: string;
  mark: MarkState;
  detail?: string | undefined;
  /** How long it took (or has run), already formatted; empty for none. */
  time?: string | undefined;
}

/**
 * A flow's steps, each with its mark, what it did, and how long it took: the connect flow of a
 * terminal, an RDP launch, an endpoint operation and the troubleshooting wizard's gathering all
 * show their progress the same way.
 */
export function Steps({ steps, label, className }: { steps: readonly StepView[]; label: string; className?: string }): ReactElement {
  return (
    <ol className={className ? `progress-steps ${className}` : 'progress-steps'} aria-label={label}>
      {steps.map((step) => (
        <li key={step.id} className={`progress-step progress-step--${step.status}`} data-step={step.id} data-status={step.status}>
          <StatusMark state={step.mark} />
          <span className="progress-step__label">{step.label}</span>
          <span className="progress-step__detail" title={step.detail}>
            {step.detail ?? ''}
          </span>
          <span className="progress-step__time">{step.time ?? ''}</span>
          <span className="visually-hidden">{step.status}</span>
        </li>
      ))}
    </ol>
  );
}
