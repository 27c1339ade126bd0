import type { OperationStep, OperationStepId } from '../../../preload/contract/endpoints';
import { AppError } from '../../../preload/contract/errors';
import { toEndpointFacts, type EndpointFacts } from '../endpoints';
import type { JournalRecord } from './operationJournal';
import { CREATE_POLL, DELETE_POLL, pollUntil, type PollOptions, type Sleep } from './poll';
import { checkEndpointQuotas } from './quota';
import type { SetupEc2 } from './setupEc2';
import { awsErrorName, mapEndpointError } from './setupErrors';
import {
  createEndpointRequest,
  createGroupRequest,
  dedicatedGroupName,
  endpointEgressRequest,
  missingEgressPorts,
  operationTagOf,
  revokeDefaultEgressRequest,
} from './setupPlan';

/** For a journal record that lacks what its next step needs (it cannot be resumed as it is). */
const LOST_STATE_HINT = 'Cancel this operation in the Endpoints view, check the endpoint and its security group there, then run the setup again.';

/** What a step runs with: the EC2 API, the record and a way to change it (journal + event). */
export interface StepContext {
  ec2: SetupEc2;
  profileName: string;
  signal: AbortSignal;
  record(): JournalRecord;
  /** Writes the change to the journal and tells the window. */
  patch(change: Partial<JournalRecord>): Promise<void>;
  poll: { create: PollOptions; delete: PollOptions };
  sleep?: Sleep;
  now?: () => number;
}

const LABELS: Record<OperationStepId, (kind: JournalRecord['kind']) => string> = {
  checkQuota: () => 'Check the quotas',
  createGroup: () => 'Create the security group',
  configureGroup: () => 'Set its outbound rules',
  deleteEndpoint: (kind) => (kind === 'move' ? 'Delete the old endpoint' : 'Delete the endpoint'),
  waitDeleted: () => 'Wait until it is gone',
  createEndpoint: (kind) => (kind === 'move' ? 'Create the new endpoint' : 'Create the endpoint'),
  waitCreated: () => 'Wait for create-complete',
  deleteGroup: () => 'Delete the security group',
};

export function newSteps(kind: JournalRecord['kind'], ids: readonly OperationStepId[]): OperationStep[] {
  return ids.map((id) => ({ id, label: LABELS[id](kind), state: 'pending' }));
}

const ctxOf = (c: StepContext, action: string, iamAction?: string) => ({ action, region: c.record().region, profile: c.profileName, ...(iamAction ? { iamAction } : {}) });

/** Runs one step; resolves with a detail line for the step (what was done). */
export async function runStep(id: OperationStepId, c: StepContext): Promise<string | undefined> {
  switch (id) {
    case 'checkQuota':
      return checkQuota(c);
    case 'createGroup':
      return createGroup(c);
    case 'configureGroup':
      return configureGroup(c);
    case 'deleteEndpoint':
      return deleteEndpoint(c);
    case 'waitDeleted':
      return waitDeleted(c);
    case 'createEndpoint':
      return createEndpoint(c);
    case 'waitCreated':
      return waitCreated(c);
    case 'deleteGroup':
      return deleteGroup(c);
  }
}

async function regionEndpoints(c: StepContext): Promise<EndpointFacts[]> {
  try {
    return (await c.ec2.describeEndpoints()).map(toEndpointFacts).filter((e): e is EndpointFacts => !!e);
  } catch (error) {
    throw mapEndpointError(error, ctxOf(c, 'list the EC2 Instance Connect Endpoints', 'ec2:DescribeInstanceConnectEndpoints'));
  }
}

async function checkQuota(c: StepContext): Promise<string> {
  const r = c.record();
  if (!r.subnetId) throw new AppError('INTERNAL', 'The operation has no subnet to create the endpoint in.', { hint: LOST_STATE_HINT });
  const endpoints = await regionEndpoints(c);
  // Our own endpoint (a resumed create that already made it) does not compete with itself.
  const replacing = r.kind === 'move' ? r.previousEndpointId : r.endpointId;
  const usage = checkEndpointQuotas(endpoints, { region: r.region, vpcId: r.vpcId, subnetId: r.subnetId, ...(replacing ? { replacingEndpointId: replacing } : {}) });
  return `${usage.used} of ${usage.limit} endpoints in ${r.region} once this one exists; none in ${r.vpcId} or ${r.subnetId}.`;
}

