import { randomBytes, randomUUID } from 'node:crypto';
import type { Instance, SecurityGroup, Subnet, Vpc } from '@aws-sdk/client-ec2';
import {
  ENDPOINT_QUOTAS,
  SetupInput as SetupInputSchema,
  type EndpointRow,
  type EndpointsOverview,
  type GroupOptions,
  type MoveOptions,
  type Notice,
  type Operation,
  type OperationStepId,
  type PathPlan,
  type PermissionReport,
  type RuleOutcome,
  type SetupReview,
  type SubnetOptions,
  type VpcRow,
} from '../../../preload/contract';
import { AppError, type SerializedError } from '../../../preload/contract/errors';
import type { Host } from '../../../preload/contract/hosts';
import type { Logger } from '../../log';
import { allowsOutbound, describePermission } from '../../network/securityGroups';
import { toEndpointFacts, type EndpointFacts } from '../endpoints';
import { cleanAwsMessage } from '../../aws/errors';
import { toEndpointFact } from '../../aws/inventory/instanceFacts';
import { EndpointOperations, type OperationClients } from './endpointOperations';
import type { JournalRecord } from './operationJournal';
import { newSteps } from './operationSteps';
import { buildPathPlan } from './pathPlan';
import type { PollOptions, Sleep } from './poll';
import { checkEndpointQuotas, slotHolders } from './quota';
import type { SetupRequest } from './setupEc2';
import { awsErrorName, mapEndpointError } from './setupErrors';
import {
  CREATED_BY_TAG,
  dedicatedGroupName,
  ENDPOINT_PORTS,
  endpointEgressRequest,
  isCreatedByBastionless,
  missingEgressPorts,
  nameTag,
  NEW_GROUP_PLACEHOLDER,
  plannedRequests,
  toPlannedCalls,
  type GroupPlan,
} from './setupPlan';
import { instancesByZone, recommendSubnet, subnetChoices, zoneFacts, type ZoneFacts } from './subnetChoice';

type SetupValues = ReturnType<typeof SetupInputSchema.parse>;

export interface EndpointSetupOptions {
  dataDir: string;
  log: Logger;
  /** The EC2 API for a profile in a Region (AwsClientFactory.forProfile + sdkSetupEc2 in the app). */
  clientsFor(profileId: string, region: string): Promise<OperationClients>;
  /** Tunnels this app holds through an endpoint (TunnelManager.connectionsInUse). */
  connectionsInUse(endpointId: string): number;
  /** Saved hosts (HostsService.list): an endpoint's dependents. */
  listHosts(): Promise<Host[]>;
  /** The VPC of an instance AWS did not list just now (the inventory's last facts), for dependents. */
  knownInstanceVpc?(profileId: string, region: string, instanceId: string): Promise<string | undefined>;
  onOperationChanged?: (operation: Operation) => void;
  notify?: (notice: Notice) => void;
  poll?: { create: PollOptions; delete: PollOptions };
  sleep?: Sleep;
  now?: () => Date;
}

/** The VPC's IPv4 blocks (all associated ones, not only the first). */
export function vpcCidrs(vpc: Vpc): string[] {
  const associated = (vpc.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlock && (!a.CidrBlockState?.State || a.CidrBlockState.State === 'associated')).map((a) => a.CidrBlock as string);
  return associated.length > 0 ? [...new Set(associated)] : vpc.CidrBlock ? [vpc.CidrBlock] : [];
}

/**
 * Endpoint setup and management: the Endpoints view's list, the wizard's facts (subnets,
 * groups, review, DryRun permission check), and the long-running operations (create, delete,
 * move to another AZ) run by EndpointOperations with a resumable journal; plus "open the path"
 * (inbound rules from the endpoint's group). Plain Node: AWS comes in through `clientsFor`.
 */
export class EndpointSetupService {
  readonly operations: EndpointOperations;

