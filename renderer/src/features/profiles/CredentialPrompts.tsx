import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { CredentialPrompt } from '../../../../preload/contract';
import { getApi } from '../../api';
import { Dialog } from '../../components/Dialog';
import { DialogFooter } from '../../components/DialogFooter';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useProfiles } from './profilesStore';
import { SsoSignInPanel, startSignIn } from './SsoSignInPanel';

/**
 * Main's questions while it gets credentials: an MFA code, or an IAM Identity Center sign-in.
 * Mounted once for the whole app, so a prompt shows whatever view is open; prompts still open
 * when the window (re)loads are shown again.
 */
export function CredentialPrompts(): ReactElement | null {
  const [prompts, setPrompts] = useState<CredentialPrompt[]>([]);
  useEffect(() => {
    const api = getApi();
    const offRequested = api.profiles.onPromptRequested((p) => setPrompts((list) => (list.some((x) => x.promptId === p.promptId) ? list : [...list, p])));
    const offClosed = api.profiles.onPromptClosed(({ promptId }) => setPrompts((list) => list.filter((p) => p.promptId !== promptId)));
    void api.profiles.openPrompts().then(
      (open) => setPrompts((list) => [...list, ...open.filter((p) => !list.some((x) => x.promptId === p.promptId))]),
      () => undefined,
    );
    return () => {
      offRequested();
      offClosed();
    };
  }, []);
  const prompt = prompts[0];
  if (!prompt) return null;
  const dismiss = (): void => {
    setPrompts((list) => list.filter((p) => p.promptId !== prompt.promptId));
    void getApi().profiles.answerPrompt({ promptId: prompt.promptId, cancel: true }).catch(() => undefined);
  };
  return prompt.kind === 'mfa' ? <MfaDialog key={prompt.promptId} prompt={prompt} onCancel={dismiss} /> : <SsoPromptDialog key={prompt.promptId} prompt={prompt} onCancel={dismiss} />;
}

function MfaDialog({ prompt, onCancel }: { prompt: Extract<CredentialPrompt, { kind: 'mfa' }>; onCancel: () => void }): ReactElement {
  const [code, setCode] = useState('');
  // Main closes the prompt once the code is taken: the button stays off until then.
  const { busy, error, run } = useAction({ stayBusy: true });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void run(() => getApi().profiles.answerPrompt({ promptId: prompt.promptId, mfaCode: code }));
  };
  return (
    <Dialog title="MFA code needed" description={<>Profile “{prompt.profileName}” needs a code from your MFA device {prompt.reason}.</>} onClose={onCancel}>
      <form onSubmit={submit} aria-label="MFA code">
        <TextField
          label="6-digit code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          maxLength={6}
          className="mfa-code"
          value={code}
          onChange={(typed) => setCode(typed.replace(/\D/g, ''))}
          autoFocus
          required
        />
        <p className="muted mono">{prompt.mfaSerial}</p>
        {error ? <ErrorNotice error={error} /> : null}
        <DialogFooter confirmLabel="Continue" busyLabel="Checking…" busy={busy} disabled={code.length !== 6} onCancel={onCancel} />
      </form>
    </Dialog>
  );
}

function SsoPromptDialog({ prompt, onCancel }: { prompt: Extract<CredentialPrompt, { kind: 'ssoSignIn' }>; onCancel: () => void }): ReactElement {
  const { signIns } = useProfiles();
  const { busy, error, run } = useAction();
  const signIn = signIns[prompt.profileId];
  const begin = (): void => void run(() => startSignIn(prompt.profileId));
  return (
    <Dialog title="Sign in to IAM Identity Center" description={<>Profile “{prompt.profileName}” needs a sign-in at {prompt.startUrl} {prompt.reason}.</>} onClose={onCancel}>
      {signIn && signIn.state !== 'signedIn' ? (
        <SsoSignInPanel profileId={prompt.profileId} signIn={signIn} onRestart={begin} />
      ) : (
        <p className="muted">Bastionless opens the sign-in page in your browser and continues by itself once you approve it.</p>
      )}
      {error ? <ErrorNotice error={error} /> : null}
      <div className="card__actions form__actions">
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          Cancel
        </button>
        {!signIn || signIn.state !== 'waiting' ? (
          <button type="button" className="btn btn--primary" onClick={begin} disabled={busy} autoFocus>
            {busy ? 'Starting…' : 'Sign in'}
          </button>
        ) : null}
      </div>
    </Dialog>
  );
}
