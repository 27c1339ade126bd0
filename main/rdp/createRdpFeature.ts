import { homedir } from 'node:os';
import type { HandlerDomain, RdpSession, TunnelInfo } from '../../preload/contract';
import type { rdp } from '../../preload/contract/rdp';
import type { tunnels } from '../../preload/contract/tunnels';
import { platformOf } from '../app/appHandlers';
import type { SecretStore as AppSecretStore } from '../aws/keychain';
import type { DesktopIo } from '../desktop';
import type { TunnelManager } from '../eice/tunnelManager';
import type { TunnelOptionsFor } from '../eice/tunnelOptions';
import type { Logger } from '../log';
import { Ec2PasswordSource, type Ec2For } from './adapters/ec2PasswordSource';
import { EiceRdpTunnels } from './adapters/eiceRdpTunnels';
import { FileKeyReader } from './adapters/fileKeyReader';
import { InventoryHostResolver, type HostLookup, type InstanceLookup } from './adapters/inventoryHostResolver';
import { KeychainSecrets } from './adapters/keychainSecrets';
import { ClipboardGuard } from './clipboardGuard';
import { createLauncher } from './launchers/createLauncher';
import { NodeLauncherFs } from './launchers/nodeLauncherFs';
import { NodeProcessRunner } from './launchers/nodeProcessRunner';
import { WindowsLauncher } from './launchers/windowsLauncher';
import { createRdpHandlers } from './rdpHandlers';
import { DEFAULT_IDLE_TIMEOUT_MS, RdpService } from './rdpService';
import { systemTimers, type Timers } from './timers';
import { TunnelsFeed, type TunnelRegistry } from './tunnelsFeed';

export interface RdpFeatureOptions {
  platform: NodeJS.Platform;
  /** The app's data folder (the Windows launcher's list of staged credentials lives there). */
  dataDir: string;
  /**
   * The app's environment. Read here: DISPLAY (xfreerdp), SystemRoot (mstsc), PATH,
   * BASTIONLESS_RDP_AUTH_ONLY=1 (test/diagnostic mode: xfreerdp only checks the sign-in) and
   * BASTIONLESS_RDP_IDLE_SECONDS (how long a tunnel outlives its client; 120 by default).
   */
  env: NodeJS.ProcessEnv;
  desktop: DesktopIo;
  keychain: AppSecretStore;
  hosts: HostLookup;
  inventory: InstanceLookup;
  ec2For: Ec2For;
  tunnelOptionsFor: TunnelOptionsFor;
  tunnelManager: Pick<TunnelManager, 'startListener' | 'list' | 'stop' | 'onChange'>;
  log: Logger;
  onSessionChanged(session: RdpSession): void;
  onSessionRemoved(sessionId: string): void;
  onTunnelsChanged(list: { tunnels: TunnelInfo[] }): void;
  timers?: Timers;
}

export interface RdpFeature {
  rdp: HandlerDomain<typeof rdp>;
  tunnels: HandlerDomain<typeof tunnels>;
  service: RdpService;
  /** Closes every RDP session (tunnels, clients, temp files, staged credentials) and clears the clipboard. */
  dispose(): Promise<void>;
}

/** Builds the RDP feature and the Tunnels view on the app's real pieces (called by compose). */
export function createRdpFeature(options: RdpFeatureOptions): RdpFeature {
  const { env, log } = options;
  const timers = options.timers ?? systemTimers;
  const idleSeconds = Number(env['BASTIONLESS_RDP_IDLE_SECONDS']);
  const idleTimeoutMs = Number.isFinite(idleSeconds) && idleSeconds > 0 ? idleSeconds * 1000 : DEFAULT_IDLE_TIMEOUT_MS;
  const launcher = createLauncher({
    platform: options.platform,
    env,
    home: env['HOME'] ?? homedir(),
    runner: new NodeProcessRunner(env, options.platform),
    fs: new NodeLauncherFs(),
    log: log.child('launcher'),
    dataDir: options.dataDir,
  });
  // A credential an earlier run left in Credential Manager (it crashed while mstsc ran) goes now.
  if (launcher instanceof WindowsLauncher) {
    void launcher.recoverStaleCredentials().catch((error: unknown) => log.warn('could not check for staged RDP credentials', { error }));
  }
  const registryListeners = new Set<() => void>();
  const service: RdpService = new RdpService({
    resolver: new InventoryHostResolver(options.hosts, options.inventory),
    passwords: new Ec2PasswordSource(options.ec2For),
    secrets: new KeychainSecrets(options.keychain),
    keyFiles: new FileKeyReader(),
    tunnels: new EiceRdpTunnels(options.tunnelManager, options.inventory, options.tunnelOptionsFor),
    launcher,
    clipboard: new ClipboardGuard(options.desktop, timers, log.child('clipboard')),
    timers,
    log,
    platform: platformOf(options.platform),
    idleTimeoutMs,
    onSessionChanged: (session) => {
      options.onSessionChanged(session);
      // An RDP session's idle deadline shows on its row in the Tunnels view.
      for (const l of registryListeners) l();
    },
    onSessionRemoved: options.onSessionRemoved,
  });
  const registry: TunnelRegistry = {
    list: () => {
      const idle = service.idleDeadlines();
      return options.tunnelManager.list().map((row) => {
        const at = idle.get(row.tunnelId);
        return at && !row.idleClosesAt ? { ...row, idleClosesAt: at } : row;
      });
    },
    stop: (tunnelId) => options.tunnelManager.stop(tunnelId),
    onChange: (listener) => {
      registryListeners.add(listener);
      const off = options.tunnelManager.onChange(listener);
      return () => {
        registryListeners.delete(listener);
        off();
      };
    },
  };
  const feed = new TunnelsFeed(registry, options.onTunnelsChanged, timers, log.child('tunnels'));
  return {
    rdp: createRdpHandlers(service),
    tunnels: feed.handlers(),
    service,
    async dispose() {
      feed.dispose();
      await service.dispose();
    },
  };
}
