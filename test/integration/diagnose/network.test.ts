import { describe, expect, it } from 'vitest';
import { check, rigPerTest, statuses } from './diagnoseRig';

const startRig = rigPerTest();

describe('diagnose: the network path', () => {
  it("an endpoint group without egress: the outbound rule to the VPC, previewed, applied, and the path opens", async () => {
    const rig = await startRig('endpoint-sg-no-egress');
    const { session, report } = await rig.diagnoseSession();
    expect(session.error?.code).toBe('EIC_TUNNEL_TARGET_UNREACHABLE');
    const sg = check(report, 'securityGroups');
    expect(sg.status).toBe('fail');
    expect(sg.summary).toBe("The endpoint's groups do not let SSH out.");
    const fix = sg.fixes.find((f) => f.kind === 'authorizeEgress')!;
    const preview = await rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: fix.fixId }, { senderId: 'test' });
    expect(preview.lines[0]).toBe('Add an outbound rule to sg-0d1a9e5e00000101 (eice-endpoint): TCP 22 to 10.40.0.0/16 (the VPC).');
    expect(preview.calls[0]).toMatch(/^ec2:AuthorizeSecurityGroupEgress GroupId=sg-0d1a9e5e00000101 IpPermissions=\[\{IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=\[\{CidrIp=10\.40\.0\.0\/16,/);
    const after = await rig.applyFix(report, fix.fixId);
    expect(check(after, 'securityGroups').status).toBe('pass');
    expect(rig.sandbox.instances[0]?.reachable).toBe(true);
  });

  it('a network ACL that denies port 22: the rule, the leg, and the command that opens it', async () => {
    const rig = await startRig('nacl-deny');
    const { report } = await rig.diagnoseSession();
    expect(statuses(report)).toMatchObject({ securityGroups: 'pass', networkAcls: 'fail', failure: 'fail' });
    const acls = check(report, 'networkAcls');
    expect(acls.explanation).toContain('acl-0d1a9e5e00000202 (subnet-0d1a9e5e00000012) blocks the connection: inbound TCP 22 from 10.40.1.0/24 is denied by #90 deny TCP 22 from 0.0.0.0/0.');
    expect(acls.fixes[0]?.text).toBe('aws ec2 create-network-acl-entry --network-acl-id acl-0d1a9e5e00000202 --ingress --rule-number 89 --protocol tcp --port-range From=22,To=22 --cidr-block 10.40.1.0/24 --rule-action allow');
    expect(check(report, 'failure').explanation).toContain('network ACLs: A network ACL blocks SSH.');
  });
});
