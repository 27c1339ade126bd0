import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO_FILE } from '../../sandbox/index';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../sandbox/scenario';
import { buildScenario, SMALL_WORLD } from '../../sandbox/scenarioBuilder';

const W = SMALL_WORLD;

function problems(input: unknown): string {
  try {
    parseScenario(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected the scenario to be refused');
}

describe('sandbox scenarios', () => {
  it('accepts the default world and the builder\u2019s small world', () => {
    const world = loadScenarioFile(DEFAULT_SCENARIO_FILE);
    expect(world.regions.map((r) => `${r.name}:${r.optInStatus}`)).toEqual(['us-east-1:opt-in-not-required', 'eu-west-1:opt-in-not-required', 'af-south-1:not-opted-in']);
    expect(world.images.map((i) => i.name)).toContain('amzn2-ami-hvm-2.0.20190313-x86_64-gp2');
    expect(world.tunnel).toEqual({ allowedRemotePorts: [22, 3389], maxConnectionsPerEndpoint: 20, maxTunnelDurationSeconds: 3600, clientPublicIp: '198.51.100.24' });
    const small = parseScenario(buildScenario());
    expect(small.instances.map((i) => i.id)).toEqual([W.linuxId, W.closedId]);
  });

  it('lists every problem with its path', () => {
    const message = problems({ regions: [{ name: 'mars-1' }], instances: [{ id: 'i-1', name: 'x' }] });
    expect(message).toMatch(/^The sandbox scenario \(inline object\) is not valid:\n/);
    expect(message).toContain('  - regions.0.name: must be a Region name such as us-east-1');
    expect(message).toContain('  - instances.0.id: must look like i-0123456789abcdef0');
    expect(message).toContain('  - instances.0.subnetId: Invalid input');
  });

  it('checks references between resources', () => {
    const base = buildScenario();
    expect(problems({ ...base, instances: [{ ...base.instances![0]!, subnetId: 'subnet-0fffffffffffffff0' }] })).toContain('instances.0.subnetId: subnet-0fffffffffffffff0 is not a subnet of any VPC');
    expect(problems({ ...base, instances: [{ ...base.instances![0]!, securityGroupIds: ['sg-0fffffffffffffff0'] }] })).toContain('is not a security group');
    expect(problems({ ...base, instances: [base.instances![0]!, base.instances![0]!] })).toContain(`instances.1: duplicate instance ${W.linuxId}`);
    expect(problems({ ...base, endpoints: [...base.endpoints!, { id: 'eice-0123456789abc0902', subnetId: W.subnetB, securityGroupIds: [W.endpointGroup] }] })).toContain('already has an endpoint (AWS allows one per VPC)');
    expect(problems({ ...base, iam: { deny: [{ action: 'ec2:DescribeInstances', principal: 'nobody' }] } })).toContain('iam.deny.0.principal: nobody is not a principal or role');
    expect(problems({ ...base, iam: { deny: [{ action: 'DescribeInstances' }] } })).toContain('must be service:Action');
  });

  it('requires an RSA key pair for a Windows instance', () => {
    const base = buildScenario();
    const windows = { ...base, images: [...base.images!, { id: 'ami-0123456789abc0002', region: W.region, name: 'Windows_Server-2022-English-Full-Base-2024.10.09', creationDate: '2024-10-09T23:34:40.000Z', platform: 'windows' as const }] };
    const inst = { id: 'i-0123456789abc0009', name: 'win', region: W.region, subnetId: W.subnetA, imageId: 'ami-0123456789abc0002', privateIp: '10.20.1.90', securityGroupIds: [W.sshGroup] };
    expect(problems({ ...windows, instances: [inst] })).toContain('a Windows instance needs a key pair');
    expect(problems({ ...windows, keyPairs: [{ name: 'k', region: W.region, type: 'ed25519' }], instances: [{ ...inst, keyName: 'k' }] })).toContain('needs an RSA key pair');
    expect(() => parseScenario({ ...windows, keyPairs: [{ name: 'k', region: W.region, type: 'rsa' }], instances: [{ ...inst, keyName: 'k' }] })).not.toThrow();
  });

  it('reports an unreadable or malformed file by name', () => {
    expect(() => loadScenarioFile('/no/such/scenario.json')).toThrow(/Cannot read the sandbox scenario \/no\/such\/scenario\.json/);
  });
});
