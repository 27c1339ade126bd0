import type { NetworkAcl, NetworkAclEntry } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { aclOfSubnet, describeAclEntry, evaluateAcl, evaluateAclPath } from '../../../../main/network/networkAcls';

/** One NACL entry; defaults: inbound allow all traffic from 0.0.0.0/0 as rule 100. */
function entry(over: Partial<NetworkAclEntry> = {}): NetworkAclEntry {
  return { RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0', ...over };
}

const denyAll = (egress: boolean): NetworkAclEntry => entry({ RuleNumber: 32767, Egress: egress, RuleAction: 'deny' });

/** A NACL like the VPC default (allow everything both ways), with `entries` instead when given. */
function acl(over: Partial<NetworkAcl> & { entries?: NetworkAclEntry[] } = {}): NetworkAcl {
  const { entries, ...rest } = over;
  return {
    NetworkAclId: 'acl-0aaaaaaaaaaaaaaa1',
    VpcId: 'vpc-0aaaaaaaaaaaaaaa1',
    IsDefault: false,
    Associations: [],
    Entries: entries ?? [entry(), entry({ Egress: true }), denyAll(false), denyAll(true)],
    ...rest,
  };
}

describe('evaluateAcl', () => {
  it('allows what the default ACL allows', () => {
    const v = evaluateAcl(acl(), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.1.5' });
    expect(v.verdict).toBe('allowed');
    expect(v.decisions).toEqual([{ from: 22, to: 22, action: 'allow', rule: { ruleNumber: 100, action: 'allow', text: '#100 allow all traffic from 0.0.0.0/0' } }]);
  });

  it('lets the lowest rule number win whatever the order AWS lists them in', () => {
    const entries = [entry({ RuleNumber: 200 }), entry({ RuleNumber: 90, RuleAction: 'deny', Protocol: '6', PortRange: { From: 22, To: 22 }, CidrBlock: '10.0.0.0/16' }), denyAll(false)];
    const v = evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.1.5' });
    expect(v.verdict).toBe('denied');
    expect(v.decisions[0]?.rule.text).toBe('#90 deny TCP 22 from 10.0.0.0/16');
  });

  it('denies by the implicit * rule when no rule matches, even if the listing lacks it', () => {
    const entries = [entry({ Protocol: '6', PortRange: { From: 80, To: 80 } })];
    const v = evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.1.5' });
    expect(v.verdict).toBe('denied');
    expect(v.decisions[0]?.rule).toEqual({ ruleNumber: 32767, action: 'deny', text: '#* deny all traffic from 0.0.0.0/0' });
  });

  it('ignores rules of the other direction, protocol, or address family', () => {
    const entries = [
      entry({ RuleNumber: 10, Egress: true, RuleAction: 'deny' }),
      entry({ RuleNumber: 20, Protocol: '17', RuleAction: 'deny' }),
      entry({ RuleNumber: 30, CidrBlock: undefined, Ipv6CidrBlock: '::/0', RuleAction: 'deny' }),
      entry({ RuleNumber: 40, Protocol: '6', PortRange: { From: 22, To: 22 } }),
    ];
    expect(evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.1.5' }).verdict).toBe('allowed');
    expect(evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '2600:1f18::5' }).verdict).toBe('denied');
  });

  it('splits a port range between rules: a return range only partly open is partial', () => {
    const entries = [entry({ Egress: true, RuleNumber: 100, Protocol: '6', PortRange: { From: 32768, To: 60999 } }), denyAll(true)];
    const v = evaluateAcl(acl({ entries }), { direction: 'outbound', ports: { from: 1024, to: 65535 }, peer: '10.0.2.0/24' });
    expect(v.verdict).toBe('partial');
    expect(v.decisions.map((d) => [d.from, d.to, d.action])).toEqual([
      [1024, 32767, 'deny'],
      [32768, 60999, 'allow'],
      [61000, 65535, 'deny'],
    ]);
    expect(describeAclEntry(entries[0]!)).toBe('#100 allow TCP 32768-60999 to 0.0.0.0/0');
  });

  it('is uncertain when a rule covers only part of the peer block before the deciding rule', () => {
    const entries = [entry({ RuleNumber: 50, RuleAction: 'deny', CidrBlock: '10.0.2.7/32' }), entry({ RuleNumber: 100 })];
    const v = evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.2.0/24' });
    expect(v.verdict).toBe('uncertain');
    expect(v.uncertainBy.map((r) => r.ruleNumber)).toEqual([50]);
    // The exact address settles it.
    expect(evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.2.7' }).verdict).toBe('denied');
    expect(evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.2.8' }).verdict).toBe('allowed');
  });

  it('reads protocol numbers and words alike', () => {
    const entries = [entry({ Protocol: 'tcp', PortRange: { From: 22, To: 22 }, RuleAction: 'deny', RuleNumber: 1 }), entry()];
    expect(evaluateAcl(acl({ entries }), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: '10.0.0.1' }).verdict).toBe('denied');
  });

  it('throws on a peer that is not an address', () => {
    expect(() => evaluateAcl(acl(), { direction: 'inbound', ports: { from: 22, to: 22 }, peer: 'sg-1' })).toThrow(/not an address/);
  });
});

describe('aclOfSubnet', () => {
  it('prefers the associated ACL, else the VPC default', () => {
    const custom = acl({ NetworkAclId: 'acl-0ccccccccccccccc1', Associations: [{ SubnetId: 'subnet-0aaaaaaaaaaaaaaa1' }] });
    const dflt = acl({ NetworkAclId: 'acl-0ddddddddddddddd1', IsDefault: true });
    expect(aclOfSubnet('subnet-0aaaaaaaaaaaaaaa1', [dflt, custom])?.acl.NetworkAclId).toBe('acl-0ccccccccccccccc1');
    expect(aclOfSubnet('subnet-0bbbbbbbbbbbbbbb1', [dflt, custom])).toEqual({ acl: dflt, association: 'default' });
    expect(aclOfSubnet('subnet-0bbbbbbbbbbbbbbb1', [custom])).toBeUndefined();
  });
});

describe('evaluateAclPath', () => {
  const endpointSubnet = 'subnet-0eeeeeeeeeeeeeee1';
  const instanceSubnet = 'subnet-0aaaaaaaaaaaaa002';
  const path = (acls: NetworkAcl[], over: Partial<Parameters<typeof evaluateAclPath>[0]> = {}) =>
    evaluateAclPath({
      port: 22,
      source: { subnetId: endpointSubnet, address: '10.0.1.0/24' },
      target: { subnetId: instanceSubnet, address: '10.0.2.15' },
      acls,
      ...over,
    });
  const at = (subnetId: string, entries?: NetworkAclEntry[]): NetworkAcl => acl({ NetworkAclId: `acl-${subnetId.slice(7)}`, Associations: [{ SubnetId: subnetId }], ...(entries ? { entries } : {}) });

  it('does not apply within one subnet', () => {
    expect(path([], { target: { subnetId: endpointSubnet, address: '10.0.1.9' } }).verdict).toBe('notApplicable');
  });

  it('checks four legs and allows when both default-like ACLs allow', () => {
    const v = path([at(endpointSubnet), at(instanceSubnet)]);
    expect(v.verdict).toBe('allowed');
    expect(v.legs.map((l) => l.text)).toEqual([
      `outbound TCP 22 to 10.0.2.15 at ${endpointSubnet} (acl-${endpointSubnet.slice(7)})`,
      `inbound TCP 22 from 10.0.1.0/24 at ${instanceSubnet} (acl-${instanceSubnet.slice(7)})`,
      `outbound TCP 1024-65535 to 10.0.1.0/24 at ${instanceSubnet} (acl-${instanceSubnet.slice(7)})`,
      `inbound TCP 1024-65535 from 10.0.2.15 at ${endpointSubnet} (acl-${endpointSubnet.slice(7)})`,
    ]);
  });

  it('finds an inbound deny on the instance subnet', () => {
    const entries = [entry({ RuleNumber: 90, RuleAction: 'deny', Protocol: '6', PortRange: { From: 22, To: 22 } }), entry(), entry({ Egress: true }), denyAll(false), denyAll(true)];
    const v = path([at(endpointSubnet), at(instanceSubnet, entries)]);
    expect(v.verdict).toBe('denied');
    const bad = v.legs.filter((l) => l.result.verdict !== 'allowed');
    expect(bad.map((l) => [l.subnetId, l.direction, l.purpose])).toEqual([[instanceSubnet, 'inbound', 'request']]);
  });

  it('finds a return path that is closed: stateless ACLs need the ephemeral ports both ways', () => {
    const entries = [entry(), entry({ Egress: true, Protocol: '6', PortRange: { From: 22, To: 22 } }), denyAll(false), denyAll(true)];
    const v = path([at(endpointSubnet), at(instanceSubnet, entries)]);
    expect(v.verdict).toBe('denied');
    expect(v.legs.find((l) => l.result.verdict === 'denied')?.purpose).toBe('return');
  });

  it('checks the person’s public address on the instance side when the endpoint preserves it', () => {
    const entries = [entry({ CidrBlock: '10.0.0.0/16' }), entry({ Egress: true, CidrBlock: '10.0.0.0/16' }), denyAll(false), denyAll(true)];
    expect(path([at(endpointSubnet), at(instanceSubnet, entries)]).verdict).toBe('allowed');
    const v = path([at(endpointSubnet), at(instanceSubnet, entries)], { apparentSource: '198.51.100.24' });
    expect(v.verdict).toBe('denied');
    expect(v.legs[1]?.peer).toBe('198.51.100.24');
  });

  it('says unknown when a subnet’s ACL is not in the listing', () => {
    const v = path([at(endpointSubnet)]);
    expect(v.verdict).toBe('unknown');
    expect(v.missing).toEqual([instanceSubnet]);
    expect(v.legs).toHaveLength(2);
  });
});
