import type { ScenarioInput } from './scenario';

/** Ids of the small world `buildScenario()` makes, for tests to refer to. */
export const SMALL_WORLD = {
  region: 'us-east-1',
  vpcId: 'vpc-0123456789abc0001',
  subnetA: 'subnet-0123456789abc0011',
  subnetB: 'subnet-0123456789abc0012',
  endpointGroup: 'sg-0123456789abc0101',
  sshGroup: 'sg-0123456789abc0102',
  closedGroup: 'sg-0123456789abc0103',
  endpointId: 'eice-0123456789abc0901',
  imageId: 'ami-0123456789abc0001',
  linuxId: 'i-0123456789abc0001',
  closedId: 'i-0123456789abc0002',
} as const;

type Overrides = Partial<ScenarioInput>;

/**
 * A small, valid world: one Region (us-east-1), one VPC with two private subnets, an endpoint
 * in subnet A whose group may reach TCP 22/3389 in the VPC, an Amazon Linux 2023 instance that
 * allows SSH from the endpoint's group ("linux") and one whose group does not ("closed").
 * Top-level keys in `overrides` replace the defaults; extend arrays with `[...buildScenario().x, more]`.
 */
export function buildScenario(overrides: Overrides = {}): ScenarioInput {
  const w = SMALL_WORLD;
  const base: ScenarioInput = {
    description: 'buildScenario(): a small test world',
    principals: [{ name: 'tester' }, { name: 'restricted' }],
    regions: [{ name: w.region, availabilityZones: [{ name: 'us-east-1a', id: 'use1-az1' }, { name: 'us-east-1b', id: 'use1-az2' }] }],
    defaultRegion: w.region,
    vpcs: [
      {
        id: w.vpcId,
        region: w.region,
        cidr: '10.20.0.0/16',
        name: 'test-vpc',
        subnets: [
          { id: w.subnetA, az: 'us-east-1a', cidr: '10.20.1.0/24', name: 'private-a' },
          { id: w.subnetB, az: 'us-east-1b', cidr: '10.20.2.0/24', name: 'private-b' },
        ],
        securityGroups: [
          {
            id: w.endpointGroup,
            name: 'endpoint',
            egress: [
              { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.20.0.0/16' },
              { protocol: 'tcp', fromPort: 3389, toPort: 3389, cidr: '10.20.0.0/16' },
            ],
          },
          { id: w.sshGroup, name: 'ssh-from-endpoint', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, groupId: w.endpointGroup }] },
          { id: w.closedGroup, name: 'closed', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }] },
        ],
      },
    ],
    images: [{ id: w.imageId, region: w.region, name: 'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64', creationDate: '2024-10-10T20:17:45.000Z', ownerAlias: 'amazon' }],
    instances: [
      { id: w.linuxId, name: 'linux', region: w.region, subnetId: w.subnetA, imageId: w.imageId, privateIp: '10.20.1.10', securityGroupIds: [w.sshGroup] },
      { id: w.closedId, name: 'closed', region: w.region, subnetId: w.subnetB, imageId: w.imageId, privateIp: '10.20.2.20', securityGroupIds: [w.closedGroup] },
    ],
    endpoints: [{ id: w.endpointId, subnetId: w.subnetA, securityGroupIds: [w.endpointGroup] }],
    timing: { endpointCreateSeconds: 3600, endpointModifySeconds: 3600, endpointDeleteSeconds: 3600, deletedVisibleSeconds: 3600, passwordAvailableAfterSeconds: 0, instanceStartSeconds: 3600, instanceStopSeconds: 3600 },
  };
  return { ...base, ...overrides };
}
