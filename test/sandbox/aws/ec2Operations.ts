import type * as EC2 from '@aws-sdk/client-ec2';
import { AwsError } from '../world/awsError';
import { ec2Arn, newId } from '../world/ids';
import { generateKeyPair, importPublicKey } from '../world/keys';
import { applyFilters, paginate } from '../world/query';
import { World, type EndpointState, type InstanceState, type KeyPairState, type PrincipalIdentity, type SecurityGroupState, type SgRule } from '../world/world';

/** Who is calling and where: the Region comes from the request's credential scope. */
export interface Ec2Context {
  region: string;
  principal: PrincipalIdentity;
  requestId: string;
}

type Handler = (world: World, ctx: Ec2Context, input: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;


function required<T>(value: T | undefined | null, name: string): T {
  if (value === undefined || value === null || value === '') throw new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

function inRegion<T extends { region: string }>(items: Iterable<T>, region: string): T[] {
  return [...items].filter((item) => item.region === region);
}

/** A list parameter of the request; absent means empty. */
function listOf(input: Record<string, unknown>, name: string): string[] {
  return (input[name] as string[] | undefined) ?? [];
}

/** The request's Filters, for applyFilters. */
function filtersOf(input: Record<string, unknown>): EC2.Filter[] | undefined {
  return input['Filters'] as EC2.Filter[] | undefined;
}

/** EC2 refuses MaxResults next to explicit ids on these calls, naming the ids parameter its own way. */
function refuseMaxResultsWithIds(input: Record<string, unknown>, ids: string[], message: string): void {
  if (ids.length > 0 && input['MaxResults'] !== undefined) throw new AwsError('InvalidParameterCombination', message);
}

/** `items`, or only those whose ids were asked for; an id that is not there is AWS's NotFound. */
function pickIds<T extends { id: string }>(items: T[], ids: string[], notFound: (id: string) => AwsError): T[] {
  if (ids.length === 0) return items;
  for (const id of ids) if (!items.some((item) => item.id === id)) throw notFound(id);
  return items.filter((item) => ids.includes(item.id));
}

/** One page of a Describe answer: `key` holds the page's items, as `map` shows them, and NextToken when more are left. */
function pageOf<T, R>(items: T[], operation: string, input: Record<string, unknown>, limits: Parameters<typeof paginate>[4], key: string, map: (item: T) => R): Record<string, unknown> {
  const { page, nextToken } = paginate(items, operation, input['MaxResults'] as number | undefined, input['NextToken'] as string | undefined, limits);
  return { [key]: page.map(map), ...(nextToken ? { NextToken: nextToken } : {}) };
}

function stateOf(state: InstanceState['state']): EC2.InstanceState {
  return { Code: World.stateCode(state), Name: state };
}

function privateDnsName(inst: InstanceState): string {
  const host = `ip-${inst.privateIp.replace(/\./g, '-')}`;
  return inst.region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${inst.region}.compute.internal`;
}

function publicDnsName(inst: InstanceState): string {
  if (!inst.publicIp || inst.state !== 'running') return '';
  const host = `ec2-${inst.publicIp.replace(/\./g, '-')}`;
  return inst.region === 'us-east-1' ? `${host}.compute-1.amazonaws.com` : `${host}.${inst.region}.compute.amazonaws.com`;
}

function groupIdentifiers(world: World, ids: string[]): EC2.GroupIdentifier[] {
  return ids.map((id) => ({ GroupId: id, GroupName: world.securityGroups.get(id)?.name ?? id }));
}

function toSdkInstance(world: World, inst: InstanceState): EC2.Instance {
  const image = world.images.get(inst.imageId);
  const running = inst.state === 'running' || inst.state === 'pending';
  const publicIp = running ? inst.publicIp : undefined;
  return {
    InstanceId: inst.id,
    ImageId: inst.imageId,
    State: stateOf(inst.state),
    PrivateDnsName: privateDnsName(inst),
    PublicDnsName: publicDnsName(inst),
    StateTransitionReason: inst.state === 'stopped' ? 'User initiated (2024-10-01 09:00:00 GMT)' : '',
    ...(inst.keyName ? { KeyName: inst.keyName } : {}),
    AmiLaunchIndex: 0,
    InstanceType: inst.instanceType as EC2._InstanceType,
    LaunchTime: inst.launchTime,
    Placement: { AvailabilityZone: inst.az, Tenancy: 'default', GroupName: '' },
    // The model's enum says "Windows" but EC2 really sends lowercase "windows".
    ...(inst.platform === 'windows' ? { Platform: 'windows' as EC2.PlatformValues } : {}),
    PlatformDetails: inst.platform === 'windows' ? 'Windows' : 'Linux/UNIX',
    UsageOperation: inst.platform === 'windows' ? 'RunInstances:0002' : 'RunInstances',
    Monitoring: { State: 'disabled' },
    SubnetId: inst.subnetId,
    VpcId: inst.vpcId,
    PrivateIpAddress: inst.privateIp,
    ...(publicIp ? { PublicIpAddress: publicIp } : {}),
    Architecture: image?.architecture ?? 'x86_64',
    RootDeviceType: 'ebs',
    RootDeviceName: inst.platform === 'windows' ? '/dev/sda1' : '/dev/xvda',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EbsOptimized: false,
    EnaSupport: true,
    SourceDestCheck: true,
    SecurityGroups: groupIdentifiers(world, inst.securityGroupIds),
    Tags: inst.tags,
    MetadataOptions: { State: 'applied', HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled' },
    NetworkInterfaces: [
      {
        NetworkInterfaceId: `eni-${inst.id.slice(2)}`,
        SubnetId: inst.subnetId,
        VpcId: inst.vpcId,
        OwnerId: world.accountId,
        Status: 'in-use',
        PrivateIpAddress: inst.privateIp,
        PrivateDnsName: privateDnsName(inst),
        Groups: groupIdentifiers(world, inst.securityGroupIds),
        InterfaceType: 'interface',
        ...(publicIp ? { Association: { PublicIp: publicIp, PublicDnsName: publicDnsName(inst), IpOwnerId: 'amazon' } } : {}),
        PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: inst.privateIp, PrivateDnsName: privateDnsName(inst), ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: 'amazon' } } : {}) }],
        Attachment: { AttachmentId: `eni-attach-${inst.id.slice(2)}`, DeviceIndex: 0, Status: 'attached', AttachTime: inst.launchTime, DeleteOnTermination: true },
      },
    ],
  };
}

/** Groups a security group's rules the way DescribeSecurityGroups reports them: one permission per protocol and port range. */
function toIpPermissions(rules: SgRule[], world: World): EC2.IpPermission[] {
  const byKey = new Map<string, EC2.IpPermission>();
  for (const rule of rules) {
    const key = `${rule.protocol}/${rule.fromPort}/${rule.toPort}`;
    let perm = byKey.get(key);
    if (!perm) {
      perm = { IpProtocol: rule.protocol, ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }), IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
      byKey.set(key, perm);
    }
    if (rule.cidr) perm.IpRanges!.push({ CidrIp: rule.cidr, ...(rule.description ? { Description: rule.description } : {}) });
    if (rule.groupId) perm.UserIdGroupPairs!.push({ GroupId: rule.groupId, UserId: world.accountId, ...(rule.description ? { Description: rule.description } : {}) });
  }
  return [...byKey.values()];
}

function toSdkSecurityGroup(world: World, g: SecurityGroupState): EC2.SecurityGroup {
  return {
    GroupId: g.id,
    GroupName: g.name,
    Description: g.description,
    VpcId: g.vpcId,
    OwnerId: world.accountId,
    SecurityGroupArn: ec2Arn(g.region, world.accountId, g.id),
    IpPermissions: toIpPermissions(g.ingress, world),
    IpPermissionsEgress: toIpPermissions(g.egress, world),
    Tags: g.tags,
  };
}

function toSdkRule(world: World, g: SecurityGroupState, rule: SgRule, egress: boolean): EC2.SecurityGroupRule {
  return {
    SecurityGroupRuleId: rule.id,
    GroupId: g.id,
    GroupOwnerId: world.accountId,
    IsEgress: egress,
    IpProtocol: rule.protocol,
    FromPort: rule.fromPort,
    ToPort: rule.toPort,
    ...(rule.cidr ? { CidrIpv4: rule.cidr } : {}),
    ...(rule.groupId ? { ReferencedGroupInfo: { GroupId: rule.groupId, UserId: world.accountId } } : {}),
    ...(rule.description ? { Description: rule.description } : {}),
    SecurityGroupRuleArn: `arn:aws:ec2:${g.region}:${world.accountId}:security-group-rule/${rule.id}`,
    Tags: [],
  };
}

function toSdkEndpoint(world: World, ep: EndpointState): EC2.Ec2InstanceConnectEndpoint {
  return {
    OwnerId: world.accountId,
    InstanceConnectEndpointId: ep.id,
    InstanceConnectEndpointArn: ec2Arn(ep.region, world.accountId, ep.id),
    State: ep.state,
    StateMessage: ep.stateMessage,
    DnsName: ep.dnsName,
    FipsDnsName: ep.fipsDnsName,
    NetworkInterfaceIds: ep.state === 'delete-complete' ? [] : [ep.networkInterfaceId],
    VpcId: ep.vpcId,
    AvailabilityZone: ep.az,
    AvailabilityZoneId: ep.azId,
    CreatedAt: ep.createdAt,
    SubnetId: ep.subnetId,
    PreserveClientIp: ep.preserveClientIp,
    SecurityGroupIds: ep.securityGroupIds,
    Tags: ep.tags,
    IpAddressType: ep.ipAddressType,
  };
}

function toSdkKeyPair(key: KeyPairState, includePublic: boolean): EC2.KeyPairInfo {
  return {
    KeyPairId: key.id,
    KeyName: key.name,
    KeyFingerprint: key.fingerprint,
    KeyType: key.type,
    CreateTime: key.createdAt,
    Tags: key.tags,
    ...(includePublic ? { PublicKey: `${key.publicKeyLine} ${key.name}` } : {}),
  };
}

function tagsFrom(specs: EC2.TagSpecification[] | undefined, resourceType: string): EC2.Tag[] {
  const tags: EC2.Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.ResourceType && spec.ResourceType !== resourceType) {
      throw new AwsError('InvalidParameterValue', `'${spec.ResourceType}' is not a valid taggable resource type for this operation.`);
    }
    tags.push(...(spec.Tags ?? []));
  }
  return tags;
}

function normaliseProtocol(protocol: string | undefined): string {
  const p = (protocol ?? '').toLowerCase();
  if (p === '6' || p === 'tcp') return 'tcp';
  if (p === '17' || p === 'udp') return 'udp';
  if (p === '1' || p === 'icmp') return 'icmp';
  if (p === '-1' || p === 'all') return '-1';
  throw new AwsError('InvalidParameterValue', `Invalid value '${protocol ?? ''}' for IP protocol. Unknown protocol.`);
}

/** Expands IpPermissions (or the legacy flat parameters) into single rules. */
function rulesFrom(world: World, group: SecurityGroupState, input: Record<string, unknown>, direction: 'ingress' | 'egress'): SgRule[] {
  const permissions = (input['IpPermissions'] as EC2.IpPermission[] | undefined) ?? [];
  if (permissions.length === 0 && input['IpProtocol'] !== undefined) {
    permissions.push({
      IpProtocol: input['IpProtocol'] as string,
      ...(input['FromPort'] !== undefined ? { FromPort: input['FromPort'] as number } : {}),
      ...(input['ToPort'] !== undefined ? { ToPort: input['ToPort'] as number } : {}),
      ...(input['CidrIp'] ? { IpRanges: [{ CidrIp: input['CidrIp'] as string }] } : {}),
    });
  }
  if (permissions.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions');
  const rules: SgRule[] = [];
  for (const perm of permissions) {
    const protocol = normaliseProtocol(perm.IpProtocol);
    let fromPort = perm.FromPort ?? -1;
    let toPort = perm.ToPort ?? -1;
    if (protocol === '-1') {
      fromPort = -1;
      toPort = -1;
    } else if (protocol === 'tcp' || protocol === 'udp') {
      if (perm.FromPort === undefined || perm.ToPort === undefined) throw new AwsError('InvalidParameterValue', `Invalid value 'null' for fromPort/toPort. You must specify a port range for ${protocol.toUpperCase()}.`);
      if (fromPort < 0 || toPort > 65535 || fromPort > toPort) throw new AwsError('InvalidParameterValue', `Invalid value '${fromPort}-${toPort}' for port range.`);
    }
    const peers: { cidr?: string; groupId?: string; description?: string }[] = [];
    for (const range of perm.IpRanges ?? []) {
      const cidr = required(range.CidrIp, 'CidrIp');
      if (!/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(cidr)) throw new AwsError('InvalidParameterValue', `CIDR block ${cidr} is malformed`);
      peers.push({ cidr, ...(range.Description ? { description: range.Description } : {}) });
    }
    for (const pair of perm.UserIdGroupPairs ?? []) {
      const other = world.securityGroup(required(pair.GroupId, 'GroupId'), group.region);
      if (other.vpcId !== group.vpcId) throw new AwsError('InvalidGroup.NotFound', `You have specified a security group (${other.id}) in a different VPC than ${group.id}.`);
      peers.push({ groupId: other.id, ...(pair.Description ? { description: pair.Description } : {}) });
    }
    if ((perm.Ipv6Ranges ?? []).length || (perm.PrefixListIds ?? []).length) throw new AwsError('InvalidParameterValue', 'The sandbox models IPv4 CIDRs and security groups only.');
    if (peers.length === 0) throw new AwsError('MissingParameter', `The request must contain a source or destination (CidrIp or a security group) for the ${direction} rule.`);
    for (const peer of peers) rules.push({ id: newId('sgr'), protocol, fromPort, toPort, ...peer });
  }
  return rules;
}

function sameRule(a: SgRule, b: SgRule): boolean {
  return a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidr === b.cidr && a.groupId === b.groupId;
}

function describeRule(rule: SgRule): string {
  const proto = rule.protocol === '-1' ? 'ALL' : rule.protocol.toUpperCase();
  return `peer: ${rule.cidr ?? rule.groupId}, ${proto}, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW`;
}

function authorize(direction: 'ingress' | 'egress'): Handler {
  return (world, ctx, input) => {
    const group = world.securityGroup(required(input['GroupId'] as string, 'GroupId'), ctx.region);
    const list = direction === 'ingress' ? group.ingress : group.egress;
    const rules = rulesFrom(world, group, input, direction);
    for (const rule of rules) {
      if (list.some((existing) => sameRule(existing, rule))) throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(rule)}" already exists`);
    }
    list.push(...rules);
    return { Return: true, SecurityGroupRules: rules.map((r) => toSdkRule(world, group, r, direction === 'egress')) };
  };
}

