import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScenario, type ScenarioInput } from '../../sandbox/scenario';
import { buildScenario, SMALL_WORLD } from '../../sandbox/scenarioBuilder';
import { checkTunnelPath } from '../../sandbox/world/networkPath';
import { World, type InstanceRuntime } from '../../sandbox/world/world';

const W = SMALL_WORLD;
const dirs: string[] = [];

/** Records what the world asked of its instances; starts nothing. */
class NoServers implements InstanceRuntime {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  pushKey(): void {}
  async regenerateHostKey(): Promise<string> {
    return 'SHA256:none';
  }
}

function world(overrides: Partial<ScenarioInput> = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'world-test-'));
  dirs.push(dir);
  return World.create(parseScenario(buildScenario(overrides)), { runtime: new NoServers(), keyDir: join(dir, 'keys') });
}

function verdict(w: World, instanceId: string = W.linuxId, port = 22): ReturnType<typeof checkTunnelPath> {
  return checkTunnelPath(w, w.endpoints.get(W.endpointId)!, w.instances.get(instanceId)!, port);
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the VPC path from an endpoint to an instance', () => {
  it('is open when the instance allows the port from the endpoint\u2019s group and the endpoint may send it', async () => {
    expect(verdict(await world())).toEqual({ ok: true });
  });

  it('is closed when the instance\u2019s group lacks the port, or the endpoint\u2019s group lacks the egress', async () => {
    expect(verdict(await world(), W.closedId)).toMatchObject({ ok: false, reason: expect.stringMatching(/do not allow inbound TCP 22/) });
    const w = await world();
    w.securityGroups.get(W.endpointGroup)!.egress = [];
    expect(verdict(w)).toMatchObject({ ok: false, reason: expect.stringMatching(/do not allow outbound TCP 22/) });
    expect(verdict(await world(), W.linuxId, 3389)).toMatchObject({ ok: false, reason: expect.stringMatching(/inbound TCP 3389/) });
  });

  it('sees the client\u2019s address with PreserveClientIp: a VPC-CIDR rule no longer matches, a group rule still does', async () => {
    const w = await world();
    w.securityGroups.get(W.sshGroup)!.ingress = [{ id: 'sgr-1', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.20.0.0/16' }];
    expect(verdict(w)).toEqual({ ok: true });
    w.endpoints.get(W.endpointId)!.preserveClientIp = true;
    expect(verdict(w)).toMatchObject({ ok: false, reason: expect.stringMatching(/from the client address 198\.51\.100\.24/) });
    w.securityGroups.get(W.sshGroup)!.ingress = [{ id: 'sgr-2', protocol: 'tcp', fromPort: 22, toPort: 22, groupId: W.endpointGroup }];
    expect(verdict(w)).toEqual({ ok: true });
  });

  it('applies network ACLs only between subnets, in rule order, return traffic included', async () => {
    const base = buildScenario();
    const acl = (entries: NonNullable<NonNullable<ScenarioInput['vpcs']>[number]['networkAcls']>[number]['entries']): Partial<ScenarioInput> => ({
      vpcs: [{ ...base.vpcs![0]!, networkAcls: [{ id: 'acl-0123456789abc0001', subnetIds: [W.subnetB], entries }] }],
      instances: [{ ...base.instances![1]!, securityGroupIds: [W.sshGroup] }],
    });
    const denyInbound = await world(acl([{ ruleNumber: 90, egress: false, protocol: 'tcp', action: 'deny', cidr: '10.20.1.0/24', fromPort: 22, toPort: 22 }, { ruleNumber: 100, egress: false, action: 'allow' }, { ruleNumber: 100, egress: true, action: 'allow' }]));
    expect(verdict(denyInbound, W.closedId)).toMatchObject({ ok: false, reason: expect.stringMatching(/denies inbound TCP 22/) });
    const allowFirst = await world(acl([{ ruleNumber: 80, egress: false, protocol: 'tcp', action: 'allow', cidr: '10.20.1.0/24', fromPort: 22, toPort: 22 }, { ruleNumber: 90, egress: false, action: 'deny' }, { ruleNumber: 100, egress: true, action: 'allow' }]));
    expect(verdict(allowFirst, W.closedId)).toEqual({ ok: true });
    const noReturn = await world(acl([{ ruleNumber: 100, egress: false, action: 'allow' }, { ruleNumber: 100, egress: true, protocol: 'tcp', action: 'allow', fromPort: 443, toPort: 443 }]));
    expect(verdict(noReturn, W.closedId)).toMatchObject({ ok: false, reason: expect.stringMatching(/return traffic/) });
  });

  it('is closed for a stopped instance', async () => {
    const w = await world();
    await w.setInstanceState(W.linuxId, 'stopped');
    expect(verdict(w)).toMatchObject({ ok: false, reason: `${W.linuxId} is stopped` });
  });
});
