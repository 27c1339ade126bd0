import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
