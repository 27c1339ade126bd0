import type { Host, Instance, InventorySnapshot, Profile } from '../../../../../preload/contract';

export function aProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: 'env',
    name: 'Environment',
    kind: 'environment',
    source: 'environment',
    region: 'us-east-1',
    isDefault: true,
    hasSecret: true,
    hasSessionToken: false,
    accessKeyIdHint: 'AKIA…0001',
    useFips: false,
    problems: [],
    ...overrides,
  };
}

export function anInstance(overrides: Partial<Instance> = {}): Instance {
  return {
    profileId: 'env',
    region: 'us-east-1',
    instanceId: 'i-0a1b2c3d4e5f60001',
    name: 'web-1',
    state: 'running',
    platform: 'linux',
    privateIpv4: '10.0.1.10',
    ipv6: [],
    vpcId: 'vpc-0aaa',
    vpcName: 'prod-vpc',
    subnetId: 'subnet-0aaa',
    availabilityZone: 'us-east-1a',
    securityGroups: [{ id: 'sg-0aaa', name: 'web' }],
    ami: { id: 'ami-0al2023', name: 'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64' },
    os: { family: 'amazonLinux2023', name: 'Amazon Linux 2023', version: '2023', defaultUser: 'ec2-user', eicPackage: 'preinstalled', basis: 'ami' },
    tags: { Name: 'web-1', env: 'prod' },
    vpcEndpoints: [{ id: 'eice-0aaa', vpcId: 'vpc-0aaa', subnetId: 'subnet-0aaa', state: 'create-complete', usable: true, securityGroupIds: [], preserveClientIp: false, availabilityZone: 'us-east-1a' }],
    eic: { ready: true, endpointId: 'eice-0aaa', blockers: [] },
    publicIpv4MonthlyUsd: 0,
    fetchedAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  };
}

export function aHost(overrides: Partial<Host> = {}): Host {
  return {
    id: 'h-0000000000000001' as Host['id'],
    label: 'web-1',
    folder: 'prod',
    tags: ['critical'],
    profileId: 'env',
    region: 'us-east-1',
    instanceId: 'i-0a1b2c3d4e5f60001',
    platform: 'linux',
    osUser: 'ec2-user',
    port: 22,
    auth: { method: 'eic' },
    autoReconnect: false,
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
    ...overrides,
  };
}

export function aSnapshot(instances: Instance[], overrides: Partial<InventorySnapshot> = {}): InventorySnapshot {
  const withIp = instances.filter((i) => i.publicIpv4MonthlyUsd > 0);
  return {
    runId: 'r-1',
    running: false,
    startedAt: '2026-01-05T09:00:00.000Z',
    finishedAt: '2026-01-05T09:00:05.000Z',
    scopes: [...new Set(instances.map((i) => `${i.profileId}|${i.region}`))].map((k) => {
      const [profileId = '', region = ''] = k.split('|');
      return { profileId, profileName: 'Environment', region, state: 'done' as const, instanceCount: instances.filter((i) => i.region === region).length, endpointCount: 1 };
    }),
    instances,
    totals: { instances: instances.length, publicIpv4: withIp.length, publicIpv4MonthlyUsd: Math.round(withIp.reduce((s, i) => s + i.publicIpv4MonthlyUsd, 0) * 100) / 100 },
    ...overrides,
  };
}