  constructor(private readonly options: EndpointSetupOptions) {
    this.operations = new EndpointOperations({
      dataDir: options.dataDir,
      log: options.log.child('operations'),
      clientsFor: (p, r) => options.clientsFor(p, r),
      ...(options.onOperationChanged ? { onChanged: options.onOperationChanged } : {}),
      ...(options.notify ? { notify: options.notify } : {}),
      ...(options.poll ? { poll: options.poll } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Loads the journal and resumes interrupted waits. */
  start(): Promise<void> {
    return this.operations.start();
  }

  async dispose(): Promise<void> {
    await this.operations.dispose();
  }

  // ---- reads ----

  private async call<T>(clients: OperationClients, region: string, action: string, iamAction: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapEndpointError(error, { action, region, profile: clients.profileName, iamAction });
    }
  }

  private async endpointsOf(clients: OperationClients, region: string): Promise<{ facts: EndpointFacts; tags: { Key?: string; Value?: string }[] }[]> {
    const raws = await this.call(clients, region, 'list the EC2 Instance Connect Endpoints', 'ec2:DescribeInstanceConnectEndpoints', () => clients.ec2.describeEndpoints());
    return raws.flatMap((raw) => {
      const facts = toEndpointFacts(raw);
      return facts ? [{ facts, tags: (raw.Tags ?? []).map((t) => ({ ...(t.Key ? { Key: t.Key } : {}), ...(t.Value !== undefined ? { Value: t.Value } : {}) })) }] : [];
    });
  }

  private async vpc(clients: OperationClients, region: string, vpcId: string): Promise<Vpc> {
    const found = await this.call(clients, region, `read ${vpcId}`, 'ec2:DescribeVpcs', () => clients.ec2.describeVpcs([vpcId]))
      .then((v) => v.find((x) => x.VpcId === vpcId))
      .catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      });
    if (!found) {
      throw new AppError('NOT_FOUND', `There is no VPC ${vpcId} in ${region} for profile "${clients.profileName}".`, { hint: 'Refresh the Endpoints view: it may have been deleted, or belong to another Region or account.' });
    }
    return found;
  }

  /** Soft reads: a failure becomes a warning on the answer instead of failing it. */
  private async soft<T>(warnings: SerializedError[], fallback: T, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const appError = error instanceof AppError ? error : mapEndpointError(error, { action: 'read part of the Region' });
      warnings.push(appError.toJSON());
      return fallback;
    }
  }

