import type { Host, Instance } from '../../../preload/contract';
import { secretAccounts } from '../../aws/keychain';
import type { RdpHostResolver, RdpTargetRef, WindowsHostFacts } from '../rdpIo';

/** The slices of HostsService and InventoryService the RDP flow reads. */
export interface HostLookup {
  /** A saved host. Fails with NOT_FOUND. */
  get(hostId: string): Promise<Host>;
}
export interface InstanceLookup {
  /** One instance's facts, read from AWS when `refresh`. Fails with NOT_FOUND or AWS_*. */
  getInstance(profileId: string, region: string, instanceId: string, options?: { refresh?: boolean }): Promise<Instance>;
}

/**
 * Resolves a saved host or a discovered instance to what RDP needs. The instance is read
 * afresh: its state, key pair and endpoints decide the launch, and a cached "running" may be
 * an hour old.
 */
export class InventoryHostResolver implements RdpHostResolver {
  constructor(
    private readonly hosts: HostLookup,
    private readonly inventory: InstanceLookup,
  ) {}

  async resolve(target: RdpTargetRef): Promise<WindowsHostFacts> {
    const host = 'hostId' in target ? await this.hosts.get(target.hostId) : undefined;
    const ref = host ?? ('instance' in target ? target.instance : undefined);
    if (!ref) throw new Error('an RDP target names a host or an instance');
    const instance = await this.inventory.getInstance(ref.profileId, ref.region, ref.instanceId, { refresh: true });
    const launchTime = instance.launchTime ? new Date(instance.launchTime) : undefined;
    return {
      // The host's (or the request's) profile, even when another profile of the account lists it.
      profileId: ref.profileId,
      region: instance.region,
      instanceId: instance.instanceId,
      label: host?.label ?? instance.name ?? instance.instanceId,
      platform: instance.platform,
      state: instance.state,
      ...(instance.keyName ? { keyName: instance.keyName } : {}),
      ...(launchTime && !Number.isNaN(launchTime.getTime()) ? { launchTime } : {}),
      ...(host ? { hostId: host.id } : {}),
      ...(host?.windowsKey
        ? {
            keyPair:
              host.windowsKey.store === 'file'
                ? { source: 'file' as const, path: host.windowsKey.path }
                : { source: 'keychain' as const, account: secretAccounts.host(host.id, 'windowsKey') },
          }
        : {}),
      ...(host && host.platform === 'windows' ? { username: host.osUser, port: host.port } : {}),
    };
  }
}
