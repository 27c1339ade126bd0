import { posix } from 'node:path';
import type { LauncherFs, ProcessExit, ProcessRunner, SpawnedProcess, SpawnOptions } from '../../../../main/rdp/launchers/launcherIo';
import type { Timers } from '../../../../main/rdp/timers';

/** Timers a test fires by hand: no real waiting, no timed assertions. */
export class ManualTimers implements Timers {
  private time = Date.UTC(2026, 0, 5, 9, 0, 0);
  private nextId = 1;
  readonly pending = new Map<number, { fn: () => void; at: number }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { fn, at: this.time + ms });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves the clock forward and runs every timer that is due. */
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.pending].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= this.time && this.pending.delete(id)) timer.fn();
    }
  }
}

export class FakeProcess implements SpawnedProcess {
  readonly pid = 4242;
  killed = false;
  private settle!: (exit: ProcessExit) => void;
  private done = false;
  readonly exited = new Promise<ProcessExit>((resolve) => (this.settle = resolve));

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly options: SpawnOptions,
  ) {}

  outputTail(): string {
    return 'fake output';
  }

  exit(code: number | null, signal: string | null = null): void {
    if (this.done) return;
    this.done = true;
    this.settle({ code, signal });
  }

  kill(): void {
    this.killed = true;
    this.exit(null, 'SIGTERM');
  }
}

export interface RunCall {
  command: string;
  args: readonly string[];
}

/** Records every program it is asked to start; `which` answers from a table. */
export class FakeRunner implements ProcessRunner {
  readonly onPath = new Map<string, string>();
  readonly spawned: FakeProcess[] = [];
  readonly ran: RunCall[] = [];
  /** Answers run() calls; exit 0 with no output by default. */
  runResult: (call: RunCall) => ProcessExit & { stdout: string; stderr: string } = () => ({ code: 0, signal: null, stdout: '', stderr: '' });
  spawnError: Error | undefined;

  async which(name: string): Promise<string | undefined> {
    return this.onPath.get(name);
  }

  async spawn(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<SpawnedProcess> {
    if (this.spawnError) throw this.spawnError;
    const process = new FakeProcess(command, [...args], options);
    this.spawned.push(process);
    return process;
  }

  async run(command: string, args: readonly string[]): Promise<ProcessExit & { stdout: string; stderr: string }> {
    const call = { command, args: [...args] };
    this.ran.push(call);
    return this.runResult(call);
  }
}

/** An in-memory file system that remembers modes, for checking 0600 files and clean-up. */
export class MemoryFs implements LauncherFs {
  readonly files = new Map<string, { content: Buffer; mode: number }>();
  readonly dirs = new Set<string>();
  /** Paths that exist outside our temp folders (installed apps). */
  readonly present = new Set<string>();
  private count = 0;

  constructor(private readonly join: (...parts: string[]) => string = posix.join) {}

  async makeTempDir(prefix: string): Promise<string> {
    const dir = this.join('/tmp', `${prefix}${++this.count}`);
    this.dirs.add(dir);
    return dir;
  }

  async writePrivateFile(path: string, content: Uint8Array): Promise<void> {
    if (this.files.has(path)) throw new Error(`EEXIST: ${path}`);
    this.files.set(path, { content: Buffer.from(content), mode: 0o600 });
  }

  async remove(path: string): Promise<void> {
    this.dirs.delete(path);
    for (const file of [...this.files.keys()]) if (file === path || file.startsWith(path)) this.files.delete(file);
  }

  async exists(path: string): Promise<boolean> {
    return this.present.has(path) || this.dirs.has(path) || this.files.has(path);
  }

  async readText(path: string): Promise<string | undefined> {
    return this.files.get(path)?.content.toString('utf8');
  }

  async writeText(path: string, content: string): Promise<void> {
    this.files.set(path, { content: Buffer.from(content, 'utf8'), mode: 0o600 });
  }

  /** Every file left behind. */
  leftovers(): string[] {
    return [...this.dirs, ...this.files.keys()];
  }
}
