import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';

/**
 * A child process the sandbox started, stopped by PID together with everything it forked
 * (sshd forks one process per connection; those outlive the listener unless killed too).
 * A process-exit hook SIGKILLs whatever is still running, so a crashed test run leaves no
 * daemons behind.
 */
export class ManagedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private running = true;
  private stopping: Promise<void> | null = null;

  private constructor(child: ChildProcess) {
    if (child.pid === undefined) throw new Error('The process did not start.');
    this.pid = child.pid;
    this.child = child;
    live.add(this);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.running = false;
        live.delete(this);
        resolve({ code, signal });
      });
    });
  }

  /**
   * Spawns `command` and resolves once it is running; rejects with the spawn error (ENOENT,
   * EACCES) instead of emitting it later.
   */
  static async start(command: string, args: string[], options: SpawnOptions = {}): Promise<ManagedProcess> {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    // A later error (a failed kill) must not crash the process as an unhandled 'error' event.
    child.on('error', () => undefined);
    return new ManagedProcess(child);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Stops the process and its descendants: SIGTERM to each PID, then SIGKILL to whatever is
   * left after `graceMs`. Idempotent.
   */
  stop(graceMs = 2000): Promise<void> {
    this.stopping ??= this.doStop(graceMs);
    return this.stopping;
  }

  /** Kills the process's descendants only (e.g. sshd's per-connection processes). */
  killDescendants(signal: NodeJS.Signals = 'SIGTERM'): number[] {
    const pids = descendantPids(this.pid);
    for (const pid of pids) signalPid(pid, signal);
    return pids;
  }

  private async doStop(graceMs: number): Promise<void> {
    if (!this.running) return;
    const descendants = descendantPids(this.pid);
    signalPid(this.pid, 'SIGTERM');
    for (const pid of descendants) signalPid(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) signalPid(this.pid, 'SIGKILL');
    // Descendants that ignored SIGTERM (or were re-parented) get SIGKILL by the PIDs we saw.
    for (const pid of descendants) if (isAlive(pid)) signalPid(pid, 'SIGKILL');
    await this.exited;
  }
}

const live = new Set<ManagedProcess>();
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const proc of live) {
    for (const pid of descendantPids(proc.pid)) signalPid(pid, 'SIGKILL');
    signalPid(proc.pid, 'SIGKILL');
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A temp folder (keys, configs) deleted when the process exits, even if the owner never got
 * to clean up (a crash, a test run killed mid-way). Returns a function that deletes it now.
 */
export function trackTempDir(dir: string): () => void {
  tempDirs.add(dir);
  return () => {
    tempDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Whether a process still runs: it exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie (state Z) has exited; PID 1 here does not reap, so it lingers harmlessly.
    return parseStat(stat)?.state !== 'Z';
  } catch {
    return false;
  }
}

function parseStat(stat: string): { ppid: number; state: string } | null {
  // The command name (field 2) is in parentheses and may contain spaces: parse after it.
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]) };
}

/** Every live descendant of `root`, read from /proc (children before grandchildren). */
export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parsed = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (!parsed || parsed.state === 'Z') continue;
      const list = children.get(parsed.ppid) ?? [];
      list.push(Number(entry));
      children.set(parsed.ppid, list);
    } catch {
      // the process exited while we read
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = children.get(queue.shift()!) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the caller retries on a bind race). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function portAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls until `port` accepts connections. Rejects if `proc` exits first or after `timeoutMs`
 * (a start-up failure, not a test assertion).
 */
export async function waitForPort(port: number, proc: ManagedProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.isRunning) throw new Error(`the process exited before listening on port ${port}`);
    if (await portAccepts(port)) return;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`nothing listened on port ${port} after ${timeoutMs} ms`);
}

/** Keeps the last `max` lines written to a stream (daemon logs, for error messages and tests). */
export class LineBuffer {
  readonly lines: string[] = [];
  private partial = '';
  private readonly listeners = new Set<(line: string) => void>();

  constructor(private readonly max = 300) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    // sshd -e ends its lines with \r\n.
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
      for (const listener of this.listeners) listener(line);
    }
  }

  /** Calls `listener` for each new complete line; returns an unsubscribe. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tail(n = 20): string {
    return this.lines.slice(-n).join('\n');
  }
}
