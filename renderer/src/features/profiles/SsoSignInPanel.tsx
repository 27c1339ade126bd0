import { useState, type ReactElement } from 'react';
import type { SsoSignIn } from '../../../../preload/contract';
import { AppError, getApi } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { profilesStore } from './profilesStore';

/** Starts an IAM Identity Center sign-in for a profile; resolves with its first state. */
export async function startSignIn(profileId: string): Promise<SsoSignIn> {
  const signIn = await getApi().profiles.signIn({ id: profileId });
  profilesStore.noteSignIn(signIn);
  return signIn;
}

/**
 * The device sign-in as the person follows it: the code to compare with the page that opened
 * in their browser, a way to open that page again, and how it ended.
 */
export function SsoSignInPanel({ profileId, signIn, onRestart }: { profileId: string; signIn: SsoSignIn; onRestart: () => void }): ReactElement {
  const [error, setError] = useState<AppError | undefined>();
  const page = signIn.verificationUriComplete ?? signIn.verificationUri;
  switch (signIn.state) {
    case 'waiting':
      return (
        <div className="sso-signin" aria-live="polite">
          <p>A sign-in page opened in your browser. Check that it shows this code, then choose Allow:</p>
          <p className="sso-signin__code" data-testid="sso-user-code">
            {signIn.userCode}
          </p>
          <p className="muted">
            <span className="spinner" aria-hidden="true" /> Waiting for you to approve it
            {signIn.expiresAt ? ` (the code is valid until ${new Date(signIn.expiresAt).toLocaleTimeString()})` : ''}.
          </p>
          {error ? <ErrorNotice error={error} /> : null}
          <div className="card__actions">
            {page ? (
              <button type="button" className="btn" onClick={() => void getApi().profiles.openSignInPage({ id: profileId }).catch((e: unknown) => setError(toAppError(e)))}>
                Open the page again
              </button>
            ) : null}
            {page ? <span className="muted mono sso-signin__url">{signIn.verificationUri}</span> : null}
            <button type="button" className="btn btn--ghost" onClick={() => void getApi().profiles.cancelSignIn({ id: profileId }).catch((e: unknown) => setError(toAppError(e)))}>
              Cancel sign-in
            </button>
          </div>
        </div>
      );
    case 'signedIn':
      return (
        <div className="banner banner--ok" role="status">
          <Icon name="check" /> Signed in{signIn.expiresAt ? ` until ${new Date(signIn.expiresAt).toLocaleString()}` : ''}.
        </div>
      );
    case 'expired':
    case 'cancelled':
      return (
        <div className="sso-signin">
          <p className="muted">{signIn.state === 'expired' ? 'The sign-in code expired before it was approved.' : 'The sign-in was cancelled.'}</p>
          <button type="button" className="btn" onClick={onRestart}>
            Start again
          </button>
        </div>
      );
    case 'failed':
      return (
        <div className="sso-signin">
          <ErrorNotice
            error={signIn.error ? AppError.fromJSON(signIn.error) : new AppError('AWS_SSO_SIGN_IN_FAILED', 'The sign-in failed.', { hint: 'Start it again.' })}
            onRetry={onRestart}
          />
        </div>
      );
  }
}
