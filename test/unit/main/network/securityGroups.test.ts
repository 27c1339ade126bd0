import { describe, expect, it } from 'vitest';
import {
  allowsInbound,
  allowsOutbound,
  describePermission,
  egressRuleToCidr,
  inboundRuleFromGroup,
  normaliseProtocol,
  permissionCoversPort,
  planInboundRules,
  safeRuleDescription,
} from '../../../../main/network/securityGroups';
import { ALL_TRAFFIC_OUT, fromCidr, fromCidr6, fromGroup, fromPrefixList, group, tcp } from './builders';

const ENDPOINT_SG = 'sg-0e0e0e0e0e0e0e0e1';
const ENDPOINT_SUBNET = '10.0.1.0/24';
const fromEndpoint = { groupIds: [ENDPOINT_SG], cidr: ENDPOINT_SUBNET };

describe('permissionCoversPort', () => {
  it('matches a single port and a range, inclusively', () => {
    expect(permissionCoversPort(tcp(22), 'tcp', 22)).toBe(true);
    expect(permissionCoversPort(tcp(22), 'tcp', 23)).toBe(false);
    expect(permissionCoversPort(tcp(20, 30), 'tcp', 20)).toBe(true);
    expect(permissionCoversPort(tcp(20, 30), 'tcp', 30)).toBe(true);
    expect(permissionCoversPort(tcp(20, 30), 'tcp', 31)).toBe(false);
    expect(permissionCoversPort(tcp(0, 65535), 'tcp', 3389)).toBe(true);
  });

  it('treats -1 (and "all") as every protocol and port', () => {
    expect(permissionCoversPort({ IpProtocol: '-1' }, 'tcp', 3389)).toBe(true);
    expect(permissionCoversPort({ IpProtocol: '-1', FromPort: -1, ToPort: -1 }, 'udp', 53)).toBe(true);
    expect(normaliseProtocol('all')).toBe('-1');
  });

  it('matches protocol numbers and never another protocol', () => {
    expect(permissionCoversPort({ IpProtocol: '6', FromPort: 22, ToPort: 22 }, 'tcp', 22)).toBe(true);
    expect(permissionCoversPort({ IpProtocol: 'udp', FromPort: 22, ToPort: 22 }, 'tcp', 22)).toBe(false);
    expect(permissionCoversPort({ IpProtocol: 'icmp', FromPort: -1, ToPort: -1 }, 'tcp', 22)).toBe(false);
    expect(permissionCoversPort({ IpProtocol: '50' }, 'tcp', 22)).toBe(false);
  });

  it('a TCP rule without ports covers every port', () => {
    expect(permissionCoversPort({ IpProtocol: 'tcp' }, 'tcp', 22)).toBe(true);
  });
});

