import { randomBytes } from 'node:crypto';
import { AppError, type CredentialPrompt } from '../../preload/contract';
import type { Logger } from '../log';

type PromptRequest = CredentialPrompt extends infer P ? (P extends unknown ? Omit<P, 'promptId'> : never) : never;
export type PromptOutcome = 'answered' | 'cancelled' | 'timedOut';

export interface PromptBrokerOptions {
  /** Shows a prompt (the `profiles.promptRequested` event). */
  onRequested: (prompt: CredentialPrompt) => void;
  /** Closes a prompt's dialog (the `profiles.promptClosed` event). */
  onClosed: (promptId: string, outcome: PromptOutcome) => void;
  log: Logger;
  /** How long a person has to answer an MFA prompt. */
  mfaTimeoutMs?: number;
  /** How long an SSO sign-in prompt waits (the device code itself lives about 10 minutes). */
  ssoTimeoutMs?: number;
}

interface Pending {
  prompt: CredentialPrompt;
  resolve: (code: string) => void;
  reject: (error: AppError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Asks the person for things only they have, while main resolves credentials: an MFA code, or
 * an IAM Identity Center sign-in. A prompt is an event to the window and a promise in main that
 * settles when the window answers, the person cancels, or the prompt times out. States: each
 * prompt is pending until settled exactly once; `dispose()` cancels them all.
 */
export class PromptBroker {
  private readonly pending = new Map<string, Pending>();
  private disposed = false;

  constructor(private readonly options: PromptBrokerOptions) {}

  /** Asks for an MFA code. Resolves with the 6 digits; rejects with CANCELLED or AWS_MFA_REQUIRED (timed out). */
  askMfa(request: Omit<Extract<CredentialPrompt, { kind: 'mfa' }>, 'promptId'>): Promise<string> {
    return this.ask(request, this.options.mfaTimeoutMs ?? 5 * 60_000);
  }

  /**
   * Asks the person to sign in to IAM Identity Center. Resolves when `completeSignIn` is called
   * for the same start URL (the sign-in flow finished); rejects with CANCELLED or
   * AWS_SSO_SIGN_IN_REQUIRED (timed out).
   */
  async askSsoSignIn(request: Omit<Extract<CredentialPrompt, { kind: 'ssoSignIn' }>, 'promptId'>): Promise<void> {
    await this.ask(request, this.options.ssoTimeoutMs ?? 15 * 60_000);
  }

  /** Answers an MFA prompt from the window. Fails with NOT_FOUND when it is gone. */
  answer(promptId: string, answer: { mfaCode?: string; cancel?: boolean }): void {
    const p = this.pending.get(promptId);
    if (!p) {
      throw new AppError('NOT_FOUND', 'That prompt is no longer open.', { hint: 'It was answered, cancelled or timed out; try the action again.' });
    }
    if (answer.cancel) {
      this.settle(promptId, 'cancelled');
      return;
    }
    if (p.prompt.kind !== 'mfa' || !answer.mfaCode) {
      throw new AppError('INVALID_INPUT', p.prompt.kind === 'mfa' ? 'An MFA code is needed to answer this prompt.' : 'This prompt is answered by signing in, not with a code.', {
        hint: p.prompt.kind === 'mfa' ? 'Enter the 6-digit code from your MFA device.' : 'Use "Sign in" in the dialog, or cancel it.',
      });
    }
    this.pending.delete(promptId);
    clearTimeout(p.timer);
    p.resolve(answer.mfaCode);
    this.options.onClosed(promptId, 'answered');
  }

  /** Settles every open SSO prompt for `startUrl`: its sign-in finished. */
  completeSignIn(startUrl: string): void {
    for (const [id, p] of [...this.pending]) {
      if (p.prompt.kind === 'ssoSignIn' && p.prompt.startUrl === startUrl) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.resolve('');
        this.options.onClosed(id, 'answered');
      }
    }
  }

  /** Prompts still waiting: a window that (re)loads shows them again. */
  open(): CredentialPrompt[] {
    return [...this.pending.values()].map((p) => p.prompt);
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, 'cancelled');
  }

  private ask(request: PromptRequest, timeoutMs: number): Promise<string> {
    if (this.disposed) return Promise.reject(new AppError('CANCELLED', 'Bastionless is shutting down.', { hint: '' }));
    const promptId = `p-${randomBytes(8).toString('hex')}`;
    const prompt = { ...request, promptId } as CredentialPrompt;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(promptId, 'timedOut'), timeoutMs);
      timer.unref?.();
      this.pending.set(promptId, { prompt, resolve, reject, timer });
      this.options.log.info('asked the person', { kind: prompt.kind, profileId: prompt.profileId });
      this.options.onRequested(prompt);
    });
  }

  private settle(promptId: string, outcome: 'cancelled' | 'timedOut'): void {
    const p = this.pending.get(promptId);
    if (!p) return;
    this.pending.delete(promptId);
    clearTimeout(p.timer);
    const what = p.prompt.kind === 'mfa' ? 'MFA code' : 'IAM Identity Center sign-in';
    if (outcome === 'cancelled') {
      p.reject(
        new AppError('CANCELLED', `The ${what} for profile "${p.prompt.profileName}" was cancelled.`, {
          hint: 'Try again when you are ready.',
        }),
      );
    } else {
      p.reject(
        new AppError(p.prompt.kind === 'mfa' ? 'AWS_MFA_REQUIRED' : 'AWS_SSO_SIGN_IN_REQUIRED', `No ${what} was given for profile "${p.prompt.profileName}" in time.`, {
          hint: p.prompt.kind === 'mfa' ? 'Try again and enter the code from your MFA device when asked.' : 'Sign in from the Profiles view, then try again.',
          retryable: true,
        }),
      );
    }
    this.options.onClosed(promptId, outcome);
  }
}
