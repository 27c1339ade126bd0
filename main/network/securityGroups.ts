import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import { cidrContains, cidrOverlaps, parseCidr, type CidrRange } from './cidr';

/**
 * Security-group analysis over the EC2 SDK's own shapes (`SecurityGroup`, `IpPermission`), for
 * the endpoint wizard and the troubleshooting wizard: does a set of groups let TCP port P in
 * from (or out to) a given peer, which rules do it, and which rule to add when none does.
 *
 * Security groups are allow-lists and stateful: traffic is allowed when ANY rule of ANY of the
 * interface's groups matches protocol, port and peer. There are no deny rules (network ACLs
 * are separate).
 */

export type RuleDirection = 'ingress' | 'egress';
export type TransportProtocol = 'tcp' | 'udp';

/**
 * The other side of the traffic being checked: where it comes from (ingress) or goes to
 * (egress). Give what is known; each field is matched by a different kind of rule.
 */
export interface TrafficPeer {
  /**
   * The peer's security groups (the endpoint's, or the target instance's): a rule that
   * references one of them matches, whatever the peer's address.
   */
  groupIds?: readonly string[];
  /**
   * The peer's address (`10.0.1.17`, `2600:1f18::5`) or the block it lies in when the exact
   * address is unknown (the endpoint's subnet, `10.0.1.0/24`). A rule whose CIDR holds the whole
   * block allows it; one that holds only part of it makes the verdict `uncertain`.
   */
  cidr?: string;
  /** Managed prefix lists the peer is known to be in (`pl-...`): a rule naming one matches. */
  prefixListIds?: readonly string[];
}

export interface TrafficQuery {
  /** Default `tcp`. */
  protocol?: TransportProtocol;
  port: number;
  peer: TrafficPeer;
  /**
   * Entries of managed prefix lists (GetManagedPrefixListEntries), by id. With them a `pl-`
   * rule is matched by address; without them such a rule can only make the verdict uncertain.
   */
  prefixLists?: Readonly<Record<string, readonly string[]>>;
  /** Names of groups the rules may reference (beyond `groups` themselves), for the rules' text. */
  groupNames?: Readonly<Record<string, string>>;
}

/** How a rule matched the peer. */
export type MatchKind =
  /** The rule references one of the peer's security groups. */
  | 'group'
  /** The rule's CIDR holds the peer's whole address block. */
  | 'cidr'
  /** The rule names a prefix list the peer is in, or whose entries hold the peer's block. */
  | 'prefixList'
  /** The rule's CIDR holds only part of the peer's block: it allows some addresses of it. */
  | 'cidrPartial'
  /** The rule names a prefix list whose entries are unknown. */
  | 'prefixListUnresolved';

/** One rule (one peer of one IpPermission) that matched. */
export interface RuleMatch {
  groupId: string;
  groupName?: string;
  direction: RuleDirection;
  kind: MatchKind;
  /** The rule's own peer: `sg-...`, `10.0.0.0/16`, `::/0`, `pl-...`. */
  peer: string;
  /** The rule as AWS has it (protocol and ports), for showing or revoking it. */
  permission: IpPermission;
  /** Plain words: `TCP 22 from sg-0abc (web)`, `all traffic to 0.0.0.0/0`. */
  text: string;
}

export interface TrafficVerdict {
  /**
   * `allowed`: at least one rule surely lets the traffic through. `uncertain`: no rule surely
   * does, but one covers part of the peer's block or names a prefix list whose entries are
   * unknown. `denied`: no rule matches.
   */
  verdict: 'allowed' | 'uncertain' | 'denied';
  /** Rules that surely allow it. */
  allowedBy: RuleMatch[];
  /** Rules that may allow it. */
  partial: RuleMatch[];
}

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** The rule's protocol in words AWS also uses: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a number. */
export function normaliseProtocol(ipProtocol: string | undefined): string {
  const p = (ipProtocol ?? '-1').toLowerCase();
  if (p === 'all') return '-1';
  return PROTOCOL_NUMBERS[p] ?? p;
}

/**
 * Whether the rule's protocol and port range include `protocol`/`port`. `-1` is every protocol
 * and port; a TCP/UDP rule without ports (or with -1) covers every port; another protocol
 * never matches TCP/UDP.
 */
export function permissionCoversPort(permission: IpPermission, protocol: TransportProtocol, port: number): boolean {
  const p = normaliseProtocol(permission.IpProtocol);
  if (p === '-1') return true;
  if (p !== protocol) return false;
  const from = permission.FromPort;
  const to = permission.ToPort;
  if (from === undefined || from === -1) return true;
  return from <= port && port <= (to === undefined || to === -1 ? from : to);
}