describe('allowsInbound', () => {
  it('allows a rule that references one of the endpoint groups', () => {
    const v = allowsInbound([group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromGroup(ENDPOINT_SG))] })], { port: 22, peer: fromEndpoint });
    expect(v.verdict).toBe('allowed');
    expect(v.allowedBy[0]).toMatchObject({ groupId: 'sg-0a0a0a0a0a0a0a0a1', kind: 'group', peer: ENDPOINT_SG, text: `TCP 22 from ${ENDPOINT_SG}` });
  });

  it('names the referenced group when it is among the groups given', () => {
    const endpointGroup = group({ GroupId: ENDPOINT_SG, GroupName: 'bastionless-eice-vpc-1' });
    const target = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromGroup(ENDPOINT_SG))] });
    expect(allowsInbound([target, endpointGroup], { port: 22, peer: fromEndpoint }).allowedBy[0]?.text).toBe(`TCP 22 from ${ENDPOINT_SG} (bastionless-eice-vpc-1)`);
  });

  it('denies a group reference to some other group', () => {
    const v = allowsInbound([group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromGroup('sg-0f0f0f0f0f0f0f0f1'))] })], { port: 22, peer: fromEndpoint });
    expect(v).toEqual({ verdict: 'denied', allowedBy: [], partial: [] });
  });

  it('allows a CIDR rule that holds the whole endpoint subnet (the VPC CIDR)', () => {
    const v = allowsInbound([group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromCidr('10.0.0.0/16'))] })], { port: 22, peer: fromEndpoint });
    expect(v.verdict).toBe('allowed');
    expect(v.allowedBy[0]?.kind).toBe('cidr');
  });

  it('is uncertain about a CIDR rule that holds only part of the endpoint subnet', () => {
    const v = allowsInbound([group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromCidr('10.0.1.0/26'))] })], { port: 22, peer: fromEndpoint });
    expect(v.verdict).toBe('uncertain');
    expect(v.partial[0]).toMatchObject({ kind: 'cidrPartial', peer: '10.0.1.0/26' });
  });

  it('allows a single client address inside a rule (PreserveClientIp on)', () => {
    const g = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(3389, 3389, fromCidr('198.51.100.0/24'))] });
    expect(allowsInbound([g], { port: 3389, peer: { cidr: '198.51.100.24' } }).verdict).toBe('allowed');
    expect(allowsInbound([g], { port: 3389, peer: { cidr: '203.0.113.9' } }).verdict).toBe('denied');
  });

  it('checks the port as well as the peer', () => {
    const g = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromGroup(ENDPOINT_SG))] });
    expect(allowsInbound([g], { port: 3389, peer: fromEndpoint }).verdict).toBe('denied');
  });

  it('allows through an all-traffic rule and through any one of several groups', () => {
    const closed = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1' });
    const open = group({ GroupId: 'sg-0b0b0b0b0b0b0b0b1', IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: ENDPOINT_SG }] }] });
    const v = allowsInbound([closed, open], { port: 3389, peer: fromEndpoint });
    expect(v.verdict).toBe('allowed');
    expect(v.allowedBy[0]).toMatchObject({ groupId: 'sg-0b0b0b0b0b0b0b0b1', text: `all traffic from ${ENDPOINT_SG}` });
  });

  it('matches IPv6 rules only against IPv6 peers', () => {
    const g = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromCidr6('2600:1f18:1::/56'))] });
    expect(allowsInbound([g], { port: 22, peer: { cidr: '2600:1f18:1:5::10' } }).verdict).toBe('allowed');
    expect(allowsInbound([g], { port: 22, peer: { cidr: '10.0.1.5' } }).verdict).toBe('denied');
    const v4Everything = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a2', IpPermissions: [tcp(22, 22, fromCidr('0.0.0.0/0'))] });
    expect(allowsInbound([v4Everything], { port: 22, peer: { cidr: '2600:1f18:1:5::10' } }).verdict).toBe('denied');
  });

  it('prefix lists: matched by membership, by resolved entries, else uncertain', () => {
    const g = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromPrefixList('pl-0123456789abcdef0'))] });
    expect(allowsInbound([g], { port: 22, peer: { prefixListIds: ['pl-0123456789abcdef0'] } }).verdict).toBe('allowed');
    expect(allowsInbound([g], { port: 22, peer: fromEndpoint, prefixLists: { 'pl-0123456789abcdef0': ['10.0.0.0/16'] } }).allowedBy[0]?.kind).toBe('prefixList');
    expect(allowsInbound([g], { port: 22, peer: fromEndpoint, prefixLists: { 'pl-0123456789abcdef0': ['192.168.0.0/16'] } }).verdict).toBe('denied');
    expect(allowsInbound([g], { port: 22, peer: fromEndpoint, prefixLists: { 'pl-0123456789abcdef0': ['10.0.1.0/28'] } }).verdict).toBe('uncertain');
    const unresolved = allowsInbound([g], { port: 22, peer: fromEndpoint });
    expect(unresolved.verdict).toBe('uncertain');
    expect(unresolved.partial[0]).toMatchObject({ kind: 'prefixListUnresolved', text: 'TCP 22 from prefix list pl-0123456789abcdef0' });
  });

  it('inbound rules do not answer egress questions', () => {
    const g = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', IpPermissions: [tcp(22, 22, fromCidr('0.0.0.0/0'))] });
    expect(allowsOutbound([g], { port: 22, peer: { cidr: '10.0.2.10' } }).verdict).toBe('denied');
  });
});