async function createGroup(c: StepContext): Promise<string> {
  const r = c.record();
  if (r.createdGroup) return `${r.createdGroup.groupId} (${r.createdGroup.name}).`;
  const name = dedicatedGroupName(r.vpcId);
  // A crash between CreateSecurityGroup and the journal write leaves a group we made: find it by name.
  let found;
  try {
    found = (await c.ec2.describeSecurityGroups({ vpcId: r.vpcId, groupName: name }))[0];
  } catch (error) {
    throw mapEndpointError(error, ctxOf(c, `look for the security group ${name}`, 'ec2:DescribeSecurityGroups'));
  }
  if (found?.GroupId) {
    if (operationTagOf(found.Tags) === r.operationId) {
      await c.patch({ createdGroup: { groupId: found.GroupId, name, decision: 'pending' }, securityGroupIds: [found.GroupId] });
      return `${found.GroupId} (${name}).`;
    }
    await c.patch({ securityGroupIds: [found.GroupId] });
    return `Reusing ${found.GroupId} (${name}), made by an earlier setup.`;
  }
  let groupId: string;
  try {
    groupId = await c.ec2.createSecurityGroup(createGroupRequest(r.vpcId, r.operationId));
  } catch (error) {
    throw mapEndpointError(error, ctxOf(c, `create the security group ${name} in ${r.vpcId}`, 'ec2:CreateSecurityGroup'));
  }
  await c.patch({ createdGroup: { groupId, name, decision: 'pending' }, securityGroupIds: [groupId] });
  return `${groupId} (${name}).`;
}

async function configureGroup(c: StepContext): Promise<string> {
  const r = c.record();
  const groupId = r.securityGroupIds[0];
  const cidrs = r.vpcCidrs ?? [];
  if (!groupId || cidrs.length === 0) throw new AppError('INTERNAL', 'The operation lost track of its security group or the VPC’s address blocks.', { hint: LOST_STATE_HINT });
  let group;
  try {
    group = (await c.ec2.describeSecurityGroups({ groupIds: [groupId] }))[0];
  } catch (error) {
    throw mapEndpointError(error, ctxOf(c, `read the security group ${groupId}`, 'ec2:DescribeSecurityGroups'));
  }
  if (!group) throw new AppError('NOT_FOUND', `The security group ${groupId} is gone.`, { hint: 'Start the setup again.' });
  const done: string[] = [];
  const ours = r.createdGroup?.groupId === groupId;
  const allOut = (group.IpPermissionsEgress ?? []).some((p) => p.IpProtocol === '-1' && (p.IpRanges ?? []).some((x) => x.CidrIp === '0.0.0.0/0'));
  if (ours && allOut) {
    try {
      await c.ec2.revokeSecurityGroupEgress(revokeDefaultEgressRequest(groupId));
      done.push('removed "all traffic out"');
    } catch (error) {
      if (awsErrorName(error) !== 'InvalidPermission.NotFound') throw mapEndpointError(error, ctxOf(c, `remove the default outbound rule of ${groupId}`, 'ec2:RevokeSecurityGroupEgress'));
    }
  }
  // Re-read the rules as they are now: the revoke changed them.
  const current = ours && allOut ? { ...group, IpPermissionsEgress: (group.IpPermissionsEgress ?? []).filter((p) => p.IpProtocol !== '-1') } : group;
  const missing = missingEgressPorts(current, cidrs);
  if (missing.length > 0) {
    try {
      await c.ec2.authorizeSecurityGroupEgress(endpointEgressRequest(groupId, cidrs, missing));
    } catch (error) {
      if (awsErrorName(error) !== 'InvalidPermission.Duplicate') throw mapEndpointError(error, ctxOf(c, `add outbound rules to ${groupId}`, 'ec2:AuthorizeSecurityGroupEgress'));
    }
    done.push(`allowed TCP ${missing.join(' and ')} out to ${cidrs.join(', ')}`);
  }
  return done.length > 0 ? `${done.join('; ')}.`.replace(/^./, (x) => x.toUpperCase()) : `Already allows TCP 22 and 3389 out to ${cidrs.join(', ')}.`;
}

