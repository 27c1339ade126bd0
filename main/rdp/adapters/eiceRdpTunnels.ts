import { AppError } from '../../../preload/contract';
import { endpointForInstance, tunnelTargetThrough } from '../../eice/instanceEndpoint';
import type { LocalListener } from '../../eice/localListener';
import type { TunnelManager } from '../../eice/tunnelManager';
import type { TunnelOptionsFor } from '../../eice/tunnelOptions';
import type { RdpListener, RdpTunnelOpener, WindowsHostFacts } from '../rdpIo';
import type { InstanceLookup } from './inventoryHostResolver';

export const RDP_PORT = 3389;

/**
 * Opens RDP's local listener through the TunnelManager: the instance's endpoint (its subnet's,
 * else its VPC's), port 3389 (or the saved host's port), one tunnel per client connection.
 */
export class EiceRdpTunnels implements RdpTunnelOpener {
  constructor(
    private readonly manager: Pick<TunnelManager, 'startListener'>,
    private readonly inventory: InstanceLookup,
    private readonly optionsFor: TunnelOptionsFor,
  ) {}

  async open(host: WindowsHostFacts, options: { label: string; maxConnections: number }): Promise<RdpListener> {
    // Just refreshed by the resolver: this read is the cached copy.
    const instance = await this.inventory.getInstance(host.profileId, host.region, host.instanceId);
    if (!instance.privateIpv4 || !instance.vpcId) {
      throw new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', `${host.instanceId} has no private IPv4 address in a VPC, so an endpoint cannot reach it.`, {
        hint: 'EC2 Instance Connect Endpoints reach instances by their private IPv4 address in the endpoint’s VPC.',
      });
    }
    const endpoint = endpointForInstance(instance);
    const tunnelOptions = await this.optionsFor(host.profileId, host.region);
    const listener = await this.manager.startListener(
      tunnelTargetThrough({ ...endpoint, endpointId: endpoint.id }, { instanceId: instance.instanceId, region: host.region, privateIpAddress: instance.privateIpv4, remotePort: host.port ?? RDP_PORT }),
      { kind: 'rdp', label: options.label, ...(host.hostId ? { hostId: host.hostId } : {}) },
      { ...tunnelOptions, maxConnections: options.maxConnections },
    );
    return new ManagedRdpListener(listener);
  }
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
