import type { ClientChannel } from 'ssh2';
import { DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER, FlowControl } from './flowControl';
import { DEFAULT_MAX_FRAME, OutputFramer, immediateScheduler, type Scheduler } from './outputFramer';

export interface ShellChannelOptions {
  highWater?: number;
  lowWater?: number;
  maxFrame?: number;
  schedule?: Scheduler;
}

/** How the shell ended: its exit status or the signal that killed it, when the server said. */
export interface ShellExit {
  code?: number;
  signal?: string;
}

export interface ShellStats {
  /** Bytes sent to the renderer in total. */
  sent: number;
  acked: number;
  /** Sent and not yet acknowledged. */
  unacked: number;
  peakUnacked: number;
  /** Output held in main: the framer's pending bytes and the paused channel's buffer. */
  buffered: number;
  pauses: number;
  paused: boolean;
  frames: number;
}

/**
 * A PTY shell on an SSH connection: output goes out in frames under flow control, input and
 * window-change go in. One tab owns one ShellChannel; the SshConnection under it may carry
 * several.
 */
export class ShellChannel {
  private readonly flow: FlowControl;
  private readonly framer: OutputFramer;
  private exit: ShellExit = {};
  private closed = false;
  private readonly closeListeners = new Set<(exit: ShellExit) => void>();

  constructor(
    private readonly channel: ClientChannel,
    onOutput: (frame: Uint8Array<ArrayBuffer>) => void,
    options: ShellChannelOptions = {},
  ) {
    this.framer = new OutputFramer(
      (frame) => {
        // Count before handing out: a synchronous ack (tests, a local echo) must find it counted.
        this.flow.sent(frame.byteLength);
        onOutput(frame);
      },
      options.maxFrame ?? DEFAULT_MAX_FRAME,
      options.schedule ?? immediateScheduler,
    );
    this.flow = new FlowControl({
      highWater: options.highWater ?? DEFAULT_HIGH_WATER,
      lowWater: options.lowWater ?? DEFAULT_LOW_WATER,
      pause: () => {
        channel.pause();
        channel.stderr.pause();
      },
      resume: () => {
        if (this.closed) return;
        channel.resume();
        channel.stderr.resume();
      },
    });
    channel.on('data', (chunk: Buffer) => this.framer.push(chunk));
    // A PTY merges stderr into stdout; a server that still sends extended data is shown too.
    channel.stderr.on('data', (chunk: Buffer) => this.framer.push(chunk));
    channel.on('exit', (code: number | null, signal?: string) => {
      this.exit = { ...(typeof code === 'number' ? { code } : {}), ...(signal ? { signal } : {}) };
    });
    channel.on('close', () => this.finish());
    // Errors on a channel surface as its close; the connection reports the cause.
    channel.on('error', () => undefined);
  }

  /** Calls `listener` once when the shell has ended (exit, close, or its connection went away). */
  onClose(listener: (exit: ShellExit) => void): () => void {
    if (this.closed) {
      listener(this.exit);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  write(data: string | Uint8Array): void {
    if (this.closed) return;
    this.channel.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  /** Sends window-change (RFC 4254 6.7). */
  resize(cols: number, rows: number): void {
    if (this.closed) return;
    this.channel.setWindow(rows, cols, 0, 0);
  }

  /** The renderer drew `bytes` more of the output. */
  ack(bytes: number): void {
    this.flow.acked(bytes);
  }

  /** The renderer that would ack outstanding bytes is gone (the window reloaded). */
  resetFlow(): void {
    this.flow.reset();
  }

  get stats(): ShellStats {
    const flow = this.flow.stats;
    return {
      ...flow,
      buffered: this.framer.buffered + this.channel.readableLength + this.channel.stderr.readableLength,
      frames: this.framer.frames,
    };
  }

  /** Ends the shell (SSH channel close). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    try {
      this.channel.close();
    } catch {
      // The connection is already gone: the channel is as closed as it gets.
    }
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    // Output that arrived before the close still belongs on screen.
    this.framer.flush();
    this.closed = true;
    this.framer.dispose();
    for (const listener of this.closeListeners) listener(this.exit);
    this.closeListeners.clear();
  }
}
