import { cidrContains } from './cidr';
import type { EndpointState, InstanceState, NetworkAclState, SgRule, World } from './world';

export type PathVerdict = { ok: true } | { ok: false; reason: string };

/** A representative ephemeral port for return traffic through stateless network ACLs. */
const EPHEMERAL_PORT = 49152;

function ruleCoversPort(rule: { protocol: string; fromPort?: number; toPort?: number }, port: number): boolean {
  if (rule.protocol === '-1') return true;
  if (rule.protocol !== 'tcp' && rule.protocol !== '6') return false;
  const from = rule.fromPort ?? -1;
  const to = rule.toPort ?? -1;
  if (from === -1 && to === -1) return true;
  return port >= from && port <= to;
}

function sgAllows(rules: SgRule[], port: number, peerIp: string, peerGroups: string[]): boolean {
  return rules.some((rule) => ruleCoversPort(rule, port) && ((rule.cidr !== undefined && cidrContains(rule.cidr, peerIp)) || (rule.groupId !== undefined && peerGroups.includes(rule.groupId))));
}

function aclOf(world: World, subnetId: string): NetworkAclState | undefined {
  return [...world.networkAcls.values()].find((acl) => acl.subnetIds.includes(subnetId));
}

/** Network ACLs are evaluated in rule-number order; the first match decides; nothing matching means deny. */
function aclAllows(acl: NetworkAclState | undefined, egress: boolean, port: number, peerIp: string): boolean {
  if (!acl) return true;
  const entries = acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of entries) {
    if (!cidrContains(entry.cidr, peerIp)) continue;
    if (!ruleCoversPort({ protocol: entry.protocol, ...(entry.fromPort !== undefined ? { fromPort: entry.fromPort } : {}), ...(entry.toPort !== undefined ? { toPort: entry.toPort } : {}) }, port)) continue;
    return entry.action === 'allow';
  }
  return false;
}

/**
 * Whether an endpoint can open TCP `port` to an instance, the way the VPC decides it: the
 * endpoint's groups must allow the egress, the instance's groups must allow the ingress from
 * the endpoint's group or from the source address (the endpoint's private IP, or the client's
 * public IP with PreserveClientIp), network ACLs must pass both directions when the two are in
 * different subnets, and the instance must be running. Whether anything listens is the tunnel
 * server's business, not the network's. The reason names what blocks it (for
 * tests and `unreachableReason`; AWS itself only says "Unable to connect to target").
 */
export function checkTunnelPath(world: World, endpoint: EndpointState, target: InstanceState, port: number): PathVerdict {
  if (target.vpcId !== endpoint.vpcId) return { ok: false, reason: `${target.id} is not in ${endpoint.vpcId}, the VPC of ${endpoint.id}` };
  if (target.state !== 'running') return { ok: false, reason: `${target.id} is ${target.state}` };
  const sourceIp = endpoint.preserveClientIp ? world.scenario.tunnel.clientPublicIp : endpoint.privateIp;
  const endpointRules = endpoint.securityGroupIds.flatMap((id) => world.securityGroups.get(id)?.egress ?? []);
  if (!sgAllows(endpointRules, port, target.privateIp, target.securityGroupIds)) {
    return { ok: false, reason: `the security groups of ${endpoint.id} (${endpoint.securityGroupIds.join(', ')}) do not allow outbound TCP ${port} to ${target.privateIp}` };
  }
  const instanceRules = target.securityGroupIds.flatMap((id) => world.securityGroups.get(id)?.ingress ?? []);
  if (!sgAllows(instanceRules, port, sourceIp, endpoint.securityGroupIds)) {
    return { ok: false, reason: `the security groups of ${target.id} (${target.securityGroupIds.join(', ')}) do not allow inbound TCP ${port} from ${endpoint.preserveClientIp ? `the client address ${sourceIp}` : `${endpoint.id} (${sourceIp})`}` };
  }
  if (endpoint.subnetId !== target.subnetId) {
    const endpointAcl = aclOf(world, endpoint.subnetId);
    const targetAcl = aclOf(world, target.subnetId);
    if (!aclAllows(endpointAcl, true, port, target.privateIp)) return { ok: false, reason: `network ACL ${endpointAcl?.id} denies outbound TCP ${port} from ${endpoint.subnetId}` };
    if (!aclAllows(targetAcl, false, port, sourceIp)) return { ok: false, reason: `network ACL ${targetAcl?.id} denies inbound TCP ${port} to ${target.subnetId}` };
    if (!aclAllows(targetAcl, true, EPHEMERAL_PORT, sourceIp)) return { ok: false, reason: `network ACL ${targetAcl?.id} denies the return traffic (TCP ${EPHEMERAL_PORT}) out of ${target.subnetId}` };
    if (!aclAllows(endpointAcl, false, EPHEMERAL_PORT, target.privateIp)) return { ok: false, reason: `network ACL ${endpointAcl?.id} denies the return traffic (TCP ${EPHEMERAL_PORT}) into ${endpoint.subnetId}` };
  }
  return { ok: true };
}