/** `TCP 22`, `TCP 1024-2048`, `all TCP`, `all traffic`, `ICMP`. */
export function describeProtocolAndPorts(permission: IpPermission): string {
  const p = normaliseProtocol(permission.IpProtocol);
  if (p === '-1') return 'all traffic';
  if (p === 'tcp' || p === 'udp') {
    const from = permission.FromPort;
    const to = permission.ToPort;
    const name = p.toUpperCase();
    if (from === undefined || from === -1 || (from === 0 && to === 65535)) return `all ${name}`;
    return to === undefined || to === from ? `${name} ${from}` : `${name} ${from}-${to}`;
  }
  if (p === 'icmp' || p === 'icmpv6') return p === 'icmp' ? 'ICMP' : 'ICMPv6';
  return `protocol ${p}`;
}

/** Every peer of one IpPermission, with its kind, in AWS's order (groups, IPv4, IPv6, prefix lists). */
function peersOf(permission: IpPermission): { kind: 'group' | 'cidr' | 'prefixList'; value: string; description?: string }[] {
  const out: { kind: 'group' | 'cidr' | 'prefixList'; value: string; description?: string }[] = [];
  for (const g of permission.UserIdGroupPairs ?? []) if (g.GroupId) out.push({ kind: 'group', value: g.GroupId, ...(g.Description ? { description: g.Description } : {}) });
  for (const r of permission.IpRanges ?? []) if (r.CidrIp) out.push({ kind: 'cidr', value: r.CidrIp, ...(r.Description ? { description: r.Description } : {}) });
  for (const r of permission.Ipv6Ranges ?? []) if (r.CidrIpv6) out.push({ kind: 'cidr', value: r.CidrIpv6, ...(r.Description ? { description: r.Description } : {}) });
  for (const r of permission.PrefixListIds ?? []) if (r.PrefixListId) out.push({ kind: 'prefixList', value: r.PrefixListId, ...(r.Description ? { description: r.Description } : {}) });
  return out;
}

/**
 * One line per peer of a rule, in plain words: `TCP 22 from sg-0abc (bastionless-eice-vpc-1)`,
 * `all traffic to 0.0.0.0/0`. `groupNames` names referenced groups when known.
 */
export function describePermission(permission: IpPermission, direction: RuleDirection, groupNames: Readonly<Record<string, string>> = {}): string[] {
  const what = describeProtocolAndPorts(permission);
  const preposition = direction === 'ingress' ? 'from' : 'to';
  return peersOf(permission).map((peer) => `${what} ${preposition} ${peerLabel(peer.kind, peer.value, groupNames)}`);
}

function peerLabel(kind: 'group' | 'cidr' | 'prefixList', value: string, groupNames: Readonly<Record<string, string>>): string {
  if (kind === 'group') return groupNames[value] ? `${value} (${groupNames[value]})` : value;
  if (kind === 'prefixList') return `prefix list ${value}`;
  return value;
}

/**
 * Whether `groups` (all the security groups of one network interface) allow the traffic in
 * `direction` on `query.port` with `query.peer`, and which rules do. See TrafficVerdict.
 */
export function evaluateTraffic(groups: readonly SecurityGroup[], direction: RuleDirection, query: TrafficQuery): TrafficVerdict {
  const protocol = query.protocol ?? 'tcp';
  const peerGroups = new Set(query.peer.groupIds ?? []);
  const peerLists = new Set(query.peer.prefixListIds ?? []);
  const peerBlock = query.peer.cidr ? parseCidr(query.peer.cidr) : undefined;
  const names = { ...query.groupNames, ...groupNamesOf(groups) };
  const allowedBy: RuleMatch[] = [];
  const partial: RuleMatch[] = [];

  for (const group of groups) {
    const permissions = (direction === 'ingress' ? group.IpPermissions : group.IpPermissionsEgress) ?? [];
    for (const permission of permissions) {
      if (!permissionCoversPort(permission, protocol, query.port)) continue;
      for (const peer of peersOf(permission)) {
        const kind = matchPeer(peer, peerGroups, peerLists, peerBlock, query.prefixLists);
        if (!kind) continue;
        const match: RuleMatch = {
          groupId: group.GroupId ?? '',
          ...(group.GroupName ? { groupName: group.GroupName } : {}),
          direction,
          kind,
          peer: peer.value,
          permission,
          text: `${describeProtocolAndPorts(permission)} ${direction === 'ingress' ? 'from' : 'to'} ${peerLabel(peer.kind, peer.value, names)}`,
        };
        (kind === 'cidrPartial' || kind === 'prefixListUnresolved' ? partial : allowedBy).push(match);
      }
    }
  }
  return { verdict: allowedBy.length > 0 ? 'allowed' : partial.length > 0 ? 'uncertain' : 'denied', allowedBy, partial };
}

