import type { ReactElement } from 'react';
import type { SessionStep } from '../../../../preload/contract';
import type { MarkState } from '../../components/StatusMark';
import { Steps } from '../../components/Steps';
import { formatDuration } from '../../hooks/useNow';

const MARK: Record<SessionStep['status'], MarkState> = { pending: 'pending', running: 'running', done: 'done', failed: 'failed', skipped: 'skipped' };

/**
 * The connect flow's steps with their durations. A running step's time keeps counting from
 * when its state arrived (`elapsedSinceMs`).
 */
export function StepList({ steps, elapsedSinceMs }: { steps: readonly SessionStep[]; elapsedSinceMs: number }): ReactElement {
  return (
    <Steps
      label="Connection steps"
      className="progress-steps--compact"
      steps={steps.map((step) => {
        const duration = step.durationMs === undefined ? undefined : step.status === 'running' ? step.durationMs + elapsedSinceMs : step.durationMs;
        return {
          id: step.id,
          label: step.label,
          status: step.status,
          mark: MARK[step.status],
          detail: step.detail,
          time: duration !== undefined && step.status !== 'pending' ? formatDuration(duration) : undefined,
        };
      })}
    />
  );
}