  /** The Endpoints view: endpoints, VPCs, quota. */
  async list(profileId: string, region: string): Promise<EndpointsOverview> {
    const clients = await this.options.clientsFor(profileId, region);
    const warnings: SerializedError[] = [];
    const ec2 = clients.ec2;
    const [endpoints, vpcs, zones, instances, subnets, hosts, operations] = await Promise.all([
      this.endpointsOf(clients, region),
      this.call(clients, region, 'list the VPCs', 'ec2:DescribeVpcs', () => ec2.describeVpcs()),
      this.soft(warnings, new Map() as ZoneFacts, () => this.call(clients, region, 'read the Availability Zones', 'ec2:DescribeAvailabilityZones', async () => zoneFacts(await ec2.describeAvailabilityZones()))),
      this.soft(warnings, [] as Instance[], () => this.call(clients, region, 'list the instances', 'ec2:DescribeInstances', () => ec2.describeInstances())),
      this.soft(warnings, [] as Subnet[], () => this.call(clients, region, 'list the subnets', 'ec2:DescribeSubnets', () => ec2.describeSubnets())),
      this.options.listHosts().catch(() => [] as Host[]),
      this.operations.list(),
    ]);
    const groupIds = [...new Set(endpoints.flatMap((e) => e.facts.securityGroupIds))];
    const groups =
      groupIds.length > 0
        ? await this.soft(warnings, [] as SecurityGroup[], () => this.call(clients, region, 'read the endpoints’ security groups', 'ec2:DescribeSecurityGroups', () => ec2.describeSecurityGroups({ groupIds })))
        : [];
    const groupNames = new Map(groups.map((g) => [g.GroupId, g.GroupName]));
    const instanceVpc = new Map(instances.map((i) => [i.InstanceId, i.VpcId]));
    const vpcNames = new Map(vpcs.map((v) => [v.VpcId, nameTag(v.Tags)]));
    const subnetNames = new Map(subnets.map((s) => [s.SubnetId, nameTag(s.Tags)]));
    const scopedHosts = hosts.filter((h) => h.profileId === profileId && h.region === region);
    const hostVpcs = await Promise.all(
      scopedHosts.map(async (h) => instanceVpc.get(h.instanceId) ?? (await this.options.knownInstanceVpc?.(profileId, region, h.instanceId).catch(() => undefined))),
    );
    const unfinished = operations.filter((o) => o.profileId === profileId && o.region === region && (o.status === 'running' || o.status === 'interrupted'));

    const rows: EndpointRow[] = endpoints.map(({ facts, tags }) => {
      const zone = zones.get(facts.availabilityZone);
      const vpcName = vpcNames.get(facts.vpcId);
      const subnetName = subnetNames.get(facts.subnetId);
      const operation = unfinished.find((o) => o.endpointId === facts.id || o.previousEndpointId === facts.id);
      return {
        ...toEndpointFact(facts),
        ...(facts.createdAt ? { createdAt: facts.createdAt.toISOString() } : {}),
        ...(facts.ipAddressType ? { ipAddressType: facts.ipAddressType } : {}),
        securityGroups: facts.securityGroupIds.map((id) => ({ id, ...(groupNames.get(id) ? { name: groupNames.get(id) } : {}) })),
        ...(vpcName ? { vpcName } : {}),
        ...(subnetName ? { subnetName } : {}),
        connectionsInUse: this.options.connectionsInUse(facts.id),
        connectionLimit: ENDPOINT_QUOTAS.connectionsPerEndpoint,
        createdByBastionless: isCreatedByBastionless(tags),
        availabilityZoneState: zone?.state ?? 'unknown',
        ...(zone?.message ? { availabilityZoneMessage: zone.message } : {}),
        dependentHosts: facts.state === 'delete-complete' ? [] : scopedHosts.filter((_h, i) => hostVpcs[i] === facts.vpcId).map((h) => ({ hostId: h.id, label: h.label, instanceId: h.instanceId })),
        ...(operation ? { operationId: operation.operationId } : {}),
      };
    });
    const holders = slotHolders(endpoints.map((e) => e.facts));
    const vpcRows: VpcRow[] = vpcs
      .filter((v) => v.VpcId)
      .map((v) => {
        const name = nameTag(v.Tags);
        const holder = holders.find((e) => e.vpcId === v.VpcId);
        return {
          vpcId: v.VpcId as string,
          ...(name ? { name } : {}),
          cidr: vpcCidrs(v).join(', '),
          isDefault: v.IsDefault ?? false,
          ...(holder ? { endpointId: holder.id } : {}),
          instanceCount: instances.filter((i) => i.VpcId === v.VpcId).length,
          subnetCount: subnets.filter((s) => s.VpcId === v.VpcId).length,
        };
      })
      .sort((a, b) => Number(!!a.endpointId) - Number(!!b.endpointId) || b.instanceCount - a.instanceCount || a.vpcId.localeCompare(b.vpcId));
    // By VPC; deleted ones (still listed by AWS for a while) last.
    rows.sort((a, b) => Number(a.state === 'delete-complete') - Number(b.state === 'delete-complete') || a.vpcId.localeCompare(b.vpcId));
    return {
      profileId,
      profileName: clients.profileName,
      region,
      endpoints: rows,
      vpcs: vpcRows,
      quota: { used: holders.length, limit: ENDPOINT_QUOTAS.perRegion },
      warnings,
      fetchedAt: this.now().toISOString(),
    };
  }

  /** Wizard step 2 (and the move's candidates). */
  async subnets(profileId: string, region: string, vpcId: string, replacingEndpointId?: string): Promise<SubnetOptions> {
    const clients = await this.options.clientsFor(profileId, region);
    const ec2 = clients.ec2;
    const vpc = await this.vpc(clients, region, vpcId);
    const warnings: SerializedError[] = [];
    const [subnets, routeTables, zones, instances, endpoints] = await Promise.all([
      this.call(clients, region, `list the subnets of ${vpcId}`, 'ec2:DescribeSubnets', () => ec2.describeSubnets(vpcId)),
      this.soft(warnings, [], () => this.call(clients, region, `read the route tables of ${vpcId}`, 'ec2:DescribeRouteTables', () => ec2.describeRouteTables(vpcId))),
      this.soft(warnings, new Map() as ZoneFacts, () => this.call(clients, region, 'read the Availability Zones', 'ec2:DescribeAvailabilityZones', async () => zoneFacts(await ec2.describeAvailabilityZones()))),
      this.soft(warnings, [] as Instance[], () => this.call(clients, region, `list the instances of ${vpcId}`, 'ec2:DescribeInstances', () => ec2.describeInstances(vpcId))),
      this.endpointsOf(clients, region),
    ]);
    const facts = endpoints.map((e) => e.facts);
    const choices = subnetChoices({ subnets, routeTables, zones, instances, endpoints: facts, vpcId, ...(replacingEndpointId ? { replacingEndpointId } : {}) });
    const holder = slotHolders(facts, replacingEndpointId).find((e) => e.vpcId === vpcId);
    const name = nameTag(vpc.Tags);
    const replaced = replacingEndpointId ? facts.find((e) => e.id === replacingEndpointId) : undefined;
    const recommended = recommendSubnet(choices, { totalInstances: instances.filter((i) => i.State?.Name !== 'shutting-down').length, ...(replaced?.availabilityZone ? { avoidZone: replaced.availabilityZone } : {}) });
    return {
      vpc: {
        vpcId,
        ...(name ? { name } : {}),
        cidr: vpcCidrs(vpc).join(', '),
        isDefault: vpc.IsDefault ?? false,
        ...(holder ? { endpointId: holder.id } : {}),
        instanceCount: instances.length,
        subnetCount: subnets.length,
      },
      subnets: choices,
      ...(recommended ? { recommended } : {}),
      instancesByZone: instancesByZone(instances),
    };
  }

