import type {
  AuthorizeSecurityGroupEgressRequest,
  AuthorizeSecurityGroupIngressRequest,
  AvailabilityZone,
  CreateInstanceConnectEndpointRequest,
  CreateSecurityGroupRequest,
  Ec2InstanceConnectEndpoint,
  Instance,
  IpPermission,
  RevokeSecurityGroupEgressRequest,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import type { DryRunResult, SetupEc2, SetupRequest } from '../../../../../main/eice/setup/setupEc2';

/** An AWS-shaped error, as the SDK throws them. */
export function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status, requestId: `req-${name}` } });
}

export const VPC_A = 'vpc-0aaaaaaaaaaaaaaa1';
export const VPC_B = 'vpc-0bbbbbbbbbbbbbbb1';
export const SUBNET_A1 = 'subnet-0aaaaaaaaaaaaa1a'; // us-east-1a, private
export const SUBNET_A2 = 'subnet-0aaaaaaaaaaaaa2b'; // us-east-1b, private
export const SUBNET_A3 = 'subnet-0aaaaaaaaaaaaa3b'; // us-east-1b, public
export const SUBNET_B1 = 'subnet-0bbbbbbbbbbbbb1a';
export const SG_DEFAULT_A = 'sg-0aaaaaaaaaaaaadef';
export const SG_WEB = 'sg-0aaaaaaaaaaaaa0eb';
export const SG_WIN = 'sg-0aaaaaaaaaaaaa0w1';

/** What the wizard sends to review or create an endpoint: config:dev, VPC A, its us-east-1b private subnet, a new group. */
export function aSetupInput<T extends object = Record<string, never>>(overrides: T = {} as T) {
  return {
    profileId: 'config:dev',
    region: 'us-east-1',
    vpcId: VPC_A,
    subnetId: SUBNET_A2,
    securityGroup: { mode: 'create' as const },
    preserveClientIp: false,
    ...overrides,
  };
}
export const SG_DEFAULT_B = 'sg-0bbbbbbbbbbbbbdef';

const ALL_OUT: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

/** A two-VPC world in us-east-1: VPC A (three subnets, three instances) has no endpoint; VPC B is empty. */
export function defaultWorld(): FakeWorld {
  return {
    vpcs: [
      { VpcId: VPC_A, CidrBlock: '10.0.0.0/16', IsDefault: false, Tags: [{ Key: 'Name', Value: 'prod' }] },
      { VpcId: VPC_B, CidrBlock: '10.1.0.0/16', IsDefault: true },
    ],
    subnets: [
      { SubnetId: SUBNET_A1, VpcId: VPC_A, AvailabilityZone: 'us-east-1a', CidrBlock: '10.0.1.0/24', AvailableIpAddressCount: 250 },
      { SubnetId: SUBNET_A2, VpcId: VPC_A, AvailabilityZone: 'us-east-1b', CidrBlock: '10.0.2.0/24', AvailableIpAddressCount: 200 },
      { SubnetId: SUBNET_A3, VpcId: VPC_A, AvailabilityZone: 'us-east-1b', CidrBlock: '10.0.3.0/24', AvailableIpAddressCount: 251 },
      { SubnetId: SUBNET_B1, VpcId: VPC_B, AvailabilityZone: 'us-east-1a', CidrBlock: '10.1.1.0/24', AvailableIpAddressCount: 251 },
    ],
    routeTables: [
      { RouteTableId: 'rtb-0aaaaaaaaaaaaamain', VpcId: VPC_A, Associations: [{ Main: true }], Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }] },
      {
        RouteTableId: 'rtb-0aaaaaaaaaaaapublic',
        VpcId: VPC_A,
        Associations: [{ SubnetId: SUBNET_A3 }],
        Routes: [
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' },
          { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0aaaaaaaaaaaaaaa1' },
        ],
      },
    ],
    zones: [
      { ZoneName: 'us-east-1a', ZoneId: 'use1-az1', State: 'available' },
      { ZoneName: 'us-east-1b', ZoneId: 'use1-az2', State: 'available' },
    ],
    groups: [
      { GroupId: SG_DEFAULT_A, GroupName: 'default', VpcId: VPC_A, Description: 'default VPC security group', IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: SG_DEFAULT_A }] }], IpPermissionsEgress: [ALL_OUT] },
      { GroupId: SG_WEB, GroupName: 'web', VpcId: VPC_A, Description: 'web servers', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], IpPermissionsEgress: [ALL_OUT] },
      { GroupId: SG_WIN, GroupName: 'windows', VpcId: VPC_A, Description: 'windows', IpPermissions: [], IpPermissionsEgress: [ALL_OUT] },
      { GroupId: SG_DEFAULT_B, GroupName: 'default', VpcId: VPC_B, Description: 'default VPC security group', IpPermissions: [], IpPermissionsEgress: [ALL_OUT] },
    ],
    instances: [
      instance('i-0000000000000000a', 'web-1', SUBNET_A2, 'us-east-1b', '10.0.2.10', [SG_WEB]),
      instance('i-0000000000000000b', 'web-2', SUBNET_A2, 'us-east-1b', '10.0.2.11', [SG_WEB]),
      { ...instance('i-0000000000000000c', 'win-1', SUBNET_A1, 'us-east-1a', '10.0.1.20', [SG_WIN]), Platform: 'windows' as Instance['Platform'], PlatformDetails: 'Windows' },
    ],
    endpoints: [],
  };
}

