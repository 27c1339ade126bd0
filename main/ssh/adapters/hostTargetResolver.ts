import { AppError, type Host, type Instance } from '../../../preload/contract';
import { secretAccounts } from '../../aws/keychain';
import type { ConnectRequest, ResolvedTarget, SavedHostFacts, SshAuth, TargetResolver } from '../ports';

/** The slices of HostsService and InventoryService a terminal session reads. */
export interface HostLookup {
  /** A saved host. Fails with NOT_FOUND. */
  get(hostId: string): Promise<Host>;
}
export interface InstanceLookup {
  /** One instance's facts: cached, or read from AWS when `refresh` (or unknown). Fails with NOT_FOUND or AWS_*. */
  getInstance(profileId: string, region: string, instanceId: string, options?: { refresh?: boolean }): Promise<Instance>;
}

export const SSH_PORT = 22;

/**
 * Resolves a double-click to what the connect flow needs, from cached instance facts: a
 * double-click should not wait for DescribeInstances. An instance the cache says is not running
 * is read again before giving up (it may have started since the last scan).
 */
export class HostTargetResolver implements TargetResolver {
  constructor(
    private readonly hosts: HostLookup,
    private readonly inventory: InstanceLookup,
  ) {}

  async resolve(request: ConnectRequest): Promise<ResolvedTarget> {
    const host = request.kind === 'host' ? await this.hosts.get(request.hostId) : undefined;
    const ref = host ?? (request.kind === 'instance' ? request : undefined);
    if (!ref) throw new AppError('INTERNAL', 'A session names a host or an instance.');
    let instance = await this.inventory.getInstance(ref.profileId, ref.region, ref.instanceId);
    if (instance.state !== 'running') instance = await this.inventory.getInstance(ref.profileId, ref.region, ref.instanceId, { refresh: true });
    const name = host?.label ?? instance.name ?? instance.instanceId;
    if (instance.state !== 'running') {
      throw new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `${name} (${instance.instanceId}) is ${instance.state}, and only a running instance can be reached.`, {
        hint: instance.state === 'pending' ? 'It is starting: retry in a minute.' : instance.state === 'stopped' || instance.state === 'stopping' ? 'Start it in the EC2 console, wait until it is running, then retry.' : 'Pick a running instance.',
        retryable: instance.state === 'pending',
      });
    }
    // Like the AWS CLI: an IPv6-only instance is reached on its IPv6 address.
    const privateIp = instance.privateIpv4 ?? instance.ipv6[0];
    if (!privateIp) {
      throw new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `${name} (${instance.instanceId}) has no private IP address an endpoint could reach.`, {
        hint: 'EC2 Instance Connect Endpoints reach instances by their private address in the endpoint\'s VPC.',
      });
    }
    const requested = request.kind === 'instance' ? request : undefined;
    return {
      ...(host ? { hostId: host.id } : {}),
      instanceId: instance.instanceId,
      // The host's (or the request's) profile: another profile of the account may list the
      // instance, but the one chosen here is the one whose permissions apply.
      profileId: ref.profileId,
      region: instance.region,
      name,
      osUser: host?.osUser ?? requested?.osUser ?? instance.os.defaultUser,
      port: host?.port ?? requested?.port ?? SSH_PORT,
      privateIp,
      ...(instance.availabilityZone ? { availabilityZone: instance.availabilityZone } : {}),
      ...(instance.vpcId ? { vpcId: instance.vpcId } : {}),
      ...(instance.subnetId ? { subnetId: instance.subnetId } : {}),
      platform: host?.platform ?? instance.platform,
      auth: host ? authOf(host) : { method: 'eic' },
      autoReconnect: host?.autoReconnect ?? false,
    };
  }

  async resolveHost(hostId: string): Promise<SavedHostFacts> {
    const host = await this.hosts.get(hostId);
    return {
      hostId: host.id,
      instanceId: host.instanceId,
      profileId: host.profileId,
      region: host.region,
      name: host.label,
      osUser: host.osUser,
      port: host.port,
      platform: host.platform,
      auth: authOf(host),
    };
  }
}

/** A saved host's login, with keychain entries named as HostsService stores them. */
function authOf(host: Host): SshAuth {
  switch (host.auth.method) {
    case 'eic':
      return { method: 'eic' };
    case 'keyPair':
      return {
        method: 'keyPair',
        key: host.auth.key.store === 'file' ? { source: 'file', path: host.auth.key.path } : { source: 'keychain', account: secretAccounts.host(host.id, 'privateKey') },
      };
    case 'password':
      return { method: 'password', savedPassword: { account: secretAccounts.host(host.id, 'password') } };
  }
}
