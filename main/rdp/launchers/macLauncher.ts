import { posix } from 'node:path';
import { AppError } from '../../../preload/contract';
import type { Logger } from '../../log';
import { buildRdpFile, encodeRdpFile, rdpFileName } from '../rdpFile';
import type { LauncherFs, ProcessRunner } from './launcherIo';
import type { LaunchedClient, LaunchRequest, RdpClientInfo, RdpLauncher } from './rdpLauncher';

export interface MacLauncherOptions {
  runner: ProcessRunner;
  fs: LauncherFs;
  log: Logger;
  /** The person's home folder, for ~/Applications. */
  home: string;
}

/**
 * Windows App (Microsoft Remote Desktop's successor) and Microsoft Remote Desktop, newest
 * first. Windows App kept Remote Desktop 10's bundle id; the App Store's Remote Desktop 8 and
 * the beta have their own.
 */
const BUNDLE_IDS = ['com.microsoft.rdc.macos', 'com.microsoft.rdc.osx.beta', 'com.microsoft.rdc.mac'] as const;
const APP_NAMES = ['Windows App.app', 'Microsoft Remote Desktop.app', 'Microsoft Remote Desktop Beta.app'] as const;

const INSTALL_HINT =
  'Install Windows App (formerly Microsoft Remote Desktop) from the Mac App Store, then try again. Meanwhile any RDP client can connect to the address shown here.';

/**
 * macOS: opens a temporary `.rdp` file with Windows App / Microsoft Remote Desktop. These
 * clients cannot be handed a password (no command line, and `.rdp` passwords are a Windows
 * DPAPI format), so the person pastes it: the session offers Copy password. The file holds no
 * secret; it stays until the session ends because the app reads it after `open` returns.
 */
export class MacLauncher implements RdpLauncher {
  readonly installHint = INSTALL_HINT;
  private readonly folders = new Set<string>();

  constructor(private readonly options: MacLauncherOptions) {}

  async detect(): Promise<RdpClientInfo | undefined> {
    const path = (await this.findBySpotlight()) ?? (await this.findByPath());
    if (!path) return undefined;
    return { id: 'windows-app', name: posix.basename(path, '.app'), path, acceptsPassword: false };
  }

  private async findBySpotlight(): Promise<string | undefined> {
    for (const id of BUNDLE_IDS) {
      const result = await this.options.runner.run('/usr/bin/mdfind', [`kMDItemCFBundleIdentifier == "${id}"`], { timeoutMs: 5_000 }).catch(() => undefined);
      const hit = result?.code === 0 ? result.stdout.split('\n').find((line) => line.trim().endsWith('.app')) : undefined;
      if (hit) return hit.trim();
    }
    return undefined;
  }

  private async findByPath(): Promise<string | undefined> {
    for (const folder of ['/Applications', posix.join(this.options.home, 'Applications')]) {
      for (const name of APP_NAMES) {
        const path = posix.join(folder, name);
        if (await this.options.fs.exists(path)) return path;
      }
    }
    return undefined;
  }

  async launch(request: LaunchRequest): Promise<LaunchedClient> {
    const client = await this.detect();
    if (!client) throw new AppError('RDP_CLIENT_MISSING', 'No RDP client was found on this Mac.', { hint: this.installHint });
    const { fs, runner, log } = this.options;
    const dir = await fs.makeTempDir('bastionless-rdp-');
    this.folders.add(dir);
    const removeFolder = async (): Promise<void> => {
      if (!this.folders.delete(dir)) return;
      await fs.remove(dir).catch((error: unknown) => log.warn('could not remove the temporary .rdp folder', { error }));
    };
    try {
      const file = posix.join(dir, rdpFileName(request.label));
      const text = buildRdpFile({ address: request.address, port: request.port, username: request.username, credentialStaged: false });
      await fs.writePrivateFile(file, encodeRdpFile(text, 'utf8'));
      const result = await runner.run('/usr/bin/open', ['-a', client.path, file], { timeoutMs: 30_000 });
      if (result.code !== 0) {
        throw new AppError('RDP_LAUNCH_FAILED', `${client.name} could not be opened (exit code ${result.code ?? result.signal}).`, {
          hint: `Open ${client.name} yourself and add a PC for the address shown here, with Copy password.`,
        });
      }
    } catch (error) {
      await removeFolder();
      if (error instanceof AppError) throw error;
      throw new AppError('RDP_LAUNCH_FAILED', `${client.name} could not be opened.`, {
        hint: `Open ${client.name} yourself and add a PC for the address shown here, with Copy password.`,
        cause: error,
      });
    }
    return { client, passwordDelivered: false, authOnly: false, exited: undefined, dispose: removeFolder };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.folders].map((dir) => this.options.fs.remove(dir).catch(() => undefined)));
    this.folders.clear();
  }
}