export function instance(id: string, name: string, subnetId: string, zone: string, ip: string, groups: string[], vpcId = VPC_A): Instance {
  return {
    InstanceId: id,
    VpcId: vpcId,
    SubnetId: subnetId,
    Placement: { AvailabilityZone: zone },
    PrivateIpAddress: ip,
    State: { Name: 'running', Code: 16 },
    PlatformDetails: 'Linux/UNIX',
    SecurityGroups: groups.map((g) => ({ GroupId: g, GroupName: g })),
    Tags: [{ Key: 'Name', Value: name }],
  };
}

export interface FakeWorld {
  vpcs: Vpc[];
  subnets: Subnet[];
  routeTables: RouteTable[];
  zones: AvailabilityZone[];
  groups: SecurityGroup[];
  instances: Instance[];
  endpoints: Ec2InstanceConnectEndpoint[];
}

/** A builder for an existing endpoint of the world. */
export function endpoint(id: string, vpcId: string, subnetId: string, zone: string, overrides: Partial<Ec2InstanceConnectEndpoint> = {}): Ec2InstanceConnectEndpoint {
  return {
    InstanceConnectEndpointId: id,
    VpcId: vpcId,
    SubnetId: subnetId,
    AvailabilityZone: zone,
    State: 'create-complete',
    DnsName: `${id}.abcd1234.ec2-instance-connect-endpoint.us-east-1.amazonaws.com`,
    FipsDnsName: `${id}.abcd1234.fips.ec2-instance-connect-endpoint.us-east-1.amazonaws.com`,
    SecurityGroupIds: [SG_DEFAULT_A],
    PreserveClientIp: false,
    CreatedAt: new Date('2025-01-02T03:04:05Z'),
    Tags: [],
    ...overrides,
  };
}

let counter = 0;
const hexId = (prefix: string): string => `${prefix}-${(0x1000000000000n + BigInt(++counter)).toString(16).padStart(17, '0')}`;

/**
 * A hand-written EC2 for one Region over a FakeWorld. New endpoints become create-complete
 * (or create-failed) after `pollsToSettle` describes of them; deleted ones vanish likewise.
 * `failNext` makes the next call of an API throw; `gate` holds a call until released;
 * `denied` makes DryRun refuse those APIs. Every call is recorded in `calls`.
 */
export class FakeSetupEc2 implements SetupEc2 {
  readonly calls: string[] = [];
  readonly failNext = new Map<string, Error>();
  readonly denied = new Set<string>();
  /** DryRun of the key API is refused for the IAM action given (one the call implies, e.g. ec2:CreateTags). */
  readonly deniedAs = new Map<string, string>();
  readonly gates = new Map<string, Promise<void>>();
  /** The next created endpoint ends in create-failed with this message. */
  failNextCreate: string | undefined;
  pollsToSettle = 1;
  private readonly pending = new Map<string, { polls: number; to: 'create-complete' | 'create-failed' | 'gone'; message?: string }>();
  private readonly tokens = new Map<string, string>();

  constructor(readonly world: FakeWorld = defaultWorld()) {}

  private async enter(api: string): Promise<void> {
    this.calls.push(api);
    const gate = this.gates.get(api);
    if (gate) await gate;
    const failure = this.failNext.get(api);
    if (failure) {
      this.failNext.delete(api);
      throw failure;
    }
  }

