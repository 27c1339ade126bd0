import type { Image, Instance as Ec2Instance, KeyPairInfo, NetworkAcl, NetworkAclEntry, SecurityGroup, Subnet, Vpc } from '@aws-sdk/client-ec2';
import type { EndpointFacts } from '../../../../main/eice/endpoints';
import { failed, ok, type DiagnosisFacts, type FactError, type FailureFacts, type TunnelProbe } from '../../../../main/diagnose/facts';

/**
 * Facts of a healthy setup, to change one thing per test: an Amazon Linux 2023 instance in a
 * private subnet, an endpoint in another subnet of its VPC, the instance's group allowing SSH
 * from the endpoint's group, default network ACLs, and a test tunnel that reached sshd.
 */
export const IDS = {
  vpc: 'vpc-0a1b2c3d4e5f60001',
  instanceSubnet: 'subnet-0a1b2c3d4e5f60002',
  endpointSubnet: 'subnet-0a1b2c3d4e5f60003',
  instanceGroup: 'sg-0a1b2c3d4e5f60004',
  endpointGroup: 'sg-0a1b2c3d4e5f60005',
  instance: 'i-0a1b2c3d4e5f60006',
  endpoint: 'eice-0a1b2c3d4e5f60007',
  acl: 'acl-0a1b2c3d4e5f60008',
  ami: 'ami-0a1b2c3d4e5f60009',
  host: 'h-0a1b2c3d4e5f6000',
} as const;

export const NOW = new Date('2025-06-01T12:00:00Z');

export function instance(over: Partial<Ec2Instance> = {}): Ec2Instance {
  return {
    InstanceId: IDS.instance,
    State: { Name: 'running', Code: 16 },
    PrivateIpAddress: '10.0.2.15',
    VpcId: IDS.vpc,
    SubnetId: IDS.instanceSubnet,
    ImageId: IDS.ami,
    KeyName: 'team-key',
    PlatformDetails: 'Linux/UNIX',
    SecurityGroups: [{ GroupId: IDS.instanceGroup, GroupName: 'web' }],
    Placement: { AvailabilityZone: 'eu-west-1a' },
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    ...over,
  };
}

/** A Windows instance: EC2 answers `windows` in lower case, whatever the SDK's type says. */
export function windowsInstance(over: Partial<Ec2Instance> = {}): Ec2Instance {
  return instance({ Platform: 'windows' as Ec2Instance['Platform'], PlatformDetails: 'Windows', KeyName: 'win-key', ...over });
}

export function image(over: Partial<Image> = {}): Image {
  return { ImageId: IDS.ami, Name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64', CreationDate: '2024-12-12T00:00:00.000Z', PlatformDetails: 'Linux/UNIX', ...over };
}

/** The AL2 image from before the package (2.0.20190508). */
export const OLD_AL2 = image({ Name: 'amzn2-ami-hvm-2.0.20190508-x86_64-gp2', CreationDate: '2019-05-08T00:00:00.000Z' });

export function endpoint(over: Partial<EndpointFacts> = {}): EndpointFacts {
  return {
    id: IDS.endpoint,
    vpcId: IDS.vpc,
    subnetId: IDS.endpointSubnet,
    state: 'create-complete',
    dnsName: `${IDS.endpoint}.abc.ec2-instance-connect-endpoint.eu-west-1.amazonaws.com`,
    securityGroupIds: [IDS.endpointGroup],
    preserveClientIp: false,
    availabilityZone: 'eu-west-1b',
    ipAddressType: 'ipv4',
    ...over,
  };
}

export function group(over: Partial<SecurityGroup> = {}): SecurityGroup {
  return { GroupId: IDS.instanceGroup, GroupName: 'web', VpcId: IDS.vpc, IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], ...over };
}

/** The instance's group: SSH from the endpoint's group. */
export const INSTANCE_GROUP = group({ IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: IDS.endpointGroup }] }] });
/** The endpoint's group: outbound SSH to the VPC. */
export const ENDPOINT_GROUP = group({ GroupId: IDS.endpointGroup, GroupName: 'eice', IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] });

