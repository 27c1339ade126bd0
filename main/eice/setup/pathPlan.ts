import type { Instance, SecurityGroup } from '@aws-sdk/client-ec2';
import type { PathInstance, PathPlan } from '../../../preload/contract/endpoints';
import type { EndpointFacts } from '../endpoints';
import { allowsOutbound, planInboundRules, type InboundPlan } from '../../network/securityGroups';
import { nameTag } from './setupPlan';

/** The port the endpoint must reach: 3389 for Windows, 22 otherwise. */
export function portFor(instance: Instance): number {
  return (instance.Platform ?? '').toLowerCase() === 'windows' || /^windows/i.test(instance.PlatformDetails ?? '') ? 3389 : 22;
}

/**
 * Step 7, "open the path": for each instance of the endpoint's VPC, whether its security groups
 * let the endpoint reach its SSH/RDP port, and the fewest inbound rules (source = the
 * endpoint's group) that open the others. Also flags instances the endpoint's own groups do
 * not let it reach (egress), which inbound rules alone will not fix.
 */
export function buildPathPlan(input: {
  endpoint: Pick<EndpointFacts, 'id' | 'vpcId' | 'securityGroupIds'>;
  /** The CIDR of the endpoint's subnet: its traffic comes from an address in it (PreserveClientIp off). */
  endpointSubnetCidr?: string;
  instances: readonly Instance[];
  /** The VPC's security groups. */
  groups: readonly SecurityGroup[];
}): { plan: PathPlan; inbound: InboundPlan } {
  const instances = input.instances.filter((i) => i.InstanceId && i.VpcId === input.endpoint.vpcId && i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down');
  const byId = new Map(input.groups.filter((g) => g.GroupId).map((g) => [g.GroupId as string, g]));
  const endpointGroups = input.endpoint.securityGroupIds.map((id) => byId.get(id)).filter((g): g is SecurityGroup => !!g);
  const inbound = planInboundRules({
    targets: instances.map((i) => ({ instanceId: i.InstanceId as string, securityGroupIds: (i.SecurityGroups ?? []).map((g) => g.GroupId).filter((g): g is string => !!g), port: portFor(i) })),
    groups: input.groups,
    endpoint: { securityGroupIds: input.endpoint.securityGroupIds, id: input.endpoint.id, ...(input.endpointSubnetCidr ? { subnetCidr: input.endpointSubnetCidr } : {}) },
  });
  const allowed = new Map(inbound.allowed.map((a) => [a.instanceId, a.by.text]));
  const uncertain = new Map(inbound.uncertain.map((a) => [a.instanceId, a.by.text]));
  const unknown = new Set(inbound.unknown.map((u) => u.instanceId));
  const rows: PathInstance[] = instances.map((i) => {
    const id = i.InstanceId as string;
    const port = portFor(i);
    const groupIds = (i.SecurityGroups ?? []).map((g) => g.GroupId).filter((g): g is string => !!g);
    // Egress is only known when all the endpoint's groups could be read.
    const egressBlocked =
      endpointGroups.length === input.endpoint.securityGroupIds.length &&
      allowsOutbound(endpointGroups, { port, peer: { groupIds, ...(i.PrivateIpAddress ? { cidr: i.PrivateIpAddress } : {}) } }).verdict === 'denied';
    const status: PathInstance['status'] = allowed.has(id) ? 'open' : unknown.has(id) ? 'unknown' : uncertain.has(id) ? 'uncertain' : 'needsRule';
    const by = allowed.get(id) ?? uncertain.get(id);
    const name = nameTag(i.Tags);
    return {
      instanceId: id,
      ...(name ? { name } : {}),
      platform: port === 3389 ? 'windows' : 'linux',
      state: i.State?.Name ?? 'unknown',
      ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
      port,
      securityGroups: (i.SecurityGroups ?? []).filter((g) => g.GroupId).map((g) => ({ id: g.GroupId as string, ...(g.GroupName ? { name: g.GroupName } : {}) })),
      status,
      ...(by ? { allowedBy: by } : {}),
      egressBlocked,
    };
  });
  return {
    inbound,
    plan: {
      endpointId: input.endpoint.id,
      vpcId: input.endpoint.vpcId,
      endpointGroupIds: [...input.endpoint.securityGroupIds],
      instances: rows.sort((a, b) => (a.name ?? a.instanceId).localeCompare(b.name ?? b.instanceId)),
      rules: inbound.rules.map((r) => ({
        groupId: r.groupId,
        ...(r.groupName ? { groupName: r.groupName } : {}),
        port: r.port,
        sourceGroupId: r.sourceGroupId,
        instanceIds: r.instanceIds,
        text: r.text,
        request: JSON.stringify(r.request, null, 2),
      })),
    },
  };
}
