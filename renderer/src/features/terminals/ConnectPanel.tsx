import { useState, type ReactElement } from 'react';
import type { SessionInfo } from '../../../../preload/contract';
import { AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useDiagnoseAvailable } from './diagnoseHook';
import { PromptForm } from './PromptForm';
import { secondsUntil } from './format';
import { receivedAt } from './sessionsStore';
import { StepList } from './StepList';
import { useNow } from '../../hooks/useNow';

export interface ConnectPanelActions {
  retry(): Promise<void>;
  answer(promptId: string, answers: string[] | null): Promise<void>;
  decideHostKey(fingerprint: string, accept: boolean): Promise<void>;
  diagnose(): void;
  close(): void;
}

/**
 * Over the terminal while a session connects or after it failed: each step with its duration,
 * the question main is waiting on, and for a failure the step it stopped on, the error's
 * sentence and hint, Retry, and Diagnose when the troubleshooting wizard is there.
 */
export function ConnectPanel({ info, actions }: { info: SessionInfo; actions: ConnectPanelActions }): ReactElement {
  const [actionError, setActionError] = useState<AppError | undefined>();
  const running = info.status === 'connecting' && info.steps.some((s) => s.status === 'running');
  const now = useNow(running, 100);
  const canDiagnose = useDiagnoseAvailable();

  const run = (action: () => Promise<void>) => () => {
    setActionError(undefined);
    action().catch((e: unknown) => setActionError(toAppError(e)));
  };

  const failed = info.status === 'failed';
  const heading = failed ? `Could not connect to ${info.title}` : `Connecting to ${info.title}`;
  return (
    <div className="connect-overlay" data-testid="connect-panel" data-status={info.status}>
      <section className={`connect-card${failed ? ' connect-card--failed' : ''}`} aria-label={heading} aria-live="polite">
        <header className="connect-card__header">
          <h2>{heading}</h2>
          {info.target.osUser && info.target.instanceId ? (
            <p className="connect-card__target">
              {info.target.osUser}@{info.target.name ?? info.target.instanceId} · {info.target.instanceId}
              {info.target.region ? ` · ${info.target.region}` : ''}
            </p>
          ) : null}
        </header>
        <StepList steps={info.steps} elapsedSinceMs={receivedAt(info) ? Math.max(0, now - receivedAt(info)) : 0} />
        {info.prompt ? <PromptForm key={info.prompt.promptId} prompt={info.prompt} onAnswer={(answers) => actions.answer(info.prompt!.promptId, answers)} /> : null}
        {failed && info.error ? <ErrorNotice error={AppError.fromJSON(info.error)} /> : null}
        {failed && info.hostKeyChange ? (
          <div className="host-key-change" data-testid="host-key-change">
            <table>
              <tbody>
                <tr>
                  <th scope="row">Trusted since {new Date(info.hostKeyChange.knownFirstSeen).toLocaleDateString()}</th>
                  <td>
                    <code>{info.hostKeyChange.knownAlgorithm}</code> <code className="fingerprint">{info.hostKeyChange.knownFingerprint}</code>
                  </td>
                </tr>
                <tr>
                  <th scope="row">Presented now</th>
                  <td>
                    <code>{info.hostKeyChange.presentedAlgorithm}</code> <code className="fingerprint">{info.hostKeyChange.presentedFingerprint}</code>
                  </td>
                </tr>
              </tbody>
            </table>
            <div className="connect-card__actions">
              <button type="button" className="btn btn--danger" onClick={run(() => actions.decideHostKey(info.hostKeyChange!.presentedFingerprint, true))}>
                Trust the new key and connect
              </button>
              <button type="button" className="btn" onClick={run(() => actions.decideHostKey(info.hostKeyChange!.presentedFingerprint, false))}>
                Keep refusing
              </button>
              <button type="button" className="btn btn--ghost" onClick={actions.close}>
                Close tab
              </button>
            </div>
          </div>
        ) : null}
        {failed && info.autoReconnect.nextAttemptAt ? <AutoReconnectLine info={info} /> : null}
        {failed && info.autoReconnect.gaveUp ? <p className="connect-card__note">{info.autoReconnect.gaveUp}</p> : null}
        {actionError ? <ErrorNotice error={actionError} /> : null}
        {failed && !info.hostKeyChange ? (
          <div className="connect-card__actions">
            <button type="button" className="btn btn--primary" onClick={run(actions.retry)} autoFocus>
              Retry
            </button>
            {canDiagnose ? (
              <button type="button" className="btn" onClick={actions.diagnose}>
                Diagnose
              </button>
            ) : null}
            <button type="button" className="btn btn--ghost" onClick={actions.close}>
              Close tab
            </button>
          </div>
        ) : null}
      </section>
    </div>
  );
}

/** "Reconnecting in 4 s (attempt 2)" while auto-reconnect waits. */
export function AutoReconnectLine({ info }: { info: SessionInfo }): ReactElement | null {
  const at = info.autoReconnect.nextAttemptAt;
  const now = useNow(at !== undefined);
  if (!at) return null;
  const seconds = secondsUntil(at, now);
  return (
    <p className="connect-card__note" data-testid="auto-reconnect">
      Reconnecting by itself {seconds > 0 ? `in ${seconds} s` : 'now'} (attempt {info.autoReconnect.attempt ?? 1}).
    </p>
  );
}