  /** Wizard step 3. */
  async securityGroups(profileId: string, region: string, vpcId: string): Promise<GroupOptions> {
    const clients = await this.options.clientsFor(profileId, region);
    const vpc = await this.vpc(clients, region, vpcId);
    const cidrs = vpcCidrs(vpc);
    const groups = await this.call(clients, region, `list the security groups of ${vpcId}`, 'ec2:DescribeSecurityGroups', () => clients.ec2.describeSecurityGroups({ vpcId }));
    const name = dedicatedGroupName(vpcId);
    const names = Object.fromEntries(groups.filter((g) => g.GroupId && g.GroupName).map((g) => [g.GroupId as string, g.GroupName as string]));
    const existing = groups.find((g) => g.GroupName === name);
    return {
      vpcId,
      vpcCidr: cidrs.join(', '),
      dedicatedName: name,
      dedicatedEgress: endpointEgressRequest('sg-new', cidrs).IpPermissions?.flatMap((p) => describePermission(p, 'egress')) ?? [],
      ...(existing?.GroupId ? { dedicatedExisting: existing.GroupId } : {}),
      groups: groups
        .filter((g) => g.GroupId)
        .map((g) => ({
          groupId: g.GroupId as string,
          name: g.GroupName ?? '',
          description: g.Description ?? '',
          createdByBastionless: isCreatedByBastionless(g.Tags),
          egress: (g.IpPermissionsEgress ?? []).flatMap((p) => describePermission(p, 'egress', names)),
          egressChecks: ENDPOINT_PORTS.map((port) => {
            const verdicts = cidrs.map((cidr) => allowsOutbound([g], { port, peer: { cidr } }));
            const worst = verdicts.find((v) => v.verdict === 'denied') ?? verdicts.find((v) => v.verdict === 'uncertain') ?? verdicts[0];
            const by = worst?.allowedBy[0]?.text ?? worst?.partial[0]?.text;
            return { port, verdict: worst?.verdict ?? 'denied', ...(by ? { by } : {}) };
          }),
          inboundRuleCount: (g.IpPermissions ?? []).length,
        }))
        .sort((a, b) => Number(b.name === name) - Number(a.name === name) || a.name.localeCompare(b.name)),
    };
  }