describe('allowsOutbound', () => {
  it("allows AWS's default egress to everything", () => {
    expect(allowsOutbound([group({ GroupId: ENDPOINT_SG, IpPermissionsEgress: [ALL_TRAFFIC_OUT] })], { port: 22, peer: { cidr: '10.0.2.10' } }).verdict).toBe('allowed');
  });

  it('checks a dedicated endpoint group: 22 and 3389 to the VPC CIDR, nothing else', () => {
    const g = group({ GroupId: ENDPOINT_SG, IpPermissionsEgress: [tcp(22, 22, fromCidr('10.0.0.0/16')), tcp(3389, 3389, fromCidr('10.0.0.0/16'))] });
    expect(allowsOutbound([g], { port: 22, peer: { cidr: '10.0.0.0/16' } }).verdict).toBe('allowed');
    expect(allowsOutbound([g], { port: 3389, peer: { cidr: '10.0.7.9' } }).verdict).toBe('allowed');
    expect(allowsOutbound([g], { port: 443, peer: { cidr: '10.0.7.9' } }).verdict).toBe('denied');
    expect(allowsOutbound([g], { port: 22, peer: { cidr: '10.1.0.5' } }).verdict).toBe('denied');
  });

  it('allows egress to a destination group the target instance is in', () => {
    const g = group({ GroupId: ENDPOINT_SG, IpPermissionsEgress: [tcp(22, 22, fromGroup('sg-0a0a0a0a0a0a0a0a1'))] });
    expect(allowsOutbound([g], { port: 22, peer: { groupIds: ['sg-0a0a0a0a0a0a0a0a1'], cidr: '10.0.2.10' } }).allowedBy[0]).toMatchObject({ kind: 'group', text: 'TCP 22 to sg-0a0a0a0a0a0a0a0a1' });
  });

  it('a group with no egress rules allows nothing out', () => {
    expect(allowsOutbound([group({ GroupId: ENDPOINT_SG })], { port: 22, peer: { cidr: '10.0.2.10' } }).verdict).toBe('denied');
  });
});

describe('describePermission', () => {
  it('says one line per peer, naming known groups', () => {
    const p = { IpProtocol: 'tcp', FromPort: 1024, ToPort: 2048, ...fromGroup('sg-0a0a0a0a0a0a0a0a1'), ...fromCidr('10.0.0.0/8'), ...fromCidr6('::/0'), ...fromPrefixList('pl-0123456789abcdef0') };
    expect(describePermission(p, 'ingress', { 'sg-0a0a0a0a0a0a0a0a1': 'web' })).toEqual([
      'TCP 1024-2048 from sg-0a0a0a0a0a0a0a0a1 (web)',
      'TCP 1024-2048 from 10.0.0.0/8',
      'TCP 1024-2048 from ::/0',
      'TCP 1024-2048 from prefix list pl-0123456789abcdef0',
    ]);
    expect(describePermission(ALL_TRAFFIC_OUT, 'egress')).toEqual(['all traffic to 0.0.0.0/0']);
    expect(describePermission({ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, ...fromCidr('10.0.0.0/8') }, 'egress')).toEqual(['all TCP to 10.0.0.0/8']);
    expect(describePermission({ IpProtocol: 'icmp', FromPort: -1, ToPort: -1, ...fromCidr('10.0.0.0/8') }, 'ingress')).toEqual(['ICMP from 10.0.0.0/8']);
  });
});

describe('rule requests', () => {
  it('builds the inbound rule from the endpoint group, with a description AWS accepts', () => {
    expect(inboundRuleFromGroup({ targetGroupId: 'sg-0a0a0a0a0a0a0a0a1', port: 22, sourceGroupId: ENDPOINT_SG, description: "Bastionless: SSH from the endpoint's group <eice>" })).toEqual({
      GroupId: 'sg-0a0a0a0a0a0a0a0a1',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: ENDPOINT_SG, Description: 'Bastionless: SSH from the endpoints group eice' }] }],
    });
  });

  it('builds egress rules to IPv4 and IPv6 blocks', () => {
    expect(egressRuleToCidr({ groupId: ENDPOINT_SG, port: 3389, cidr: '10.0.0.0/16' }).IpPermissions[0]).toEqual({ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '10.0.0.0/16' }] });
    expect(egressRuleToCidr({ groupId: ENDPOINT_SG, port: 22, cidr: '2600:1f18:1::/56' }).IpPermissions[0]).toEqual({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '2600:1f18:1::/56' }] });
  });

  it('keeps descriptions within 255 allowed characters', () => {
    expect(safeRuleDescription(`é${'x'.repeat(300)}`)).toHaveLength(255);
  });
});

