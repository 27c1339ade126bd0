import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EndpointSetupService } from '../../../../../main/eice/setup/endpointSetupService';
import { JOURNAL_FILE } from '../../../../../main/eice/setup/operationJournal';
import type { Sleep } from '../../../../../main/eice/setup/poll';
import type { Notice, Operation } from '../../../../../preload/contract';
import { AppError } from '../../../../../preload/contract/errors';
import { memoryLogger } from '../../../../support/fakes';
import { OperationWatch } from '../../../../support/operationWatch';
import { aSetupInput, endpoint, FakeSetupEc2, SG_DEFAULT_A, SG_WEB, SUBNET_A1, SUBNET_A2, VPC_A, VPC_B } from './fakeSetupEc2';

/** Lets the event loop turn: a poll that sleeps this way never waits for real time. */
const quickSleep: Sleep = async (_ms, signal) => {
  if (signal.aborted) throw signal.reason;
  await new Promise((resolve) => setImmediate(resolve));
};

/** A sleep that never ends by itself: the operation sits in its wait until cancelled or disposed. */
const stuckSleep: Sleep = (_ms, signal) =>
  new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

interface Harness {
  service: EndpointSetupService;
  events: Operation[];
  notices: Notice[];
  /** Resolves with the first operation event that matches. */
  until(predicate: (op: Operation) => boolean): Promise<Operation>;
}

let dataDir: string;
let fake: FakeSetupEc2;
const built: EndpointSetupService[] = [];

function build(options: { sleep?: Sleep } = {}): Harness {
  const watch = new OperationWatch();
  const notices: Notice[] = [];
  const service = new EndpointSetupService({
    dataDir,
    log: memoryLogger().log,
    clientsFor: async () => ({ ec2: fake, profileName: 'dev' }),
    connectionsInUse: () => 0,
    listHosts: async () => [],
    onOperationChanged: watch.onOperationChanged,
    notify: (n) => notices.push(n),
    sleep: options.sleep ?? quickSleep,
  });
  built.push(service);
  return { service, events: watch.events, notices, until: (predicate) => watch.until(predicate) };
}

const finished = (id: string) => (op: Operation) => op.operationId === id && op.status !== 'running';
const journal = (): { operations: { operationId: string; status: string; steps: { id: string; state: string }[] }[] } =>
  (JSON.parse(readFileSync(join(dataDir, JOURNAL_FILE), 'utf8')) as { data: ReturnType<typeof journal> }).data;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'eice-setup-'));
  fake = new FakeSetupEc2();
});