  private settle(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    p.polls += 1;
    if (p.polls < this.pollsToSettle) return;
    this.pending.delete(id);
    if (p.to === 'gone') {
      this.world.endpoints = this.world.endpoints.filter((e) => e.InstanceConnectEndpointId !== id);
      return;
    }
    const e = this.world.endpoints.find((x) => x.InstanceConnectEndpointId === id);
    if (e) Object.assign(e, { State: p.to, ...(p.message ? { StateMessage: p.message } : {}) });
  }

  async describeEndpoints(ids?: readonly string[]): Promise<Ec2InstanceConnectEndpoint[]> {
    await this.enter('DescribeInstanceConnectEndpoints');
    if (ids && ids.length > 0) {
      for (const id of ids) this.settle(id);
      const found = this.world.endpoints.filter((e) => ids.includes(e.InstanceConnectEndpointId ?? ''));
      if (found.length < ids.length) throw awsError('InvalidInstanceConnectEndpointId.NotFound', `The instance connect endpoint ID '${ids[0] ?? ''}' does not exist`);
      return structuredClone(found);
    }
    return structuredClone(this.world.endpoints);
  }

  async describeVpcs(ids?: readonly string[]): Promise<Vpc[]> {
    await this.enter('DescribeVpcs');
    if (ids && ids.length > 0) {
      const found = this.world.vpcs.filter((v) => ids.includes(v.VpcId ?? ''));
      if (found.length < ids.length) throw awsError('InvalidVpcID.NotFound', `The vpc ID '${ids[0] ?? ''}' does not exist`);
      return structuredClone(found);
    }
    return structuredClone(this.world.vpcs);
  }

  async describeSubnets(vpcId?: string): Promise<Subnet[]> {
    await this.enter('DescribeSubnets');
    return structuredClone(this.world.subnets.filter((s) => !vpcId || s.VpcId === vpcId));
  }

  async describeRouteTables(vpcId: string): Promise<RouteTable[]> {
    await this.enter('DescribeRouteTables');
    return structuredClone(this.world.routeTables.filter((t) => t.VpcId === vpcId));
  }

  async describeAvailabilityZones(): Promise<AvailabilityZone[]> {
    await this.enter('DescribeAvailabilityZones');
    return structuredClone(this.world.zones);
  }

  async describeSecurityGroups(query: { vpcId?: string; groupIds?: readonly string[]; groupName?: string }): Promise<SecurityGroup[]> {
    await this.enter('DescribeSecurityGroups');
    if (query.groupIds && query.groupIds.length > 0) {
      const missing = query.groupIds.find((id) => !this.world.groups.some((g) => g.GroupId === id));
      if (missing) throw awsError('InvalidGroup.NotFound', `The security group '${missing}' does not exist`);
    }
    return structuredClone(
      this.world.groups.filter(
        (g) => (!query.vpcId || g.VpcId === query.vpcId) && (!query.groupIds || query.groupIds.length === 0 || query.groupIds.includes(g.GroupId ?? '')) && (!query.groupName || g.GroupName === query.groupName),
      ),
    );
  }

  async describeInstances(vpcId?: string): Promise<Instance[]> {
    await this.enter('DescribeInstances');
    return structuredClone(this.world.instances.filter((i) => !vpcId || i.VpcId === vpcId));
  }

  private group(id: string): SecurityGroup {
    const g = this.world.groups.find((x) => x.GroupId === id);
    if (!g) throw awsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    return g;
  }

  async createSecurityGroup(input: CreateSecurityGroupRequest): Promise<string> {
    await this.enter('CreateSecurityGroup');
    if (this.world.groups.some((g) => g.VpcId === input.VpcId && g.GroupName === input.GroupName)) {
      throw awsError('InvalidGroup.Duplicate', `The security group '${input.GroupName ?? ''}' already exists for VPC '${input.VpcId ?? ''}'`);
    }
    const id = hexId('sg');
    this.world.groups.push({
      GroupId: id,
      GroupName: input.GroupName ?? '',
      Description: input.Description ?? '',
      VpcId: input.VpcId ?? '',
      IpPermissions: [],
      IpPermissionsEgress: [structuredClone(ALL_OUT)],
      Tags: input.TagSpecifications?.[0]?.Tags ?? [],
    });
    return id;
  }

  async revokeSecurityGroupEgress(input: RevokeSecurityGroupEgressRequest): Promise<void> {
    await this.enter('RevokeSecurityGroupEgress');
    const g = this.group(input.GroupId ?? '');
    const key = JSON.stringify;
    const before = g.IpPermissionsEgress?.length ?? 0;
    g.IpPermissionsEgress = (g.IpPermissionsEgress ?? []).filter((p) => !(input.IpPermissions ?? []).some((r) => key(r) === key(p)));
    if (g.IpPermissionsEgress.length === before) throw awsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
  }

