import { win32 } from 'node:path';
import { AppError } from '../../../preload/contract';
import type { Logger } from '../../log';
import { buildRdpFile, encodeRdpFile, rdpFileName } from '../rdpFile';
import type { LauncherFs, ProcessRunner } from './launcherIo';
import type { ClientExit, LaunchedClient, LaunchRequest, RdpClientInfo, RdpLauncher } from './rdpLauncher';

export interface WindowsLauncherOptions {
  runner: ProcessRunner;
  fs: LauncherFs;
  log: Logger;
  /** %SystemRoot%, where mstsc.exe and cmdkey.exe live. */
  systemRoot?: string;
  /**
   * A file (in the app's data folder) listing the credential targets staged right now, never
   * the passwords: if the app dies before mstsc exits, the next start deletes them.
   */
  stagedList?: string;
}

const INSTALL_HINT =
  'Remote Desktop Connection (mstsc.exe) ships with Windows; if it was removed, add it back in Settings > Apps > Optional features, or install Windows App from the Microsoft Store and connect it to the address shown here.';

/**
 * Windows: mstsc with a temporary `.rdp` file (0600, in a private folder) and the password
 * staged in Credential Manager with `cmdkey /generic:TERMSRV/<address>`, both removed when
 * mstsc exits, on error, and on dispose.
 *
 * cmdkey takes the password as an argument: it is visible in the process list for the few
 * milliseconds cmdkey runs, and only to the same user and administrators (Windows does not
 * let other users read a process's command line). mstsc offers no other way in.
 *
 * Credentials are per target name, not per port: two sessions at once share
 * `TERMSRV/127.0.0.1`, so the entry is counted and deleted when the last mstsc using it exits.
 */
export class WindowsLauncher implements RdpLauncher {
  readonly installHint = INSTALL_HINT;
  private readonly staged = new Map<string, number>();
  private readonly live = new Set<LaunchedClient>();

  private recovered: Promise<void> | undefined;

  constructor(private readonly options: WindowsLauncherOptions) {}

  /**
   * Deletes credentials a previous run staged and could not remove (it crashed or was killed
   * while mstsc ran): Credential Manager keeps them across reboots otherwise. Runs once, before
   * the first launch; launch() calls it, and so can the app at start.
   */
  recoverStaleCredentials(): Promise<void> {
    this.recovered ??= (async () => {
      const list = this.options.stagedList;
      if (!list) return;
      const text = await this.options.fs.readText(list).catch(() => undefined);
      const targets = parseTargets(text);
      for (const target of targets) await this.deleteCredential(target);
      if (text !== undefined) await this.options.fs.remove(list).catch(() => undefined);
      if (targets.length > 0) this.options.log.info('removed RDP credentials left staged by an earlier run', { count: targets.length });
    })();
    return this.recovered;
  }

  private async recordStaged(): Promise<void> {
    if (!this.options.stagedList) return;
    const targets = [...this.staged.keys()];
    await (targets.length > 0 ? this.options.fs.writeText(this.options.stagedList, JSON.stringify(targets)) : this.options.fs.remove(this.options.stagedList)).catch((error: unknown) =>
      this.options.log.warn('could not record the staged RDP credentials', { error }),
    );
  }

  private get system32(): string {
    return win32.join(this.options.systemRoot ?? 'C:\\Windows', 'System32');
  }

  async detect(): Promise<RdpClientInfo | undefined> {
    const inSystem = win32.join(this.system32, 'mstsc.exe');
    const path = (await this.options.fs.exists(inSystem)) ? inSystem : await this.options.runner.which('mstsc.exe');
    return path ? { id: 'mstsc', name: 'Remote Desktop Connection (mstsc)', path, acceptsPassword: true } : undefined;
  }

