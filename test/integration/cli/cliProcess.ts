import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { requireBinary } from '../../support/requireBinary';

export const REPO = resolve(__dirname, '../../..');
export const BIN = join(REPO, 'bin', 'bastionless-tunnel.js');

/** The CLI runs from the build: fail with the command that makes it, never skip. */
export function requireBuiltCli(): void {
  if (!existsSync(join(REPO, 'out', 'main', 'cli.js'))) {
    throw new Error('out/main/cli.js is missing: run `npx electron-vite build` (npm test builds before the integration step).');
  }
}

export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  stdout: () => Buffer;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** A HOME with no ~/.aws, so the developer's own profiles never leak into a test. */
export function isolatedHome(): { home: string; dispose(): void } {
  const home = mkdtempSync(join(tmpdir(), 'cli-home-'));
  return { home, dispose: () => rmSync(home, { recursive: true, force: true }) };
}

/** Starts the real bin with only the environment given (plus PATH). The caller kills it by PID if needed. */
export function startCli(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'], ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { child, stdout: () => Buffer.concat(out), stderr: () => err, exited };
}

/** Runs a program to the end and resolves with its exit code and output. */
export function runProcess(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A person's machine for OpenSSH tests: a private HOME with an ed25519 key, and `bastionless-tunnel` on PATH. */
export interface CliUser {
  /** The test's own folder (HOME, PATH folder and scratch files live here). */
  dir: string;
  home: string;
  /** ~/.ssh/id_ed25519 (the public half is next to it, .pub). */
  keyFile: string;
  /** The shell's environment: `aws` settings from `awsEnv`, HOME, and PATH with the command first. */
  env(awsEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  dispose(): void;
}

export async function prepareCliUser(prefix: string): Promise<CliUser> {
  requireBuiltCli();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const home = join(dir, 'home');
  // A PATH folder holding the command, as `npm install -g` or `npm link` would provide it.
  const pathDir = join(dir, 'bin');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  mkdirSync(pathDir);
  symlinkSync(BIN, join(pathDir, 'bastionless-tunnel'));
  const keyFile = join(home, '.ssh', 'id_ed25519');
  const made = await runProcess(requireBinary('ssh-keygen'), ['-q', '-t', 'ed25519', '-N', '', '-C', 'me@laptop', '-f', keyFile], {});
  if (made.code !== 0) throw new Error(`ssh-keygen failed: ${made.stderr}`);
  return {
    dir,
    home,
    keyFile,
    // Node itself must be findable by the bin's `#!/usr/bin/env node`.
    env: (awsEnv) => ({ ...awsEnv, HOME: home, PATH: [pathDir, dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter) }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
