/**
 * Minimal IAM policies for what a connection needs (EICE.md "IAM"), scoped to the endpoint and
 * instance ARNs, to copy into a ticket or the IAM console. Only facts go in them: ARNs, the
 * port, the private address, the OS user.
 */

export interface PolicyScope {
  /** `aws`, `aws-cn`, `aws-us-gov`: from the caller's ARN. */
  partition: string;
  region: string;
  /** The account id; `*` when STS could not say. */
  account: string;
  endpointId?: string;
  instanceId: string;
  privateIp?: string;
  port: number;
  osUser?: string;
  /** The tunnel duration the app asks for (seconds). */
  maxTunnelDuration: number;
}

export type PolicyNeed = 'openTunnel' | 'sendSshPublicKey' | 'describe' | 'getPasswordData';

/** The partition of an ARN (`arn:aws-cn:...` -> `aws-cn`), `aws` when unknown. */
export function partitionOf(arn: string | undefined): string {
  return /^arn:([a-z-]+):/.exec(arn ?? '')?.[1] ?? 'aws';
}

export function endpointArn(s: PolicyScope): string {
  return `arn:${s.partition}:ec2:${s.region}:${s.account}:instance-connect-endpoint/${s.endpointId ?? '*'}`;
}

export function instanceArn(s: PolicyScope): string {
  return `arn:${s.partition}:ec2:${s.region}:${s.account}:instance/${s.instanceId}`;
}

/**
 * A policy document granting `needs`, pretty-printed. OpenTunnel carries the three condition
 * keys (remote port, private address, and a duration cap at least what the app asks for: a
 * lower cap refuses every tunnel the app opens).
 */
export function minimalPolicy(scope: PolicyScope, needs: readonly PolicyNeed[]): string {
  const statements: Record<string, unknown>[] = [];
  if (needs.includes('openTunnel')) {
    statements.push({
      Sid: 'BastionlessOpenTunnel',
      Effect: 'Allow',
      Action: 'ec2-instance-connect:OpenTunnel',
      Resource: endpointArn(scope),
      Condition: {
        NumericEquals: { 'ec2-instance-connect:remotePort': String(scope.port) },
        ...(scope.privateIp ? { IpAddress: { 'ec2-instance-connect:privateIpAddress': scope.privateIp.includes(':') ? `${scope.privateIp}/128` : `${scope.privateIp}/32` } } : {}),
        NumericLessThanEquals: { 'ec2-instance-connect:maxTunnelDuration': String(scope.maxTunnelDuration) },
      },
    });
  }
  if (needs.includes('sendSshPublicKey')) {
    statements.push({
      Sid: 'BastionlessSendSSHPublicKey',
      Effect: 'Allow',
      Action: 'ec2-instance-connect:SendSSHPublicKey',
      Resource: instanceArn(scope),
      ...(scope.osUser ? { Condition: { StringEquals: { 'ec2:osuser': scope.osUser } } } : {}),
    });
  }
  if (needs.includes('getPasswordData')) {
    statements.push({ Sid: 'BastionlessGetPasswordData', Effect: 'Allow', Action: 'ec2:GetPasswordData', Resource: instanceArn(scope) });
  }
  if (needs.includes('describe')) {
    // Describe* actions have no resource-level permissions: AWS requires "*".
    statements.push({
      Sid: 'BastionlessDescribe',
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceConnectEndpoints', 'ec2:DescribeInstanceStatus', 'ec2:DescribeImages', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeNetworkAcls', 'ec2:DescribeVpcs', 'ec2:DescribeKeyPairs'],
      Resource: '*',
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}
