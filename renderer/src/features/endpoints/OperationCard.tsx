import { useState, type ReactElement } from 'react';
import type { Operation } from '../../../../preload/contract';
import { AppError, getApi } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import type { MarkState } from '../../components/StatusMark';
import { Steps, type StepView } from '../../components/Steps';
import { formatDuration, useNow } from '../../hooks/useNow';
import { endpointsStore } from './endpointsStore';
import { operationTitle, STATUS_WORDS } from './format';

type OperationStep = Operation['steps'][number];

const STEP_MARK: Record<OperationStep['state'], MarkState> = { pending: 'pending', active: 'running', done: 'done', failed: 'failed', skipped: 'skipped' };

/** A step as the card shows it: the endpoint's state while waiting for it, and how long it ran (live while it runs). */
function stepView(s: OperationStep, operation: Operation, now: number): StepView {
  const ran = s.startedAt && s.state === 'active' ? now - Date.parse(s.startedAt) : s.startedAt && s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : undefined;
  return {
    id: s.id,
    label: s.label,
    status: s.state,
    mark: STEP_MARK[s.state],
    detail: s.id === 'waitCreated' && s.state === 'active' && operation.endpointState ? `${operation.endpointId ?? ''} is ${operation.endpointState}` : s.detail,
    time: ran === undefined ? undefined : formatDuration(Math.max(0, ran)),
  };
}

/**
 * One endpoint operation, live: its steps with what each did and how long it has run, the
 * endpoint's state and AWS's StateMessage, the error with its hint, what is left in AWS, and
 * what can be done now (cancel, resume, delete or keep an unused group, dismiss).
 */
export function OperationCard({ operation, onOpenPath, compact }: { operation: Operation; onOpenPath?: (endpointId: string) => void; compact?: boolean }): ReactElement {
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<AppError | undefined>();
  const running = operation.status === 'running';
  const now = useNow(running);
  const act = async (name: string, run: () => Promise<unknown>): Promise<void> => {
    setBusy(name);
    setError(undefined);
    try {
      const result = await run();
      if (result && typeof result === 'object' && 'operationId' in result) endpointsStore.noteOperation(result as Operation);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(undefined);
    }
  };
  const api = getApi();
  const id = { operationId: operation.operationId };
  const group = operation.createdGroup;
  return (
    <section className={`op-card op-card--${operation.status}`} aria-label={operationTitle(operation)} data-operation-id={operation.operationId} data-status={operation.status}>
      <header className="op-card__head">
        <h3>{operationTitle(operation)}</h3>
        <span className={`badge ${operation.status === 'succeeded' ? 'badge--ready' : operation.status === 'failed' ? 'badge--failed' : operation.status === 'running' ? 'badge--starting' : ''}`}>
          {STATUS_WORDS[operation.status]}
        </span>
      </header>
      {operation.status === 'interrupted' ? (
        <p className="op-card__note">
          <Icon name="warning" size={14} /> Bastionless was closed while this was running. Resume carries on from the last finished step; nothing is done twice.
        </p>
      ) : null}
      {!compact || running ? <Steps steps={operation.steps.map((s) => stepView(s, operation, now))} label="Steps" /> : null}
      {operation.stateMessage && operation.endpointState?.endsWith('failed') ? (
        <p className="op-card__state-message">
          AWS says: <q>{operation.stateMessage}</q>
        </p>
      ) : null}
      {operation.error ? <ErrorNotice error={AppError.fromJSON(operation.error)} /> : null}
      {operation.leftovers.length > 0 ? (
        <ul className="icon-list icon-list--warn" aria-label="Left in AWS">
          {operation.leftovers.map((l) => (
            <li key={l}>
              <Icon name="info" size={14} /> {l}
            </li>
          ))}
        </ul>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      <div className="card__actions">
        {running || operation.status === 'interrupted' ? (
          <button type="button" className="btn" disabled={!!busy} onClick={() => void act('cancel', () => api.endpoints.cancel(id))}>
            {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : null}
        {!running && operation.resumable ? (
          <button type="button" className="btn btn--primary" disabled={!!busy} onClick={() => void act('resume', () => api.endpoints.resume(id))}>
            <Icon name="refresh" size={14} /> Resume
          </button>
        ) : null}
        {group?.decision === 'pending' && !running ? (
          <>
            <button type="button" className="btn btn--danger" disabled={!!busy} onClick={() => void act('delete-group', () => api.endpoints.settleGroup({ ...id, action: 'delete' }))}>
              Delete group {group.name}
            </button>
            <button type="button" className="btn" disabled={!!busy} onClick={() => void act('keep-group', () => api.endpoints.settleGroup({ ...id, action: 'keep' }))}>
              Keep it for later
            </button>
          </>
        ) : null}
        {operation.status === 'succeeded' && operation.kind !== 'delete' && operation.endpointId && onOpenPath ? (
          <button type="button" className="btn btn--primary" onClick={() => onOpenPath(operation.endpointId as string)}>
            Open the path to instances
          </button>
        ) : null}
        {!running && operation.status !== 'interrupted' ? (
          <button
            type="button"
            className="btn btn--ghost"
            disabled={!!busy || group?.decision === 'pending'}
            title={group?.decision === 'pending' ? 'Decide about the unused security group first.' : undefined}
            onClick={() =>
              void act('dismiss', async () => {
                await api.endpoints.dismiss(id);
                endpointsStore.forgetOperation(operation.operationId);
              })
            }
          >
            Dismiss
          </button>
        ) : null}
      </div>
    </section>
  );
}