function revoke(direction: 'ingress' | 'egress'): Handler {
  return (world, ctx, input) => {
    const group = world.securityGroup(required(input['GroupId'] as string, 'GroupId'), ctx.region);
    const list = direction === 'ingress' ? group.ingress : group.egress;
    const ruleIds = listOf(input, 'SecurityGroupRuleIds');
    const revoked: SgRule[] = [];
    const unknown: SgRule[] = [];
    if (ruleIds.length > 0) {
      for (const id of ruleIds) {
        const index = list.findIndex((r) => r.id === id);
        if (index < 0) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist in ${group.id}`);
        revoked.push(...list.splice(index, 1));
      }
    } else {
      for (const rule of rulesFrom(world, group, input, direction)) {
        const index = list.findIndex((existing) => sameRule(existing, rule));
        if (index < 0) unknown.push(rule);
        else revoked.push(...list.splice(index, 1));
      }
      if (revoked.length === 0) throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
    return {
      Return: true,
      ...(unknown.length ? { UnknownIpPermissions: toIpPermissions(unknown, world) } : {}),
      RevokedSecurityGroupRules: revoked.map((r) => ({ SecurityGroupRuleId: r.id, GroupId: group.id, IsEgress: direction === 'egress', IpProtocol: r.protocol, FromPort: r.fromPort, ToPort: r.toPort, ...(r.cidr ? { CidrIpv4: r.cidr } : {}), ...(r.groupId ? { ReferencedGroupId: r.groupId } : {}) })),
    };
  };
}

function refuseDuplicateKeyPair(world: World, region: string, name: string): void {
  if (world.keyPairs.has(`${region}/${name}`)) throw new AwsError('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
}

/** Files a created or imported key pair under its name in the Region; refuses a name taken meanwhile. */
function storeKeyPair(
  world: World,
  region: string,
  name: string,
  made: Pick<KeyPairState, 'type' | 'publicKeyLine' | 'fingerprint'> & { publicKey?: KeyPairState['material']['publicKey'] },
  input: Record<string, unknown>,
): KeyPairState {
  refuseDuplicateKeyPair(world, region, name);
  const key: KeyPairState = {
    id: newId('key'),
    name,
    region,
    type: made.type,
    publicKeyLine: made.publicKeyLine,
    fingerprint: made.fingerprint,
    createdAt: new Date(),
    material: { ...(made.publicKey ? { publicKey: made.publicKey } : {}) },
    tags: tagsFrom(input['TagSpecifications'] as EC2.TagSpecification[] | undefined, 'key-pair'),
  };
  world.keyPairs.set(`${region}/${name}`, key);
  return key;
}

/**
 * StartInstances / StopInstances: each instance moves on from `from`, is refused in `refusedIn`
 * (AWS's IncorrectInstanceState), and is reported with its previous and current state.
 */
function changeState(
  listKey: string,
  verb: string,
  rule: { refusedIn: InstanceState['state']; from: InstanceState['state']; begin: (world: World, inst: InstanceState) => void },
): Handler {
  return (world, ctx, input) => {
    const ids = required(input['InstanceIds'] as string[] | undefined, 'InstanceId');
    const instances = ids.map((id) => world.instance(id, ctx.region));
    return {
      [listKey]: instances.map((inst) => {
        const previous = stateOf(inst.state);
        if (inst.state === rule.refusedIn) throw new AwsError('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be ${verb}.`);
        if (inst.state === rule.from) rule.begin(world, inst);
        return { InstanceId: inst.id, PreviousState: previous, CurrentState: stateOf(inst.state) };
      }),
    };
  };
}

