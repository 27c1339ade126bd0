import { join } from 'node:path';
import type { Logger } from '../../log';
import type { LauncherFs, ProcessRunner } from './launcherIo';
import { LinuxLauncher } from './linuxLauncher';
import { MacLauncher } from './macLauncher';
import type { RdpClientInfo, RdpLauncher } from './rdpLauncher';
import { WindowsLauncher } from './windowsLauncher';
import { AppError } from '../../../preload/contract';

export interface LauncherEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  runner: ProcessRunner;
  fs: LauncherFs;
  log: Logger;
  /** The app's data folder: the Windows launcher keeps its list of staged credential targets there. */
  dataDir?: string;
}

/** BASTIONLESS_RDP_AUTH_ONLY=1: the Linux launcher only checks the sign-in (tests, diagnostics). */
export function isAuthOnlyMode(env: NodeJS.ProcessEnv): boolean {
  return env['BASTIONLESS_RDP_AUTH_ONLY'] === '1';
}

/** The launcher for this OS. */
export function createLauncher(environment: LauncherEnvironment): RdpLauncher {
  const { platform, env, runner, fs, log } = environment;
  switch (platform) {
    case 'win32':
      return new WindowsLauncher({
        runner,
        fs,
        log,
        ...(env['SystemRoot'] ? { systemRoot: env['SystemRoot'] } : {}),
        ...(environment.dataDir ? { stagedList: join(environment.dataDir, 'rdp-staged-credentials.json') } : {}),
      });
    case 'darwin':
      return new MacLauncher({ runner, fs, log, home: environment.home });
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return new LinuxLauncher({ runner, log, authOnly: isAuthOnlyMode(env), display: env['DISPLAY'] });
    default:
      return new NoLauncher();
  }
}

/** An OS Bastionless has no launcher for: the tunnel still works with any client. */
class NoLauncher implements RdpLauncher {
  readonly installHint = 'Bastionless cannot start an RDP client on this system; connect one to the address shown here, with Copy password.';
  async detect(): Promise<RdpClientInfo | undefined> {
    return undefined;
  }
  async launch(): Promise<never> {
    throw new AppError('RDP_CLIENT_MISSING', 'Bastionless has no RDP client launcher for this system.', { hint: this.installHint });
  }
  async dispose(): Promise<void> {}
}
