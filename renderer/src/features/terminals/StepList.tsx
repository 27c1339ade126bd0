import type { ReactElement } from 'react';
import type { SessionStep } from '../../../../preload/contract';
import { formatDuration } from './format';

const MARK: Record<SessionStep['status'], string> = {
  pending: '○',
  running: '',
  done: '✓',
  failed: '✕',
  skipped: '–',
};

/**
 * The connect flow's steps with their durations. A running step's time keeps counting from
 * when its state arrived (`elapsedSinceMs`).
 */
export function StepList({ steps, elapsedSinceMs }: { steps: readonly SessionStep[]; elapsedSinceMs: number }): ReactElement {
  return (
    <ol className="connect-steps" aria-label="Connection steps">
      {steps.map((step) => {
        const duration = step.durationMs === undefined ? undefined : step.status === 'running' ? step.durationMs + elapsedSinceMs : step.durationMs;
        return (
          <li key={step.id} className={`connect-step connect-step--${step.status}`} data-step={step.id} data-status={step.status}>
            <span className="connect-step__mark" aria-hidden="true">
              {step.status === 'running' ? <span className="step-spinner" /> : MARK[step.status]}
            </span>
            <span className="connect-step__label">{step.label}</span>
            <span className="connect-step__detail">{step.detail ?? ''}</span>
            <span className="connect-step__time">{duration !== undefined && step.status !== 'pending' ? formatDuration(duration) : ''}</span>
          </li>
        );
      })}
    </ol>
  );
}
