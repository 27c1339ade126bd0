import { useState, type ReactElement } from 'react';
import type { DropReason, SessionInfo } from '../../../../preload/contract';
import type { AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { AutoReconnectLine } from './ConnectPanel';
import { useDiagnoseAvailable } from './diagnoseHook';

const HEADLINE: Record<DropReason, string> = {
  expired: 'Session ended: the endpoint\'s time limit',
  'connection-lost': 'Connection lost',
  'host-closed': 'The instance closed the connection',
  exited: 'Session ended',
};

/**
 * Under the terminal of a session that dropped: why, and Reconnect (the whole flow again with a
 * new key and tunnel). The terminal above keeps its output and scrollback.
 */
export function DropBar({ info, onReconnect, onClose, onDiagnose }: { info: SessionInfo; onReconnect: () => Promise<void>; onClose: () => void; onDiagnose: () => void }): ReactElement {
  const [error, setError] = useState<AppError | undefined>();
  const canDiagnose = useDiagnoseAvailable();
  const reason = info.drop?.reason ?? 'connection-lost';
  const headline = reason === 'exited' && info.drop?.exitCode !== undefined ? `Session ended (exit ${info.drop.exitCode})` : HEADLINE[reason];
  return (
    <div className={`drop-bar drop-bar--${reason}`} role="status" data-testid="drop-bar" data-reason={reason}>
      <Icon name={reason === 'exited' ? 'info' : 'warning'} />
      <div className="drop-bar__text">
        <p className="drop-bar__headline">{headline}</p>
        {info.error ? (
          <p className="drop-bar__detail">
            {info.error.message} <span className="drop-bar__hint">{info.error.hint}</span>
          </p>
        ) : null}
        <AutoReconnectLine info={info} />
        {info.autoReconnect.gaveUp ? <p className="drop-bar__hint">{info.autoReconnect.gaveUp}</p> : null}
        {error ? <ErrorNotice error={error} /> : null}
      </div>
      <div className="drop-bar__actions">
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => {
            setError(undefined);
            onReconnect().catch((e: unknown) => setError(toAppError(e)));
          }}
        >
          <Icon name="refresh" size={14} /> {info.autoReconnect.nextAttemptAt ? 'Reconnect now' : 'Reconnect'}
        </button>
        {canDiagnose && reason !== 'exited' && info.error ? (
          <button type="button" className="btn" onClick={onDiagnose}>
            Diagnose
          </button>
        ) : null}
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Close tab
        </button>
      </div>
    </div>
  );
}