  /** Checks the input against AWS (VPC, subnet, groups) and works out how the groups come about. */
  private async validate(input: SetupValues): Promise<{ clients: OperationClients; vpc: Vpc; cidrs: string[]; subnet: Subnet; groups: GroupPlan; endpoints: EndpointFacts[] }> {
    const clients = await this.options.clientsFor(input.profileId, input.region);
    const ec2 = clients.ec2;
    const vpc = await this.vpc(clients, input.region, input.vpcId);
    const cidrs = vpcCidrs(vpc);
    const [subnets, endpoints] = await Promise.all([
      this.call(clients, input.region, `list the subnets of ${input.vpcId}`, 'ec2:DescribeSubnets', () => ec2.describeSubnets(input.vpcId)),
      this.endpointsOf(clients, input.region),
    ]);
    const subnet = subnets.find((s) => s.SubnetId === input.subnetId);
    if (!subnet) {
      throw new AppError('INVALID_INPUT', `Subnet ${input.subnetId} is not in ${input.vpcId}.`, { hint: 'Go back to the subnet step and pick one of the VPC’s subnets.' });
    }
    let groups: GroupPlan;
    if (input.securityGroup.mode === 'existing') {
      const ids = [...new Set(input.securityGroup.groupIds)];
      const found = await this.call(clients, input.region, 'read the chosen security groups', 'ec2:DescribeSecurityGroups', () => ec2.describeSecurityGroups({ groupIds: ids }));
      const foreign = found.filter((g) => g.VpcId && g.VpcId !== input.vpcId).map((g) => g.GroupId);
      if (foreign.length > 0) {
        throw new AppError('INVALID_INPUT', `${foreign.join(', ')} ${foreign.length === 1 ? 'belongs' : 'belong'} to another VPC than ${input.vpcId}.`, { hint: 'An endpoint can only use security groups of its own VPC.' });
      }
      groups = { kind: 'existing', groupIds: ids };
    } else {
      const existing = (await this.call(clients, input.region, `look for ${dedicatedGroupName(input.vpcId)}`, 'ec2:DescribeSecurityGroups', () => ec2.describeSecurityGroups({ vpcId: input.vpcId, groupName: dedicatedGroupName(input.vpcId) })))[0];
      groups = existing?.GroupId ? { kind: 'reuse', groupId: existing.GroupId, missingPorts: missingEgressPorts(existing, cidrs) } : { kind: 'create' };
    }
    return { clients, vpc, cidrs, subnet, groups, endpoints: endpoints.map((e) => e.facts) };
  }

  /** Wizard step 5: quotas, then the exact calls. */
  async review(raw: SetupValues): Promise<SetupReview> {
    const input = SetupInputSchema.parse(raw);
    const { cidrs, subnet, groups, endpoints } = await this.validate(input);
    const quota = checkEndpointQuotas(endpoints, { region: input.region, vpcId: input.vpcId, subnetId: input.subnetId });
    const requests = plannedRequests({ vpcId: input.vpcId, vpcCidrs: cidrs, subnetId: input.subnetId, preserveClientIp: input.preserveClientIp, groups, clientToken: '<a fresh random token>' });
    const notes: string[] = [
      `The endpoint will live in ${subnet.AvailabilityZone ?? 'the subnet’s Availability Zone'} and serve every subnet of ${input.vpcId}.`,
      groups.kind === 'reuse'
        ? `The security group ${dedicatedGroupName(input.vpcId)} (${groups.groupId}) from an earlier setup is reused${groups.missingPorts.length > 0 ? ', and the outbound rules it lacks are added' : ' as it is'}.`
        : groups.kind === 'create'
          ? `A new security group ${dedicatedGroupName(input.vpcId)} is created: outbound TCP 22 and 3389 to ${cidrs.join(', ')} only, no inbound rules (the endpoint's inbound rules do not matter).`
          : `Your security groups ${groups.groupIds.join(', ')} are used as they are.`,
      input.preserveClientIp
        ? 'PreserveClientIp is on: instances see your public IPv4 address, so their groups must allow it (or the endpoint’s group); it does not work over a transit gateway or with IPv6.'
        : 'PreserveClientIp is off: instances see the endpoint’s private address.',
      'If this is the first endpoint in the account, AWS also creates the service-linked role AWSServiceRoleForEC2InstanceConnect (iam:CreateServiceLinkedRole).',
    ];
    return { calls: toPlannedCalls(requests), quota, notes };
  }

