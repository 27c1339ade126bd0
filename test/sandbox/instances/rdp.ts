/**
 * A real RDP server with NLA on 127.0.0.1 standing in for a Windows instance (ENVIRONMENT.md):
 * an Xvfb display (`-nolisten tcp`, a free display number picked by Xvfb itself) shown by
 * `freerdp-shadow-cli /sec:nla` whose only account is in a SAM file made by `winpr-hash`.
 * `xfreerdp /auth-only` against it exits 0 with the right password and 147 with a wrong one.
 *
 * `startRdpServer(options)` options:
 * - `user` (required): the account name, e.g. `Administrator`.
 * - `password` (required): its password (what GetPasswordData returns encrypted).
 * - `domain`: an NTLM domain for the account (none by default).
 * - `width` / `height`: the screen size (1024x768 by default).
 * - `port`: a fixed port; a free one by default (retried on a bind race).
 *
 * The result's `display` (`:N`) also serves as DISPLAY for an `xfreerdp` client in tests.
 * `stop()` ends the shadow server and Xvfb by PID and deletes the SAM file.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { requireBinary } from '../../support/requireBinary';
import { freePort, LineBuffer, ManagedProcess, trackTempDir, waitForPort } from './managedProcess';

export interface RdpServerOptions {
  user: string;
  password: string;
  domain?: string;
  width?: number;
  height?: number;
  port?: number;
}

export interface RdpServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The X display the server shows, e.g. `:3`. */
  readonly display: string;
  readonly user: string;
  /** The shadow server's last log lines (NLA failures show up here). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** Starts Xvfb and an NLA shadow server; resolves once the port accepts connections. */
export async function startRdpServer(options: RdpServerOptions): Promise<RdpServer> {
  if (!options.user || /[:\s]/.test(options.user)) throw new Error('The RDP user name must be non-empty, without spaces or colons.');
  if (!options.password) throw new Error('The RDP password must be non-empty.');
  const xvfbBin = requireBinary('Xvfb');
  const shadowBin = requireBinary('freerdp-shadow-cli');
  const hashBin = requireBinary('winpr-hash');

  const dir = mkdtempSync(join(tmpdir(), 'bastionless-rdp-'));
  chmodSync(dir, 0o700);
  const removeDir = trackTempDir(dir);
  const log = new LineBuffer();
  let xvfb: ManagedProcess | null = null;
  let shadow: ManagedProcess | null = null;
  const cleanup = async (): Promise<void> => {
    await shadow?.stop();
    await xvfb?.stop();
    removeDir();
  };

  try {
    const sam = await samLine(hashBin, options);
    writeFileSync(join(dir, 'SAM'), sam, { mode: 0o600 });
    // The shadow server writes its TLS key under $HOME/.config/freerdp: give it a private home.
    mkdirSync(join(dir, 'home'), { mode: 0o700 });

    const started = await startXvfb(xvfbBin, options.width ?? 1024, options.height ?? 768);
    xvfb = started.proc;
    const display = `:${started.display}`;

    for (let attempt = 0; ; attempt++) {
      const port = options.port ?? (await freePort());
      const proc = await ManagedProcess.start(
        shadowBin,
        ['/bind-address:127.0.0.1', `/port:${port}`, '/sec:nla', `/sam-file:${join(dir, 'SAM')}`],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: display, HOME: join(dir, 'home') } },
      );
      proc.child.stdout?.on('data', (d: Buffer) => log.push(d));
      proc.child.stderr?.on('data', (d: Buffer) => log.push(d));
      try {
        await waitForPort(port, proc);
        shadow = proc;
        const server: RdpServer = {
          host: '127.0.0.1',
          port,
          display,
          user: options.user,
          logTail: (n = 40) => log.tail(n),
          stop: cleanup,
        };
        return server;
      } catch (error) {
        await proc.stop();
        if (options.port !== undefined || attempt >= 4) {
          throw new Error(`freerdp-shadow-cli did not start on port ${port}: ${error instanceof Error ? error.message : String(error)}\n${log.tail(8)}`, {
            cause: error,
          });
        }
      }
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** `winpr-hash -f sam` prints the account's SAM line (`user:::nthash:::`). */
function samLine(hashBin: string, options: RdpServerOptions): Promise<string> {
  const args = ['-u', options.user, '-p', options.password, '-f', 'sam', ...(options.domain ? ['-d', options.domain] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(hashBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = out.trim();
      if (code === 0 && line.includes(':::')) resolve(`${line}\n`);
      // Never echo the arguments: they hold the password.
      else reject(new Error(`winpr-hash failed (exit ${code}).`));
    });
  });
}

/** Starts Xvfb on a display it picks itself (`-displayfd`), so parallel tests never collide. */
async function startXvfb(bin: string, width: number, height: number): Promise<{ proc: ManagedProcess; display: number }> {
  const proc = await ManagedProcess.start(bin, ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const errors = new LineBuffer();
  proc.child.stderr?.on('data', (d: Buffer) => errors.push(d));
  const fd3 = proc.child.stdio[3] as NodeJS.ReadableStream | null;
  if (!fd3) throw new Error('Xvfb has no display pipe.');
  try {
    const display = await new Promise<number>((resolve, reject) => {
      let text = '';
      fd3.on('data', (d: Buffer) => {
        text += d.toString();
        const match = /^(\d+)\n/.exec(text);
        if (match) resolve(Number(match[1]));
      });
      void proc.exited.then(({ code }) => reject(new Error(`Xvfb exited with ${code}: ${errors.tail(5)}`)));
    });
    return { proc, display };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
