import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { serviceRig, type ServiceRig } from './endpointRig';

const SCENARIO = fileURLToPath(new URL('../../sandbox/scenarios/endpoint-quota.json', import.meta.url));

let sandbox: Sandbox;
let rig: ServiceRig;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: SCENARIO, withoutInstanceServers: true });
  rig = serviceRig(sandbox);
});

afterAll(async () => {
  await rig?.dispose();
  await sandbox?.stop();
});

describe('the Region quota', () => {
  it('shows 5 of 5 in use, and the VPC that has none', async () => {
    const overview = await rig.service.list('env', 'us-east-1');
    expect(overview.quota).toEqual({ used: 5, limit: 5 });
    expect(overview.vpcs.filter((v) => !v.endpointId).map((v) => v.vpcId)).toEqual(['vpc-0c000000000000006']);
  });

  it('refuses a sixth endpoint before any call, naming the five that hold the slots', async () => {
    const input = { profileId: 'env', region: 'us-east-1', vpcId: 'vpc-0c000000000000006', subnetId: 'subnet-0c0000000000006a', securityGroup: { mode: 'create' as const }, preserveClientIp: false };
    const before = sandbox.world.events().length;
    const refusal = await rig.service.create(input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).toMatchObject({ code: 'EIC_QUOTA_EXCEEDED', hint: expect.stringContaining('cannot be raised') });
    const message = (refusal as Error).message;
    expect(message).toContain('us-east-1 already has 5 EC2 Instance Connect Endpoints');
    for (let n = 1; n <= 5; n += 1) expect(message).toContain(`eice-0c00000000000${String(n).padStart(2, '0')}01 in vpc-0c0000000000000${String(n).padStart(2, '0')}`);
    // Only reads reached AWS: nothing was created.
    expect(sandbox.world.events().slice(before).map((e) => e.action).filter((a) => !a.startsWith('Describe'))).toEqual([]);
  });
});
