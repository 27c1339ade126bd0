import { describe, expect, it } from 'vitest';
import { securityGroupsCheck } from '../../../../../main/diagnose/checks/securityGroupsCheck';
import { endpoint, ENDPOINT_GROUP, facts, group, IDS, INSTANCE_GROUP, ok } from '../factBuilders';

const run = (f = facts()) => securityGroupsCheck.evaluate(f, []);
const NO_SSH = group({ IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] });

describe('check 5: security groups', () => {
  it('passes when the instance allows SSH from the endpoint’s group and the endpoint may go out', () => {
    const v = run();
    expect(v.status).toBe('pass');
    expect(v.explanation).toContain(`TCP 22 from ${IDS.endpointGroup}`);
  });

  it('accepts the VPC CIDR as source when PreserveClientIp is off', () => {
    const byCidr = group({ IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] });
    expect(run(facts({ securityGroups: ok([byCidr, ENDPOINT_GROUP]) })).status).toBe('pass');
  });

  it('fails without port 22 and proposes the inbound rule with the endpoint’s group as source', () => {
    const v = run(facts({ securityGroups: ok([NO_SSH, ENDPOINT_GROUP]) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe("The instance's groups do not let SSH in from the endpoint.");
    const fix = v.fixes[0]!;
    expect(fix.offer.kind).toBe('authorizeIngress');
    expect(fix.offer.preview[0]).toBe(`Add an inbound rule to ${IDS.instanceGroup} (web): TCP 22 from ${IDS.endpointGroup} (eice) (the endpoint's security group).`);
    expect(fix.action).toMatchObject({
      kind: 'authorizeIngress',
      request: { GroupId: IDS.instanceGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: IDS.endpointGroup }] }] },
    });
    expect(fix.offer.rerun).toContain('securityGroups');
  });

  it('fails when the endpoint’s group has no egress to the instance, and proposes the outbound rule to the VPC', () => {
    const v = run(facts({ securityGroups: ok([INSTANCE_GROUP, group({ GroupId: IDS.endpointGroup, GroupName: 'eice', IpPermissionsEgress: [] })]) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe("The endpoint's groups do not let SSH out.");
    expect(v.fixes[0]?.action).toMatchObject({ kind: 'authorizeEgress', request: { GroupId: IDS.endpointGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] } });
  });

  it('checks the person’s public IP when the endpoint preserves client IPs', () => {
    const byMyIp = group({ IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '198.51.100.24/32' }] }] });
    const preserving = { endpoints: ok([endpoint({ preserveClientIp: true })]), securityGroups: ok([byMyIp, ENDPOINT_GROUP]) };
    expect(run(facts({ ...preserving, probes: { publicIp: ok('198.51.100.24') } })).status).toBe('pass');
    expect(run(facts({ ...preserving, probes: { publicIp: ok('203.0.113.9') } })).status).toBe('fail');
    // The VPC CIDR no longer helps: the source is the public address.
    const byCidr = group({ IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] });
    expect(run(facts({ ...preserving, securityGroups: ok([byCidr, ENDPOINT_GROUP]), probes: { publicIp: ok('198.51.100.24') } })).status).toBe('fail');
  });

  it('warns when a rule covers only part of the endpoint’s subnet', () => {
    const part = group({ IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.1.0/25' }] }] });
    expect(run(facts({ securityGroups: ok([part, ENDPOINT_GROUP]) })).status).toBe('warn');
  });

  it('skips without a usable endpoint', () => {
    expect(run(facts({ endpoints: ok([]) })).status).toBe('skip');
  });
});
