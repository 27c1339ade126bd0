import type { DesktopIo } from '../desktop';
import type { Logger } from '../log';
import type { Timers } from './timers';

export const CLIPBOARD_CLEAR_MS = 30_000;

/**
 * Puts a secret on the clipboard and takes it off again after a while, but only if the
 * clipboard still holds it: whatever the person copied since is theirs and stays.
 */
export class ClipboardGuard {
  private pending: { secret: string; handle: unknown } | undefined;

  constructor(
    private readonly desktop: Pick<DesktopIo, 'writeClipboard' | 'readClipboard'>,
    private readonly timers: Timers,
    private readonly log: Logger,
    private readonly clearAfterMs = CLIPBOARD_CLEAR_MS,
  ) {}

  /** Copies `secret`; resolves with how long it stays. A newer copy replaces an older pending one. */
  async copy(secret: string): Promise<number> {
    if (this.pending) this.timers.clear(this.pending.handle);
    await this.desktop.writeClipboard(secret);
    const handle = this.timers.setTimeout(() => {
      void this.clearIfStillOurs();
    }, this.clearAfterMs);
    this.pending = { secret, handle };
    return this.clearAfterMs;
  }

  /** Clears the clipboard now if it still holds what we put there. */
  async clearIfStillOurs(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.timers.clear(pending.handle);
    try {
      if ((await this.desktop.readClipboard()) === pending.secret) await this.desktop.writeClipboard('');
    } catch (error) {
      this.log.warn('could not clear the password from the clipboard', { error });
    }
  }

  /** On quit: the password must not outlive the app on the clipboard. */
  async dispose(): Promise<void> {
    await this.clearIfStillOurs();
  }
}
