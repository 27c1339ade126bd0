import {
  DescribeInstanceConnectEndpointsCommand,
  type DescribeInstanceConnectEndpointsCommandOutput,
  type Ec2InstanceConnectEndpoint,
  type Ec2InstanceConnectEndpointState,
  type Filter,
} from '@aws-sdk/client-ec2';
import { AppError } from '../../preload/contract/errors';

/** An endpoint's state, as the EC2 API names them. */
export type EndpointState = Ec2InstanceConnectEndpointState;

/** What the app knows about one EC2 Instance Connect Endpoint. */
export interface EndpointFacts {
  id: string;
  vpcId: string;
  subnetId: string;
  state: EndpointState;
  /** AWS's explanation of a failed state: show it. */
  stateMessage?: string;
  dnsName: string;
  fipsDnsName?: string;
  securityGroupIds: string[];
  preserveClientIp: boolean;
  availabilityZone: string;
  createdAt?: Date;
  ipAddressType?: 'ipv4' | 'dualstack' | 'ipv6';
}

/** States that open tunnels: an endpoint being modified keeps its old configuration. */
export const USABLE_ENDPOINT_STATES: readonly EndpointState[] = ['create-complete', 'update-in-progress', 'update-complete', 'update-failed'];

export function isUsableEndpoint(endpoint: Pick<EndpointFacts, 'state'>): boolean {
  return USABLE_ENDPOINT_STATES.includes(endpoint.state);
}

const STATES = new Set<string>(['create-in-progress', 'create-complete', 'create-failed', 'delete-in-progress', 'delete-complete', 'delete-failed', 'update-in-progress', 'update-complete', 'update-failed']);

/** Maps the SDK's shape to ours; undefined for a record too incomplete to use (no id or VPC). */
export function toEndpointFacts(endpoint: Ec2InstanceConnectEndpoint): EndpointFacts | undefined {
  const id = endpoint.InstanceConnectEndpointId;
  const vpcId = endpoint.VpcId;
  if (!id || !vpcId) return undefined;
  // A state this build does not know cannot be trusted to open tunnels: treat it as failed, and say why.
  const known = !!endpoint.State && STATES.has(endpoint.State);
  const state = known ? (endpoint.State as EndpointState) : 'create-failed';
  const stateMessage = endpoint.StateMessage || (known ? undefined : `Unknown endpoint state "${endpoint.State ?? ''}".`);
  const ipType = endpoint.IpAddressType;
  return {
    id,
    vpcId,
    subnetId: endpoint.SubnetId ?? '',
    state,
    ...(stateMessage ? { stateMessage } : {}),
    dnsName: endpoint.DnsName ?? '',
    ...(endpoint.FipsDnsName ? { fipsDnsName: endpoint.FipsDnsName } : {}),
    securityGroupIds: endpoint.SecurityGroupIds ?? [],
    preserveClientIp: endpoint.PreserveClientIp ?? false,
    availabilityZone: endpoint.AvailabilityZone ?? '',
    ...(endpoint.CreatedAt ? { createdAt: endpoint.CreatedAt } : {}),
    ...(ipType === 'ipv4' || ipType === 'dualstack' || ipType === 'ipv6' ? { ipAddressType: ipType } : {}),
  };
}

/** The instance facts endpoint choice needs. */
export interface InstancePlacement {
  instanceId: string;
  vpcId: string;
  subnetId: string;
}

/**
 * The endpoint a tunnel to this instance should use, as the AWS CLI chooses it: the usable
 * endpoint in the instance's subnet, else the first usable one in its VPC. Throws
 * EIC_NO_ENDPOINT naming the VPC when it has none, and EIC_ENDPOINT_NOT_READY with the state
 * and AWS's StateMessage when one exists but cannot open tunnels.
 */
export function chooseEndpoint(instance: InstancePlacement, endpoints: EndpointFacts[]): EndpointFacts {
  const inVpc = endpoints.filter((e) => e.vpcId === instance.vpcId);
  const usable = inVpc.filter(isUsableEndpoint);
  const chosen = usable.find((e) => e.subnetId === instance.subnetId) ?? usable[0];
  if (chosen) return chosen;
  // Prefer explaining the endpoint that will become usable (or that failed) over one being deleted.
  const rank = (e: EndpointFacts): number => (e.state === 'create-in-progress' ? 0 : e.state.endsWith('failed') ? 1 : 2);
  const waiting = inVpc.filter((e) => e.state !== 'delete-complete').sort((a, b) => rank(a) - rank(b))[0];
  if (waiting) {
    const because = waiting.stateMessage ? ` AWS says: "${waiting.stateMessage}"` : '';
    const hint =
      waiting.state === 'create-in-progress'
        ? 'A new endpoint takes a few minutes (sometimes up to ten) to become ready: try again shortly.'
        : waiting.state === 'delete-in-progress' || waiting.state === 'delete-failed'
          ? `It is being deleted: create a new endpoint for ${instance.vpcId} with the endpoint setup wizard once it is gone.`
          : `Delete it and create a new one for ${instance.vpcId} with the endpoint setup wizard.`;
    throw new AppError('EIC_ENDPOINT_NOT_READY', `The EC2 Instance Connect Endpoint ${waiting.id} for ${instance.vpcId} is ${waiting.state}, so it cannot open tunnels to ${instance.instanceId} yet.${because}`, {
      hint,
      retryable: waiting.state === 'create-in-progress',
    });
  }
  throw new AppError('EIC_NO_ENDPOINT', `${instance.vpcId} has no EC2 Instance Connect Endpoint, so ${instance.instanceId} cannot be reached.`, {
    hint: `Create one for ${instance.vpcId} with the endpoint setup wizard (it is free and takes a few minutes).`,
  });
}

/** The one EC2 call endpoint listing needs; an EC2Client satisfies it. */
export interface EndpointDescriber {
  /** Sends one DescribeInstanceConnectEndpoints request (one page of at most MaxResults). */
  send(command: DescribeInstanceConnectEndpointsCommand): Promise<DescribeInstanceConnectEndpointsCommandOutput>;
}

/** The service's largest page. */
export const ENDPOINT_PAGE_SIZE = 50;

/**
 * Every endpoint matching `filters` (all of them when none), paging 50 at a time. Records too
 * incomplete to use are skipped. SDK errors propagate for the caller to map (mapAwsError).
 */
export async function describeAllEndpoints(ec2: EndpointDescriber, filters?: Filter[], endpointIds?: string[]): Promise<EndpointFacts[]> {
  const all: EndpointFacts[] = [];
  let nextToken: string | undefined;
  const seenTokens = new Set<string>();
  do {
    const page = await ec2.send(
      new DescribeInstanceConnectEndpointsCommand({
        // EC2 refuses MaxResults next to explicit ids on several Describe calls: page only by filter.
        ...(endpointIds && endpointIds.length > 0 ? { InstanceConnectEndpointIds: endpointIds } : { MaxResults: ENDPOINT_PAGE_SIZE }),
        ...(filters && filters.length > 0 ? { Filters: filters } : {}),
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const raw of page.InstanceConnectEndpoints ?? []) {
      const facts = toEndpointFacts(raw);
      if (facts) all.push(facts);
    }
    nextToken = page.NextToken || undefined;
    // A service that repeats a token would page forever: stop instead.
    if (nextToken) {
      if (seenTokens.has(nextToken)) break;
      seenTokens.add(nextToken);
    }
  } while (nextToken);
  return all;
}
