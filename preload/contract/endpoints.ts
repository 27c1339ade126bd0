import { z } from 'zod';
import { event, invoke } from './define';
import { SerializedError } from './errors';
import { EndpointFact, EndpointState } from './inventory';
import { ProfileId, RegionName } from './profiles';

export const VpcIdSchema = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'not a VPC id (vpc-0123456789abcdef0)');
export const SubnetIdSchema = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'not a subnet id (subnet-0123456789abcdef0)');
export const SecurityGroupIdSchema = z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'not a security group id (sg-0123456789abcdef0)');
export const EndpointIdSchema = z.string().regex(/^eice-[0-9a-f]{8,17}$/, 'not an EC2 Instance Connect Endpoint id (eice-0123456789abcdef0)');
export const OperationIdSchema = z.string().regex(/^op-[a-z0-9]{8,32}$/, 'not an operation id (op-...)');

/** AWS's fixed quotas for EC2 Instance Connect Endpoints (EICE.md; not adjustable). */
export const ENDPOINT_QUOTAS = { perRegion: 5, perVpc: 1, perSubnet: 1, connectionsPerEndpoint: 20 } as const;

const Scope = { profileId: ProfileId, region: RegionName };

export const AzState = z.enum(['available', 'information', 'impaired', 'unavailable', 'unknown']);
export type AzState = z.infer<typeof AzState>;

/** One endpoint as the Endpoints view shows it. */
export const EndpointRow = EndpointFact.extend({
  createdAt: z.string().optional(),
  ipAddressType: z.enum(['ipv4', 'dualstack', 'ipv6']).optional(),
  /** Its security groups with their names, when they could be read. */
  securityGroups: z.array(z.object({ id: z.string(), name: z.string().optional() })),
  vpcName: z.string().optional(),
  subnetName: z.string().optional(),
  /** Live tunnels this app holds through it, out of `connectionLimit` (20). */
  connectionsInUse: z.number().int().nonnegative(),
  connectionLimit: z.number().int().positive(),
  /** Tagged CreatedBy=Bastionless. */
  createdByBastionless: z.boolean(),
  /** The state of its Availability Zone (DescribeAvailabilityZones): `impaired` suggests moving it. */
  availabilityZoneState: AzState,
  availabilityZoneMessage: z.string().optional(),
  /** Saved hosts whose instance is in its VPC: they connect through it. */
  dependentHosts: z.array(z.object({ hostId: z.string(), label: z.string(), instanceId: z.string() })),
  /** An unfinished operation of this app on it (being created, deleted or moved). */
  operationId: z.string().optional(),
});
export type EndpointRow = z.infer<typeof EndpointRow>;

/** A VPC of the Region and whether it has its one endpoint. */
export const VpcRow = z.object({
  vpcId: z.string(),
  name: z.string().optional(),
  cidr: z.string(),
  isDefault: z.boolean(),
  /** The endpoint that holds the VPC's one slot (any state but delete-complete). */
  endpointId: z.string().optional(),
  instanceCount: z.number().int().nonnegative(),
  subnetCount: z.number().int().nonnegative(),
});
export type VpcRow = z.infer<typeof VpcRow>;

export const EndpointsOverview = z.object({
  profileId: z.string(),
  profileName: z.string(),
  region: z.string(),
  endpoints: z.array(EndpointRow),
  vpcs: z.array(VpcRow),
  /** Endpoints that hold a Region slot (all but delete-complete), out of 5. */
  quota: z.object({ used: z.number().int(), limit: z.number().int() }),
  /** Something that could not be read without failing the list (AZ states, subnets, instances). */
  warnings: z.array(SerializedError),
  fetchedAt: z.string(),
});
export type EndpointsOverview = z.infer<typeof EndpointsOverview>;

