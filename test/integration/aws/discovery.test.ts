import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Composition } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { MemorySink } from '../../../main/log';
import { InventorySnapshot, type InventoryScope } from '../../../preload/contract';
import { startSandbox, type Sandbox } from '../../sandbox';

// Discovery through the real SDK clients against the sandbox's EC2 Query API (SigV4-checked).
let sandbox: Sandbox;
let app: Composition;
const ctx = { senderId: 'test' };
const progress: InventoryScope[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ withoutInstanceServers: true });
  const home = mkdtempSync(join(tmpdir(), 'bl-discovery-home-'));
  app = await compose({
    dataDir: mkdtempSync(join(tmpdir(), 'bl-discovery-data-')),
    version: '0.0.0-test',
    platform: 'linux',
    desktop: new RecordingDesktop(),
    logSink: new MemorySink(),
    // Only the environment's keys: no profile files (the sandbox may offer its own).
    env: { ...sandbox.env, HOME: home, AWS_CONFIG_FILE: join(home, 'none', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none', 'credentials') },
  });
  app.events.subscribe((channel, payload) => {
    if (channel === 'inventory:progressed') progress.push((payload as { scope: InventoryScope }).scope);
  });
});

afterAll(async () => {
  await app?.dispose();
  await sandbox?.stop();
});

