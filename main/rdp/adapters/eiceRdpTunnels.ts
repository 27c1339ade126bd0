import { AppError, type Instance } from '../../../preload/contract';
import { chooseEndpoint, type EndpointFacts, type EndpointState } from '../../eice/endpoints';
import type { LocalListener } from '../../eice/localListener';
import type { ListenerOptions, TunnelManager } from '../../eice/tunnelManager';
import type { RdpListener, RdpTunnelOpener, WindowsHostFacts } from '../rdpIo';
import type { InstanceLookup } from './inventoryHostResolver';

export const RDP_PORT = 3389;

/** What a tunnel needs from a profile: credentials (fresh per tunnel), the env, FIPS. */
export type TunnelCredentialsFor = (profileId: string, region: string) => Promise<Pick<ListenerOptions, 'credentials' | 'env' | 'useFips'>>;

/**
 * Opens RDP's local listener through the TunnelManager: the instance's endpoint (its subnet's,
 * else its VPC's), port 3389 (or the saved host's port), one tunnel per client connection.
 */
export class EiceRdpTunnels implements RdpTunnelOpener {
  constructor(
    private readonly manager: Pick<TunnelManager, 'startListener'>,
    private readonly inventory: InstanceLookup,
    private readonly credentialsFor: TunnelCredentialsFor,
  ) {}

  async open(host: WindowsHostFacts, options: { label: string; maxConnections: number }): Promise<RdpListener> {
    // Just refreshed by the resolver: this read is the cached copy.
    const instance = await this.inventory.getInstance(host.profileId, host.region, host.instanceId);
    if (!instance.privateIpv4 || !instance.vpcId) {
      throw new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `${host.instanceId} has no private IPv4 address in a VPC, so an endpoint cannot reach it.`, {
        hint: 'EC2 Instance Connect Endpoints reach instances by their private IPv4 address in the endpoint’s VPC.',
      });
    }
    const endpoint = chooseEndpoint({ instanceId: instance.instanceId, vpcId: instance.vpcId, subnetId: instance.subnetId ?? '' }, instance.vpcEndpoints.map(toEndpointFacts));
    const tunnelOptions = await this.credentialsFor(host.profileId, host.region);
    const listener = await this.manager.startListener(
      {
        instanceId: instance.instanceId,
        endpointId: endpoint.id,
        dnsName: endpoint.dnsName,
        ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}),
        region: host.region,
        privateIpAddress: instance.privateIpv4,
        remotePort: host.port ?? RDP_PORT,
      },
      { kind: 'rdp', label: options.label, ...(host.hostId ? { hostId: host.hostId } : {}) },
      { ...tunnelOptions, maxConnections: options.maxConnections },
    );
    return new ManagedRdpListener(listener);
  }
}

function toEndpointFacts(e: Instance['vpcEndpoints'][number]): EndpointFacts {
  return {
    id: e.id,
    vpcId: e.vpcId,
    subnetId: e.subnetId,
    state: e.state as EndpointState,
    ...(e.stateMessage ? { stateMessage: e.stateMessage } : {}),
    dnsName: e.dnsName ?? '',
    ...(e.fipsDnsName ? { fipsDnsName: e.fipsDnsName } : {}),
    securityGroupIds: e.securityGroupIds,
    preserveClientIp: e.preserveClientIp,
    availabilityZone: e.availabilityZone ?? '',
  };
}

/** The tunnel manager's LocalListener as the RdpListener the session watches. */
class ManagedRdpListener implements RdpListener {
  constructor(private readonly listener: LocalListener) {}
  get tunnelId(): string {
    return this.listener.id;
  }
  get address(): string {
    return this.listener.address;
  }
  get port(): number {
    return this.listener.port;
  }
  activeConnections(): number {
    return this.listener.activeConnections;
  }
  lastError(): AppError | undefined {
    return this.listener.lastError;
  }
  onConnectionsChanged(listener: (active: number) => void): () => void {
    return this.listener.onConnectionsChanged(listener);
  }
  onClosed(listener: (reason: 'stopped' | 'error', error?: Error) => void): () => void {
    return this.listener.onClosed(listener);
  }
  close(): Promise<void> {
    return this.listener.close();
  }
}
