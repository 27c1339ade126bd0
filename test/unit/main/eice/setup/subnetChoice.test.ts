import { describe, expect, it } from 'vitest';
import { instancesByZone, recommendSubnet, subnetChoices, zoneFacts } from '../../../../../main/eice/setup/subnetChoice';
import { defaultWorld, instance, SG_WEB, SUBNET_A1, SUBNET_A2, SUBNET_A3, VPC_A } from './fakeSetupEc2';

const choicesFor = (world = defaultWorld(), extra: { replacingEndpointId?: string } = {}) =>
  subnetChoices({
    subnets: world.subnets,
    routeTables: world.routeTables,
    zones: zoneFacts(world.zones),
    instances: world.instances.filter((i) => i.VpcId === VPC_A),
    endpoints: world.endpoints.map((e) => ({ id: e.InstanceConnectEndpointId ?? '', vpcId: e.VpcId ?? '', subnetId: e.SubnetId ?? '', state: 'create-complete' as const, availabilityZone: e.AvailabilityZone ?? '' })),
    vpcId: VPC_A,
    ...extra,
  });

describe('subnetChoices', () => {
  it('lists only the VPC’s subnets, with AZ, routing, room and instance counts', () => {
    const choices = choicesFor();
    expect(choices.map((c) => [c.subnetId, c.availabilityZone, c.routing, c.instanceCount, c.zoneInstanceCount, c.usable])).toEqual([
      [SUBNET_A1, 'us-east-1a', 'private', 1, 1, true],
      [SUBNET_A2, 'us-east-1b', 'private', 2, 2, true],
      [SUBNET_A3, 'us-east-1b', 'public', 0, 2, true],
    ]);
    expect(choices[2]?.routingExplanation).toContain('internet gateway');
    expect(choices[0]).toMatchObject({ availabilityZoneId: 'use1-az1', availabilityZoneState: 'available', availableIps: 250 });
  });

  it('marks a subnet taken by an endpoint, one with no free address, and one in an unavailable AZ', () => {
    const world = defaultWorld();
    world.endpoints.push({ InstanceConnectEndpointId: 'eice-0aaaaaaaaaaaaaaa1', VpcId: VPC_A, SubnetId: SUBNET_A1, AvailabilityZone: 'us-east-1a' });
    (world.subnets[1] as { AvailableIpAddressCount: number }).AvailableIpAddressCount = 0;
    world.zones[1] = { ZoneName: 'us-east-1b', State: 'unavailable', Messages: [{ Message: 'Power event' }] };
    const choices = choicesFor(world);
    expect(choices.map((c) => c.whyNot)).toEqual([
      "eice-0aaaaaaaaaaaaaaa1 already holds this subnet's one endpoint.",
      'The subnet has no free IP address for the endpoint’s network interface.',
      'us-east-1b is unavailable.',
    ]);
    expect(choices[2]?.availabilityZoneMessage).toBe('Power event');
    // The endpoint being moved does not hold its subnet against itself.
    expect(choicesFor(world, { replacingEndpointId: 'eice-0aaaaaaaaaaaaaaa1' })[0]?.usable).toBe(true);
  });
});

describe('recommendSubnet', () => {
  it('recommends the private subnet in the AZ where most instances run, and says why', () => {
    const r = recommendSubnet(choicesFor());
    expect(r?.subnetId).toBe(SUBNET_A2);
    expect(r?.reason).toBe("2 of the VPC's 3 instances run in us-east-1b, so most connections stay inside one Availability Zone; it is a private subnet (the endpoint needs no internet route).");
  });

  it('avoids an impaired AZ even when most instances run there', () => {
    const world = defaultWorld();
    world.zones[1] = { ZoneName: 'us-east-1b', State: 'impaired' };
    const r = recommendSubnet(choicesFor(world));
    expect(r?.subnetId).toBe(SUBNET_A1);
    expect(r?.reason).toContain('impaired are avoided');
  });

  it('never recommends the AZ a move leaves', () => {
    expect(recommendSubnet(choicesFor(), { avoidZone: 'us-east-1b' })?.subnetId).toBe(SUBNET_A1);
    expect(recommendSubnet(choicesFor(), { avoidZone: 'us-east-1b' })?.subnetId).not.toBe(SUBNET_A3);
  });

  it('with no instances, prefers private and roomy subnets', () => {
    const world = defaultWorld();
    world.instances = [];
    expect(recommendSubnet(choicesFor(world))).toEqual({ subnetId: SUBNET_A1, reason: "No instances run in the VPC yet; us-east-1a is as good as any; it is a private subnet (the endpoint needs no internet route)." });
  });

  it('has nothing to recommend when no subnet is usable', () => {
    const world = defaultWorld();
    for (const s of world.subnets) (s as { AvailableIpAddressCount: number }).AvailableIpAddressCount = 0;
    expect(recommendSubnet(choicesFor(world))).toBeUndefined();
  });
});

describe('instancesByZone', () => {
  it('counts instances per AZ, most first, ignoring terminated ones', () => {
    const world = defaultWorld();
    world.instances.push({ ...instance('i-0000000000000000d', 'gone', SUBNET_A1, 'us-east-1a', '10.0.1.9', [SG_WEB]), State: { Name: 'terminated' } });
    expect(instancesByZone(world.instances)).toEqual([
      { availabilityZone: 'us-east-1b', count: 2 },
      { availabilityZone: 'us-east-1a', count: 1 },
    ]);
  });
});
