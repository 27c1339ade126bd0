import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Composition } from '../../../main/compose';
import { InventorySnapshot } from '../../../preload/contract';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startAppOnSandbox, type AppOnSandbox } from '../../support/appOnSandbox';

/**
 * Two profiles that reach the same account (the environment's keys, and an assumed role of the
 * sandbox's AWS config), discovered together through the real composition: each instance is
 * listed and costed once, with both profiles, and the account is asked of STS once per profile.
 */
const ctx = { senderId: 'test' };
const ROLE = 'config:BastionlessOperator';
let sandbox: Sandbox;
let rig: AppOnSandbox;
let app: Composition;

beforeAll(async () => {
  sandbox = await startSandbox({ withoutInstanceServers: true });
  rig = await startAppOnSandbox(sandbox, { env: { AWS_CONFIG_FILE: sandbox.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sandbox.awsCredentialsFile } });
  app = rig.app;
});

afterAll(async () => {
  await rig?.dispose();
  await sandbox?.stop();
});

const callerIdentityCalls = (from: number): number => sandbox.world.events(from).filter((e) => e.action === 'GetCallerIdentity').length;

describe('discovery with two profiles of one account', () => {
  it('lists and costs each instance once, with both profiles, the Profiles view\'s first one connecting by default', async () => {
    const profiles = await app.api.profiles.list({}, ctx);
    const order = profiles.map((p) => p.id);
    expect(order).toContain('env');
    expect(order).toContain(ROLE);
    const [first, second] = order.filter((id) => id === 'env' || id === ROLE);
    const from = sandbox.world.events().length;
    const snapshot = await app.api.inventory.refresh({ profileIds: [ROLE, 'env'], regions: ['us-east-1', 'eu-west-1'] }, ctx);
    InventorySnapshot.parse(snapshot);
    const truth = sandbox.instances;
    expect(snapshot.instances.map((i) => i.instanceId).sort()).toEqual(truth.map((t) => t.instanceId).sort());
    for (const i of snapshot.instances) expect(i, i.name).toMatchObject({ profileId: first, profileIds: [first, second], accountId: sandbox.principals[0]!.arn.split(':')[4] });
    // What one profile alone costs: two public IPv4 addresses, not four.
    expect(snapshot.totals).toEqual({ instances: truth.length, publicIpv4: 2, publicIpv4MonthlyUsd: 7.3 });
    // Both profiles scanned both Regions.
    expect(snapshot.scopes.filter((s) => s.state === 'done').map((s) => `${s.profileId}/${s.region}`).sort()).toEqual([`${ROLE}/eu-west-1`, `${ROLE}/us-east-1`, 'env/eu-west-1', 'env/us-east-1'].sort());
    expect(callerIdentityCalls(from)).toBe(2);

    // Remembered: another scan does not ask STS again.
    const again = sandbox.world.events().length;
    await app.api.inventory.refresh({ profileIds: ['env', ROLE], regions: ['us-east-1'] }, ctx);
    expect(callerIdentityCalls(again)).toBe(0);
    expect((await app.api.inventory.last({}, ctx)).totals).toEqual({ instances: truth.length, publicIpv4: 2, publicIpv4MonthlyUsd: 7.3 });
  });

  it('lets either profile read the instance again, and it stays listed once', async () => {
    const web = sandbox.instances.find((t) => t.name === 'web-1')!;
    const viaRole = await app.api.inventory.instance({ profileId: ROLE, region: web.region, instanceId: web.instanceId }, ctx);
    expect(viaRole).toMatchObject({ instanceId: web.instanceId, profileIds: expect.arrayContaining(['env', ROLE]) });
    const last = await app.api.inventory.last({}, ctx);
    expect(last.instances.filter((i) => i.instanceId === web.instanceId)).toHaveLength(1);
    expect(last.totals.instances).toBe(sandbox.instances.length);
  });
});
