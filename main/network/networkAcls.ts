import type { NetworkAcl, NetworkAclEntry } from '@aws-sdk/client-ec2';
import { cidrContains, cidrOverlaps, parseCidr, type CidrRange } from './cidr';

/**
 * Network ACL analysis over the EC2 SDK's own shapes (`NetworkAcl`, `NetworkAclEntry`), for the
 * troubleshooting wizard: does the ACL of a subnet let TCP traffic on some ports in from (or
 * out to) a peer, and which rule decides.
 *
 * Unlike security groups, network ACLs are stateless and ordered: the rules of one direction
 * are tried from the lowest rule number up and the first that matches protocol, port and peer
 * decides (allow or deny); traffic no rule matches is denied (the `*` rule, number 32767).
 * Being stateless, the return traffic needs its own rule: to and from the ephemeral ports. They
 * filter only traffic that crosses the subnet's edge, so two addresses in one subnet are never
 * filtered by it.
 */

export type AclDirection = 'inbound' | 'outbound';

/** The ports an EC2 Instance Connect Endpoint's connection answers on: AWS's advice for NACLs. */
export const EPHEMERAL_PORTS = { from: 1024, to: 65535 } as const;

/** AWS's implicit last rule of each direction: deny everything. */
export const DEFAULT_DENY_RULE_NUMBER = 32767;

export interface PortRange {
  from: number;
  to: number;
}

export interface AclQuery {
  direction: AclDirection;
  /** Default `tcp`. */
  protocol?: 'tcp' | 'udp';
  /** The ports the traffic uses on the subnet's side of the rule (the destination port). */
  ports: PortRange;
  /**
   * The other side: the source of inbound traffic, the destination of outbound. An address
   * (`10.0.1.17`) or, when the exact address is unknown, the block it lies in (`10.0.1.0/24`).
   */
  peer: string;
}

/** The rule that decided some ports, in plain words. */
export interface AclRuleRef {
  /** 32767 for the implicit `*` rule. */
  ruleNumber: number;
  action: 'allow' | 'deny';
  /** `#100 allow TCP 22 from 10.0.0.0/16`, `#* deny all traffic from 0.0.0.0/0`. */
  text: string;
}

export interface AclPortDecision extends PortRange {
  action: 'allow' | 'deny';
  rule: AclRuleRef;
}

export interface AclVerdict {
  /**
   * `allowed`: every port of the query is allowed for the whole peer. `denied`: every port is
   * denied. `partial`: some ports are allowed and others denied (a return range only partly
   * open). `uncertain`: a rule covers only part of the peer's block, so the answer depends on
   * the exact address.
   */
  verdict: 'allowed' | 'denied' | 'partial' | 'uncertain';
  /** Which rule decided which ports, in port order. */
  decisions: AclPortDecision[];
  /** Rules that match only part of the peer's block before the deciding rule. */
  uncertainBy: AclRuleRef[];
}

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or the number as given. */
export function normaliseAclProtocol(protocol: string | undefined): string {
  const p = (protocol ?? '-1').toLowerCase();
  if (p === 'all') return '-1';
  return PROTOCOL_NUMBERS[p] ?? p;
}

/** Ports a rule covers: every port for `-1`, a TCP/UDP rule without a range, or -1 bounds. */
function portsOf(entry: NetworkAclEntry): PortRange {
  const from = entry.PortRange?.From;
  const to = entry.PortRange?.To;
  if (normaliseAclProtocol(entry.Protocol) === '-1' || from === undefined || from === -1) return { from: 0, to: 65535 };
  return { from, to: to === undefined || to === -1 ? from : to };
}

function ruleCidr(entry: NetworkAclEntry, family: 4 | 6): CidrRange | undefined {
  const text = family === 4 ? entry.CidrBlock : entry.Ipv6CidrBlock;
  return text ? parseCidr(text) : undefined;
}

/** `#100 allow TCP 22 from 10.0.0.0/16`, `#* deny all traffic to 0.0.0.0/0`. */
export function describeAclEntry(entry: NetworkAclEntry): string {
  const number = entry.RuleNumber === DEFAULT_DENY_RULE_NUMBER ? '*' : String(entry.RuleNumber ?? '?');
  const protocol = normaliseAclProtocol(entry.Protocol);
  let what: string;
  if (protocol === '-1') what = 'all traffic';
  else if (protocol === 'tcp' || protocol === 'udp') {
    const ports = portsOf(entry);
    const name = protocol.toUpperCase();
    what = ports.from === 0 && ports.to === 65535 ? `all ${name}` : ports.from === ports.to ? `${name} ${ports.from}` : `${name} ${ports.from}-${ports.to}`;
  } else what = protocol === 'icmp' ? 'ICMP' : protocol === 'icmpv6' ? 'ICMPv6' : `protocol ${protocol}`;
  const peer = entry.CidrBlock ?? entry.Ipv6CidrBlock ?? '?';
  return `#${number} ${entry.RuleAction ?? 'deny'} ${what} ${entry.Egress ? 'to' : 'from'} ${peer}`;
}