  /** Wizard step 5: each call with DryRun. */
  async checkPermissions(raw: SetupValues): Promise<PermissionReport> {
    const input = SetupInputSchema.parse(raw);
    const { clients, cidrs, groups } = await this.validate(input);
    const ec2 = clients.ec2;
    // A group that does not exist yet cannot be named in a DryRun: use a group of the VPC as a stand-in.
    let standIn: string | undefined = groups.kind === 'reuse' ? groups.groupId : groups.kind === 'existing' ? groups.groupIds[0] : undefined;
    if (!standIn) {
      const vpcGroups = await this.call(clients, input.region, `list the security groups of ${input.vpcId}`, 'ec2:DescribeSecurityGroups', () => ec2.describeSecurityGroups({ vpcId: input.vpcId }));
      standIn = (vpcGroups.find((g) => g.GroupName === 'default') ?? vpcGroups[0])?.GroupId;
    }
    const requests = plannedRequests({ vpcId: input.vpcId, vpcCidrs: cidrs, subnetId: input.subnetId, preserveClientIp: input.preserveClientIp, groups, clientToken: randomUUID() }).map((p) =>
      substituteGroup(p.request, standIn),
    );
    const checks = await Promise.all(
      requests.map(async (request) => {
        const action = `ec2:${request.api}`;
        if (!standIn && JSON.stringify(request.input).includes(NEW_GROUP_PLACEHOLDER)) return { action, allowed: 'unknown' as const, message: 'The VPC has no security group to test this call with.' };
        try {
          const result = await ec2.dryRun(request);
          if (result.allowed) return { action, allowed: 'yes' as const };
          // AWS names the exact action refused, which may be one the call implies (ec2:CreateTags, ec2:CreateNetworkInterface).
          const named = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(result.message)?.[1];
          // A group that does not exist yet was dry-run on a stand-in: say so, or its id in AWS's words confuses.
          const standInNote = groups.kind === 'create' && standIn && JSON.stringify(request.input).includes(standIn) ? ` (Checked on ${standIn}, since the new group does not exist yet.)` : '';
          return { action, allowed: 'no' as const, deniedAction: named ?? action, message: `${cleanAwsMessage(result.message)}${standInNote}` };
        } catch (error) {
          const mapped = mapEndpointError(error, { action: `check ${action}`, region: input.region, profile: clients.profileName });
          // Only a refusal answers the question; network and credential failures fail the check.
          if (mapped.code.startsWith('AWS_') && mapped.code !== 'AWS_REQUEST_FAILED') throw mapped;
          return { action, allowed: 'unknown' as const, message: mapped.message };
        }
      }),
    );
    const all = [
      ...checks,
      { action: 'iam:CreateServiceLinkedRole', allowed: 'unknown' as const, message: 'Needed only for the first endpoint in the account; AWS offers no DryRun for it.' },
    ];
    return { checks: all, missing: [...new Set(all.flatMap((c) => ('deniedAction' in c && c.deniedAction ? [c.deniedAction] : c.allowed === 'no' ? [c.action] : [])))] };
  }

  // ---- operations ----

  private operationId(): string {
    return `op-${randomBytes(8).toString('hex')}`;
  }

  private baseRecord(kind: JournalRecord['kind'], profileId: string, region: string, vpcId: string, steps: OperationStepId[]): JournalRecord {
    const at = this.now().toISOString();
    const operationId = this.operationId();
    return {
      operationId,
      kind,
      profileId,
      region,
      vpcId,
      status: 'running',
      steps: newSteps(kind, steps),
      securityGroupIds: [],
      leftovers: [],
      resumable: false,
      startedAt: at,
      updatedAt: at,
    };
  }

  /** Wizard step 6. */
  async create(raw: SetupValues): Promise<Operation> {
    const input = SetupInputSchema.parse(raw);
    await this.operations.assertIdle(input.profileId, input.region, input.vpcId);
    const { cidrs, subnet, groups, endpoints } = await this.validate(input);
    checkEndpointQuotas(endpoints, { region: input.region, vpcId: input.vpcId, subnetId: input.subnetId });
    const steps: OperationStepId[] = ['checkQuota'];
    if (groups.kind === 'create') steps.push('createGroup', 'configureGroup');
    if (groups.kind === 'reuse' && groups.missingPorts.length > 0) steps.push('configureGroup');
    steps.push('createEndpoint', 'waitCreated');
    const record = this.baseRecord('create', input.profileId, input.region, input.vpcId, steps);
    return this.operations.begin({
      ...record,
      subnetId: input.subnetId,
      ...(subnet.AvailabilityZone ? { availabilityZone: subnet.AvailabilityZone } : {}),
      preserveClientIp: input.preserveClientIp,
      securityGroupIds: groups.kind === 'existing' ? groups.groupIds : groups.kind === 'reuse' ? [groups.groupId] : [],
      groupMode: groups.kind === 'existing' ? 'existing' : 'create',
      vpcCidrs: cidrs,
      clientToken: randomUUID(),
    });
  }

  /** Deletes an endpoint and waits until it is gone. */
  async delete(profileId: string, region: string, endpointId: string): Promise<Operation> {
    const clients = await this.options.clientsFor(profileId, region);
    const endpoint = await this.endpoint(clients, region, endpointId);
    const record = this.baseRecord('delete', profileId, region, endpoint.vpcId, ['deleteEndpoint', 'waitDeleted']);
    return this.operations.begin({
      ...record,
      endpointId,
      subnetId: endpoint.subnetId,
      ...(endpoint.availabilityZone ? { availabilityZone: endpoint.availabilityZone } : {}),
      securityGroupIds: endpoint.securityGroupIds,
      preserveClientIp: endpoint.preserveClientIp,
      endpointState: endpoint.state,
    });
  }

