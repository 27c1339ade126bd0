/** Runs `fn` soon (after the current I/O has been processed); returns a canceller. */
export type Scheduler = (fn: () => void) => () => void;

export const immediateScheduler: Scheduler = (fn) => {
  const handle = setImmediate(fn);
  return () => clearImmediate(handle);
};

export const DEFAULT_MAX_FRAME = 64 * 1024;

/**
 * Coalesces terminal output into frames for IPC. ssh2 delivers one chunk per SSH packet (often
 * a few bytes for an interactive shell, at most 32 KiB); sending each as its own IPC message
 * would cost thousands of messages a second under `yes`. Chunks that arrive together are
 * joined until `maxFrame` bytes, and whatever is pending goes out once the current I/O has been
 * handled, so a keystroke's echo is never held back waiting for more.
 */
export class OutputFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private cancel: (() => void) | undefined;
  private frameCount = 0;
  private disposed = false;

  constructor(
    private readonly emit: (frame: Uint8Array<ArrayBuffer>) => void,
    private readonly maxFrame = DEFAULT_MAX_FRAME,
    private readonly schedule: Scheduler = immediateScheduler,
  ) {}

  push(chunk: Buffer): void {
    if (this.disposed || chunk.length === 0) return;
    let rest = chunk;
    while (rest.length > 0) {
      const room = this.maxFrame - this.pendingBytes;
      const part = rest.length <= room ? rest : rest.subarray(0, room);
      this.pending.push(part);
      this.pendingBytes += part.length;
      rest = rest.subarray(part.length);
      if (this.pendingBytes >= this.maxFrame) this.flush();
    }
    if (this.pendingBytes > 0 && !this.cancel) {
      this.cancel = this.schedule(() => {
        this.cancel = undefined;
        this.flush();
      });
    }
  }

  /** Emits whatever is pending as one frame. */
  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.pendingBytes === 0) return;
    // A plain Uint8Array that owns exactly its bytes: Electron's structured clone copies a view's
    // whole ArrayBuffer (ssh2's chunks are slices of bigger buffers), and Buffer's toJSON would
    // turn it into a number array on JSON transports.
    const frame = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const part of this.pending) {
      frame.set(part, at);
      at += part.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.frameCount += 1;
    this.emit(frame);
  }

  /** Bytes held here, not yet sent. */
  get buffered(): number {
    return this.pendingBytes;
  }

  get frames(): number {
    return this.frameCount;
  }

  dispose(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.disposed = true;
  }
}
