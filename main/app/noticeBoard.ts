import type { Notice } from '../../preload/contract';

/** How many start-up notices are kept for the window; older ones are dropped first. */
export const STARTUP_NOTICE_LIMIT = 10;

/**
 * Posts the person's notices (`app.noticePosted`) and keeps the ones posted before the window
 * first asks for them. Start-up is when stores are recovered and interrupted operations found,
 * and an event sent then reaches no one: the window is still loading. Once the window has taken
 * them (`app.startupNotices`), notices are only posted live.
 */
export class NoticeBoard {
  private early: Notice[] | undefined = [];

  constructor(private readonly emit: (notice: Notice) => void) {}

  post(notice: Notice): void {
    if (this.early) {
      this.early.push(notice);
      if (this.early.length > STARTUP_NOTICE_LIMIT) this.early.shift();
    }
    this.emit(notice);
  }

  /** The notices posted before the first call; empty from then on. */
  takeStartupNotices(): Notice[] {
    const early = this.early ?? [];
    this.early = undefined;
    return early;
  }
}