describe('planInboundRules', () => {
  const web = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a1', GroupName: 'web' });
  const shared = group({ GroupId: 'sg-0b0b0b0b0b0b0b0b1', GroupName: 'shared' });
  const win = group({ GroupId: 'sg-0c0c0c0c0c0c0c0c1', GroupName: 'windows' });
  const open = group({ GroupId: 'sg-0d0d0d0d0d0d0d0d1', GroupName: 'open', IpPermissions: [tcp(22, 22, fromGroup(ENDPOINT_SG))] });
  const endpoint = { securityGroupIds: [ENDPOINT_SG], subnetCidr: ENDPOINT_SUBNET, id: 'eice-0123456789abcdef0' };

  it('leaves reachable instances alone and proposes one rule per shared group and port', () => {
    const plan = planInboundRules({
      targets: [
        { instanceId: 'i-0000000000000000a', securityGroupIds: [web.GroupId as string, shared.GroupId as string], port: 22 },
        { instanceId: 'i-0000000000000000b', securityGroupIds: [shared.GroupId as string], port: 22 },
        { instanceId: 'i-0000000000000000c', securityGroupIds: [open.GroupId as string], port: 22 },
        { instanceId: 'i-0000000000000000d', securityGroupIds: [win.GroupId as string], port: 3389 },
      ],
      groups: [web, shared, win, open],
      endpoint,
    });
    expect(plan.allowed.map((a) => a.instanceId)).toEqual(['i-0000000000000000c']);
    expect(plan.rules.map((r) => [r.groupId, r.port, r.instanceIds])).toEqual([
      ['sg-0b0b0b0b0b0b0b0b1', 22, ['i-0000000000000000a', 'i-0000000000000000b']],
      ['sg-0c0c0c0c0c0c0c0c1', 3389, ['i-0000000000000000d']],
    ]);
    const rule = plan.rules[0];
    expect(rule).toMatchObject({ groupName: 'shared', sourceGroupId: ENDPOINT_SG, text: `TCP 22 from ${ENDPOINT_SG}` });
    expect(rule?.request.IpPermissions[0]?.UserIdGroupPairs?.[0]).toEqual({ GroupId: ENDPOINT_SG, Description: 'Bastionless: SSH from EC2 Instance Connect Endpoint eice-0123456789abcdef0' });
  });

  it('after the proposed rules are added, nothing is left to propose', () => {
    const targets = [
      { instanceId: 'i-0000000000000000a', securityGroupIds: ['sg-0a0a0a0a0a0a0a0a1'], port: 22 },
      { instanceId: 'i-0000000000000000d', securityGroupIds: ['sg-0c0c0c0c0c0c0c0c1'], port: 3389 },
    ];
    const first = planInboundRules({ targets, groups: [web, win], endpoint });
    const applied = [web, win].map((g) => ({ ...g, IpPermissions: [...(g.IpPermissions ?? []), ...first.rules.filter((r) => r.groupId === g.GroupId).flatMap((r) => r.request.IpPermissions)] }));
    const second = planInboundRules({ targets, groups: applied, endpoint });
    expect(second.rules).toEqual([]);
    expect(second.allowed).toHaveLength(2);
  });

  it('fixes instances a partial CIDR rule only half-opens, and says so', () => {
    const partly = group({ GroupId: 'sg-0a0a0a0a0a0a0a0a2', IpPermissions: [tcp(22, 22, fromCidr('10.0.1.0/28'))] });
    const plan = planInboundRules({ targets: [{ instanceId: 'i-0000000000000000a', securityGroupIds: ['sg-0a0a0a0a0a0a0a0a2'], port: 22 }], groups: [partly], endpoint });
    expect(plan.uncertain.map((u) => u.instanceId)).toEqual(['i-0000000000000000a']);
    expect(plan.rules).toHaveLength(1);
  });

  it('does not guess for an instance whose groups could not be read', () => {
    const plan = planInboundRules({ targets: [{ instanceId: 'i-0000000000000000a', securityGroupIds: ['sg-0a0a0a0a0a0a0a0a1', 'sg-0f0f0f0f0f0f0f0f9'], port: 22 }], groups: [web], endpoint });
    expect(plan.rules).toEqual([]);
    expect(plan.unknown).toEqual([{ instanceId: 'i-0000000000000000a', missingGroupIds: ['sg-0f0f0f0f0f0f0f0f9'] }]);
  });
});