afterEach(async () => {
  await Promise.all(built.splice(0).map((s) => s.dispose()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('create', () => {
  it('creates the dedicated group with only 22/3389 out, then the endpoint, and waits for create-complete', async () => {
    const h = build();
    const started = await h.service.create(aSetupInput());
    expect(started).toMatchObject({ kind: 'create', status: 'running', vpcId: VPC_A, subnetId: SUBNET_A2, availabilityZone: 'us-east-1b' });
    expect(started.steps.map((s) => s.id)).toEqual(['checkQuota', 'createGroup', 'configureGroup', 'createEndpoint', 'waitCreated']);

    const done = await h.until(finished(started.operationId));
    expect(done).toMatchObject({ status: 'succeeded', endpointState: 'create-complete', leftovers: [], resumable: false });
    expect(done.steps.every((s) => s.state === 'done')).toBe(true);
    expect(done.createdGroup).toMatchObject({ name: `bastionless-eice-${VPC_A}`, decision: 'used' });

    const group = fake.world.groups.find((g) => g.GroupId === done.createdGroup?.groupId);
    expect(group?.IpPermissions).toEqual([]);
    expect(group?.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.FromPort, p.IpRanges?.[0]?.CidrIp])).toEqual([
      ['tcp', 22, '10.0.0.0/16'],
      ['tcp', 3389, '10.0.0.0/16'],
    ]);
    const created = fake.world.endpoints.find((e) => e.InstanceConnectEndpointId === done.endpointId);
    expect(created).toMatchObject({ VpcId: VPC_A, SubnetId: SUBNET_A2, SecurityGroupIds: [group?.GroupId], PreserveClientIp: false, State: 'create-complete' });
    expect(created?.Tags).toContainEqual({ Key: 'CreatedBy', Value: 'Bastionless' });
    // Each step was journaled: the file on disk ends with every step done.
    expect(journal().operations[0]?.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
  });

  it('uses existing groups as they are, without group steps', async () => {
    const h = build();
    const op = await h.service.create(aSetupInput({ securityGroup: { mode: 'existing', groupIds: [SG_WEB] }, preserveClientIp: true }));
    expect(op.steps.map((s) => s.id)).toEqual(['checkQuota', 'createEndpoint', 'waitCreated']);
    await h.until(finished(op.operationId));
    expect(fake.world.endpoints[0]).toMatchObject({ SecurityGroupIds: [SG_WEB], PreserveClientIp: true });
    expect(fake.calls).not.toContain('CreateSecurityGroup');
  });

  it('reuses the dedicated group an earlier setup left, adding only the egress it lacks', async () => {
    fake.world.groups.push({ GroupId: 'sg-0aaaaaaaaaaaaa0ld', GroupName: `bastionless-eice-${VPC_A}`, VpcId: VPC_A, IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] });
    const h = build();
    const op = await h.service.create(aSetupInput());
    expect(op.steps.map((s) => s.id)).toEqual(['checkQuota', 'configureGroup', 'createEndpoint', 'waitCreated']);
    const done = await h.until(finished(op.operationId));
    expect(done.createdGroup).toBeUndefined();
    expect(fake.calls).not.toContain('CreateSecurityGroup');
    expect(fake.world.groups.find((g) => g.GroupId === 'sg-0aaaaaaaaaaaaa0ld')?.IpPermissionsEgress?.map((p) => p.FromPort)).toEqual([22, 3389]);
  });

  it('refuses before any call when the VPC already has an endpoint, naming it', async () => {
    fake.world.endpoints.push(endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A1, 'us-east-1a'));
    const h = build();
    await expect(h.service.create(aSetupInput())).rejects.toMatchObject({ code: 'EIC_QUOTA_EXCEEDED', message: expect.stringContaining('eice-0aaaaaaaaaaaaaaa1') });
    expect(fake.calls.filter((c) => !c.startsWith('Describe'))).toEqual([]);
  });

  it('refuses a second operation on the same VPC while one runs', async () => {
    fake.pollsToSettle = 1_000;
    const h = build({ sleep: stuckSleep });
    const first = await h.service.create(aSetupInput());
    await h.until((op) => op.operationId === first.operationId && op.steps.some((s) => s.id === 'waitCreated' && s.state === 'active'));
    await expect(h.service.create(aSetupInput({ subnetId: SUBNET_A1 }))).rejects.toMatchObject({ code: 'EIC_OPERATION_IN_PROGRESS' });
  });

  it('a create-failed endpoint fails the operation with AWS’s StateMessage, and is not resumable', async () => {
    fake.failNextCreate = 'Insufficient capacity in us-east-1b.';
    const h = build();
    const op = await h.service.create(aSetupInput());
    const done = await h.until(finished(op.operationId));
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'EIC_ENDPOINT_CREATE_FAILED', message: expect.stringContaining('Insufficient capacity in us-east-1b.') });
    expect(done.stateMessage).toBe('Insufficient capacity in us-east-1b.');
    expect(done.resumable).toBe(false);
    expect(done.leftovers.join(' ')).toContain('create-failed and still holds');
    await expect(h.service.operations.resume(op.operationId)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('an AWS refusal fails the step that made it, names the IAM action, and can be resumed', async () => {
    fake.failNext.set('CreateInstanceConnectEndpoint', Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    const h = build();
    const op = await h.service.create(aSetupInput());
    const failed = await h.until(finished(op.operationId));
    expect(failed.status).toBe('failed');
    expect(failed.error?.hint).toContain('ec2:CreateInstanceConnectEndpoint');
    expect(failed.steps.find((s) => s.id === 'createEndpoint')?.state).toBe('failed');
    expect(failed.createdGroup?.decision).toBe('pending');
    expect(failed.resumable).toBe(true);

    const resumed = await h.service.operations.resume(op.operationId);
    expect(resumed.status).toBe('running');
    const done = await h.until((o) => o.operationId === op.operationId && o.status === 'succeeded');
    expect(done.createdGroup?.decision).toBe('used');
    expect(fake.calls.filter((c) => c === 'CreateSecurityGroup')).toHaveLength(1);
  });
});

describe('cancel', () => {
  /** Holds the next CreateInstanceConnectEndpoint until the test releases it. */
  const holdCreate = (): (() => void) => {
    let release: () => void = () => undefined;
    fake.gates.set('CreateInstanceConnectEndpoint', new Promise<void>((r) => (release = r)));
    return () => {
      fake.gates.clear();
      release();
    };
  };

  it('before the endpoint exists: stops, and offers the group it created for deletion', async () => {
    const release = holdCreate();
    const h = build();
    const op = await h.service.create(aSetupInput());
    await h.until((o) => o.steps.some((s) => s.id === 'createEndpoint' && s.state === 'active'));
    // The call in flight is let finish (here AWS refuses it) so nothing it made goes unreported.
    const cancelling = h.service.operations.cancel(op.operationId);
    fake.failNext.set('CreateInstanceConnectEndpoint', Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    release();
    const cancelled = await cancelling;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.steps.find((s) => s.id === 'createEndpoint')?.state).toBe('pending');
    expect(cancelled.createdGroup).toMatchObject({ decision: 'pending' });
    expect(cancelled.leftovers).toEqual([
      `The security group ${cancelled.createdGroup?.groupId ?? ''} (bastionless-eice-${VPC_A}) was created for this endpoint and is not used by one: delete it, or keep it for a later setup.`,
    ]);
    expect(fake.world.endpoints).toEqual([]);

    const settled = await h.service.operations.settleGroup(op.operationId, 'delete');
    expect(settled.createdGroup?.decision).toBe('deleted');
    expect(settled.leftovers).toEqual([]);
    expect(fake.world.groups.some((g) => g.GroupId === cancelled.createdGroup?.groupId)).toBe(false);
    await expect(h.service.operations.settleGroup(op.operationId, 'delete')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('the unused group can be kept instead', async () => {
    const release = holdCreate();
    const h = build();
    const op = await h.service.create(aSetupInput());
    await h.until((o) => o.steps.some((s) => s.id === 'createEndpoint' && s.state === 'active'));
    const cancelling = h.service.operations.cancel(op.operationId);
    fake.failNext.set('CreateInstanceConnectEndpoint', new Error('aborted'));
    release();
    await cancelling;
    const kept = await h.service.operations.settleGroup(op.operationId, 'keep');
    expect(kept).toMatchObject({ status: 'cancelled', createdGroup: { decision: 'kept' }, leftovers: [] });
    expect(fake.world.groups.some((g) => g.GroupId === kept.createdGroup?.groupId)).toBe(true);
  });

  it('when the create call went through: records the endpoint and says AWS carries on creating it', async () => {
    const release = holdCreate();
    fake.pollsToSettle = 1_000;
    const h = build();
    const op = await h.service.create(aSetupInput());
    await h.until((o) => o.steps.some((s) => s.id === 'createEndpoint' && s.state === 'active'));
    const cancelling = h.service.operations.cancel(op.operationId);
    release();
    const cancelled = await cancelling;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.endpointId).toBe(fake.world.endpoints[0]?.InstanceConnectEndpointId);
    expect(cancelled.createdGroup?.decision).toBe('used');
    expect(cancelled.leftovers).toEqual([`${cancelled.endpointId ?? ''} was requested, and AWS carries on creating it; it holds ${VPC_A}'s one endpoint slot. Delete it from the Endpoints view if you do not want it.`]);
  });

  it('while waiting for create-complete: stops waiting at once, and can resume the wait', async () => {
    const h = build({ sleep: stuckSleep });
    fake.pollsToSettle = 1_000;
    const op = await h.service.create(aSetupInput());
    await h.until((o) => o.steps.some((s) => s.id === 'waitCreated' && s.state === 'active'));
    const cancelled = await h.service.operations.cancel(op.operationId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.leftovers.join(' ')).toContain('AWS carries on creating it');
    expect(cancelled.resumable).toBe(true);
  });
});

describe('resume after the app closed halfway', () => {
  it('a wait carries on by itself in the next process', async () => {
    fake.pollsToSettle = 1_000;
    const first = build({ sleep: stuckSleep });
    const op = await first.service.create(aSetupInput());
    await first.until((o) => o.steps.some((s) => s.id === 'waitCreated' && s.state === 'active'));
    await first.service.dispose();
    // The journal still says running: the quit did not mark it.
    expect(journal().operations[0]?.status).toBe('running');

    fake.pollsToSettle = 1;
    const second = build();
    await second.service.start();
    const done = await second.until(finished(op.operationId));
    expect(done.status).toBe('succeeded');
    expect(fake.calls.filter((c) => c === 'CreateInstanceConnectEndpoint')).toHaveLength(1);
    expect(second.notices).toEqual([]);
  });

  it('a create cut short after AWS made the endpoint adopts it instead of making another', async () => {
    // AWS creates the endpoint, but the answer never arrives: the app is closed meanwhile.
    const realCreate = fake.createEndpoint.bind(fake);
    fake.createEndpoint = async (request) => {
      await realCreate(request);
      return new Promise(() => undefined);
    };
    const first = build();
    const op = await first.service.create(aSetupInput());
    await first.until((o) => o.steps.some((s) => s.id === 'createEndpoint' && s.state === 'active'));
    await new Promise((r) => setImmediate(r));
    await first.service.dispose();
    expect(fake.world.endpoints).toHaveLength(1);

    fake.createEndpoint = realCreate;
    const second = build();
    await second.service.start();
    expect(second.notices[0]).toMatchObject({ level: 'warning', message: `Setting up an endpoint for ${VPC_A} was interrupted when Bastionless last closed.` });
    const [interrupted] = await second.service.operations.list();
    expect(interrupted).toMatchObject({ status: 'interrupted', resumable: true });
    await second.service.operations.resume(op.operationId);
    const done = await second.until(finished(op.operationId));
    expect(done.status).toBe('succeeded');
    expect(fake.world.endpoints).toHaveLength(1);
    expect(done.endpointId).toBe(fake.world.endpoints[0]?.InstanceConnectEndpointId);
  });

  it('closing again while the next start still loads the journal stops the wait it resumes', async () => {
    fake.pollsToSettle = 1_000;
    const first = build({ sleep: stuckSleep });
    const op = await first.service.create(aSetupInput());
    await first.until((o) => o.steps.some((s) => s.id === 'waitCreated' && s.state === 'active'));
    await first.service.dispose();

    const second = build({ sleep: stuckSleep });
    // The app starts without awaiting start(), and may be closed before it is done.
    void second.service.start();
    await second.service.dispose();
    const callsAfterDispose = fake.calls.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls).toHaveLength(callsAfterDispose);
    expect(journal().operations.find((o) => o.operationId === op.operationId)?.status).toBe('running');
  });

  it('an interrupted operation can be cancelled instead of resumed', async () => {
    fake.gates.set('CreateSecurityGroup', new Promise(() => undefined));
    const first = build();
    const op = await first.service.create(aSetupInput());
    await first.until((o) => o.steps.some((s) => s.id === 'createGroup' && s.state === 'active'));
    await first.service.dispose();
    fake.gates.clear();
    const second = build();
    const cancelled = await second.service.operations.cancel(op.operationId);
    expect(cancelled.status).toBe('cancelled');
    await second.service.operations.dismiss(op.operationId);
    expect(await second.service.operations.list()).toEqual([]);
  });
});

describe('the journal file', () => {
  it('a corrupt journal is kept aside and announced, and the service still works', async () => {
    writeFileSync(join(dataDir, JOURNAL_FILE), '{ not json');
    const h = build();
    await h.service.start();
    expect(h.notices[0]).toMatchObject({ level: 'warning', message: expect.stringContaining('could not be read') });
    expect(h.notices[0]?.hint).toContain('.corrupt-');
    const op = await h.service.create(aSetupInput());
    expect((await h.until(finished(op.operationId))).status).toBe('succeeded');
  });
});

describe('delete', () => {
  it('deletes and waits until the endpoint is gone', async () => {
    fake.world.endpoints.push(endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A1, 'us-east-1a'));
    const h = build();
    const op = await h.service.delete('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1');
    const done = await h.until(finished(op.operationId));
    expect(done).toMatchObject({ status: 'succeeded', endpointState: 'delete-complete' });
    expect(fake.world.endpoints).toEqual([]);
  });

  it('an endpoint already being deleted is not deleted twice (AWS would refuse): the wait carries on', async () => {
    fake.world.endpoints.push(endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A1, 'us-east-1a'));
    await fake.deleteEndpoint('eice-0aaaaaaaaaaaaaaa1');
    fake.pollsToSettle = 3;
    fake.calls.length = 0;
    const h = build();
    const op = await h.service.delete('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1');
    const done = await h.until(finished(op.operationId));
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]?.detail).toBe('AWS is already deleting eice-0aaaaaaaaaaaaaaa1.');
    expect(fake.calls).not.toContain('DeleteInstanceConnectEndpoint');
  });

  it('refuses an unknown endpoint', async () => {
    const h = build();
    await expect(h.service.delete('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa9')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('move to another AZ', () => {
  beforeEach(() => {
    fake.world.endpoints.push(endpoint('eice-0aaaaaaaaaaaaaaa1', VPC_A, SUBNET_A1, 'us-east-1a', { SecurityGroupIds: [SG_DEFAULT_A, SG_WEB], PreserveClientIp: true }));
  });

  it('deletes the old endpoint, waits, creates the new one with the same groups and settings', async () => {
    const h = build();
    const op = await h.service.move('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', SUBNET_A2);
    expect(op.steps.map((s) => s.id)).toEqual(['checkQuota', 'deleteEndpoint', 'waitDeleted', 'createEndpoint', 'waitCreated']);
    const done = await h.until(finished(op.operationId));
    expect(done).toMatchObject({ status: 'succeeded', previousEndpointId: 'eice-0aaaaaaaaaaaaaaa1', previousAvailabilityZone: 'us-east-1a', availabilityZone: 'us-east-1b' });
    expect(fake.world.endpoints).toHaveLength(1);
    expect(fake.world.endpoints[0]).toMatchObject({ SubnetId: SUBNET_A2, SecurityGroupIds: [SG_DEFAULT_A, SG_WEB], PreserveClientIp: true, State: 'create-complete' });
    const order = fake.calls.filter((c) => c === 'DeleteInstanceConnectEndpoint' || c === 'CreateInstanceConnectEndpoint');
    expect(order).toEqual(['DeleteInstanceConnectEndpoint', 'CreateInstanceConnectEndpoint']);
  });

  it('refuses the same AZ and another VPC’s subnet', async () => {
    const h = build();
    await expect(h.service.move('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', SUBNET_A1)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('already in') });
    await expect(h.service.move('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbb1a')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('resumes in a new process after a quit while waiting for the old one to go', async () => {
    fake.pollsToSettle = 1_000;
    const first = build({ sleep: stuckSleep });
    const op = await first.service.move('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', SUBNET_A2);
    await first.until((o) => o.steps.some((s) => s.id === 'waitDeleted' && s.state === 'active'));
    await first.service.dispose();

    fake.pollsToSettle = 1;
    const second = build();
    await second.service.start();
    const done = await second.until(finished(op.operationId));
    expect(done.status).toBe('succeeded');
    expect(fake.world.endpoints.map((e) => e.SubnetId)).toEqual([SUBNET_A2]);
  });

  it('cancelled after the old endpoint went: says the VPC has none, and resumes to finish', async () => {
    let release: () => void = () => undefined;
    fake.gates.set('CreateInstanceConnectEndpoint', new Promise<void>((r) => (release = r)));
    const h = build();
    const op = await h.service.move('config:dev', 'us-east-1', 'eice-0aaaaaaaaaaaaaaa1', SUBNET_A2);
    // The old endpoint vanishes on the first poll; the create call then hangs until we cancel.
    await h.until((o) => o.steps.some((s) => s.id === 'createEndpoint' && s.state === 'active'));
    const cancelling = h.service.operations.cancel(op.operationId);
    fake.failNext.set('CreateInstanceConnectEndpoint', new Error('aborted'));
    release();
    const stopped = await cancelling;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.leftovers.join(' ')).toContain(`${VPC_A} has no endpoint until the move is resumed`);
    expect(stopped.resumable).toBe(true);
    fake.gates.clear();
    await h.service.operations.resume(op.operationId);
    expect((await h.until((o) => o.operationId === op.operationId && o.status === 'succeeded')).availabilityZone).toBe('us-east-1b');
    expect(fake.world.endpoints.map((e) => e.SubnetId)).toEqual([SUBNET_A2]);
  });
});

describe('one VPC at a time, other VPCs in parallel', () => {
  it('runs operations on two VPCs at once', async () => {
    const h = build();
    const a = await h.service.create(aSetupInput());
    const b = await h.service.create(aSetupInput({ vpcId: VPC_B, subnetId: 'subnet-0bbbbbbbbbbbbb1a' }));
    expect((await h.until(finished(a.operationId))).status).toBe('succeeded');
    expect((await h.until(finished(b.operationId))).status).toBe('succeeded');
  });

  it('refuses to dismiss a running operation', async () => {
    const h = build({ sleep: stuckSleep });
    fake.pollsToSettle = 1_000;
    const op = await h.service.create(aSetupInput());
    await expect(h.service.operations.dismiss(op.operationId)).rejects.toBeInstanceOf(AppError);
  });
});