function refOf(entry: NetworkAclEntry): AclRuleRef {
  return { ruleNumber: entry.RuleNumber ?? DEFAULT_DENY_RULE_NUMBER, action: entry.RuleAction === 'allow' ? 'allow' : 'deny', text: describeAclEntry(entry) };
}

const IMPLICIT_DENY = (direction: AclDirection, family: 4 | 6): AclRuleRef => ({
  ruleNumber: DEFAULT_DENY_RULE_NUMBER,
  action: 'deny',
  text: `#* deny all traffic ${direction === 'inbound' ? 'from' : 'to'} ${family === 4 ? '0.0.0.0/0' : '::/0'}`,
});

/**
 * What `acl` decides for the query, port by port: the rules of the direction in rule-number
 * order, the first that matches each port deciding it, the implicit deny for the rest. A peer
 * that is not an address or block is an error of the caller: it throws.
 */
export function evaluateAcl(acl: NetworkAcl, query: AclQuery): AclVerdict {
  const peer = parseCidr(query.peer);
  if (!peer) throw new Error(`not an address or CIDR block: ${query.peer}`);
  const protocol = query.protocol ?? 'tcp';
  const egress = query.direction === 'outbound';
  const entries = (acl.Entries ?? []).filter((e) => !!e.Egress === egress).sort((a, b) => (a.RuleNumber ?? DEFAULT_DENY_RULE_NUMBER) - (b.RuleNumber ?? DEFAULT_DENY_RULE_NUMBER));

  let undecided: PortRange[] = [{ from: query.ports.from, to: query.ports.to }];
  const decisions: AclPortDecision[] = [];
  const uncertainBy: AclRuleRef[] = [];
  for (const entry of entries) {
    if (undecided.length === 0) break;
    const p = normaliseAclProtocol(entry.Protocol);
    if (p !== '-1' && p !== protocol) continue;
    const block = ruleCidr(entry, peer.family);
    if (!block || !cidrOverlaps(block, peer)) continue;
    const ports = portsOf(entry);
    const touched = undecided.filter((r) => r.from <= ports.to && ports.from <= r.to);
    if (touched.length === 0) continue;
    if (!cidrContains(block, peer)) {
      // The rule decides for some addresses of the peer's block only: later rules decide for the rest.
      uncertainBy.push(refOf(entry));
      continue;
    }
    const next: PortRange[] = [];
    for (const r of undecided) {
      const from = Math.max(r.from, ports.from);
      const to = Math.min(r.to, ports.to);
      if (from > to) {
        next.push(r);
        continue;
      }
      decisions.push({ from, to, action: entry.RuleAction === 'allow' ? 'allow' : 'deny', rule: refOf(entry) });
      if (r.from < from) next.push({ from: r.from, to: from - 1 });
      if (to < r.to) next.push({ from: to + 1, to: r.to });
    }
    undecided = next;
  }
  for (const r of undecided) decisions.push({ ...r, action: 'deny', rule: IMPLICIT_DENY(query.direction, peer.family) });
  decisions.sort((a, b) => a.from - b.from);

  const anyAllowed = decisions.some((d) => d.action === 'allow');
  const anyDenied = decisions.some((d) => d.action === 'deny');
  const verdict = uncertainBy.length > 0 ? 'uncertain' : anyAllowed && anyDenied ? 'partial' : anyAllowed ? 'allowed' : 'denied';
  return { verdict, decisions, uncertainBy };
}

/**
 * The network ACL in force for a subnet: the one associated with it, else (when the listing
 * holds no association for it) the VPC's default ACL, which AWS associates with every subnet
 * that has no other.
 */
export function aclOfSubnet(subnetId: string, acls: readonly NetworkAcl[], vpcId?: string): { acl: NetworkAcl; association: 'explicit' | 'default' } | undefined {
  const explicit = acls.find((a) => (a.Associations ?? []).some((s) => s.SubnetId === subnetId));
  if (explicit) return { acl: explicit, association: 'explicit' };
  const fallback = acls.find((a) => a.IsDefault === true && (!vpcId || !a.VpcId || a.VpcId === vpcId));
  return fallback ? { acl: fallback, association: 'default' } : undefined;
}

/** One of the four checks a connection through two subnets needs. */
export interface AclLeg {
  subnetId: string;
  aclId: string;
  direction: AclDirection;
  /** `request`: the connection to the port; `return`: the answers on the ephemeral ports. */
  purpose: 'request' | 'return';
  peer: string;
  ports: PortRange;
  result: AclVerdict;
  /** Plain words: `inbound TCP 22 from 10.0.2.0/24 at subnet-1 (acl-1)`. */
  text: string;
}

