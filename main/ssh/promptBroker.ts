import { randomBytes } from 'node:crypto';
import { AppError, type SessionPrompt } from '../../preload/contract';

interface Pending {
  prompt: SessionPrompt;
  resolve(answers: string[]): void;
  reject(error: AppError): void;
}

/**
 * The one question a session may have open for the person at a time (a password, a key's
 * passphrase, keyboard-interactive questions). The question goes out in the session's state;
 * the answer comes back through `sessions.answerPrompt` and is handed straight to ssh2: it is
 * never stored, logged or sent anywhere else.
 */
export class PromptBroker {
  private pending: Pending | undefined;

  constructor(private readonly onChange: () => void) {}

  get current(): SessionPrompt | undefined {
    return this.pending?.prompt;
  }

  /** Asks the person; rejects with CANCELLED if they cancel or the session goes away. */
  ask(prompt: Omit<SessionPrompt, 'promptId'>): Promise<string[]> {
    this.pending?.reject(new AppError('CANCELLED', 'A newer question replaced this one.'));
    return new Promise<string[]>((resolve, reject) => {
      this.pending = { prompt: { ...prompt, promptId: randomBytes(6).toString('hex') }, resolve, reject };
      this.onChange();
    });
  }

  /**
   * Answers (or, with null, cancels) the open question. Returns false when `promptId` is not
   * the open question (already answered, or replaced), so a double submit does nothing.
   */
  answer(promptId: string, answers: string[] | null): boolean {
    const pending = this.pending;
    if (!pending || pending.prompt.promptId !== promptId) return false;
    this.pending = undefined;
    if (answers === null) {
      pending.reject(new AppError('CANCELLED', 'Login was cancelled.', { hint: 'Retry when you have the answer.' }));
    } else {
      // Missing answers are empty strings: the server decides, not a renderer's short array.
      pending.resolve(pending.prompt.fields.map((_f, i) => answers[i] ?? ''));
    }
    this.onChange();
    return true;
  }

  /** Withdraws the open question (the attempt was abandoned). */
  cancel(error: AppError): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    pending.reject(error);
    this.onChange();
  }
}