function matchPeer(
  peer: { kind: 'group' | 'cidr' | 'prefixList'; value: string },
  peerGroups: ReadonlySet<string>,
  peerLists: ReadonlySet<string>,
  peerBlock: CidrRange | undefined,
  prefixLists: TrafficQuery['prefixLists'],
): MatchKind | undefined {
  if (peer.kind === 'group') return peerGroups.has(peer.value) ? 'group' : undefined;
  if (peer.kind === 'cidr') {
    const rule = parseCidr(peer.value);
    if (!rule || !peerBlock) return undefined;
    if (cidrContains(rule, peerBlock)) return 'cidr';
    return cidrOverlaps(rule, peerBlock) ? 'cidrPartial' : undefined;
  }
  if (peerLists.has(peer.value)) return 'prefixList';
  const entries = prefixLists?.[peer.value];
  if (!entries) return peerBlock ? 'prefixListUnresolved' : undefined;
  if (!peerBlock) return undefined;
  const ranges = entries.map(parseCidr).filter((r): r is CidrRange => !!r);
  if (ranges.some((r) => cidrContains(r, peerBlock))) return 'prefixList';
  return ranges.some((r) => cidrOverlaps(r, peerBlock)) ? 'cidrPartial' : undefined;
}

/** Whether `groups` let TCP (or UDP) `port` in from `peer`. Shorthand for evaluateTraffic(groups, 'ingress', query). */
export function allowsInbound(groups: readonly SecurityGroup[], query: TrafficQuery): TrafficVerdict {
  return evaluateTraffic(groups, 'ingress', query);
}

/** Whether `groups` let TCP (or UDP) `port` out to `peer`. Shorthand for evaluateTraffic(groups, 'egress', query). */
export function allowsOutbound(groups: readonly SecurityGroup[], query: TrafficQuery): TrafficVerdict {
  return evaluateTraffic(groups, 'egress', query);
}

function groupNamesOf(groups: readonly SecurityGroup[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const g of groups) if (g.GroupId && g.GroupName) names[g.GroupId] = g.GroupName;
  return names;
}

/** AWS accepts only these characters in a rule description (and at most 255 of them). */
export function safeRuleDescription(text: string): string {
  return text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, '').slice(0, 255);
}

/** An AuthorizeSecurityGroupIngress/Egress request body: the group and one permission. */
export interface RuleRequest {
  GroupId: string;
  IpPermissions: IpPermission[];
}

/**
 * The inbound rule that lets TCP `port` in from the endpoint's security group
 * `sourceGroupId`: the rule EICE.md recommends, because it works with PreserveClientIp on
 * or off. The result is the AuthorizeSecurityGroupIngress input.
 */
export function inboundRuleFromGroup(input: { targetGroupId: string; port: number; sourceGroupId: string; description?: string }): RuleRequest {
  return {
    GroupId: input.targetGroupId,
    IpPermissions: [
      {
        IpProtocol: 'tcp',
        FromPort: input.port,
        ToPort: input.port,
        UserIdGroupPairs: [{ GroupId: input.sourceGroupId, ...(input.description ? { Description: safeRuleDescription(input.description) } : {}) }],
      },
    ],
  };
}

/** The outbound rule that lets TCP `port` out to `cidr` (the endpoint's group to the VPC). AuthorizeSecurityGroupEgress input. */
export function egressRuleToCidr(input: { groupId: string; port: number; cidr: string; description?: string }): RuleRequest {
  const range = parseCidr(input.cidr);
  const description = input.description ? { Description: safeRuleDescription(input.description) } : {};
  return {
    GroupId: input.groupId,
    IpPermissions: [
      {
        IpProtocol: 'tcp',
        FromPort: input.port,
        ToPort: input.port,
        ...(range?.family === 6 ? { Ipv6Ranges: [{ CidrIpv6: range.text, ...description }] } : { IpRanges: [{ CidrIp: range?.text ?? input.cidr, ...description }] }),
      },
    ],
  };
}

/** One instance (network interface) whose inbound path is checked. */
export interface InboundTarget {
  instanceId: string;
  /** Every security group of the instance. */
  securityGroupIds: readonly string[];
  /** The port the endpoint must reach: 22 (Linux) or 3389 (Windows). */
  port: number;
}

/** One rule to add: a group, a port, the endpoint's group as source, and who it opens. */
export interface ProposedInboundRule {
  groupId: string;
  groupName?: string;
  port: number;
  sourceGroupId: string;
  /** The instances this rule opens. */
  instanceIds: string[];
  /** AuthorizeSecurityGroupIngress input. */
  request: RuleRequest;
  /** `TCP 22 from sg-0abc (bastionless-eice-vpc-1)`. */
  text: string;
}