  private async endpoint(clients: OperationClients, region: string, endpointId: string): Promise<EndpointFacts> {
    let raw;
    try {
      raw = (await clients.ec2.describeEndpoints([endpointId]))[0];
    } catch (error) {
      if (awsErrorName(error) !== 'InvalidInstanceConnectEndpointId.NotFound') {
        throw mapEndpointError(error, { action: `read ${endpointId}`, region, profile: clients.profileName, iamAction: 'ec2:DescribeInstanceConnectEndpoints' });
      }
    }
    const facts = raw ? toEndpointFacts(raw) : undefined;
    if (!facts || facts.state === 'delete-complete') {
      throw new AppError('NOT_FOUND', `There is no endpoint ${endpointId} in ${region} for profile "${clients.profileName}".`, { hint: 'Refresh the Endpoints view: it may have been deleted.' });
    }
    return facts;
  }

  /** "Move to another AZ": candidates in other AZs, the recommended one, and what the move costs. */
  async moveOptions(profileId: string, region: string, endpointId: string): Promise<MoveOptions> {
    const overview = await this.list(profileId, region);
    const row = overview.endpoints.find((e) => e.id === endpointId && e.state !== 'delete-complete');
    if (!row) throw new AppError('NOT_FOUND', `There is no endpoint ${endpointId} in ${region}.`, { hint: 'Refresh the Endpoints view: it may have been deleted.' });
    const options = await this.subnets(profileId, region, row.vpcId, endpointId);
    const candidates = options.subnets.filter((s) => s.availabilityZone !== row.availabilityZone);
    const recommended = recommendSubnet(candidates, { totalInstances: options.vpc.instanceCount });
    const live = row.connectionsInUse;
    const downtime = [
      `A VPC can have only one endpoint, so the move first deletes ${endpointId} and waits until it is gone (usually under a minute), then creates the new one with the same security groups and PreserveClientIp setting and waits until it is ready (usually a few minutes, sometimes ten).`,
      `Meanwhile nobody can connect to instances in ${row.vpcId} through an endpoint${live > 0 ? `, and the ${live} live connection${live === 1 ? '' : 's'} through it now will drop` : ''}.`,
      'Saved hosts need no change: they find the VPC’s endpoint when they connect.',
      'If Bastionless is closed halfway, it picks the move up again at the next start.',
    ].join(' ');
    return { endpoint: row, candidates, ...(recommended ? { recommended } : {}), downtime };
  }

  /** Moves an endpoint to a subnet of another AZ. */
  async move(profileId: string, region: string, endpointId: string, subnetId: string): Promise<Operation> {
    const clients = await this.options.clientsFor(profileId, region);
    const endpoint = await this.endpoint(clients, region, endpointId);
    const subnets = await this.call(clients, region, `list the subnets of ${endpoint.vpcId}`, 'ec2:DescribeSubnets', () => clients.ec2.describeSubnets(endpoint.vpcId));
    const subnet = subnets.find((s) => s.SubnetId === subnetId);
    if (!subnet) throw new AppError('INVALID_INPUT', `Subnet ${subnetId} is not in ${endpoint.vpcId}, the endpoint's VPC.`, { hint: 'Pick one of the subnets offered for the move.' });
    if (subnet.AvailabilityZone === endpoint.availabilityZone) {
      throw new AppError('INVALID_INPUT', `Subnet ${subnetId} is in ${endpoint.availabilityZone}, the Availability Zone the endpoint is already in.`, { hint: 'Pick a subnet in another Availability Zone.' });
    }
    const all = (await this.endpointsOf(clients, region)).map((e) => e.facts);
    checkEndpointQuotas(all, { region, vpcId: endpoint.vpcId, subnetId, replacingEndpointId: endpointId });
    const record = this.baseRecord('move', profileId, region, endpoint.vpcId, ['checkQuota', 'deleteEndpoint', 'waitDeleted', 'createEndpoint', 'waitCreated']);
    return this.operations.begin({
      ...record,
      previousEndpointId: endpointId,
      ...(endpoint.availabilityZone ? { previousAvailabilityZone: endpoint.availabilityZone } : {}),
      subnetId,
      ...(subnet.AvailabilityZone ? { availabilityZone: subnet.AvailabilityZone } : {}),
      securityGroupIds: endpoint.securityGroupIds,
      preserveClientIp: endpoint.preserveClientIp,
      clientToken: randomUUID(),
    });
  }