export function subnets(): Subnet[] {
  return [
    { SubnetId: IDS.instanceSubnet, VpcId: IDS.vpc, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'eu-west-1a' },
    { SubnetId: IDS.endpointSubnet, VpcId: IDS.vpc, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'eu-west-1b' },
  ];
}

export function aclEntry(over: Partial<NetworkAclEntry> = {}): NetworkAclEntry {
  return { RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0', ...over };
}

export const DENY_ALL = (egress: boolean): NetworkAclEntry => aclEntry({ RuleNumber: 32767, Egress: egress, RuleAction: 'deny' });

/** The VPC's default ACL, allowing everything both ways, for both subnets. */
export function defaultAcl(entries?: NetworkAclEntry[]): NetworkAcl {
  return { NetworkAclId: IDS.acl, VpcId: IDS.vpc, IsDefault: true, Associations: [], Entries: entries ?? [aclEntry(), aclEntry({ Egress: true }), DENY_ALL(false), DENY_ALL(true)] };
}

export function vpc(): Vpc {
  return { VpcId: IDS.vpc, CidrBlock: '10.0.0.0/16', CidrBlockAssociationSet: [{ CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } }] };
}

export function keyPair(over: Partial<KeyPairInfo> = {}): KeyPairInfo {
  return { KeyName: 'team-key', KeyType: 'ed25519', KeyPairId: 'key-0a1b2c3d4e5f6000a', ...over };
}

export function factError(over: Partial<FactError> = {}): FactError {
  return { code: 'AWS_ACCESS_DENIED', message: 'Could not read it: the profile is not allowed to do that.', hint: 'Ask your administrator.', awsCode: 'UnauthorizedOperation', action: 'ec2:DescribeInstances', ...over };
}

export function probe(over: Partial<TunnelProbe> = {}): TunnelProbe {
  return { endpointId: IDS.endpoint, port: 22, maxTunnelDuration: 3600, outcome: 'reached', banner: 'SSH-2.0-OpenSSH_9.6', ...over };
}

export function failure(over: Partial<FailureFacts> = {}): FailureFacts {
  return {
    source: 'ssh',
    code: 'EIC_TUNNEL_TARGET_UNREACHABLE',
    message: `${IDS.endpoint} could not open a TCP connection to 10.0.2.15:22. AWS said: "Unable to connect to target"`,
    hint: 'Check the security groups.',
    step: 'tunnel',
    at: NOW.toISOString(),
    authMethod: 'eic',
    osUser: 'ec2-user',
    ...over,
  };
}

/** Everything healthy; `over` replaces whole fields. */
export function facts(over: Partial<DiagnosisFacts> = {}): DiagnosisFacts {
  return {
    gatheredAt: NOW,
    subject: { hostId: IDS.host, label: 'web-1', profileId: 'config:dev', profileName: 'dev', region: 'eu-west-1', instanceId: IDS.instance, platform: 'linux', osUser: 'ec2-user', port: 22, auth: { method: 'eic' } },
    profileRegion: 'eu-west-1',
    credentials: ok({}),
    identity: ok({ arn: 'arn:aws:iam::123456789012:user/alice', account: '123456789012', userId: 'AIDAEXAMPLE' }),
    instance: ok(instance()),
    status: ok({ system: 'ok', instance: 'ok', events: [] }),
    image: ok(image()),
    keyPair: ok(keyPair()),
    endpoints: ok([endpoint()]),
    securityGroups: ok([INSTANCE_GROUP, ENDPOINT_GROUP]),
    subnets: ok(subnets()),
    networkAcls: ok([defaultAcl()]),
    vpc: ok(vpc()),
    appKeys: { keychainHasKeyPair: false },
    probes: { tunnel: ok(probe()), keyPush: ok({ osUser: 'ec2-user' }) },
    ...over,
  };
}

export { failed, ok };