function endpointQuotaCheck(world: World, subnetId: string, vpcId: string, region: string): void {
  const live = world.liveEndpoints();
  const inSubnet = live.find((ep) => ep.subnetId === subnetId);
  if (inSubnet) throw new AwsError('ResourceLimitExceeded', `Subnet ${subnetId} already has an EC2 Instance Connect Endpoint (${inSubnet.id}); a subnet can have only one.`);
  const inVpc = live.find((ep) => ep.vpcId === vpcId);
  if (inVpc) throw new AwsError('ResourceLimitExceeded', `VPC ${vpcId} already has an EC2 Instance Connect Endpoint (${inVpc.id}); a VPC can have only one.`);
  const inRegionCount = live.filter((ep) => ep.region === region).length;
  if (inRegionCount >= 5) throw new AwsError('ResourceLimitExceeded', `You've reached the limit of 5 EC2 Instance Connect Endpoints per Region in this account (${region}); delete one first.`);
}

const endpointFilters = {
  'instance-connect-endpoint-id': (e: EndpointState) => e.id,
  state: (e: EndpointState) => e.state,
  'vpc-id': (e: EndpointState) => e.vpcId,
  'subnet-id': (e: EndpointState) => e.subnetId,
  'availability-zone': (e: EndpointState) => e.az,
  'availability-zone-id': (e: EndpointState) => e.azId,
  'owner-id': () => '',
  'ip-address-type': (e: EndpointState) => e.ipAddressType,
};