  async authorizeSecurityGroupEgress(input: AuthorizeSecurityGroupEgressRequest): Promise<void> {
    await this.enter('AuthorizeSecurityGroupEgress');
    const g = this.group(input.GroupId ?? '');
    g.IpPermissionsEgress = [...(g.IpPermissionsEgress ?? []), ...structuredClone(input.IpPermissions ?? [])];
  }

  async authorizeSecurityGroupIngress(input: AuthorizeSecurityGroupIngressRequest): Promise<void> {
    await this.enter('AuthorizeSecurityGroupIngress');
    const g = this.group(input.GroupId ?? '');
    const adding = (input.IpPermissions ?? []).map((p) => ({ ...p, UserIdGroupPairs: p.UserIdGroupPairs?.map(({ GroupId }) => ({ GroupId })) }));
    const existing = (g.IpPermissions ?? []).map((p) => JSON.stringify({ ...p, UserIdGroupPairs: p.UserIdGroupPairs?.map(({ GroupId }) => ({ GroupId })) }));
    if (adding.some((p) => existing.includes(JSON.stringify(p)))) throw awsError('InvalidPermission.Duplicate', 'the specified rule already exists');
    g.IpPermissions = [...(g.IpPermissions ?? []), ...structuredClone(input.IpPermissions ?? [])];
  }

  async deleteSecurityGroup(groupId: string): Promise<void> {
    await this.enter('DeleteSecurityGroup');
    this.group(groupId);
    if (this.world.endpoints.some((e) => e.SecurityGroupIds?.includes(groupId))) throw awsError('DependencyViolation', `resource ${groupId} has a dependent object`);
    this.world.groups = this.world.groups.filter((g) => g.GroupId !== groupId);
  }

  async createEndpoint(input: CreateInstanceConnectEndpointRequest): Promise<Ec2InstanceConnectEndpoint> {
    await this.enter('CreateInstanceConnectEndpoint');
    const known = input.ClientToken ? this.tokens.get(input.ClientToken) : undefined;
    const same = known ? this.world.endpoints.find((e) => e.InstanceConnectEndpointId === known) : undefined;
    if (same) return structuredClone(same);
    const subnet = this.world.subnets.find((s) => s.SubnetId === input.SubnetId);
    if (!subnet) throw awsError('InvalidSubnetID.NotFound', `The subnet ID '${input.SubnetId ?? ''}' does not exist`);
    const id = hexId('eice');
    const created = endpoint(id, subnet.VpcId ?? '', subnet.SubnetId ?? '', subnet.AvailabilityZone ?? '', {
      State: 'create-in-progress',
      SecurityGroupIds: input.SecurityGroupIds ?? [],
      PreserveClientIp: input.PreserveClientIp ?? false,
      CreatedAt: new Date(),
      Tags: input.TagSpecifications?.[0]?.Tags ?? [],
    });
    this.world.endpoints.push(created);
    if (input.ClientToken) this.tokens.set(input.ClientToken, id);
    this.pending.set(id, { polls: 0, to: this.failNextCreate ? 'create-failed' : 'create-complete', ...(this.failNextCreate ? { message: this.failNextCreate } : {}) });
    this.failNextCreate = undefined;
    return structuredClone(created);
  }

  async deleteEndpoint(id: string): Promise<Ec2InstanceConnectEndpoint | undefined> {
    await this.enter('DeleteInstanceConnectEndpoint');
    const e = this.world.endpoints.find((x) => x.InstanceConnectEndpointId === id);
    if (!e) throw awsError('InvalidInstanceConnectEndpointId.NotFound', `The instance connect endpoint ID '${id}' does not exist`);
    e.State = 'delete-in-progress';
    this.pending.set(id, { polls: 0, to: 'gone' });
    return structuredClone(e);
  }

  async dryRun(request: SetupRequest): Promise<DryRunResult> {
    await this.enter(`DryRun:${request.api}`);
    const implied = this.deniedAs.get(request.api);
    if (implied) return { allowed: false, message: `You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ${implied} on resource: * Encoded authorization failure message: AbCdEf0123` };
    if (this.denied.has(request.api)) return { allowed: false, message: `You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ec2:${request.api}` };
    return { allowed: true, message: 'Request would have succeeded, but DryRun flag is set.' };
  }
}
