import { describe, expect, it } from 'vitest';
import { networkAclsCheck } from '../../../../../main/diagnose/checks/networkAclsCheck';
import { aclEntry, DENY_ALL, defaultAcl, endpoint, factError, facts, failed, IDS, ok } from '../factBuilders';

const run = (f = facts()) => networkAclsCheck.evaluate(f, []);

describe('check 6: network ACLs', () => {
  it('passes with the default ACL on both subnets', () => {
    expect(run().status).toBe('pass');
  });

  it('passes when the endpoint is in the instance’s subnet: ACLs do not apply', () => {
    const v = run(facts({ endpoints: ok([endpoint({ subnetId: IDS.instanceSubnet })]) }));
    expect(v.status).toBe('pass');
    expect(v.summary).toBe('The endpoint and the instance share a subnet.');
  });

  it('fails on a deny of port 22 and offers the CLI command placed before the deny', () => {
    const acl = defaultAcl([aclEntry({ RuleNumber: 90, Protocol: '6', PortRange: { From: 22, To: 22 }, RuleAction: 'deny' }), aclEntry(), aclEntry({ Egress: true }), DENY_ALL(false), DENY_ALL(true)]);
    const v = run(facts({ networkAcls: ok([acl]) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('A network ACL blocks SSH.');
    expect(v.explanation).toContain(`inbound TCP 22 from 10.0.1.0/24 is denied by #90 deny TCP 22 from 0.0.0.0/0`);
    expect(v.fixes[0]?.offer.text).toBe(`aws ec2 create-network-acl-entry --network-acl-id ${IDS.acl} --ingress --rule-number 89 --protocol tcp --port-range From=22,To=22 --cidr-block 10.0.1.0/24 --rule-action allow`);
  });

  it('fails when the return traffic is blocked', () => {
    const acl = defaultAcl([aclEntry(), aclEntry({ Egress: true, Protocol: '6', PortRange: { From: 22, To: 22 } }), DENY_ALL(false), DENY_ALL(true)]);
    const v = run(facts({ networkAcls: ok([acl]) }));
    expect(v.status).toBe('fail');
    expect(v.explanation).toContain('blocks the return traffic');
  });

  it('warns when the return range is only partly open', () => {
    const acl = defaultAcl([aclEntry(), aclEntry({ Egress: true, RuleNumber: 100, Protocol: '6', PortRange: { From: 22, To: 22 } }), aclEntry({ Egress: true, RuleNumber: 110, Protocol: '6', PortRange: { From: 32768, To: 65535 } }), DENY_ALL(false), DENY_ALL(true)]);
    expect(run(facts({ networkAcls: ok([acl]) })).status).toBe('warn');
  });

  it('skips when the ACLs could not be read', () => {
    expect(run(facts({ networkAcls: failed(factError({ action: 'ec2:DescribeNetworkAcls' })) })).status).toBe('skip');
  });
});