const endpointOf = (r: JournalRecord): string | undefined => (r.kind === 'move' ? r.previousEndpointId : r.endpointId);

async function deleteEndpoint(c: StepContext): Promise<string> {
  const r = c.record();
  const id = endpointOf(r);
  if (!id) throw new AppError('INTERNAL', 'The operation has no endpoint to delete.', { hint: LOST_STATE_HINT });
  // A resumed operation may have sent the delete already: AWS refuses a second one (IncorrectState).
  const before = await describeOne(c, id);
  if (!before || before.state === 'delete-in-progress' || before.state === 'delete-complete') {
    if (r.kind === 'delete' && before) await c.patch({ endpointState: before.state });
    return before ? `AWS is already deleting ${id}.` : `${id} was already gone.`;
  }
  try {
    const out = await c.ec2.deleteEndpoint(id);
    if (r.kind === 'delete' && out?.State) await c.patch({ endpointState: out.State as JournalRecord['endpointState'] });
    return `AWS is deleting ${id}.`;
  } catch (error) {
    // Already gone (a resumed operation, or someone else deleted it): that is what we wanted.
    if (awsErrorName(error) === 'InvalidInstanceConnectEndpointId.NotFound') return `${id} was already gone.`;
    throw mapEndpointError(error, ctxOf(c, `delete the endpoint ${id}`, 'ec2:DeleteInstanceConnectEndpoint'));
  }
}

async function describeOne(c: StepContext, id: string): Promise<EndpointFacts | undefined> {
  try {
    const raw = (await c.ec2.describeEndpoints([id]))[0];
    return raw ? toEndpointFacts(raw) : undefined;
  } catch (error) {
    if (awsErrorName(error) === 'InvalidInstanceConnectEndpointId.NotFound') return undefined;
    throw mapEndpointError(error, ctxOf(c, `read the state of ${id}`, 'ec2:DescribeInstanceConnectEndpoints'));
  }
}

async function waitDeleted(c: StepContext): Promise<string> {
  const r = c.record();
  const id = endpointOf(r);
  if (!id) throw new AppError('INTERNAL', 'The operation has no endpoint to wait for.', { hint: LOST_STATE_HINT });
  const own = r.kind === 'delete';
  const result = await pollUntil(
    async () => {
      const e = await describeOne(c, id);
      if (own && e && e.state !== c.record().endpointState) await c.patch({ endpointState: e.state, ...(e.stateMessage ? { stateMessage: e.stateMessage } : {}) });
      return e;
    },
    (e) => !e || e.state === 'delete-complete' || e.state === 'delete-failed',
    { poll: c.poll.delete, signal: c.signal, ...(c.sleep ? { sleep: c.sleep } : {}), ...(c.now ? { now: c.now } : {}) },
  );
  if (result.timedOut) {
    throw new AppError('EIC_WAIT_TIMEOUT', `${id} is still ${result.value?.state ?? 'being deleted'} after ${Math.round(c.poll.delete.timeoutMs / 60_000)} minutes.`, {
      hint: 'AWS is slow to delete it: resume later to keep waiting, or check the endpoint in the VPC console.',
      retryable: true,
    });
  }
  if (result.value?.state === 'delete-failed') {
    await c.patch({ terminal: r.kind === 'delete' });
    const said = result.value.stateMessage ? ` AWS says: "${result.value.stateMessage}"` : '';
    throw new AppError('EIC_ENDPOINT_DELETE_FAILED', `AWS could not delete ${id}.${said}`, {
      hint: 'Try deleting it again; if it keeps failing, check in the VPC console whether something still uses its network interface.',
    });
  }
  if (own) await c.patch({ endpointState: 'delete-complete' });
  return `${id} is gone.`;
}

