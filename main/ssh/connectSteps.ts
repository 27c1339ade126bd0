import type { SessionStep, SessionStepId } from '../../preload/contract';

const LABELS: Record<SessionStepId, string> = {
  resolve: 'Resolving host',
  tunnel: 'Opening tunnel',
  key: 'Sending key',
  auth: 'Authenticating',
  shell: 'Starting shell',
};

interface StepRecord {
  id: SessionStepId;
  label: string;
  status: SessionStep['status'];
  startedAt?: number;
  endedAt?: number;
  detail?: string;
}

/**
 * The steps of one connect attempt with their timings, in the order the tab lists them. Steps
 * may run at the same time (the key push and the tunnel do).
 */
export class ConnectSteps {
  private readonly steps: StepRecord[];

  constructor(private readonly now: () => number) {
    this.steps = (Object.keys(LABELS) as SessionStepId[]).map((id) => ({ id, label: LABELS[id], status: 'pending' }));
  }

  private get(id: SessionStepId): StepRecord {
    return this.steps.find((s) => s.id === id)!;
  }

  /** Renames a step for this attempt ("Loading key" instead of "Sending key" for a key pair). */
  label(id: SessionStepId, label: string): void {
    this.get(id).label = label;
  }

  start(id: SessionStepId, detail?: string): void {
    const step = this.get(id);
    step.status = 'running';
    step.startedAt = this.now();
    step.endedAt = undefined;
    if (detail !== undefined) step.detail = detail;
  }

  done(id: SessionStepId, detail?: string): void {
    const step = this.get(id);
    step.status = 'done';
    step.endedAt = this.now();
    if (detail !== undefined) step.detail = detail;
  }

  fail(id: SessionStepId): void {
    const step = this.get(id);
    if (step.status === 'done' || step.status === 'skipped') return;
    step.status = 'failed';
    step.startedAt ??= this.now();
    step.endedAt = this.now();
  }

  skip(id: SessionStepId, detail?: string): void {
    const step = this.get(id);
    step.status = 'skipped';
    if (detail !== undefined) step.detail = detail;
  }

  /**
   * After a failure: steps still running were stopped because of it and steps not started never
   * will be; both show as skipped (a running one keeps the time it ran).
   */
  abandon(): void {
    const now = this.now();
    for (const step of this.steps) {
      if (step.status === 'running') {
        step.status = 'skipped';
        step.endedAt = now;
      } else if (step.status === 'pending') {
        step.status = 'skipped';
      }
    }
  }

  /** The step still running, if any. */
  running(): SessionStepId | undefined {
    return this.steps.find((s) => s.status === 'running')?.id;
  }

  snapshot(): SessionStep[] {
    const now = this.now();
    return this.steps.map((s) => ({
      id: s.id,
      label: s.label,
      status: s.status,
      ...(s.startedAt !== undefined ? { durationMs: Math.max(0, (s.endedAt ?? now) - s.startedAt) } : {}),
      ...(s.detail !== undefined ? { detail: s.detail } : {}),
    }));
  }
}
