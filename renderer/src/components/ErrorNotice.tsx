import { useState, type ReactElement } from 'react';
import type { AppError } from '../api';
import { Icon } from './Icon';

/** Shows an error's sentence and hint, with "Copy details" (code, time, request id) for a ticket. */
export function ErrorNotice({ error, onRetry }: { error: AppError; onRetry?: () => void }): ReactElement {
  const [copied, setCopied] = useState(false);
  const details = [`code: ${error.code}`, `time: ${error.at}`, ...(error.requestId ? [`request id: ${error.requestId}`] : []), `message: ${error.message}`].join('\n');
  return (
    <div className="error-notice" role="alert" data-code={error.code}>
      <Icon name="error" />
      <div className="error-notice__text">
        <p className="error-notice__message">{error.message}</p>
        {error.hint ? <p className="error-notice__hint">{error.hint}</p> : null}
        <p className="error-notice__code">{error.code}</p>
      </div>
      <div className="error-notice__actions">
        {onRetry ? (
          <button type="button" className="btn" onClick={onRetry}>
            Try again
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn--ghost"
          onClick={() => {
            void navigator.clipboard?.writeText(details).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          <Icon name="copy" size={14} /> {copied ? 'Copied' : 'Copy details'}
        </button>
      </div>
    </div>
  );
}
