import type { ReactElement } from 'react';
import type { PermissionReport, SetupReview } from '../../../../preload/contract';
import type { AppError } from '../../api';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';

const ALLOWED_WORDS = { yes: 'allowed', no: 'refused', unknown: 'cannot be checked' } as const;

export interface StepReviewProps {
  review: SetupReview | undefined;
  reviewError: AppError | undefined;
  reviewLoading: boolean;
  onRetryReview: () => void;
  permissions: PermissionReport | undefined;
  permissionsError: AppError | undefined;
  permissionsLoading: boolean;
  onCheckAgain: () => void;
}

/** Step 5: the exact API calls, then a DryRun of each that names any IAM action the profile lacks. */
export function StepReview({ review, reviewError, reviewLoading, onRetryReview, permissions, permissionsError, permissionsLoading, onCheckAgain }: StepReviewProps): ReactElement {
  return (
    <div className="ep-step" data-step="review">
      <p className="ep-step__lead">These are the exact calls Bastionless will make to AWS, in order. Nothing has been changed yet: the permission check below only sends them with DryRun.</p>
      {reviewError ? <ErrorNotice error={reviewError} onRetry={onRetryReview} /> : null}
      {reviewLoading && !review ? <p className="muted">Checking the quotas and preparing the calls…</p> : null}
      {review ? (
        <>
          <p className="ep-quota" data-testid="review-quota">
            <meter min={0} max={review.quota.limit} low={review.quota.limit - 2} high={review.quota.limit - 1} optimum={0} value={review.quota.used} aria-label="Endpoints in the Region once created" />
            <span>
              {review.quota.used} of {review.quota.limit} endpoints in the Region once this one exists
            </span>
          </p>
          <ul className="ep-notes">
            {review.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          <ol className="ep-calls" aria-label="API calls">
            {review.calls.map((c, i) => (
              <li key={`${c.action}-${i}`} className="ep-call" data-action={c.action}>
                <div className="ep-call__head">
                  <span className="mono ep-call__action">{c.action}</span>
                  <span>{c.purpose}</span>
                </div>
                <pre className="code-block">{c.request}</pre>
              </li>
            ))}
          </ol>
          <section className="ep-permissions" aria-label="Permission check" data-testid="permission-check">
            <h3>
              Permission check (DryRun)
              <button type="button" className="btn btn--small" disabled={permissionsLoading} onClick={onCheckAgain}>
                <Icon name="refresh" size={13} /> Check again
              </button>
            </h3>
            {permissionsError ? <ErrorNotice error={permissionsError} onRetry={onCheckAgain} /> : null}
            {permissionsLoading ? (
              <p className="muted">
                <span className="spinner" /> Asking AWS whether each call would be allowed…
              </p>
            ) : null}
            {permissions ? (
              <>
                {permissions.missing.length > 0 ? (
                  <div className="error-notice" role="alert" data-code="AWS_ACCESS_DENIED" data-testid="missing-permissions">
                    <Icon name="error" />
                    <div className="error-notice__text">
                      <p className="error-notice__message">
                        This profile is not allowed to do everything the setup needs: {permissions.missing.join(', ')}.
                      </p>
                      <p className="error-notice__hint">Ask your AWS administrator to allow {permissions.missing.length === 1 ? 'it' : 'them'} for this identity, then check again.</p>
                    </div>
                  </div>
                ) : (
                  <p className="banner banner--ok" data-testid="permissions-ok">
                    <Icon name="check" /> Every call that can be dry-run would be allowed.
                  </p>
                )}
                <table className="data-table">
                  <tbody>
                    {permissions.checks.map((c) => (
                      <tr key={c.action} data-action={c.action} data-allowed={c.allowed}>
                        <th scope="row" className="mono">
                          {c.action}
                        </th>
                        <td className={`ep-check ep-check--${c.allowed === 'yes' ? 'allowed' : c.allowed === 'no' ? 'denied' : 'uncertain'}`}>{ALLOWED_WORDS[c.allowed]}</td>
                        <td className="muted">{c.deniedAction && c.deniedAction !== c.action ? `${c.deniedAction} is refused. ` : ''}{c.message ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
          </section>
        </>
      ) : null}
    </div>
  );
}
