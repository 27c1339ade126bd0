import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { ProcessExit, ProcessRunner, SpawnedProcess, SpawnOptions } from './launcherIo';

const TAIL_BYTES = 4096;

/** An RDP client or helper never needs the app's AWS credentials: they stay out of its environment. */
const AWS_SECRETS = /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN)$/i;

function childEnv(env: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!AWS_SECRETS.test(key)) out[key] = value;
  return { ...out, ...extra };
}

/** ProcessRunner over node:child_process: no shell, arguments passed as they are. */
export class NodeProcessRunner implements ProcessRunner {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  async which(name: string): Promise<string | undefined> {
    const exts = this.platform === 'win32' ? ['', ...(this.env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)] : [''];
    const dirs = isAbsolute(name) ? [''] : (this.env['PATH'] ?? '').split(this.platform === 'win32' ? ';' : delimiter).filter(Boolean);
    for (const dir of dirs) {
      for (const ext of exts) {
        const candidate = dir ? join(dir, name + ext) : name + ext;
        try {
          await access(candidate, this.platform === 'win32' ? constants.F_OK : constants.X_OK);
          return candidate;
        } catch {
          // not here
        }
      }
    }
    return undefined;
  }

  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<SpawnedProcess> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], {
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        env: childEnv(this.env, options.env),
        windowsHide: false,
      });
      let tail = '';
      const keep = (chunk: Buffer): void => {
        tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      let done: ProcessExit | undefined;
      const exited = new Promise<ProcessExit>((settle) => {
        child.once('close', (code, signal) => {
          done = { code, signal };
          settle(done);
        });
      });
      child.once('error', (error) => {
        if (child.pid === undefined) reject(error);
      });
      child.once('spawn', () => {
        if (options.stdin !== undefined && child.stdin) {
          // The client may exit before reading (bad arguments): ignore EPIPE.
          child.stdin.on('error', () => undefined);
          child.stdin.end(options.stdin);
        }
        resolve({
          pid: child.pid,
          exited,
          outputTail: () => tail,
          kill: () => {
            if (!done) child.kill('SIGTERM');
          },
        });
      });
    });
  }

  run(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<ProcessExit & { stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(this.env), windowsHide: true, timeout: options.timeoutMs ?? 30_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }
}
