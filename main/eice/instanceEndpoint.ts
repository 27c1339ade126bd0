import { AppError, type EndpointFact, type Instance } from '../../preload/contract';
import { chooseEndpoint, type EndpointFacts } from './endpoints';
import type { TunnelTarget } from './tunnel';

/** An endpoint as discovery reported it (the contract's shape), in the shape endpoint choice reads. */
export function endpointFactsOf(e: EndpointFact): EndpointFacts {
  return {
    id: e.id,
    vpcId: e.vpcId,
    subnetId: e.subnetId,
    state: e.state,
    ...(e.stateMessage ? { stateMessage: e.stateMessage } : {}),
    dnsName: e.dnsName ?? '',
    ...(e.fipsDnsName ? { fipsDnsName: e.fipsDnsName } : {}),
    securityGroupIds: e.securityGroupIds,
    preserveClientIp: e.preserveClientIp,
    availabilityZone: e.availabilityZone ?? '',
  };
}

/**
 * The endpoint a tunnel to a discovered instance goes through, from its cached facts: the usable
 * one in its subnet, else in its VPC (chooseEndpoint). Throws EIC_NO_ENDPOINT (no VPC, or none
 * in it) or EIC_ENDPOINT_NOT_READY. `name` is how sentences call the instance.
 */
export function endpointForInstance(instance: Instance, name: string = instance.instanceId): EndpointFacts {
  if (!instance.vpcId) {
    throw new AppError('EIC_NO_ENDPOINT', `${name} (${instance.instanceId}) is not in a VPC, so no EC2 Instance Connect Endpoint can reach it.`, { hint: 'EC2 Instance Connect Endpoints work only for instances in a VPC.' });
  }
  return chooseEndpoint({ instanceId: instance.instanceId, vpcId: instance.vpcId, subnetId: instance.subnetId ?? '' }, instance.vpcEndpoints.map(endpointFactsOf));
}

/** Where a tunnel goes: through `endpoint` to an address and port of an instance. */
export function tunnelTargetThrough(
  endpoint: { endpointId: string; dnsName: string; fipsDnsName?: string | undefined },
  to: { instanceId: string; region: string; privateIpAddress: string; remotePort: number; maxTunnelDuration?: number },
): TunnelTarget {
  return {
    instanceId: to.instanceId,
    endpointId: endpoint.endpointId,
    dnsName: endpoint.dnsName,
    ...(endpoint.fipsDnsName ? { fipsDnsName: endpoint.fipsDnsName } : {}),
    region: to.region,
    privateIpAddress: to.privateIpAddress,
    remotePort: to.remotePort,
    ...(to.maxTunnelDuration !== undefined ? { maxTunnelDuration: to.maxTunnelDuration } : {}),
  };
}