/** A subnet the endpoint could live in (wizard step 2, and "Move to another AZ"). */
export const SubnetChoice = z.object({
  subnetId: z.string(),
  name: z.string().optional(),
  availabilityZone: z.string(),
  availabilityZoneId: z.string().optional(),
  availabilityZoneState: AzState,
  availabilityZoneMessage: z.string().optional(),
  cidr: z.string(),
  /** From its route table: public (default route to an internet gateway) or private. */
  routing: z.enum(['public', 'private', 'unknown']),
  routingExplanation: z.string(),
  availableIps: z.number().int().nonnegative().optional(),
  /** Instances in this subnet, and in its Availability Zone (all subnets of the VPC). */
  instanceCount: z.number().int().nonnegative(),
  zoneInstanceCount: z.number().int().nonnegative(),
  /** The endpoint that already holds this subnet's one slot. */
  occupiedBy: z.string().optional(),
  /** Whether an endpoint can be created here; `whyNot` says why not. */
  usable: z.boolean(),
  whyNot: z.string().optional(),
});
export type SubnetChoice = z.infer<typeof SubnetChoice>;

export const SubnetOptions = z.object({
  vpc: VpcRow,
  subnets: z.array(SubnetChoice),
  /** The recommended subnet and why, in plain words. */
  recommended: z.object({ subnetId: z.string(), reason: z.string() }).optional(),
  /** Running and stopped instances of the VPC per Availability Zone, most first. */
  instancesByZone: z.array(z.object({ availabilityZone: z.string(), count: z.number().int() })),
});
export type SubnetOptions = z.infer<typeof SubnetOptions>;

/** What a group's egress rules allow for the endpoint's job: TCP 22 and 3389 into the VPC. */
export const EgressCheck = z.object({
  port: z.number().int(),
  verdict: z.enum(['allowed', 'uncertain', 'denied']),
  /** The rule that allows it, in words. */
  by: z.string().optional(),
});
export type EgressCheck = z.infer<typeof EgressCheck>;

export const GroupChoice = z.object({
  groupId: z.string(),
  name: z.string(),
  description: z.string(),
  /** Tagged CreatedBy=Bastionless. */
  createdByBastionless: z.boolean(),
  /** Each egress rule in words (`TCP 22 to 10.0.0.0/16`). */
  egress: z.array(z.string()),
  egressChecks: z.array(EgressCheck),
  inboundRuleCount: z.number().int(),
});
export type GroupChoice = z.infer<typeof GroupChoice>;

export const GroupOptions = z.object({
  vpcId: z.string(),
  vpcCidr: z.string(),
  /** The dedicated group's name: `bastionless-eice-<vpc>`. */
  dedicatedName: z.string(),
  /** Its egress rules, in words, as the wizard would create them. */
  dedicatedEgress: z.array(z.string()),
  /** A group of that name already in the VPC (from an earlier setup): chosen instead of making another. */
  dedicatedExisting: z.string().optional(),
  groups: z.array(GroupChoice),
});
export type GroupOptions = z.infer<typeof GroupOptions>;

/** Everything the wizard decided: what `review`, `checkPermissions` and `create` take. */
export const SetupInput = z.strictObject({
  ...Scope,
  vpcId: VpcIdSchema,
  subnetId: SubnetIdSchema,
  securityGroup: z.discriminatedUnion('mode', [
    /** Create (or reuse, if it exists) the dedicated `bastionless-eice-<vpc>` group. */
    z.strictObject({ mode: z.literal('create') }),
    z.strictObject({ mode: z.literal('existing'), groupIds: z.array(SecurityGroupIdSchema).min(1).max(16) }),
  ]),
  /** Off: instances see the endpoint's private IP. On: they see your public IPv4 (constraints apply). */
  preserveClientIp: z.boolean(),
});
export type SetupInput = z.input<typeof SetupInput>;

/** One AWS API call the wizard will make, exactly. */
export const PlannedCall = z.object({
  /** `ec2:CreateSecurityGroup`: also the IAM action it needs. */
  action: z.string(),
  /** What it is for, in plain words. */
  purpose: z.string(),
  /** The request, as JSON (ids not known yet appear as `<...>`). */
  request: z.string(),
});
export type PlannedCall = z.infer<typeof PlannedCall>;

