/**
 * Terminal output flow control (ARCHITECTURE.md "Typed IPC"). Main counts the bytes it sent to
 * the renderer and has not had acknowledged; past `highWater` it pauses the SSH channel, and it
 * resumes once acknowledgements bring the count down to `lowWater`. A paused ssh2 channel stops
 * granting SSH window, so the instance stops sending: nothing piles up in either process.
 */
export interface FlowControlOptions {
  /** Unacknowledged bytes at which the source is paused. */
  highWater: number;
  /** Unacknowledged bytes at or below which a paused source resumes. */
  lowWater: number;
  pause(): void;
  resume(): void;
}

export const DEFAULT_HIGH_WATER = 1024 * 1024;
export const DEFAULT_LOW_WATER = 256 * 1024;

export class FlowControl {
  private unackedBytes = 0;
  private isPaused = false;
  private sentTotal = 0;
  private ackedTotal = 0;
  private pauseCount = 0;
  private peak = 0;

  constructor(private readonly options: FlowControlOptions) {
    if (!(options.lowWater >= 0 && options.lowWater < options.highWater)) {
      throw new RangeError('lowWater must be at least 0 and below highWater');
    }
  }

  /** `bytes` more were sent to the renderer. */
  sent(bytes: number): void {
    this.unackedBytes += bytes;
    this.sentTotal += bytes;
    if (this.unackedBytes > this.peak) this.peak = this.unackedBytes;
    if (!this.isPaused && this.unackedBytes >= this.options.highWater) {
      this.isPaused = true;
      this.pauseCount += 1;
      this.options.pause();
    }
  }

  /**
   * The renderer drew `bytes` more. An ack for more than is outstanding (a window that reloaded
   * and acks what an earlier page was sent) only brings the count to zero.
   */
  acked(bytes: number): void {
    const counted = Math.min(bytes, this.unackedBytes);
    this.unackedBytes -= counted;
    this.ackedTotal += counted;
    if (this.isPaused && this.unackedBytes <= this.options.lowWater) {
      this.isPaused = false;
      this.options.resume();
    }
  }

  /** Forgets every outstanding byte: the renderer that would have acked them is gone (reload). */
  reset(): void {
    this.acked(this.unackedBytes);
  }

  get unacked(): number {
    return this.unackedBytes;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Counters for tests and benchmarks. */
  get stats(): { sent: number; acked: number; unacked: number; peakUnacked: number; pauses: number; paused: boolean } {
    return { sent: this.sentTotal, acked: this.ackedTotal, unacked: this.unackedBytes, peakUnacked: this.peak, pauses: this.pauseCount, paused: this.isPaused };
  }
}
