import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInstanceConnectEndpointCommand,
  CreateSecurityGroupCommand,
  DeleteInstanceConnectEndpointCommand,
  DeleteSecurityGroupCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstanceConnectEndpointsCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RevokeSecurityGroupEgressCommand,
  type AuthorizeSecurityGroupEgressRequest,
  type AuthorizeSecurityGroupIngressRequest,
  type AvailabilityZone,
  type CreateInstanceConnectEndpointRequest,
  type CreateSecurityGroupRequest,
  type EC2Client,
  type Ec2InstanceConnectEndpoint,
  type Filter,
  type Instance,
  type RevokeSecurityGroupEgressRequest,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { ENDPOINT_PAGE_SIZE } from '../endpoints';

/**
 * The EC2 calls the endpoint lifecycle makes, by their API names. `input` is the SDK request
 * shape: what the review step shows and what `dryRun` sends.
 */
export type SetupRequest =
  | { api: 'CreateSecurityGroup'; input: CreateSecurityGroupRequest }
  | { api: 'RevokeSecurityGroupEgress'; input: RevokeSecurityGroupEgressRequest }
  | { api: 'AuthorizeSecurityGroupEgress'; input: AuthorizeSecurityGroupEgressRequest }
  | { api: 'AuthorizeSecurityGroupIngress'; input: AuthorizeSecurityGroupIngressRequest }
  | { api: 'CreateInstanceConnectEndpoint'; input: CreateInstanceConnectEndpointRequest }
  | { api: 'DeleteInstanceConnectEndpoint'; input: { InstanceConnectEndpointId: string } }
  | { api: 'DescribeInstanceConnectEndpoints'; input: { InstanceConnectEndpointIds?: string[] } }
  | { api: 'DeleteSecurityGroup'; input: { GroupId: string } };

export type SetupApi = SetupRequest['api'];

/** The outcome of a DryRun: allowed (DryRunOperation) or refused (UnauthorizedOperation) with AWS's words. */
export interface DryRunResult {
  allowed: boolean;
  message: string;
}

/**
 * The EC2 API as the endpoint lifecycle uses it, for one profile in one Region. The app's
 * implementation is `sdkSetupEc2` (the AWS SDK); tests may hand in a small fake. Every method
 * rejects with the SDK's own error for the caller to map (mapEndpointError).
 */
export interface SetupEc2 {
  /** Every endpoint of the Region (or the given ones), with tags; pages by 50. */
  describeEndpoints(ids?: readonly string[]): Promise<Ec2InstanceConnectEndpoint[]>;
  /** The Region's VPCs (or the given ones). */
  describeVpcs(ids?: readonly string[]): Promise<Vpc[]>;
  /** The subnets of one VPC, or of the whole Region. */
  describeSubnets(vpcId?: string): Promise<Subnet[]>;
  /** The route tables of one VPC. */
  describeRouteTables(vpcId: string): Promise<RouteTable[]>;
  /** The Region's Availability Zones with their state and messages. */
  describeAvailabilityZones(): Promise<AvailabilityZone[]>;
  /** Security groups of a VPC, or the given ones, or the one named `groupName` in `vpcId`. */
  describeSecurityGroups(query: { vpcId?: string; groupIds?: readonly string[]; groupName?: string }): Promise<SecurityGroup[]>;
  /** Instances (not terminated) of one VPC, or of the whole Region. */
  describeInstances(vpcId?: string): Promise<Instance[]>;
  /** Creates a security group; resolves with its id. */
  createSecurityGroup(input: CreateSecurityGroupRequest): Promise<string>;
  revokeSecurityGroupEgress(input: RevokeSecurityGroupEgressRequest): Promise<void>;
  authorizeSecurityGroupEgress(input: AuthorizeSecurityGroupEgressRequest): Promise<void>;
  authorizeSecurityGroupIngress(input: AuthorizeSecurityGroupIngressRequest): Promise<void>;
  deleteSecurityGroup(groupId: string): Promise<void>;
  /** Creates an endpoint; resolves with AWS's record of it (state create-in-progress). */
  createEndpoint(input: CreateInstanceConnectEndpointRequest): Promise<Ec2InstanceConnectEndpoint>;
  /** Starts deleting an endpoint; resolves with AWS's record (delete-in-progress) when it returns one. */
  deleteEndpoint(id: string): Promise<Ec2InstanceConnectEndpoint | undefined>;
  /** Sends the request with DryRun: resolves allowed/refused; any other error rejects. */
  dryRun(request: SetupRequest): Promise<DryRunResult>;
}

const paged = async <T>(fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> => {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...(page.items ?? []));
    token = page.next || undefined;
    // A service that repeats a token would page forever: stop instead.
    if (token && seen.has(token)) break;
    if (token) seen.add(token);
  } while (token);
  return all;
};

const vpcFilter = (vpcId: string): Filter[] => [{ Name: 'vpc-id', Values: [vpcId] }];