describe('discovery against the sandbox', () => {
  it('shows the environment credentials as a working profile', async () => {
    const profiles = await app.api.profiles.list({}, ctx);
    expect(profiles.find((p) => p.id === 'env')).toMatchObject({ kind: 'environment', isDefault: true, region: 'us-east-1' });
    const identity = await app.api.profiles.test({ id: 'env' }, ctx);
    expect(identity).toMatchObject({ account: '123456789012', arn: sandbox.principals[0]!.arn, region: 'us-east-1' });
  });

  it('lists every enabled Region, and reports an opt-in Region’s failure on that Region only', async () => {
    const all = await app.api.inventory.refresh({}, ctx);
    InventorySnapshot.parse(all);
    expect(all.scopes.filter((s) => s.state === 'done').map((s) => s.region).sort()).toEqual(['eu-west-1', 'us-east-1']);

    progress.length = 0;
    const snapshot = await app.api.inventory.refresh({ regions: ['us-east-1', 'eu-west-1', 'af-south-1'] }, ctx);
    const byRegion = Object.fromEntries(snapshot.scopes.map((s) => [s.region, s]));
    expect(byRegion['us-east-1']).toMatchObject({ state: 'done', instanceCount: 8, endpointCount: 1 });
    expect(byRegion['eu-west-1']).toMatchObject({ state: 'done', instanceCount: 1, endpointCount: 1 });
    expect(byRegion['af-south-1']).toMatchObject({ state: 'failed', error: { code: 'AWS_REGION_DISABLED' } });
    expect(byRegion['af-south-1']!.error!.message).toContain('af-south-1');
    expect(byRegion['af-south-1']!.error!.requestId).toBeTruthy();
    // Progress was streamed for each Region as it went.
    expect(new Set(progress.map((s) => s.region))).toEqual(new Set(['us-east-1', 'eu-west-1', 'af-south-1']));
    expect(progress.some((s) => s.region === 'af-south-1' && s.state === 'failed')).toBe(true);
  });

  it('keeps the other Regions when one answers AccessDenied', async () => {
    sandbox.world.setFaults({ regionErrors: { 'eu-west-1': { code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403 } } });
    try {
      const snapshot = await app.api.inventory.refresh({ regions: ['us-east-1', 'eu-west-1'] }, ctx);
      const eu = snapshot.scopes.find((s) => s.region === 'eu-west-1')!;
      expect(eu).toMatchObject({ state: 'failed', error: { code: 'AWS_ACCESS_DENIED' } });
      expect(snapshot.scopes.find((s) => s.region === 'us-east-1')).toMatchObject({ state: 'done', instanceCount: 8 });
      // The failed Region keeps what the last good scan found.
      expect(snapshot.instances.filter((i) => i.region === 'eu-west-1')).toHaveLength(1);
    } finally {
      sandbox.world.resetFaults();
    }
  });

  it('reads the facts of every instance as the sandbox defines them', async () => {
    const snapshot = await app.api.inventory.refresh({ regions: ['us-east-1', 'eu-west-1'] }, ctx);
    const truth = sandbox.instances;
    expect(snapshot.instances.map((i) => i.instanceId).sort()).toEqual(truth.map((t) => t.instanceId).sort());
    for (const t of truth) {
      const i = snapshot.instances.find((x) => x.instanceId === t.instanceId)!;
      expect(i, t.name).toMatchObject({ name: t.name, region: t.region, platform: t.platform, privateIpv4: t.privateIp, vpcId: t.vpcId, subnetId: t.subnetId, availabilityZone: t.availabilityZone });
      // The OS user guessed from the AMI is the user the instance really has.
      expect(i.os.defaultUser, t.name).toBe(t.osUser);
      expect(i.eic.endpointId, t.name).toBe(t.endpointId);
      if (t.publicIp) expect(i).toMatchObject({ publicIpv4: t.publicIp, publicIpv4MonthlyUsd: 3.65 });
      if (t.keyPairName) expect(i.keyName).toBe(t.keyPairName);
      // A discovered instance without ec2-instance-connect is never called EIC-ready for an ephemeral key.
      if (!t.acceptsPushedKeys && t.platform === 'linux') expect(i.eic.blockers.map((b: { code: string }) => b.code), t.name).toContain('packageMissing');
    }
    const named = Object.fromEntries(snapshot.instances.map((i) => [i.name, i]));
    expect(named['web-1']).toMatchObject({ os: { name: 'Amazon Linux 2023', eicPackage: 'preinstalled' }, eic: { ready: true }, ami: { name: 'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64' } });
    expect(named['build-runner']!.os.name).toBe('Ubuntu 22.04');
    expect(named['legacy-reporting']!.os).toMatchObject({ family: 'amazonLinux2', eicPackage: 'installable' });
    expect(named['batch-worker']!.eic.blockers.map((b: { code: string }) => b.code)).toContain('notRunning');
    expect(named['analytics-worker']!.eic.blockers.map((b: { code: string }) => b.code)).toContain('noEndpoint');
    expect(named['win-admin']).toMatchObject({ platform: 'windows', os: { name: 'Windows Server 2022', defaultUser: 'Administrator' }, eic: { ready: true } });
    expect(named['web-1']!.securityGroups.length).toBeGreaterThan(0);
    expect(named['web-1']!.vpcName).toBe('prod-vpc');
    expect(named['eu-api']!.vpcName).toBe('eu-default');
    expect(snapshot.totals).toEqual({ instances: truth.length, publicIpv4: 2, publicIpv4MonthlyUsd: 7.3 });
  });

  it('refreshes one instance on demand, and says when it does not exist', async () => {
    const fresh = await app.api.inventory.instance({ profileId: 'env', region: 'us-east-1', instanceId: 'i-0a1b2c3d4e5f60006' }, ctx);
    expect(fresh.state).toBe('stopped');
    await sandbox.world.setInstanceState('batch-worker', 'running');
    const started = await app.api.inventory.instance({ profileId: 'env', region: 'us-east-1', instanceId: 'i-0a1b2c3d4e5f60006' }, ctx);
    expect(started.state).not.toBe('stopped');
    await expect(app.api.inventory.instance({ profileId: 'env', region: 'us-east-1', instanceId: 'i-0fffffffffffffff0' }, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('maps a wrong secret key to AWS_CREDENTIALS_INVALID', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bl-discovery-bad-'));
    const bad = await compose({
      dataDir: mkdtempSync(join(tmpdir(), 'bl-discovery-bad-data-')),
      version: '0.0.0-test',
      platform: 'linux',
      desktop: new RecordingDesktop(),
      logSink: new MemorySink(),
      env: { ...sandbox.env, HOME: home, AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'), AWS_SECRET_ACCESS_KEY: 'this-is-not-the-right-secret-key-000000' },
    });
    try {
      await expect(bad.api.profiles.test({ id: 'env' }, ctx)).rejects.toMatchObject({ code: 'AWS_CREDENTIALS_INVALID' });
      const snapshot = await bad.api.inventory.refresh({ regions: ['us-east-1'] }, ctx);
      expect(snapshot.scopes[0]).toMatchObject({ state: 'failed', error: { code: 'AWS_CREDENTIALS_INVALID' } });
    } finally {
      await bad.dispose();
    }
  });
});
