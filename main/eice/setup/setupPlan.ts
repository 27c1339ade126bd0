import type {
  AuthorizeSecurityGroupEgressRequest,
  CreateInstanceConnectEndpointRequest,
  CreateSecurityGroupRequest,
  IpPermission,
  RevokeSecurityGroupEgressRequest,
  SecurityGroup,
  Tag,
} from '@aws-sdk/client-ec2';
import type { PlannedCall } from '../../../preload/contract/endpoints';
import { allowsOutbound, safeRuleDescription } from '../../network/securityGroups';
import type { SetupRequest } from './setupEc2';

/** Every resource the app creates carries this tag, so it can be recognised (and cleaned up) later. */
export const CREATED_BY_TAG: Tag = { Key: 'CreatedBy', Value: 'Bastionless' };
/** The operation that created a resource: lets a resumed operation find what it made before a crash. */
export const OPERATION_TAG_KEY = 'bastionless:operation';
/** The ports an endpoint's group must reach in the VPC: SSH and RDP (EICE.md). */
export const ENDPOINT_PORTS = [22, 3389] as const;
/** Shown in place of an id AWS has not given yet. */
export const NEW_GROUP_PLACEHOLDER = '<the new group’s id>';

/** `bastionless-eice-<vpc>`: the dedicated group's name (unique per VPC, as AWS requires). */
export function dedicatedGroupName(vpcId: string): string {
  return `bastionless-eice-${vpcId}`;
}

export function isCreatedByBastionless(tags: readonly Tag[] | undefined): boolean {
  return (tags ?? []).some((t) => t.Key === CREATED_BY_TAG.Key && t.Value === CREATED_BY_TAG.Value);
}

/** A resource's Name tag, when it has a non-empty one. */
export function nameTag(tags: readonly Tag[] | undefined): string | undefined {
  return tags?.find((t) => t.Key === 'Name')?.Value || undefined;
}

export function operationTagOf(tags: readonly Tag[] | undefined): string | undefined {
  return (tags ?? []).find((t) => t.Key === OPERATION_TAG_KEY)?.Value;
}

const tags = (name: string, operationId: string | undefined): Tag[] => [
  { Key: 'Name', Value: name },
  CREATED_BY_TAG,
  ...(operationId ? [{ Key: OPERATION_TAG_KEY, Value: operationId }] : []),
];

export function createGroupRequest(vpcId: string, operationId?: string): CreateSecurityGroupRequest {
  const name = dedicatedGroupName(vpcId);
  return {
    GroupName: name,
    Description: safeRuleDescription(`Bastionless: EC2 Instance Connect Endpoint of ${vpcId}. Outbound SSH (22) and RDP (3389) into the VPC only, no inbound.`),
    VpcId: vpcId,
    TagSpecifications: [{ ResourceType: 'security-group', Tags: tags(name, operationId) }],
  };
}

