import { describe, expect, it } from 'vitest';
import {
  createEndpointRequest,
  dedicatedGroupName,
  missingEgressPorts,
  plannedRequests,
  toPlannedCalls,
} from '../../../../../main/eice/setup/setupPlan';
import { SG_WEB, SUBNET_A2, VPC_A } from './fakeSetupEc2';

const base = { vpcId: VPC_A, vpcCidrs: ['10.0.0.0/16'], subnetId: SUBNET_A2, preserveClientIp: false, clientToken: 'token-1', operationId: 'op-0123456789abcdef' };

describe('plannedRequests', () => {
  it('with a new dedicated group: create it, replace its egress, create the endpoint, then poll', () => {
    const plan = plannedRequests({ ...base, groups: { kind: 'create' } });
    expect(plan.map((p) => p.request.api)).toEqual(['CreateSecurityGroup', 'RevokeSecurityGroupEgress', 'AuthorizeSecurityGroupEgress', 'CreateInstanceConnectEndpoint', 'DescribeInstanceConnectEndpoints']);
    expect(plan[0]?.request.input).toMatchObject({
      GroupName: `bastionless-eice-${VPC_A}`,
      VpcId: VPC_A,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: dedicatedGroupName(VPC_A) }, { Key: 'CreatedBy', Value: 'Bastionless' }, { Key: 'bastionless:operation', Value: 'op-0123456789abcdef' }] }],
    });
    expect(plan[1]?.request.input).toEqual({ GroupId: '<the new group’s id>', IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] });
    expect(plan[2]?.request.input).toEqual({
      GroupId: '<the new group’s id>',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'Bastionless: SSH to instances in the VPC' }] },
        { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'Bastionless: RDP to instances in the VPC' }] },
      ],
    });
    expect(plan[3]?.request.input).toEqual({
      SubnetId: SUBNET_A2,
      SecurityGroupIds: ['<the new group’s id>'],
      PreserveClientIp: false,
      ClientToken: 'token-1',
      TagSpecifications: [{ ResourceType: 'instance-connect-endpoint', Tags: [{ Key: 'Name', Value: `bastionless-${VPC_A}` }, { Key: 'CreatedBy', Value: 'Bastionless' }, { Key: 'bastionless:operation', Value: 'op-0123456789abcdef' }] }],
    });
  });

  it('reusing the dedicated group adds only the egress it lacks; a complete one adds nothing', () => {
    expect(plannedRequests({ ...base, groups: { kind: 'reuse', groupId: 'sg-0aaaaaaaaaaaaaaa9', missingPorts: [3389] } }).map((p) => p.request.api)).toEqual([
      'AuthorizeSecurityGroupEgress',
      'CreateInstanceConnectEndpoint',
      'DescribeInstanceConnectEndpoints',
    ]);
    expect(plannedRequests({ ...base, groups: { kind: 'reuse', groupId: 'sg-0aaaaaaaaaaaaaaa9', missingPorts: [] } }).map((p) => p.request.api)).toEqual(['CreateInstanceConnectEndpoint', 'DescribeInstanceConnectEndpoints']);
  });

  it('existing groups are used as they are', () => {
    const plan = plannedRequests({ ...base, preserveClientIp: true, groups: { kind: 'existing', groupIds: [SG_WEB] } });
    expect(plan[0]?.request.input).toMatchObject({ SecurityGroupIds: [SG_WEB], PreserveClientIp: true });
  });

  it('renders the calls for the review with their IAM action and JSON', () => {
    const calls = toPlannedCalls(plannedRequests({ ...base, groups: { kind: 'create' } }));
    expect(calls[0]).toMatchObject({ action: 'ec2:CreateSecurityGroup' });
    expect(JSON.parse(calls[3]?.request ?? '')).toMatchObject({ PreserveClientIp: false, ClientToken: 'token-1' });
  });
});

describe('createEndpointRequest', () => {
  it('always sets PreserveClientIp explicitly, even when false', () => {
    const r = createEndpointRequest({ vpcId: VPC_A, subnetId: SUBNET_A2, securityGroupIds: [SG_WEB], preserveClientIp: false, clientToken: 't' });
    expect(Object.prototype.hasOwnProperty.call(r, 'PreserveClientIp')).toBe(true);
    expect(r.PreserveClientIp).toBe(false);
  });
});

describe('missingEgressPorts', () => {
  it('finds the ports a group does not let out to every VPC block', () => {
    const g = { GroupId: 'sg-1', IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] };
    expect(missingEgressPorts(g, ['10.0.0.0/16'])).toEqual([3389]);
    expect(missingEgressPorts(g, ['10.0.0.0/16', '100.64.0.0/16'])).toEqual([22, 3389]);
    expect(missingEgressPorts({ GroupId: 'sg-2', IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }, ['10.0.0.0/16'])).toEqual([]);
  });
});