  async launch(request: LaunchRequest): Promise<LaunchedClient> {
    const client = await this.detect();
    if (!client) throw clientMissing(this.installHint);
    await this.recoverStaleCredentials();
    const { runner, fs, log } = this.options;
    const target = `TERMSRV/${request.address}`;
    const dir = await fs.makeTempDir('bastionless-rdp-');
    let credentialHeld = false;
    const cleanup = async (): Promise<void> => {
      if (credentialHeld) {
        credentialHeld = false;
        await this.releaseCredential(target);
      }
      await fs.remove(dir).catch((error: unknown) => log.warn('could not remove the temporary .rdp folder', { error }));
    };
    try {
      let passwordDelivered = false;
      if (request.password !== undefined) {
        passwordDelivered = await this.stageCredential(target, request.username, request.password);
        credentialHeld = passwordDelivered;
      }
      const file = win32.join(dir, rdpFileName(request.label));
      const text = buildRdpFile({ address: request.address, port: request.port, username: request.username, credentialStaged: passwordDelivered });
      await fs.writePrivateFile(file, encodeRdpFile(text, 'utf16le'));
      const process = await runner.spawn(client.path, [file]);
      let disposed: Promise<void> | undefined;
      const exited: Promise<ClientExit> = process.exited.then(async (exit) => {
        await cleanup();
        return { ...exit, ...(exit.code !== 0 && exit.code !== null ? { error: mstscFailed(exit.code) } : {}) };
      });
      const launched: LaunchedClient = {
        client,
        passwordDelivered,
        authOnly: false,
        exited,
        dispose: () =>
          (disposed ??= (async () => {
            this.live.delete(launched);
            process.kill();
            await exited;
          })()),
      };
      this.live.add(launched);
      return launched;
    } catch (error) {
      await cleanup();
      if (error instanceof AppError) throw error;
      throw new AppError('RDP_LAUNCH_FAILED', 'Remote Desktop Connection (mstsc) could not be started.', {
        hint: 'Connect any RDP client to the address shown here, with Copy password.',
        cause: error,
      });
    }
  }

  /** Stores the credential mstsc will use; false (and the person pastes it) if cmdkey fails. */
  private async stageCredential(target: string, username: string, password: string): Promise<boolean> {
    // Recorded before staging: a crash between the two leaves a target to delete, never a password behind.
    const first = !this.staged.has(target);
    if (first) {
      this.staged.set(target, 0);
      await this.recordStaged();
    }
    const result = await this.options.runner
      .run(win32.join(this.system32, 'cmdkey.exe'), [`/generic:${target}`, `/user:${username}`, `/pass:${password}`], { timeoutMs: 15_000 })
      .catch((error: unknown) => {
        this.options.log.warn('cmdkey could not be started; the person will paste the password', { error });
        return undefined;
      });
    if (!result || result.code !== 0) {
      if (result) this.options.log.warn('cmdkey refused the credential; the person will paste the password', { code: result.code });
      if (first) {
        this.staged.delete(target);
        await this.recordStaged();
      }
      return false;
    }
    this.staged.set(target, (this.staged.get(target) ?? 0) + 1);
    return true;
  }

  private async releaseCredential(target: string): Promise<void> {
    const count = (this.staged.get(target) ?? 1) - 1;
    if (count > 0) {
      this.staged.set(target, count);
      return;
    }
    this.staged.delete(target);
    if (await this.deleteCredential(target)) await this.recordStaged();
  }

  /** True when the credential is gone (deleted, or was not there). */
  private async deleteCredential(target: string): Promise<boolean> {
    const result = await this.options.runner
      .run(win32.join(this.system32, 'cmdkey.exe'), [`/delete:${target}`], { timeoutMs: 15_000 })
      .catch((error: unknown) => ({ code: null, signal: null, stdout: '', stderr: String(error) }));
    // cmdkey says "Element not found" (exit 1) when there is nothing to delete: that is gone too.
    if (result.code === 0 || /not found/i.test(result.stdout + result.stderr)) return true;
    this.options.log.warn('cmdkey could not delete the staged RDP credential', { target, code: result.code });
    return false;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((client) => client.dispose()));
  }
}

/** The staged-targets list: only `TERMSRV/...` names, so a tampered file cannot make us delete other credentials. */
function parseTargets(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string' && /^TERMSRV\/[A-Za-z0-9.:[\]-]+$/.test(t)) : [];
  } catch {
    return [];
  }
}

function clientMissing(hint: string): AppError {
  return new AppError('RDP_CLIENT_MISSING', 'No RDP client was found on this computer.', { hint });
}

/** mstsc exits non-zero only when it could not run at all (bad file, policy); sign-in failures show in its own window. */
function mstscFailed(code: number): AppError {
  return new AppError('RDP_LAUNCH_FAILED', `Remote Desktop Connection (mstsc) stopped with exit code ${code}.`, {
    hint: 'Connect any RDP client to the address shown here, with Copy password.',
  });
}