export const EC2_OPERATIONS: Record<string, Handler> = {
  DescribeRegions(world, _ctx, input) {
    const all = input['AllRegions'] === true;
    const names = listOf(input, 'RegionNames');
    for (const name of names) if (!world.regions.has(name)) throw new AwsError('InvalidParameterValue', `Invalid region: ${name}`);
    let regions = [...world.regions.values()].filter((r) => all || names.length > 0 || r.optInStatus !== 'not-opted-in');
    if (names.length) regions = regions.filter((r) => names.includes(r.name));
    const items = regions.map((r) => ({ ...r, tags: [] as EC2.Tag[] }));
    const filtered = applyFilters(items, filtersOf(input), {
      'region-name': (r) => r.name,
      endpoint: (r) => `ec2.${r.name}.amazonaws.com`,
      'opt-in-status': (r) => r.optInStatus,
    });
    return { Regions: filtered.map((r) => ({ RegionName: r.name, Endpoint: `ec2.${r.name}.amazonaws.com`, OptInStatus: r.optInStatus })) };
  },

  DescribeAvailabilityZones(world, ctx, input) {
    const region = world.region(ctx.region);
    const zones = region.zones.map((z) => ({ ...z, tags: [] as EC2.Tag[] }));
    const names = listOf(input, 'ZoneNames');
    const ids = listOf(input, 'ZoneIds');
    for (const n of names) if (!zones.some((z) => z.name === n)) throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${n}]`);
    for (const n of ids) if (!zones.some((z) => z.id === n)) throw new AwsError('InvalidParameterValue', `Invalid availability zone id: [${n}]`);
    const picked = zones.filter((z) => (names.length === 0 || names.includes(z.name)) && (ids.length === 0 || ids.includes(z.id)));
    const filtered = applyFilters(picked, filtersOf(input), {
      'zone-name': (z) => z.name,
      'zone-id': (z) => z.id,
      state: (z) => z.state,
      'region-name': () => region.name,
      'zone-type': () => 'availability-zone',
      'group-name': () => region.name,
      'opt-in-status': () => 'opt-in-not-required',
    });
    return {
      AvailabilityZones: filtered.map((z) => ({
        ZoneName: z.name,
        ZoneId: z.id,
        State: z.state,
        RegionName: region.name,
        ZoneType: 'availability-zone',
        OptInStatus: 'opt-in-not-required',
        GroupName: region.name,
        NetworkBorderGroup: region.name,
        Messages: z.message ? [{ Message: z.message }] : [],
      })),
    };
  },

  DescribeInstances(world, ctx, input) {
    const ids = listOf(input, 'InstanceIds');
    refuseMaxResultsWithIds(input, ids, 'The parameter instancesSet cannot be used with the parameter maxResults');
    const instances = ids.length > 0 ? ids.map((id) => world.instance(id, ctx.region)) : inRegion(world.instances.values(), ctx.region);
    const filtered = applyFilters(instances, filtersOf(input), {
      'instance-id': (i) => i.id,
      'instance-state-name': (i) => i.state,
      'instance-state-code': (i) => World.stateCode(i.state),
      'instance-type': (i) => i.instanceType,
      'vpc-id': (i) => i.vpcId,
      'subnet-id': (i) => i.subnetId,
      'availability-zone': (i) => i.az,
      'image-id': (i) => i.imageId,
      'key-name': (i) => i.keyName,
      'private-ip-address': (i) => i.privateIp,
      'ip-address': (i) => i.publicIp,
      'private-dns-name': (i) => privateDnsName(i),
      platform: (i) => (i.platform === 'windows' ? 'windows' : undefined),
      'platform-details': (i) => (i.platform === 'windows' ? 'Windows' : 'Linux/UNIX'),
      'instance.group-id': (i) => i.securityGroupIds,
      'instance.group-name': (i) => i.securityGroupIds.map((g) => world.securityGroups.get(g)?.name),
      'network-interface.vpc-id': (i) => i.vpcId,
      'network-interface.subnet-id': (i) => i.subnetId,
      architecture: (i) => world.images.get(i.imageId)?.architecture,
    });
    return pageOf(filtered, 'DescribeInstances', input, { min: 5, max: 1000 }, 'Reservations', (inst) => ({
      ReservationId: `r-${inst.id.slice(2)}`,
      OwnerId: world.accountId,
      Groups: [],
      Instances: [toSdkInstance(world, inst)],
    }));
  },

  DescribeInstanceStatus(world, ctx, input) {
    const ids = listOf(input, 'InstanceIds');
    const includeAll = input['IncludeAllInstances'] === true;
    let instances = ids.length > 0 ? ids.map((id) => world.instance(id, ctx.region)) : inRegion(world.instances.values(), ctx.region);
    if (!includeAll) instances = instances.filter((i) => i.state === 'running');
    const summary = (inst: InstanceState, which: 'system' | 'instance'): EC2.InstanceStatusSummary => {
      if (inst.state !== 'running') return { Status: 'not-applicable' };
      const status = inst.statusChecks[which];
      const detail = status === 'ok' ? 'passed' : status === 'impaired' ? 'failed' : status;
      return { Status: status as EC2.SummaryStatus, Details: [{ Name: 'reachability', Status: detail as EC2.StatusType, ...(status === 'impaired' ? { ImpairedSince: new Date(Date.now() - 600_000) } : {}) }] };
    };
    const filtered = applyFilters(instances, filtersOf(input), {
      'availability-zone': (i) => i.az,
      'instance-state-name': (i) => i.state,
      'instance-state-code': (i) => World.stateCode(i.state),
      'instance-status.status': (i) => summary(i, 'instance').Status,
      'system-status.status': (i) => summary(i, 'system').Status,
      'instance-status.reachability': (i) => summary(i, 'instance').Details?.[0]?.Status,
      'system-status.reachability': (i) => summary(i, 'system').Details?.[0]?.Status,
    });
    return pageOf(filtered, 'DescribeInstanceStatus', input, { min: 5, max: 1000 }, 'InstanceStatuses', (inst) => ({
      InstanceId: inst.id,
      AvailabilityZone: inst.az,
      InstanceState: stateOf(inst.state),
      InstanceStatus: summary(inst, 'instance'),
      SystemStatus: summary(inst, 'system'),
      Events: [],
    }));
  },

  DescribeVpcs(world, ctx, input) {
    const ids = listOf(input, 'VpcIds');
    const vpcs = ids.length
      ? ids.map((id) => {
          const vpc = world.vpcs.get(id);
          if (!vpc || vpc.region !== ctx.region) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
          return vpc;
        })
      : inRegion(world.vpcs.values(), ctx.region);
    const filtered = applyFilters(vpcs, filtersOf(input), {
      'vpc-id': (v) => v.id,
      'cidr-block': (v) => v.cidr,
      cidr: (v) => v.cidr,
      'cidr-block-association.cidr-block': (v) => v.cidr,
      'is-default': (v) => v.isDefault,
      state: () => 'available',
      'owner-id': () => world.accountId,
    });
    return pageOf(filtered, 'DescribeVpcs', input, { min: 5, max: 1000 }, 'Vpcs', (v) => ({
      VpcId: v.id,
      CidrBlock: v.cidr,
      State: 'available',
      IsDefault: v.isDefault,
      OwnerId: world.accountId,
      InstanceTenancy: 'default',
      DhcpOptionsId: `dopt-${v.id.slice(4)}`,
      CidrBlockAssociationSet: [{ AssociationId: `vpc-cidr-assoc-${v.id.slice(4)}`, CidrBlock: v.cidr, CidrBlockState: { State: 'associated' } }],
      Tags: v.tags,
    }));
  },

  DescribeSubnets(world, ctx, input) {
    const ids = listOf(input, 'SubnetIds');
    const subnets = ids.length ? ids.map((id) => world.subnet(id, ctx.region)) : inRegion(world.subnets.values(), ctx.region);
    const filtered = applyFilters(subnets, filtersOf(input), {
      'subnet-id': (s) => s.id,
      'vpc-id': (s) => s.vpcId,
      'availability-zone': (s) => s.az,
      'availability-zone-id': (s) => s.azId,
      'cidr-block': (s) => s.cidr,
      cidr: (s) => s.cidr,
      'default-for-az': () => false,
      'map-public-ip-on-launch': (s) => s.mapPublicIpOnLaunch,
      state: () => 'available',
      'owner-id': () => world.accountId,
    });
    return pageOf(filtered, 'DescribeSubnets', input, { min: 5, max: 1000 }, 'Subnets', (s) => ({
      SubnetId: s.id,
      VpcId: s.vpcId,
      CidrBlock: s.cidr,
      AvailabilityZone: s.az,
      AvailabilityZoneId: s.azId,
      AvailableIpAddressCount: s.availableIps,
      DefaultForAz: false,
      MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
      State: 'available',
      OwnerId: world.accountId,
      SubnetArn: ec2Arn(s.region, world.accountId, s.id),
      AssignIpv6AddressOnCreation: false,
      Tags: s.tags,
    }));
  },

  DescribeRouteTables(world, ctx, input) {
    const ids = listOf(input, 'RouteTableIds');
    const tables = pickIds(inRegion(world.routeTables.values(), ctx.region), ids, (id) => new AwsError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`));
    const filtered = applyFilters(tables, filtersOf(input), {
      'route-table-id': (t) => t.id,
      'vpc-id': (t) => t.vpcId,
      'association.subnet-id': (t) => t.subnetIds,
      'association.main': (t) => t.main,
      'route.gateway-id': (t) => ['local', ...(t.internetGatewayId ? [t.internetGatewayId] : [])],
      'route.destination-cidr-block': (t) => [t.vpcCidr, ...(t.internetGatewayId ? ['0.0.0.0/0'] : [])],
      'owner-id': () => world.accountId,
    });
    return pageOf(filtered, 'DescribeRouteTables', input, { min: 5, max: 100 }, 'RouteTables', (t) => ({
      RouteTableId: t.id,
      VpcId: t.vpcId,
      OwnerId: world.accountId,
      Routes: [
        { DestinationCidrBlock: t.vpcCidr, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
        ...(t.internetGatewayId ? [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: t.internetGatewayId, Origin: 'CreateRoute', State: 'active' }] : []),
      ],
      Associations: [
        ...(t.main ? [{ Main: true, RouteTableAssociationId: `rtbassoc-${t.id.slice(4)}`, RouteTableId: t.id, AssociationState: { State: 'associated' } }] : []),
        ...t.subnetIds.map((s) => ({ Main: false, RouteTableAssociationId: `rtbassoc-${s.slice(7)}`, RouteTableId: t.id, SubnetId: s, AssociationState: { State: 'associated' } })),
      ],
      PropagatingVgws: [],
      Tags: t.tags,
    }));
  },

  DescribeSecurityGroups(world, ctx, input) {
    const ids = listOf(input, 'GroupIds');
    const names = listOf(input, 'GroupNames');
    refuseMaxResultsWithIds(input, [...ids, ...names], 'The parameter groupIdSet cannot be used with the parameter maxResults');
    let groups = ids.length ? ids.map((id) => world.securityGroup(id, ctx.region)) : inRegion(world.securityGroups.values(), ctx.region);
    if (names.length) {
      groups = groups.filter((g) => names.includes(g.name));
      for (const n of names) if (!groups.some((g) => g.name === n)) throw new AwsError('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC`);
    }
    const filtered = applyFilters(groups, filtersOf(input), {
      'group-id': (g) => g.id,
      'group-name': (g) => g.name,
      'vpc-id': (g) => g.vpcId,
      description: (g) => g.description,
      'owner-id': () => world.accountId,
      'ip-permission.from-port': (g) => g.ingress.map((r) => r.fromPort),
      'ip-permission.to-port': (g) => g.ingress.map((r) => r.toPort),
      'ip-permission.protocol': (g) => g.ingress.map((r) => r.protocol),
      'ip-permission.cidr': (g) => g.ingress.map((r) => r.cidr),
      'ip-permission.group-id': (g) => g.ingress.map((r) => r.groupId),
      'egress.ip-permission.from-port': (g) => g.egress.map((r) => r.fromPort),
      'egress.ip-permission.to-port': (g) => g.egress.map((r) => r.toPort),
      'egress.ip-permission.protocol': (g) => g.egress.map((r) => r.protocol),
      'egress.ip-permission.cidr': (g) => g.egress.map((r) => r.cidr),
      'egress.ip-permission.group-id': (g) => g.egress.map((r) => r.groupId),
    });
    return pageOf(filtered, 'DescribeSecurityGroups', input, { min: 5, max: 1000 }, 'SecurityGroups', (g) => toSdkSecurityGroup(world, g));
  },

  DescribeSecurityGroupRules(world, ctx, input) {
    const ids = listOf(input, 'SecurityGroupRuleIds');
    const rules = inRegion(world.securityGroups.values(), ctx.region).flatMap((g) => [...g.ingress.map((r) => ({ g, r, egress: false })), ...g.egress.map((r) => ({ g, r, egress: true }))]);
    const picked = ids.length ? rules.filter((x) => ids.includes(x.r.id)) : rules;
    for (const id of ids) if (!picked.some((x) => x.r.id === id)) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
    const items = picked.map((x) => ({ ...x, tags: [] as EC2.Tag[] }));
    const filtered = applyFilters(items, filtersOf(input), {
      'group-id': (x) => x.g.id,
      'security-group-rule-id': (x) => x.r.id,
    });
    return pageOf(filtered, 'DescribeSecurityGroupRules', input, { min: 5, max: 1000 }, 'SecurityGroupRules', (x) => toSdkRule(world, x.g, x.r, x.egress));
  },

  DescribeNetworkAcls(world, ctx, input) {
    const ids = listOf(input, 'NetworkAclIds');
    const acls = pickIds(inRegion(world.networkAcls.values(), ctx.region), ids, (id) => new AwsError('InvalidNetworkAclID.NotFound', `The networkAcl ID '${id}' does not exist`));
    const filtered = applyFilters(acls, filtersOf(input), {
      'network-acl-id': (a) => a.id,
      'vpc-id': (a) => a.vpcId,
      default: (a) => a.isDefault,
      'association.subnet-id': (a) => a.subnetIds,
      'owner-id': () => world.accountId,
    });
    const protocolNumber: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', '-1': '-1' };
    return pageOf(filtered, 'DescribeNetworkAcls', input, { min: 5, max: 100 }, 'NetworkAcls', (a) => ({
      NetworkAclId: a.id,
      VpcId: a.vpcId,
      IsDefault: a.isDefault,
      OwnerId: world.accountId,
      Associations: a.subnetIds.map((s) => ({ NetworkAclAssociationId: `aclassoc-${s.slice(7)}`, NetworkAclId: a.id, SubnetId: s })),
      Entries: [
        ...a.entries.map((e) => ({
          RuleNumber: e.ruleNumber,
          Protocol: protocolNumber[e.protocol] ?? e.protocol,
          RuleAction: e.action,
          Egress: e.egress,
          CidrBlock: e.cidr,
          ...(e.fromPort !== undefined ? { PortRange: { From: e.fromPort, To: e.toPort ?? e.fromPort } } : {}),
        })),
        // Every ACL ends with the implicit deny-all rule AWS shows as rule number 32767.
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
        { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
      ],
      Tags: a.tags,
    }));
  },

  DescribeImages(world, ctx, input) {
    const ids = listOf(input, 'ImageIds');
    const owners = listOf(input, 'Owners');
    refuseMaxResultsWithIds(input, ids, 'The parameter ImageIds cannot be used with the parameter MaxResults');
    let images = inRegion(world.images.values(), ctx.region);
    if (ids.length) {
      for (const id of ids) {
        if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
        if (!images.some((i) => i.id === id)) throw new AwsError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
      }
      images = images.filter((i) => ids.includes(i.id));
    }
    // The sandbox's AMIs are all public ones (amazon/microsoft); `self` owns none of them.
    if (owners.length) images = images.filter((i) => owners.some((o) => o === i.ownerAlias || o === i.ownerId));
    const items = images.map((i) => ({ ...i, tags: [] as EC2.Tag[] }));
    const filtered = applyFilters(items, filtersOf(input), {
      'image-id': (i) => i.id,
      name: (i) => i.name,
      description: (i) => i.description,
      platform: (i) => (i.platform === 'windows' ? 'windows' : undefined),
      'platform-details': (i) => (i.platform === 'windows' ? 'Windows' : 'Linux/UNIX'),
      'owner-alias': (i) => i.ownerAlias,
      'owner-id': (i) => i.ownerId,
      architecture: (i) => i.architecture,
      state: () => 'available',
      'is-public': () => true,
      'image-type': () => 'machine',
      'root-device-type': () => 'ebs',
      'virtualization-type': () => 'hvm',
    });
    return pageOf(filtered, 'DescribeImages', input, { min: 6, max: 1000 }, 'Images', (i) => ({
      ImageId: i.id,
      Name: i.name,
      Description: i.description,
      CreationDate: i.creationDate,
      State: 'available',
      OwnerId: i.ownerId,
      ...(i.ownerAlias ? { ImageOwnerAlias: i.ownerAlias } : {}),
      Public: true,
      ImageType: 'machine',
      Architecture: i.architecture,
      ...(i.platform === 'windows' ? { Platform: 'windows' as EC2.PlatformValues } : {}),
      PlatformDetails: i.platform === 'windows' ? 'Windows' : 'Linux/UNIX',
      UsageOperation: i.platform === 'windows' ? 'RunInstances:0002' : 'RunInstances',
      RootDeviceType: 'ebs',
      RootDeviceName: i.platform === 'windows' ? '/dev/sda1' : '/dev/xvda',
      VirtualizationType: 'hvm',
      Hypervisor: 'xen',
      EnaSupport: true,
      ImageLocation: `${i.ownerAlias ?? i.ownerId}/${i.name}`,
    }));
  },

  DescribeKeyPairs(world, ctx, input) {
    const names = listOf(input, 'KeyNames');
    const ids = listOf(input, 'KeyPairIds');
    let keys = inRegion(world.keyPairs.values(), ctx.region);
    for (const n of names) if (!keys.some((k) => k.name === n)) throw new AwsError('InvalidKeyPair.NotFound', `The key pair '${n}' does not exist`);
    for (const n of ids) if (!keys.some((k) => k.id === n)) throw new AwsError('InvalidKeyPair.NotFound', `The key pair '${n}' does not exist`);
    if (names.length) keys = keys.filter((k) => names.includes(k.name));
    if (ids.length) keys = keys.filter((k) => ids.includes(k.id));
    const filtered = applyFilters(keys, filtersOf(input), {
      'key-name': (k) => k.name,
      'key-pair-id': (k) => k.id,
      fingerprint: (k) => k.fingerprint,
      'key-type': (k) => k.type,
    });
    return { KeyPairs: filtered.map((k) => toSdkKeyPair(k, input['IncludePublicKey'] === true)) };
  },

  async CreateKeyPair(world, ctx, input) {
    const name = required(input['KeyName'] as string, 'KeyName');
    const type = ((input['KeyType'] as string | undefined) ?? 'rsa') as 'rsa' | 'ed25519';
    if (type !== 'rsa' && type !== 'ed25519') throw new AwsError('InvalidParameterValue', `Invalid value '${String(type)}' for KeyType. Valid values: rsa, ed25519.`);
    if ((input['KeyFormat'] as string | undefined) === 'ppk') throw new AwsError('InvalidParameterValue', 'The sandbox creates key pairs in pem format only.');
    refuseDuplicateKeyPair(world, ctx.region, name);
    const generated = await generateKeyPair(type);
    // Another CreateKeyPair with the same name may have finished while this one generated.
    const key = storeKeyPair(world, ctx.region, name, { ...generated, type }, input);
    return { KeyName: name, KeyFingerprint: key.fingerprint, KeyMaterial: generated.privateKey, KeyPairId: key.id, Tags: key.tags };
  },

  ImportKeyPair(world, ctx, input) {
    const name = required(input['KeyName'] as string, 'KeyName');
    const material = required(input['PublicKeyMaterial'] as Uint8Array | undefined, 'PublicKeyMaterial');
    refuseDuplicateKeyPair(world, ctx.region, name);
    let imported: ReturnType<typeof importPublicKey>;
    try {
      imported = importPublicKey(Buffer.from(material).toString('utf8'));
    } catch (error) {
      throw new AwsError('InvalidKey.Format', `Key is not in valid OpenSSH public key format: ${(error as Error).message}`);
    }
    const key = storeKeyPair(world, ctx.region, name, imported, input);
    return { KeyName: name, KeyFingerprint: key.fingerprint, KeyPairId: key.id, Tags: key.tags };
  },

  DeleteKeyPair(world, ctx, input) {
    const name = input['KeyName'] as string | undefined;
    const id = input['KeyPairId'] as string | undefined;
    if (!name && !id) throw new AwsError('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
    const key = inRegion(world.keyPairs.values(), ctx.region).find((k) => k.name === name || k.id === id);
    // AWS answers true even for a key pair that does not exist.
    if (key) world.keyPairs.delete(`${ctx.region}/${key.name}`);
    return { Return: true, ...(key ? { KeyPairId: key.id } : {}) };
  },

  GetPasswordData(world, ctx, input) {
    const inst = world.instance(required(input['InstanceId'] as string, 'InstanceId'), ctx.region);
    return { InstanceId: inst.id, Timestamp: new Date(), PasswordData: world.passwordData(inst) };
  },

  CreateSecurityGroup(world, ctx, input) {
    const name = required(input['GroupName'] as string, 'GroupName');
    const description = required(input['Description'] as string, 'GroupDescription');
    const vpcId = (input['VpcId'] as string | undefined) ?? inRegion(world.vpcs.values(), ctx.region).find((v) => v.isDefault)?.id;
    if (!vpcId) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
    const vpc = world.vpcs.get(vpcId);
    if (!vpc || vpc.region !== ctx.region) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
    if (/^sg-/i.test(name)) throw new AwsError('InvalidParameterValue', "Group names may not be in the format sg-*.");
    if (name.length > 255 || description.length > 255) throw new AwsError('InvalidParameterValue', 'Group name and description must be at most 255 characters.');
    if (inRegion(world.securityGroups.values(), ctx.region).some((g) => g.vpcId === vpcId && g.name === name)) {
      throw new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
    }
    const group: SecurityGroupState = {
      id: newId('sg'),
      vpcId,
      region: ctx.region,
      name,
      description,
      ingress: [],
      egress: [{ id: newId('sgr'), protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' }],
      tags: tagsFrom(input['TagSpecifications'] as EC2.TagSpecification[] | undefined, 'security-group'),
    };
    world.securityGroups.set(group.id, group);
    return { GroupId: group.id, Tags: group.tags, SecurityGroupArn: ec2Arn(ctx.region, world.accountId, group.id) };
  },

  DeleteSecurityGroup(world, ctx, input) {
    const group = world.securityGroup(required(input['GroupId'] as string, 'GroupId'), ctx.region);
    if (group.name === 'default') throw new AwsError('CannotDelete', `the specified group: "${group.id}" name: "default" cannot be deleted by a user`);
    const users = [...[...world.instances.values()].filter((i) => i.securityGroupIds.includes(group.id)).map((i) => i.id), ...[...world.endpoints.values()].filter((e) => e.state !== 'delete-complete' && e.securityGroupIds.includes(group.id)).map((e) => e.id)];
    const referenced = [...world.securityGroups.values()].some((g) => g.id !== group.id && [...g.ingress, ...g.egress].some((r) => r.groupId === group.id));
    if (users.length || referenced) throw new AwsError('DependencyViolation', `resource ${group.id} has a dependent object`);
    world.securityGroups.delete(group.id);
    return { Return: true, GroupId: group.id };
  },

  AuthorizeSecurityGroupIngress: authorize('ingress'),
  AuthorizeSecurityGroupEgress: authorize('egress'),
  RevokeSecurityGroupIngress: revoke('ingress'),
  RevokeSecurityGroupEgress: revoke('egress'),

  CreateTags(world, ctx, input) {
    const resources = required(input['Resources'] as string[] | undefined, 'ResourceId');
    const tags = (input['Tags'] as EC2.Tag[] | undefined) ?? [];
    for (const id of resources) {
      const target = taggable(world, ctx.region, id);
      for (const tag of tags) {
        const existing = target.tags.find((t) => t.Key === tag.Key);
        if (existing) existing.Value = tag.Value ?? '';
        else target.tags.push({ Key: tag.Key ?? '', Value: tag.Value ?? '' });
      }
      if ('name' in target && typeof target.name === 'string') {
        const name = tags.find((t) => t.Key === 'Name')?.Value;
        if (name !== undefined && 'platform' in target) target.name = name;
      }
    }
    return {};
  },

  DeleteTags(world, ctx, input) {
    const resources = required(input['Resources'] as string[] | undefined, 'ResourceId');
    const tags = (input['Tags'] as EC2.Tag[] | undefined) ?? [];
    for (const id of resources) {
      const target = taggable(world, ctx.region, id);
      target.tags = tags.length ? target.tags.filter((t) => !tags.some((d) => d.Key === t.Key && (d.Value === undefined || d.Value === t.Value))) : [];
    }
    return {};
  },

  StartInstances: changeState('StartingInstances', 'started', { refusedIn: 'stopping', from: 'stopped', begin: (world, inst) => world.beginStart(inst) }),
  StopInstances: changeState('StoppingInstances', 'stopped', { refusedIn: 'pending', from: 'running', begin: (world, inst) => world.beginStop(inst) }),

  DescribeInstanceConnectEndpoints(world, ctx, input) {
    const ids = listOf(input, 'InstanceConnectEndpointIds');
    let endpoints = inRegion(world.endpoints.values(), ctx.region);
    if (ids.length) {
      const picked = ids.map((id) => world.endpoint(id, ctx.region));
      endpoints = endpoints.filter((e) => picked.includes(e));
    }
    const filtered = applyFilters(endpoints, filtersOf(input), endpointFilters);
    // AWS pages this call at 50 endpoints, with or without MaxResults.
    return pageOf(filtered, 'DescribeInstanceConnectEndpoints', input, { min: 1, max: 50, defaultSize: 50 }, 'InstanceConnectEndpoints', (e) => toSdkEndpoint(world, e));
  },

  CreateInstanceConnectEndpoint(world, ctx, input) {
    const subnet = world.subnet(required(input['SubnetId'] as string, 'SubnetId'), ctx.region);
    const vpcDefault = inRegion(world.securityGroups.values(), ctx.region).find((g) => g.vpcId === subnet.vpcId && g.name === 'default');
    const groupIds = (input['SecurityGroupIds'] as string[] | undefined)?.length ? (input['SecurityGroupIds'] as string[]) : vpcDefault ? [vpcDefault.id] : [];
    for (const id of groupIds) {
      const group = world.securityGroup(id, ctx.region);
      if (group.vpcId !== subnet.vpcId) throw new AwsError('InvalidParameter', `Security group ${id} does not belong to VPC ${subnet.vpcId}, the VPC of ${subnet.id}.`);
    }
    const ipAddressType = ((input['IpAddressType'] as string | undefined) ?? 'ipv4') as EndpointState['ipAddressType'];
    if (!['ipv4', 'dualstack', 'ipv6'].includes(ipAddressType)) throw new AwsError('InvalidParameterValue', `Invalid value '${ipAddressType}' for IpAddressType.`);
    if (ipAddressType !== 'ipv4') throw new AwsError('InvalidParameterValue', `Subnet ${subnet.id} has no IPv6 CIDR block, so the endpoint's IpAddressType must be ipv4.`);
    const preserveClientIp = input['PreserveClientIp'] === true;
    const tags = tagsFrom(input['TagSpecifications'] as EC2.TagSpecification[] | undefined, 'instance-connect-endpoint');
    const token = input['ClientToken'] as string | undefined;
    const fingerprint = JSON.stringify({ subnet: subnet.id, groupIds, preserveClientIp, ipAddressType, tags });
    if (token) {
      const previous = world.endpointClientTokens.get(token);
      if (previous) {
        if (previous.fingerprint !== fingerprint) throw new AwsError('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that is already deleted, or with a request whose parameters differ. Please use a different client token.');
        const existing = world.endpoints.get(previous.endpointId);
        if (existing) return { InstanceConnectEndpoint: toSdkEndpoint(world, existing), ClientToken: token };
      }
    }
    endpointQuotaCheck(world, subnet.id, subnet.vpcId, ctx.region);
    const ep = world.newEndpointState({ subnet, securityGroupIds: groupIds, preserveClientIp, ipAddressType, state: 'create-in-progress', tags });
    const failure = world.faults.failNextEndpointCreate;
    world.faults.failNextEndpointCreate = null;
    ep.due = {
      at: Date.now() + world.scenario.timing.endpointCreateSeconds * 1000,
      to: failure ? 'create-failed' : 'create-complete',
      ...(failure ? { message: failure } : {}),
    };
    world.endpoints.set(ep.id, ep);
    if (token) world.endpointClientTokens.set(token, { fingerprint, endpointId: ep.id });
    return { InstanceConnectEndpoint: toSdkEndpoint(world, ep), ...(token ? { ClientToken: token } : {}) };
  },

  ModifyInstanceConnectEndpoint(world, ctx, input) {
    const ep = world.endpoint(required(input['InstanceConnectEndpointId'] as string, 'InstanceConnectEndpointId'), ctx.region);
    if (!['create-complete', 'update-complete', 'update-failed'].includes(ep.state)) {
      throw new AwsError('IncorrectState', `The EC2 Instance Connect Endpoint ${ep.id} is in state ${ep.state} and cannot be modified.`);
    }
    const update: NonNullable<EndpointState['pendingUpdate']> = {};
    const groups = input['SecurityGroupIds'] as string[] | undefined;
    if (groups?.length) {
      for (const id of groups) if (world.securityGroup(id, ctx.region).vpcId !== ep.vpcId) throw new AwsError('InvalidParameter', `Security group ${id} does not belong to VPC ${ep.vpcId}.`);
      update.securityGroupIds = groups;
    }
    if (input['PreserveClientIp'] !== undefined) update.preserveClientIp = input['PreserveClientIp'] === true;
    if (input['IpAddressType'] !== undefined) {
      if (input['IpAddressType'] !== 'ipv4') throw new AwsError('InvalidParameterValue', `Subnet ${ep.subnetId} has no IPv6 CIDR block, so the endpoint's IpAddressType must be ipv4.`);
      update.ipAddressType = 'ipv4';
    }
    if (Object.keys(update).length === 0) throw new AwsError('MissingParameter', 'Specify at least one of SecurityGroupIds, PreserveClientIp or IpAddressType to modify.');
    ep.pendingUpdate = update;
    ep.state = 'update-in-progress';
    ep.due = { at: Date.now() + world.scenario.timing.endpointModifySeconds * 1000, to: 'update-complete' };
    return { Return: true };
  },

  DeleteInstanceConnectEndpoint(world, ctx, input) {
    const ep = world.endpoint(required(input['InstanceConnectEndpointId'] as string, 'InstanceConnectEndpointId'), ctx.region);
    if (ep.state === 'delete-in-progress' || ep.state === 'delete-complete') {
      throw new AwsError('IncorrectState', `The EC2 Instance Connect Endpoint ${ep.id} is already being deleted (${ep.state}).`);
    }
    ep.state = 'delete-in-progress';
    ep.stateMessage = '';
    ep.pendingUpdate = undefined;
    ep.due = { at: Date.now() + world.scenario.timing.endpointDeleteSeconds * 1000, to: 'delete-complete' };
    return { InstanceConnectEndpoint: toSdkEndpoint(world, ep) };
  },
};

function taggable(world: World, region: string, id: string): { tags: EC2.Tag[]; name?: string } {
  const candidates: ({ region: string; tags: EC2.Tag[] } | undefined)[] = [world.instances.get(id), world.endpoints.get(id), world.securityGroups.get(id), world.vpcs.get(id), world.subnets.get(id), world.networkAcls.get(id), world.routeTables.get(id)];
  const found = candidates.find((c) => c && c.region === region);
  if (!found) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
  return found;
}

/** Resource ids an EC2 call touches, for IAM rules scoped to a resource. */
export function resourcesOf(input: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (/^(i|eice|sg|subnet|vpc|key|acl|rtb)-[0-9a-f]+$/.test(value)) out.add(value);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) Object.values(value).forEach(visit);
  };
  visit(input);
  return [...out];
}

/** Actions AWS also authorises for an EC2 call (creating an endpoint makes a network interface). */
export function impliedActions(action: string, input: Record<string, unknown>): string[] {
  const extra: string[] = [];
  if (action === 'CreateInstanceConnectEndpoint') extra.push('ec2:CreateNetworkInterface');
  if (/^Create/.test(action) && Array.isArray(input['TagSpecifications']) && (input['TagSpecifications'] as unknown[]).length > 0) extra.push('ec2:CreateTags');
  return extra;
}