/** `SetupEc2` over the AWS SDK's EC2Client (shared and owned by AwsClientFactory: never destroyed here). */
export function sdkSetupEc2(ec2: EC2Client): SetupEc2 {
  return {
    describeEndpoints: (ids) =>
      paged(async (token) => {
        const out = await ec2.send(
          new DescribeInstanceConnectEndpointsCommand({
            // EC2 refuses MaxResults next to explicit ids: page only when listing all.
            ...(ids && ids.length > 0 ? { InstanceConnectEndpointIds: [...ids] } : { MaxResults: ENDPOINT_PAGE_SIZE }),
            ...(token ? { NextToken: token } : {}),
          }),
        );
        return { items: out.InstanceConnectEndpoints, next: out.NextToken };
      }),
    describeVpcs: (ids) =>
      paged(async (token) => {
        const out = await ec2.send(new DescribeVpcsCommand({ ...(ids && ids.length > 0 ? { VpcIds: [...ids] } : { MaxResults: 1000 }), ...(token ? { NextToken: token } : {}) }));
        return { items: out.Vpcs, next: out.NextToken };
      }),
    describeSubnets: (vpcId) =>
      paged(async (token) => {
        const out = await ec2.send(new DescribeSubnetsCommand({ ...(vpcId ? { Filters: vpcFilter(vpcId) } : {}), MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
        return { items: out.Subnets, next: out.NextToken };
      }),
    describeRouteTables: (vpcId) =>
      paged(async (token) => {
        const out = await ec2.send(new DescribeRouteTablesCommand({ Filters: vpcFilter(vpcId), MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
        return { items: out.RouteTables, next: out.NextToken };
      }),
    describeAvailabilityZones: async () => (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? [],
    describeSecurityGroups: (query) =>
      paged(async (token) => {
        const filters: Filter[] = [...(query.vpcId ? vpcFilter(query.vpcId) : []), ...(query.groupName ? [{ Name: 'group-name', Values: [query.groupName] }] : [])];
        const byIds = query.groupIds && query.groupIds.length > 0;
        const out = await ec2.send(
          new DescribeSecurityGroupsCommand({
            ...(byIds ? { GroupIds: [...(query.groupIds ?? [])] } : { MaxResults: 1000 }),
            ...(filters.length > 0 ? { Filters: filters } : {}),
            ...(token ? { NextToken: token } : {}),
          }),
        );
        return { items: out.SecurityGroups, next: out.NextToken };
      }),
    describeInstances: async (vpcId) => {
      const reservations = await paged(async (token) => {
        const out = await ec2.send(new DescribeInstancesCommand({ ...(vpcId ? { Filters: vpcFilter(vpcId) } : {}), MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
        return { items: out.Reservations, next: out.NextToken };
      });
      return reservations.flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== 'terminated');
    },
    createSecurityGroup: async (input) => {
      const out = await ec2.send(new CreateSecurityGroupCommand(input));
      if (!out.GroupId) throw Object.assign(new Error('CreateSecurityGroup returned no GroupId.'), { name: 'InternalError' });
      return out.GroupId;
    },
    revokeSecurityGroupEgress: async (input) => {
      await ec2.send(new RevokeSecurityGroupEgressCommand(input));
    },
    authorizeSecurityGroupEgress: async (input) => {
      await ec2.send(new AuthorizeSecurityGroupEgressCommand(input));
    },
    authorizeSecurityGroupIngress: async (input) => {
      await ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
    },
    deleteSecurityGroup: async (groupId) => {
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    },
    createEndpoint: async (input) => {
      const out = await ec2.send(new CreateInstanceConnectEndpointCommand(input));
      if (!out.InstanceConnectEndpoint?.InstanceConnectEndpointId) {
        throw Object.assign(new Error('CreateInstanceConnectEndpoint returned no endpoint.'), { name: 'InternalError' });
      }
      return out.InstanceConnectEndpoint;
    },
    deleteEndpoint: async (id) => (await ec2.send(new DeleteInstanceConnectEndpointCommand({ InstanceConnectEndpointId: id }))).InstanceConnectEndpoint,
    dryRun: async (request) => {
      try {
        await sendDryRun(ec2, request);
        // A service that ignores DryRun would have done the work: never send a real call here.
        return { allowed: true, message: 'The request succeeded without DryRun being honoured.' };
      } catch (error) {
        const e = error as { name?: string; Code?: string; message?: string };
        const name = e.Code ?? e.name ?? '';
        if (name === 'DryRunOperation') return { allowed: true, message: e.message ?? '' };
        if (name === 'UnauthorizedOperation' || name === 'AccessDenied' || name === 'AccessDeniedException') return { allowed: false, message: e.message ?? '' };
        throw error;
      }
    },
  };
}

/** Sends the request with DryRun set (one typed send per API: the SDK's send is generic per command). */
async function sendDryRun(ec2: EC2Client, request: SetupRequest): Promise<void> {
  switch (request.api) {
    case 'CreateSecurityGroup':
      await ec2.send(new CreateSecurityGroupCommand({ ...request.input, DryRun: true }));
      return;
    case 'RevokeSecurityGroupEgress':
      await ec2.send(new RevokeSecurityGroupEgressCommand({ ...request.input, DryRun: true }));
      return;
    case 'AuthorizeSecurityGroupEgress':
      await ec2.send(new AuthorizeSecurityGroupEgressCommand({ ...request.input, DryRun: true }));
      return;
    case 'AuthorizeSecurityGroupIngress':
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ ...request.input, DryRun: true }));
      return;
    case 'CreateInstanceConnectEndpoint':
      await ec2.send(new CreateInstanceConnectEndpointCommand({ ...request.input, DryRun: true }));
      return;
    case 'DeleteInstanceConnectEndpoint':
      await ec2.send(new DeleteInstanceConnectEndpointCommand({ ...request.input, DryRun: true }));
      return;
    case 'DescribeInstanceConnectEndpoints':
      await ec2.send(new DescribeInstanceConnectEndpointsCommand({ ...request.input, DryRun: true }));
      return;
    case 'DeleteSecurityGroup':
      await ec2.send(new DeleteSecurityGroupCommand({ ...request.input, DryRun: true }));
      return;
  }
}