/** A new group comes with "all traffic to 0.0.0.0/0" out: the dedicated group allows only 22 and 3389 into the VPC. */
export function revokeDefaultEgressRequest(groupId: string): RevokeSecurityGroupEgressRequest {
  return { GroupId: groupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
}

/** TCP 22 and 3389 out to each of the VPC's IPv4 blocks; only the ports `missing` names, when given. */
export function endpointEgressRequest(groupId: string, vpcCidrs: readonly string[], ports: readonly number[] = ENDPOINT_PORTS): AuthorizeSecurityGroupEgressRequest {
  const permissions: IpPermission[] = ports.map((port) => ({
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: port,
    IpRanges: vpcCidrs.map((cidr) => ({ CidrIp: cidr, Description: safeRuleDescription(`Bastionless: ${port === 22 ? 'SSH' : port === 3389 ? 'RDP' : `TCP ${port}`} to instances in the VPC`) })),
  }));
  return { GroupId: groupId, IpPermissions: permissions };
}

/** The egress ports (22, 3389) that `group` does not yet allow to the whole of every VPC block. */
export function missingEgressPorts(group: SecurityGroup, vpcCidrs: readonly string[]): number[] {
  return ENDPOINT_PORTS.filter((port) => vpcCidrs.some((cidr) => allowsOutbound([group], { port, peer: { cidr } }).verdict !== 'allowed'));
}

export function createEndpointRequest(input: {
  vpcId: string;
  subnetId: string;
  securityGroupIds: readonly string[];
  preserveClientIp: boolean;
  clientToken: string;
  operationId?: string;
}): CreateInstanceConnectEndpointRequest {
  return {
    SubnetId: input.subnetId,
    SecurityGroupIds: [...input.securityGroupIds],
    // Set explicitly: AWS's documentation disagrees about the default (EICE.md).
    PreserveClientIp: input.preserveClientIp,
    ClientToken: input.clientToken,
    TagSpecifications: [{ ResourceType: 'instance-connect-endpoint', Tags: tags(`bastionless-${input.vpcId}`, input.operationId) }],
  };
}

/** How the endpoint's security groups will come about. */
export type GroupPlan =
  /** Create the dedicated group, then replace its default egress with 22/3389 into the VPC. */
  | { kind: 'create' }
  /** Reuse the dedicated group left by an earlier setup; add the egress ports it lacks. */
  | { kind: 'reuse'; groupId: string; missingPorts: number[] }
  /** The person's own groups, used as they are. */
  | { kind: 'existing'; groupIds: string[] };

/** One step's requests, in the order `create` sends them. */
export interface PlannedRequest {
  request: SetupRequest;
  purpose: string;
}

/**
 * The exact calls a setup makes, in order, built by the same functions the operation uses.
 * `DescribeInstanceConnectEndpoints` stands for the polling that follows.
 */
export function plannedRequests(input: {
  vpcId: string;
  vpcCidrs: readonly string[];
  subnetId: string;
  preserveClientIp: boolean;
  groups: GroupPlan;
  clientToken: string;
  operationId?: string;
}): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  let groupIds: string[];
  if (input.groups.kind === 'create') {
    const groupId = NEW_GROUP_PLACEHOLDER;
    out.push(
      { request: { api: 'CreateSecurityGroup', input: createGroupRequest(input.vpcId, input.operationId) }, purpose: `Create the dedicated security group ${dedicatedGroupName(input.vpcId)} (no inbound rules).` },
      { request: { api: 'RevokeSecurityGroupEgress', input: revokeDefaultEgressRequest(groupId) }, purpose: 'Remove the "all traffic out" rule every new group starts with.' },
      {
        request: { api: 'AuthorizeSecurityGroupEgress', input: endpointEgressRequest(groupId, input.vpcCidrs) },
        purpose: `Let the endpoint reach TCP 22 (SSH) and 3389 (RDP) in the VPC (${input.vpcCidrs.join(', ')}), and nothing else.`,
      },
    );
    groupIds = [groupId];
  } else if (input.groups.kind === 'reuse') {
    if (input.groups.missingPorts.length > 0) {
      out.push({
        request: { api: 'AuthorizeSecurityGroupEgress', input: endpointEgressRequest(input.groups.groupId, input.vpcCidrs, input.groups.missingPorts) },
        purpose: `Add the egress the existing ${dedicatedGroupName(input.vpcId)} lacks (TCP ${input.groups.missingPorts.join(' and ')}).`,
      });
    }
    groupIds = [input.groups.groupId];
  } else {
    groupIds = input.groups.groupIds;
  }
  out.push(
    {
      request: {
        api: 'CreateInstanceConnectEndpoint',
        input: createEndpointRequest({ vpcId: input.vpcId, subnetId: input.subnetId, securityGroupIds: groupIds, preserveClientIp: input.preserveClientIp, clientToken: input.clientToken, ...(input.operationId ? { operationId: input.operationId } : {}) }),
      },
      purpose: `Create the endpoint in ${input.subnetId}, tagged CreatedBy=Bastionless. The ClientToken makes a retry return the same endpoint instead of a second one.`,
    },
    {
      request: { api: 'DescribeInstanceConnectEndpoints', input: { InstanceConnectEndpointIds: ['<the new endpoint’s id>'] } },
      purpose: 'Check its state every few seconds (less often as time passes) until it is create-complete; this usually takes a few minutes.',
    },
  );
  return out;
}

/** The review step's rows: IAM action, purpose, and the request as JSON. */
export function toPlannedCalls(requests: readonly PlannedRequest[]): PlannedCall[] {
  return requests.map(({ request, purpose }) => ({ action: `ec2:${request.api}`, purpose, request: JSON.stringify(request.input, null, 2) }));
}