export const SetupReview = z.object({
  calls: z.array(PlannedCall),
  /** The Region's quota after this endpoint: `used` of `limit`. */
  quota: z.object({ used: z.number().int(), limit: z.number().int() }),
  /** Plain-word notes: the group reused, the AZ, what PreserveClientIp means here. */
  notes: z.array(z.string()),
});
export type SetupReview = z.infer<typeof SetupReview>;

export const PermissionCheck = z.object({
  action: z.string(),
  /** `yes` (DryRunOperation), `no` (UnauthorizedOperation), or `unknown` (cannot be dry-run, or another error). */
  allowed: z.enum(['yes', 'no', 'unknown']),
  /** The IAM action AWS named in its refusal: the call's own, or one it implies (ec2:CreateTags, ec2:CreateNetworkInterface). */
  deniedAction: z.string().optional(),
  message: z.string().optional(),
});
export type PermissionCheck = z.infer<typeof PermissionCheck>;

export const PermissionReport = z.object({
  checks: z.array(PermissionCheck),
  /** IAM actions refused (as AWS named them): the setup would fail at them. */
  missing: z.array(z.string()),
});
export type PermissionReport = z.infer<typeof PermissionReport>;

export const OperationStepId = z.enum(['checkQuota', 'createGroup', 'configureGroup', 'deleteEndpoint', 'waitDeleted', 'createEndpoint', 'waitCreated', 'deleteGroup']);
export type OperationStepId = z.infer<typeof OperationStepId>;

