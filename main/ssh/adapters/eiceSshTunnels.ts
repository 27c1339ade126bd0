import { AppError, type Instance } from '../../../preload/contract';
import { chooseEndpoint, type EndpointFacts, type EndpointState } from '../../eice/endpoints';
import type { TunnelManager, TunnelOpenOptions } from '../../eice/tunnelManager';
import type { EndpointChoice, ResolvedTarget, SshTunnel, SshTunnels } from '../ports';
import type { InstanceLookup } from './hostTargetResolver';

/** What a tunnel needs from a profile: credentials (fresh per tunnel), the env, FIPS. */
export type TunnelOptionsFor = (profileId: string, region: string) => Promise<Omit<TunnelOpenOptions, 'signal'>>;

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
      {
        instanceId: target.instanceId,
        endpointId: endpoint.endpointId,
        dnsName: endpoint.dnsName,
        ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}),
        region: target.region,
        privateIpAddress: target.privateIp,
        remotePort: target.port,
      },
      { kind: 'ssh', label: owner.label, ...(owner.hostId ? { hostId: owner.hostId } : {}) },
      { ...options, signal },
    );
    return {
      stream,
      expiresAt: stream.expiresAt.getTime(),
      closeError: () => stream.closeError,
    };
  }
}

function pick(target: ResolvedTarget, instance: Instance): EndpointFacts {
  if (!instance.vpcId) {
    throw new AppError('EIC_NO_ENDPOINT', `${target.name} (${target.instanceId}) is not in a VPC, so no EC2 Instance Connect Endpoint can reach it.`, { hint: 'EC2 Instance Connect Endpoints work only for instances in a VPC.' });
  }
  return chooseEndpoint({ instanceId: instance.instanceId, vpcId: instance.vpcId, subnetId: instance.subnetId ?? '' }, instance.vpcEndpoints.map(toEndpointFacts));
}

function choiceOf(endpoint: EndpointFacts): EndpointChoice {
  return {
    endpointId: endpoint.id,
    label: endpoint.availabilityZone ? `${endpoint.id} (${endpoint.availabilityZone})` : endpoint.id,
    dnsName: endpoint.dnsName,
    ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}),
  };
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