  // ---- open the path ----

  private async pathFacts(profileId: string, region: string, endpointId: string) {
    const clients = await this.options.clientsFor(profileId, region);
    const endpoint = await this.endpoint(clients, region, endpointId);
    const ec2 = clients.ec2;
    const [instances, groups, subnets] = await Promise.all([
      this.call(clients, region, `list the instances of ${endpoint.vpcId}`, 'ec2:DescribeInstances', () => ec2.describeInstances(endpoint.vpcId)),
      this.call(clients, region, `list the security groups of ${endpoint.vpcId}`, 'ec2:DescribeSecurityGroups', () => ec2.describeSecurityGroups({ vpcId: endpoint.vpcId })),
      this.call(clients, region, `list the subnets of ${endpoint.vpcId}`, 'ec2:DescribeSubnets', () => ec2.describeSubnets(endpoint.vpcId)),
    ]);
    const cidr = subnets.find((s) => s.SubnetId === endpoint.subnetId)?.CidrBlock;
    return { clients, endpoint, ...buildPathPlan({ endpoint, instances, groups, ...(cidr ? { endpointSubnetCidr: cidr } : {}) }) };
  }

  /** Step 7: which instances the endpoint can reach, and the rules that open the rest. */
  async pathPlan(profileId: string, region: string, endpointId: string): Promise<PathPlan> {
    return (await this.pathFacts(profileId, region, endpointId)).plan;
  }

  /** Step 7: adds the chosen proposed rules (each must be in the current plan). */
  async addRules(profileId: string, region: string, endpointId: string, chosen: readonly { groupId: string; port: number }[]): Promise<{ results: RuleOutcome[]; plan: PathPlan }> {
    const { clients, inbound, endpoint } = await this.pathFacts(profileId, region, endpointId);
    const rules = chosen.map((c) => ({ chosen: c, rule: inbound.rules.find((r) => r.groupId === c.groupId && r.port === c.port) }));
    const unknown = rules.filter((r) => !r.rule).map((r) => `TCP ${r.chosen.port} on ${r.chosen.groupId}`);
    // The person was shown each rule: refuse anything that is not one of them, before adding any.
    if (unknown.length > 0) {
      throw new AppError('INVALID_INPUT', `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the rules proposed for ${endpointId}.`, {
        hint: 'The instances or their groups may have changed: look at the refreshed list and choose again.',
      });
    }
    const results: RuleOutcome[] = [];
    for (const { chosen: c, rule } of rules) {
      if (!rule) continue;
      try {
        await clients.ec2.authorizeSecurityGroupIngress({
          ...rule.request,
          TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [CREATED_BY_TAG, { Key: 'bastionless:endpoint', Value: endpoint.id }] }],
        });
        results.push({ groupId: c.groupId, port: c.port, outcome: 'added' });
      } catch (error) {
        if (awsErrorName(error) === 'InvalidPermission.Duplicate') {
          results.push({ groupId: c.groupId, port: c.port, outcome: 'alreadyPresent' });
          continue;
        }
        const mapped = mapEndpointError(error, { action: `add an inbound rule (TCP ${c.port} from ${rule.sourceGroupId}) to ${c.groupId}`, region, profile: clients.profileName, iamAction: 'ec2:AuthorizeSecurityGroupIngress' });
        results.push({ groupId: c.groupId, port: c.port, outcome: 'failed', error: mapped.toJSON() });
      }
    }
    return { results, plan: await this.pathPlan(profileId, region, endpointId) };
  }
}

function substituteGroup(request: SetupRequest, groupId: string | undefined): SetupRequest {
  // The endpoint's id is not known before it exists: check the permission on the whole list.
  if (request.api === 'DescribeInstanceConnectEndpoints') return { api: request.api, input: {} };
  if (!groupId) return request;
  const text = JSON.stringify(request.input).replaceAll(NEW_GROUP_PLACEHOLDER, groupId);
  return { ...request, input: JSON.parse(text) } as SetupRequest;
}