async function createEndpoint(c: StepContext): Promise<string> {
  const r = c.record();
  if (r.endpointId && r.kind !== 'delete') return `${r.endpointId}.`;
  if (!r.subnetId || !r.clientToken || r.preserveClientIp === undefined) throw new AppError('INTERNAL', 'The operation lost the settings of the endpoint to create.', { hint: LOST_STATE_HINT });
  // A crash between CreateInstanceConnectEndpoint and the journal write: find what we made by its tag.
  let existing: EndpointFacts | undefined;
  try {
    const raws = await c.ec2.describeEndpoints();
    const ours = raws.find((e) => e.VpcId === r.vpcId && operationTagOf(e.Tags) === r.operationId && e.State !== 'delete-complete' && e.State !== 'delete-in-progress');
    existing = ours ? toEndpointFacts(ours) : undefined;
  } catch (error) {
    throw mapEndpointError(error, ctxOf(c, 'list the EC2 Instance Connect Endpoints', 'ec2:DescribeInstanceConnectEndpoints'));
  }
  let created = existing;
  if (!created) {
    try {
      const raw = await c.ec2.createEndpoint(
        createEndpointRequest({ vpcId: r.vpcId, subnetId: r.subnetId, securityGroupIds: r.securityGroupIds, preserveClientIp: r.preserveClientIp, clientToken: r.clientToken, operationId: r.operationId }),
      );
      created = toEndpointFacts(raw);
    } catch (error) {
      throw mapEndpointError(error, ctxOf(c, `create an EC2 Instance Connect Endpoint in ${r.subnetId}`, 'ec2:CreateInstanceConnectEndpoint'));
    }
  }
  if (!created) throw new AppError('AWS_REQUEST_FAILED', 'AWS created the endpoint but returned no id for it.', { hint: 'Refresh the Endpoints view: it should be listed.' });
  await c.patch({
    endpointId: created.id,
    endpointState: created.state,
    ...(created.availabilityZone ? { availabilityZone: created.availabilityZone } : {}),
    ...(r.createdGroup ? { createdGroup: { ...r.createdGroup, decision: 'used' } } : {}),
  });
  return `${created.id} in ${created.availabilityZone || r.subnetId}.`;
}

async function waitCreated(c: StepContext): Promise<string> {
  const id = c.record().endpointId;
  if (!id) throw new AppError('INTERNAL', 'The operation has no endpoint to wait for.', { hint: LOST_STATE_HINT });
  const result = await pollUntil(
    async () => {
      const e = await describeOne(c, id);
      if (e && (e.state !== c.record().endpointState || e.stateMessage !== c.record().stateMessage)) {
        await c.patch({ endpointState: e.state, ...(e.stateMessage ? { stateMessage: e.stateMessage } : {}) });
      }
      return e;
    },
    (e) => !e || e.state !== 'create-in-progress',
    { poll: c.poll.create, signal: c.signal, ...(c.sleep ? { sleep: c.sleep } : {}), ...(c.now ? { now: c.now } : {}) },
  );
  if (result.timedOut) {
    throw new AppError('EIC_WAIT_TIMEOUT', `${id} is still being created after ${Math.round(c.poll.create.timeoutMs / 60_000)} minutes.`, {
      hint: 'AWS sometimes takes longer: resume later to keep waiting. The endpoint is not lost.',
      retryable: true,
    });
  }
  const e = result.value;
  if (!e) {
    throw new AppError('EIC_ENDPOINT_CREATE_FAILED', `${id} disappeared while it was being created.`, { hint: 'Someone may have deleted it. Run the setup again.' });
  }
  if (e.state === 'create-failed') {
    await c.patch({ terminal: true });
    const said = e.stateMessage ? ` AWS says: "${e.stateMessage}"` : '';
    throw new AppError('EIC_ENDPOINT_CREATE_FAILED', `AWS could not create ${id}.${said}`, {
      hint: `A failed endpoint still holds ${c.record().vpcId}'s one slot: delete it from the Endpoints view, fix what AWS names, and run the setup again.`,
    });
  }
  return `${id} is ${e.state}.`;
}

async function deleteGroup(c: StepContext): Promise<string> {
  const group = c.record().createdGroup;
  if (!group) return 'No group to delete.';
  try {
    await c.ec2.deleteSecurityGroup(group.groupId);
  } catch (error) {
    if (awsErrorName(error) !== 'InvalidGroup.NotFound') throw mapEndpointError(error, ctxOf(c, `delete the security group ${group.groupId}`, 'ec2:DeleteSecurityGroup'));
  }
  await c.patch({ createdGroup: { ...group, decision: 'deleted' } });
  return `${group.groupId} deleted.`;
}

export const DEFAULT_POLL = { create: CREATE_POLL, delete: DELETE_POLL };