export interface InboundPlan {
  /** Instances already reachable, with the rule that allows each. */
  allowed: { instanceId: string; port: number; by: RuleMatch }[];
  /** Instances only partly reachable (a CIDR rule covers part of the endpoint's subnet): fixed by the rules too. */
  uncertain: { instanceId: string; port: number; by: RuleMatch }[];
  /** The fewest rules (by greedy cover of shared groups) that open the rest. */
  rules: ProposedInboundRule[];
  /** Instances that cannot be fixed here: a group of theirs was not given (not readable). */
  unknown: { instanceId: string; missingGroupIds: string[] }[];
}

/**
 * Which inbound rules (source = the endpoint's security group) open TCP 22/3389 on every
 * target that does not already allow it from the endpoint. The endpoint's traffic comes from
 * its groups and, with PreserveClientIp off, from an address in its subnet (`endpoint.cidr`).
 * When several targets share a group, one rule on that group serves them all: groups are
 * chosen greedily by how many remaining targets they open.
 */
export function planInboundRules(input: {
  targets: readonly InboundTarget[];
  /** The security groups of the targets (DescribeSecurityGroups). */
  groups: readonly SecurityGroup[];
  endpoint: { securityGroupIds: readonly string[]; subnetCidr?: string; id?: string };
  prefixLists?: TrafficQuery['prefixLists'];
}): InboundPlan {
  const byId = new Map(input.groups.filter((g) => g.GroupId).map((g) => [g.GroupId as string, g]));
  const sourceGroupId = input.endpoint.securityGroupIds[0];
  const peer: TrafficPeer = { groupIds: input.endpoint.securityGroupIds, ...(input.endpoint.subnetCidr ? { cidr: input.endpoint.subnetCidr } : {}) };
  const plan: InboundPlan = { allowed: [], uncertain: [], rules: [], unknown: [] };
  const needing: InboundTarget[] = [];
  const names = groupNamesOf(input.groups);
  for (const target of input.targets) {
    const missing = target.securityGroupIds.filter((id) => !byId.has(id));
    const groups = target.securityGroupIds.map((id) => byId.get(id)).filter((g): g is SecurityGroup => !!g);
    const verdict = allowsInbound(groups, { port: target.port, peer, groupNames: names, ...(input.prefixLists ? { prefixLists: input.prefixLists } : {}) });
    const first = verdict.allowedBy[0] ?? verdict.partial[0];
    if (verdict.verdict === 'allowed' && first) {
      plan.allowed.push({ instanceId: target.instanceId, port: target.port, by: first });
      continue;
    }
    if (missing.length > 0) {
      // An unreadable group may hold the rule already: do not propose a duplicate blindly.
      plan.unknown.push({ instanceId: target.instanceId, missingGroupIds: missing });
      continue;
    }
    if (verdict.verdict === 'uncertain' && first) plan.uncertain.push({ instanceId: target.instanceId, port: target.port, by: first });
    if (target.securityGroupIds.length > 0) needing.push(target);
    else plan.unknown.push({ instanceId: target.instanceId, missingGroupIds: [] });
  }
  if (!sourceGroupId) return { ...plan, unknown: [...plan.unknown, ...needing.map((t) => ({ instanceId: t.instanceId, missingGroupIds: [] }))], rules: [] };

  for (const port of [...new Set(needing.map((t) => t.port))].sort((a, b) => a - b)) {
    let remaining = needing.filter((t) => t.port === port);
    while (remaining.length > 0) {
      // The group shared by the most remaining targets; ties go to the first target's first group.
      const counts = new Map<string, number>();
      for (const t of remaining) for (const g of new Set(t.securityGroupIds)) counts.set(g, (counts.get(g) ?? 0) + 1);
      let best = remaining[0]?.securityGroupIds[0] as string;
      for (const [g, n] of counts) if (n > (counts.get(best) ?? 0)) best = g;
      const opened = remaining.filter((t) => t.securityGroupIds.includes(best));
      remaining = remaining.filter((t) => !t.securityGroupIds.includes(best));
      const what = port === 22 ? 'SSH' : port === 3389 ? 'RDP' : `TCP ${port}`;
      const request = inboundRuleFromGroup({
        targetGroupId: best,
        port,
        sourceGroupId,
        description: `Bastionless: ${what} from EC2 Instance Connect Endpoint${input.endpoint.id ? ` ${input.endpoint.id}` : ''}`,
      });
      plan.rules.push({
        groupId: best,
        ...(names[best] ? { groupName: names[best] } : {}),
        port,
        sourceGroupId,
        instanceIds: opened.map((t) => t.instanceId),
        request,
        text: `TCP ${port} from ${peerLabel('group', sourceGroupId, names)}`,
      });
    }
  }
  return plan;
}
