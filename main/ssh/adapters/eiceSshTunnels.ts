import { AppError, type Instance } from '../../../preload/contract';
import type { EndpointFacts } from '../../eice/endpoints';
import { endpointForInstance, tunnelTargetThrough } from '../../eice/instanceEndpoint';
import type { TunnelManager } from '../../eice/tunnelManager';
import type { TunnelOptionsFor } from '../../eice/tunnelOptions';
import type { EndpointChoice, ResolvedTarget, SshTunnel, SshTunnels } from '../ports';
import type { InstanceLookup } from './hostTargetResolver';

export type { TunnelOptionsFor } from '../../eice/tunnelOptions';
/**
 * SSH's tunnels through the app's one TunnelManager: each connection is a stream (no local
 * port) and one of its endpoint's 20 connections, listed in the Tunnels view under the host.
 */
export class EiceSshTunnels implements SshTunnels {
  constructor(
    private readonly manager: Pick<TunnelManager, 'openStream'>,
    private readonly inventory: InstanceLookup,
    private readonly optionsFor: TunnelOptionsFor,
  ) {}

  async chooseEndpoint(target: ResolvedTarget): Promise<EndpointChoice> {
    const cached = await this.inventory.getInstance(target.profileId, target.region, target.instanceId);
    try {
      return choiceOf(pick(target, cached));
    } catch (error) {
      // The last scan may predate the endpoint (it was just created, or became ready): look again.
      if (!(error instanceof AppError) || (error.code !== 'EIC_NO_ENDPOINT' && error.code !== 'EIC_ENDPOINT_NOT_READY')) throw error;
      const fresh = await this.inventory.getInstance(target.profileId, target.region, target.instanceId, { refresh: true });
      return choiceOf(pick(target, fresh));
    }
  }

  async open(target: ResolvedTarget, endpoint: EndpointChoice, owner: { label: string; hostId?: string }, signal: AbortSignal): Promise<SshTunnel> {
    if (!endpoint.dnsName) throw new AppError('EIC_NO_ENDPOINT', `The endpoint ${endpoint.endpointId} has no DNS name yet.`, { hint: 'Refresh the Hosts view and retry.', retryable: true });
    const options = await this.optionsFor(target.profileId, target.region);
    const stream = await this.manager.openStream(
      tunnelTargetThrough({ ...endpoint, dnsName: endpoint.dnsName }, { instanceId: target.instanceId, region: target.region, privateIpAddress: target.privateIp, remotePort: target.port }),
      { kind: 'ssh', label: owner.label, ...(owner.hostId ? { hostId: owner.hostId } : {}) },
      // Only ssh2 writes to this stream (the SSH transport): see ZERO_MASK in main/eice/tunnel.ts.
      { ...options, signal, zeroMask: true },
    );
    return {
      stream,
      expiresAt: stream.expiresAt.getTime(),
      closeError: () => stream.closeError,
    };
  }
}

function pick(target: ResolvedTarget, instance: Instance): EndpointFacts {
  return endpointForInstance(instance, target.name);
}

function choiceOf(endpoint: EndpointFacts): EndpointChoice {
  return {
    endpointId: endpoint.id,
    label: endpoint.availabilityZone ? `${endpoint.id} (${endpoint.availabilityZone})` : endpoint.id,
    dnsName: endpoint.dnsName,
    ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}),
  };
}
