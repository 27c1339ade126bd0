import { describe, expect, it } from 'vitest';
import { mapEndpointError } from '../../../../../main/eice/setup/setupErrors';
import { AppError } from '../../../../../preload/contract/errors';
import { awsError } from './fakeSetupEc2';

const ctx = { action: 'create an EC2 Instance Connect Endpoint in subnet-1', region: 'us-east-1', profile: 'dev', iamAction: 'ec2:CreateInstanceConnectEndpoint' };

describe('mapEndpointError', () => {
  it('maps quota refusals, but not throttling, to EIC_QUOTA_EXCEEDED', () => {
    for (const e of [
      awsError('ResourceLimitExceeded', 'You have reached the maximum number of EC2 Instance Connect Endpoints.'),
      awsError('InstanceConnectEndpointLimitExceeded', 'limit'),
      awsError('QuotaExceeded', 'no'),
      awsError('InvalidParameterValue', 'The maximum number of Instance Connect Endpoints per VPC (1) has been reached.'),
    ]) {
      const mapped = mapEndpointError(e, ctx);
      expect(mapped.code).toBe('EIC_QUOTA_EXCEEDED');
      expect(mapped.message).toContain('Could not create an EC2 Instance Connect Endpoint in subnet-1 in us-east-1 with profile "dev"');
      expect(mapped.requestId).toBe(`req-${(e as { name: string }).name}`);
    }
    expect(mapEndpointError(awsError('RequestLimitExceeded', 'Request limit exceeded.'), ctx).code).toBe('AWS_THROTTLED');
  });

  it('maps a full subnet and a group in use', () => {
    expect(mapEndpointError(awsError('InsufficientFreeAddressesInSubnet', 'The specified subnet subnet-1 does not have enough free addresses to satisfy the request.'), ctx).code).toBe('EIC_SUBNET_FULL');
    const inUse = mapEndpointError(awsError('DependencyViolation', 'resource sg-1 has a dependent object'), { action: 'delete the security group sg-1' });
    expect(inUse).toMatchObject({ code: 'EIC_GROUP_IN_USE', retryable: true });
  });

  it('names the missing IAM action when AWS refuses', () => {
    const mapped = mapEndpointError(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403), ctx);
    expect(mapped.code).toBe('AWS_ACCESS_DENIED');
    expect(mapped.hint).toBe('Ask your AWS administrator to allow ec2:CreateInstanceConnectEndpoint for this identity (profile "dev").');
  });

  it('falls back to the app’s AWS table and passes AppErrors through', () => {
    expect(mapEndpointError(awsError('InvalidSubnetID.NotFound', "The subnet ID 'subnet-1' does not exist"), ctx).code).toBe('NOT_FOUND');
    const own = new AppError('EIC_WAIT_TIMEOUT', 'slow');
    expect(mapEndpointError(own, ctx)).toBe(own);
  });
});