export interface AclPathInput {
  port: number;
  protocol?: 'tcp' | 'udp';
  /** Where the connection comes from: the endpoint's subnet and its address (or the subnet's CIDR). */
  source: { subnetId: string; address: string };
  /**
   * The address the target sees as the source, when it is not `source.address`: the person's
   * public IP when the endpoint preserves client IPs.
   */
  apparentSource?: string;
  /** Where it goes: the instance's subnet and private address. */
  target: { subnetId: string; address: string };
  /** Every network ACL of the VPC (or at least those of both subnets). */
  acls: readonly NetworkAcl[];
  vpcId?: string;
  /** The ports answers come back on; default 1024-65535. */
  ephemeral?: PortRange;
}

export interface AclPathVerdict {
  /**
   * `notApplicable`: both ends are in one subnet, so no ACL filters the traffic. `unknown`: the
   * ACL of a subnet was not in the listing. Otherwise the worst of the legs.
   */
  verdict: 'allowed' | 'denied' | 'partial' | 'uncertain' | 'notApplicable' | 'unknown';
  legs: AclLeg[];
  /** Subnets whose ACL was not found. */
  missing: string[];
  /** Whether the ACL came from an association or is assumed to be the VPC default. */
  acls: { subnetId: string; aclId: string; association: 'explicit' | 'default' }[];
}

const RANK: Record<AclVerdict['verdict'], number> = { allowed: 0, uncertain: 1, partial: 2, denied: 3 };

/**
 * Whether the network ACLs let a TCP connection from `source` reach `target.port` and its
 * answers come back: four legs, outbound and inbound at each subnet, request and return.
 */
export function evaluateAclPath(input: AclPathInput): AclPathVerdict {
  if (input.source.subnetId === input.target.subnetId) return { verdict: 'notApplicable', legs: [], missing: [], acls: [] };
  const protocol = input.protocol ?? 'tcp';
  const ephemeral = input.ephemeral ?? EPHEMERAL_PORTS;
  const sourceAcl = aclOfSubnet(input.source.subnetId, input.acls, input.vpcId);
  const targetAcl = aclOfSubnet(input.target.subnetId, input.acls, input.vpcId);
  const missing = [...(sourceAcl ? [] : [input.source.subnetId]), ...(targetAcl ? [] : [input.target.subnetId])];
  const acls = [
    ...(sourceAcl ? [{ subnetId: input.source.subnetId, aclId: sourceAcl.acl.NetworkAclId ?? '', association: sourceAcl.association }] : []),
    ...(targetAcl ? [{ subnetId: input.target.subnetId, aclId: targetAcl.acl.NetworkAclId ?? '', association: targetAcl.association }] : []),
  ];
  const seenBy = input.apparentSource ?? input.source.address;
  const port: PortRange = { from: input.port, to: input.port };
  const plan: { at: 'source' | 'target'; direction: AclDirection; purpose: AclLeg['purpose']; peer: string; ports: PortRange }[] = [
    { at: 'source', direction: 'outbound', purpose: 'request', peer: input.target.address, ports: port },
    { at: 'target', direction: 'inbound', purpose: 'request', peer: seenBy, ports: port },
    { at: 'target', direction: 'outbound', purpose: 'return', peer: seenBy, ports: ephemeral },
    { at: 'source', direction: 'inbound', purpose: 'return', peer: input.target.address, ports: ephemeral },
  ];
  const legs: AclLeg[] = [];
  for (const leg of plan) {
    const found = leg.at === 'source' ? sourceAcl : targetAcl;
    if (!found) continue;
    const subnetId = leg.at === 'source' ? input.source.subnetId : input.target.subnetId;
    const aclId = found.acl.NetworkAclId ?? '';
    const result = evaluateAcl(found.acl, { direction: leg.direction, protocol, ports: leg.ports, peer: leg.peer });
    const ports = leg.ports.from === leg.ports.to ? `${leg.ports.from}` : `${leg.ports.from}-${leg.ports.to}`;
    legs.push({
      subnetId,
      aclId,
      direction: leg.direction,
      purpose: leg.purpose,
      peer: leg.peer,
      ports: leg.ports,
      result,
      text: `${leg.direction} ${protocol.toUpperCase()} ${ports} ${leg.direction === 'inbound' ? 'from' : 'to'} ${leg.peer} at ${subnetId} (${aclId})`,
    });
  }
  const worst = legs.reduce<AclVerdict['verdict']>((w, l) => (RANK[l.result.verdict] > RANK[w] ? l.result.verdict : w), 'allowed');
  const verdict = missing.length > 0 && worst !== 'denied' ? 'unknown' : worst;
  return { verdict, legs, missing, acls };
}
