/**
 * The operating-system pieces a launcher needs, as small interfaces so each launcher's
 * arguments, files and clean-up are unit-tested on any OS with fakes, and run for real through
 * nodeProcessRunner.ts / nodeLauncherFs.ts.
 */

export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

export interface SpawnedProcess {
  readonly pid: number | undefined;
  /** Resolves when the program ends; never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** The last few kilobytes of its stdout and stderr, for the log when it fails. */
  outputTail(): string;
  /** Ends the program (SIGTERM; the whole process on Windows). No-op once it has exited. */
  kill(): void;
}

export interface SpawnOptions {
  /** Written to the program's stdin, which is then closed: how a secret reaches it without the process list. */
  stdin?: string;
  /** Extra environment variables on top of ours. */
  env?: Record<string, string>;
}

export interface ProcessRunner {
  /** The absolute path of an executable on PATH (PATHEXT on Windows), or undefined. */
  which(name: string): Promise<string | undefined>;
  /**
   * Starts a program directly (never through a shell: arguments are passed as they are).
   * Resolves once it is running; rejects with the spawn error (ENOENT, EACCES) if it cannot start.
   */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): Promise<SpawnedProcess>;
  /** Runs a short helper (cmdkey, mdfind, open) to the end and collects its output. Rejects if it cannot start. */
  run(command: string, args: readonly string[], options?: { timeoutMs?: number }): Promise<ProcessExit & { stdout: string; stderr: string }>;
}

export interface LauncherFs {
  /** Creates a new private folder (0700) under the system's temp folder. */
  makeTempDir(prefix: string): Promise<string>;
  /** Creates a file readable only by us (0600); fails if it already exists. */
  writePrivateFile(path: string, content: Uint8Array): Promise<void>;
  /** Deletes a file or folder tree; succeeds if it is already gone. */
  remove(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** A small text file's content, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Creates or replaces a small text file readable only by us (0600). */
  writeText(path: string, content: string): Promise<void>;
}
