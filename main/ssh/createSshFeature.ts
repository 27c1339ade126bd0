import type { HandlerDomain, Notice, SessionInfo, sessions } from '../../preload/contract';
import type { SecretStore } from '../aws/keychain';
import type { DesktopIo } from '../desktop';
import type { TunnelManager } from '../eice/tunnelManager';
import type { Logger } from '../log';
import { EicKeyPusher, type InstanceConnectFor } from './adapters/eicKeyPusher';
import { EiceSshTunnels, type TunnelOptionsFor } from './adapters/eiceSshTunnels';
import { HostTargetResolver, type HostLookup, type InstanceLookup } from './adapters/hostTargetResolver';
import { KeychainSshSecrets } from './adapters/keychainSshSecrets';
import { KnownHosts } from './knownHosts';
import { systemClock, type Clock } from './ports';
import { createSessionHandlers } from './sessionHandlers';
import { SessionManager } from './sessionManager';

export interface SshFeatureOptions {
  /** known-hosts.json lives here. */
  dataDir: string;
  desktop: Pick<DesktopIo, 'readClipboard'>;
  keychain: Pick<SecretStore, 'get'>;
  hosts: HostLookup;
  inventory: InstanceLookup;
  instanceConnectFor: InstanceConnectFor;
  tunnelOptionsFor: TunnelOptionsFor;
  tunnelManager: Pick<TunnelManager, 'openStream'>;
  log: Logger;
  emitState(info: SessionInfo): void;
  emitData(sessionId: string, chunk: Uint8Array<ArrayBuffer>): void;
  notice(notice: Omit<Notice, 'at'>): void;
  /** How "Copy SSH config" runs the command-line tunnel (default: `bastionless-tunnel` on PATH). */
  tunnelCommand?: string;
  clock?: Clock;
}

export interface SshFeature {
  handlers: HandlerDomain<typeof sessions>;
  manager: SessionManager;
  /** Closes every terminal session (and so their tunnels). */
  dispose(): void;
}

/** Builds terminal sessions on the app's real pieces: hosts, inventory, EC2 Instance Connect, tunnels, keychain. */
export function createSshFeature(options: SshFeatureOptions): SshFeature {
  const { log } = options;
  const resolver = new HostTargetResolver(options.hosts, options.inventory);
  const knownHosts = new KnownHosts(options.dataDir, log);
  void knownHosts.get('').then(
    () => {
      const recovery = knownHosts.recovery;
      if (recovery) {
        options.notice({
          level: 'warning',
          message: recovery.from === 'backup' ? 'The list of trusted host keys was damaged and has been restored from its backup.' : 'The list of trusted host keys could not be read, so it starts empty.',
          hint: `Instances will be trusted again on first connection.${recovery.keptAs ? ` The unreadable file was kept as ${recovery.keptAs}.` : ''}`,
        });
      }
    },
    (error: unknown) => log.warn('could not load known-hosts.json', { error }),
  );
  const manager = new SessionManager({
    resolver,
    tunnels: new EiceSshTunnels(options.tunnelManager, options.inventory, options.tunnelOptionsFor),
    keys: new EicKeyPusher(options.instanceConnectFor),
    secrets: new KeychainSshSecrets(options.keychain),
    knownHosts,
    log,
    clock: options.clock ?? systemClock,
    desktop: options.desktop,
    emitState: options.emitState,
    emitData: options.emitData,
    notice: options.notice,
  });
  return {
    handlers: createSessionHandlers(manager, resolver, options.tunnelCommand ? { tunnelCommand: options.tunnelCommand } : {}),
    manager,
    dispose: () => manager.dispose(),
  };
}