export const OperationStep = z.object({
  id: OperationStepId,
  label: z.string(),
  state: z.enum(['pending', 'active', 'done', 'failed', 'skipped']),
  detail: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type OperationStep = z.infer<typeof OperationStep>;

/**
 * A long-running endpoint operation, kept in main (and in endpoint-operations.json) so it
 * survives the window reloading and the app restarting.
 */
export const Operation = z.object({
  operationId: z.string(),
  kind: z.enum(['create', 'delete', 'move']),
  profileId: z.string(),
  region: z.string(),
  vpcId: z.string(),
  /**
   * `running`; `succeeded`; `failed` (error says why); `cancelled` (by the person); `interrupted`
   * (the app closed halfway: `resume` carries on from the last finished step).
   */
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled', 'interrupted']),
  steps: z.array(OperationStep),
  subnetId: z.string().optional(),
  availabilityZone: z.string().optional(),
  securityGroupIds: z.array(z.string()),
  preserveClientIp: z.boolean().optional(),
  /** The endpoint created (create, move) or being deleted (delete). */
  endpointId: z.string().optional(),
  /** Move: the endpoint being replaced. */
  previousEndpointId: z.string().optional(),
  previousAvailabilityZone: z.string().optional(),
  endpointState: EndpointState.optional(),
  stateMessage: z.string().optional(),
  /** A security group this operation created: used by the endpoint, or offered for deletion. */
  createdGroup: z
    .object({
      groupId: z.string(),
      name: z.string(),
      /** `pending`: not used by an endpoint, waiting for the person to delete or keep it. */
      decision: z.enum(['used', 'pending', 'deleted', 'kept']),
    })
    .optional(),
  /** What is left in AWS after a cancel or failure, in plain sentences. */
  leftovers: z.array(z.string()),
  /** `resume` can carry on from where it stopped. */
  resumable: z.boolean(),
  error: SerializedError.optional(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
});
export type Operation = z.infer<typeof Operation>;

export const MoveOptions = z.object({
  endpoint: EndpointRow,
  /** Subnets of the VPC in other Availability Zones. */
  candidates: z.array(SubnetChoice),
  recommended: z.object({ subnetId: z.string(), reason: z.string() }).optional(),
  /** What the move does and how long the VPC is unreachable, in plain words. */
  downtime: z.string(),
});
export type MoveOptions = z.infer<typeof MoveOptions>;

/** One instance of the VPC and whether the endpoint can reach its SSH/RDP port. */
export const PathInstance = z.object({
  instanceId: z.string(),
  name: z.string().optional(),
  platform: z.enum(['linux', 'windows']),
  state: z.string(),
  privateIp: z.string().optional(),
  port: z.number().int(),
  securityGroups: z.array(z.object({ id: z.string(), name: z.string().optional() })),
  /** `open`: a rule allows it; `needsRule`: a proposed rule opens it; `uncertain`: a rule covers part of the endpoint's subnet; `unknown`: its groups could not be read. */
  status: z.enum(['open', 'needsRule', 'uncertain', 'unknown']),
  /** The rule that allows it, in words. */
  allowedBy: z.string().optional(),
  /** The endpoint's own groups do not let this port out to the instance: inbound rules alone will not do. */
  egressBlocked: z.boolean(),
});
export type PathInstance = z.infer<typeof PathInstance>;

/** An inbound rule to add: TCP port from the endpoint's group, on one of the instances' groups. */
export const ProposedRule = z.object({
  groupId: z.string(),
  groupName: z.string().optional(),
  port: z.number().int(),
  sourceGroupId: z.string(),
  instanceIds: z.array(z.string()),
  /** `TCP 22 from sg-... (bastionless-eice-vpc-...)`. */
  text: z.string(),
  /** The AuthorizeSecurityGroupIngress request, as JSON. */
  request: z.string(),
});
export type ProposedRule = z.infer<typeof ProposedRule>;

export const PathPlan = z.object({
  endpointId: z.string(),
  vpcId: z.string(),
  endpointGroupIds: z.array(z.string()),
  instances: z.array(PathInstance),
  rules: z.array(ProposedRule),
});
export type PathPlan = z.infer<typeof PathPlan>;

export const RuleOutcome = z.object({
  groupId: z.string(),
  port: z.number().int(),
  outcome: z.enum(['added', 'alreadyPresent', 'failed']),
  error: SerializedError.optional(),
});
export type RuleOutcome = z.infer<typeof RuleOutcome>;

const EndpointRef = z.strictObject({ ...Scope, endpointId: EndpointIdSchema });
const OperationRef = z.strictObject({ operationId: OperationIdSchema });

export const endpoints = {
  /**
   * Resolves with every endpoint of the profile in the Region (state, AZ and its health, groups,
   * DNS names, connections in use, dependent saved hosts), every VPC with its endpoint (or none)
   * and the Region quota in use. Fails with AWS_* codes (credentials, permissions, network).
   */
  list: invoke(z.strictObject(Scope), EndpointsOverview),
  /**
   * Wizard step 2: the VPC's subnets with AZ, public/private and room, and the recommended one
   * (in the AZ where most of the VPC's instances run). Fails with NOT_FOUND (no such VPC) and AWS_* codes.
   */
  subnets: invoke(z.strictObject({ ...Scope, vpcId: VpcIdSchema }), SubnetOptions),
  /**
   * Wizard step 3: the VPC's security groups with their egress rules checked for TCP 22 and 3389
   * into the VPC, and what the dedicated group would be. Fails with NOT_FOUND and AWS_* codes.
   */
  securityGroups: invoke(z.strictObject({ ...Scope, vpcId: VpcIdSchema }), GroupOptions),
  /**
   * Wizard step 5: the exact API calls `create` will make, after checking the quotas (5 per
   * Region, 1 per VPC, 1 per subnet). Fails with EIC_QUOTA_EXCEEDED (naming the endpoint that
   * holds the slot), INVALID_INPUT (subnet not in the VPC, group of another VPC), NOT_FOUND, AWS_*.
   */
  review: invoke(SetupInput, SetupReview),
  /**
   * Wizard step 5: sends each call with DryRun and resolves with which IAM actions are allowed
   * and which are missing. Fails with AWS_* codes other than a refusal (network, credentials).
   */
  checkPermissions: invoke(SetupInput, PermissionReport),
  /**
   * Wizard step 6: starts creating the endpoint (and the dedicated group) and resolves at once
   * with the operation; progress comes as `operationChanged`. Fails with EIC_QUOTA_EXCEEDED,
   * EIC_OPERATION_IN_PROGRESS (another operation on the VPC), INVALID_INPUT, AWS_*.
   */
  create: invoke(SetupInput, Operation),
  /**
   * Starts deleting an endpoint (and waiting until it is gone); resolves with the operation.
   * Fails with NOT_FOUND, EIC_OPERATION_IN_PROGRESS, AWS_*.
   */
  delete: invoke(EndpointRef, Operation),
  /** "Move to another AZ": the candidate subnets and the recommended one. Fails with NOT_FOUND, AWS_*. */
  moveOptions: invoke(EndpointRef, MoveOptions),
  /**
   * Moves the endpoint to `subnetId` (another AZ of its VPC): deletes it, waits, creates the new
   * one with the same groups and settings, waits for create-complete. Resolves with the
   * operation at once. Fails with INVALID_INPUT (same AZ, other VPC), EIC_QUOTA_EXCEEDED,
   * EIC_OPERATION_IN_PROGRESS, NOT_FOUND, AWS_*.
   */
  move: invoke(z.strictObject({ ...Scope, endpointId: EndpointIdSchema, subnetId: SubnetIdSchema }), Operation),
  /** Every operation kept in the journal (running, interrupted, and finished ones not yet dismissed), newest first. */
  operations: invoke(z.strictObject({}), z.array(Operation)),
  /**
   * Stops a running operation at the next safe point; resolves with it. AWS work already
   * started (an endpoint being created) carries on, and `leftovers` says so; a group created
   * and not used is offered for deletion (`settleGroup`). Fails with NOT_FOUND.
   */
  cancel: invoke(OperationRef, Operation),
  /** Carries on an interrupted, failed or cancelled operation from its last finished step. Fails with NOT_FOUND, INVALID_INPUT (finished), EIC_OPERATION_IN_PROGRESS. */
  resume: invoke(OperationRef, Operation),
  /**
   * Deletes (or keeps) the security group a cancelled or failed setup created and did not use.
   * Fails with NOT_FOUND, EIC_GROUP_IN_USE (something else uses it now), AWS_*.
   */
  settleGroup: invoke(z.strictObject({ operationId: OperationIdSchema, action: z.enum(['delete', 'keep']) }), Operation),
  /** Forgets a finished operation. Resolves with null. Fails with INVALID_INPUT (still running). */
  dismiss: invoke(OperationRef, z.null()),
  /**
   * Wizard step 7: the VPC's instances, whether the endpoint can reach 22 (Linux) / 3389
   * (Windows) on each, and the fewest inbound rules (source = the endpoint's group) that open
   * the rest. Fails with NOT_FOUND, AWS_*.
   */
  pathPlan: invoke(EndpointRef, PathPlan),
  /**
   * Adds the chosen proposed rules (each `groupId`+`port` must be in the current plan) and
   * resolves with each outcome and the new plan. A rule that already exists counts as present.
   * Fails with INVALID_INPUT (a rule not in the plan), NOT_FOUND, AWS_*.
   */
  addRules: invoke(
    z.strictObject({ ...Scope, endpointId: EndpointIdSchema, rules: z.array(z.strictObject({ groupId: SecurityGroupIdSchema, port: z.number().int().min(1).max(65535) })).min(1).max(50) }),
    z.object({ results: z.array(RuleOutcome), plan: PathPlan }),
  ),
  /** An operation changed: a step started or finished, the endpoint's state moved, it ended. */
  operationChanged: event(Operation),
};
