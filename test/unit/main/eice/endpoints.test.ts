import type { DescribeInstanceConnectEndpointsCommand, DescribeInstanceConnectEndpointsCommandOutput, Ec2InstanceConnectEndpoint } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { chooseEndpoint, describeAllEndpoints, toEndpointFacts, type EndpointDescriber, type EndpointFacts } from '../../../../main/eice/endpoints';
import { AppError } from '../../../../preload/contract/errors';

function anEndpoint(overrides: Partial<EndpointFacts> = {}): EndpointFacts {
  return {
    id: 'eice-0aaa',
    vpcId: 'vpc-1',
    subnetId: 'subnet-a',
    state: 'create-complete',
    dnsName: 'eice-0aaa.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
    securityGroupIds: ['sg-1'],
    preserveClientIp: false,
    availabilityZone: 'us-east-1a',
    ...overrides,
  };
}

const instance = { instanceId: 'i-0123', vpcId: 'vpc-1', subnetId: 'subnet-b' };

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('chooseEndpoint', () => {
  it('prefers the usable endpoint in the instance\'s subnet', () => {
    const inSubnet = anEndpoint({ id: 'eice-sub', subnetId: 'subnet-b' });
    expect(chooseEndpoint(instance, [anEndpoint(), inSubnet]).id).toBe('eice-sub');
  });

  it('falls back to the first usable endpoint in the VPC, never another VPC\'s', () => {
    const other = anEndpoint({ id: 'eice-other', vpcId: 'vpc-2', subnetId: 'subnet-b' });
    expect(chooseEndpoint(instance, [other, anEndpoint({ id: 'eice-vpc' }), anEndpoint({ id: 'eice-vpc2' })]).id).toBe('eice-vpc');
  });

  it('counts every update-* state as usable', () => {
    for (const state of ['update-in-progress', 'update-complete', 'update-failed'] as const) {
      expect(chooseEndpoint(instance, [anEndpoint({ state })]).state).toBe(state);
    }
  });

  it('skips an unusable endpoint in the subnet for a usable one in the VPC', () => {
    const broken = anEndpoint({ id: 'eice-broken', subnetId: 'subnet-b', state: 'create-failed' });
    expect(chooseEndpoint(instance, [broken, anEndpoint({ id: 'eice-ok' })]).id).toBe('eice-ok');
  });

  it('names the VPC when it has no endpoint', () => {
    const error = thrown(() => chooseEndpoint(instance, [anEndpoint({ vpcId: 'vpc-2' })]));
    expect(error.code).toBe('EIC_NO_ENDPOINT');
    expect(error.message).toContain('vpc-1');
    expect(error.hint).toMatch(/setup wizard/);
  });

  it('explains an endpoint that exists but is not ready, with its state and AWS\'s message', () => {
    const creating = thrown(() => chooseEndpoint(instance, [anEndpoint({ state: 'create-in-progress' })]));
    expect(creating.code).toBe('EIC_ENDPOINT_NOT_READY');
    expect(creating.message).toContain('create-in-progress');
    expect(creating.retryable).toBe(true);
    const failed = thrown(() => chooseEndpoint(instance, [anEndpoint({ state: 'create-failed', stateMessage: 'Subnet has no free IP addresses' })]));
    expect(failed.message).toContain('create-failed');
    expect(failed.message).toContain('Subnet has no free IP addresses');
  });
});

describe('toEndpointFacts', () => {
  it('maps the SDK shape', () => {
    const created = new Date('2024-01-01T00:00:00Z');
    const raw: Ec2InstanceConnectEndpoint = {
      InstanceConnectEndpointId: 'eice-1',
      VpcId: 'vpc-1',
      SubnetId: 'subnet-1',
      State: 'create-complete',
      DnsName: 'd',
      FipsDnsName: 'f',
      SecurityGroupIds: ['sg-1'],
      PreserveClientIp: true,
      AvailabilityZone: 'us-east-1a',
      CreatedAt: created,
      IpAddressType: 'dualstack',
    };
    expect(toEndpointFacts(raw)).toEqual({
      id: 'eice-1',
      vpcId: 'vpc-1',
      subnetId: 'subnet-1',
      state: 'create-complete',
      dnsName: 'd',
      fipsDnsName: 'f',
      securityGroupIds: ['sg-1'],
      preserveClientIp: true,
      availabilityZone: 'us-east-1a',
      createdAt: created,
      ipAddressType: 'dualstack',
    });
  });

  it('skips records without an id or VPC, and never trusts an unknown state', () => {
    expect(toEndpointFacts({ VpcId: 'vpc-1' })).toBeUndefined();
    const odd = toEndpointFacts({ InstanceConnectEndpointId: 'eice-1', VpcId: 'vpc-1', State: 'teleporting' as never });
    expect(odd?.state).toBe('create-failed');
    expect(odd?.stateMessage).toContain('teleporting');
  });
});

/** Serves endpoints in pages of the requested size, recording each request. */
class PagingEc2 implements EndpointDescriber {
  readonly requests: DescribeInstanceConnectEndpointsCommand['input'][] = [];
  constructor(private readonly endpoints: Ec2InstanceConnectEndpoint[]) {}
  async send(command: DescribeInstanceConnectEndpointsCommand): Promise<DescribeInstanceConnectEndpointsCommandOutput> {
    this.requests.push(command.input);
    const start = Number(command.input.NextToken ?? 0);
    const size = command.input.MaxResults ?? 1000;
    const page = this.endpoints.slice(start, start + size);
    const next = start + size < this.endpoints.length ? String(start + size) : undefined;
    return { InstanceConnectEndpoints: page, ...(next ? { NextToken: next } : {}), $metadata: {} };
  }
}

describe('describeAllEndpoints', () => {
  it('pages 50 at a time until there is no next token', async () => {
    const raw = Array.from({ length: 123 }, (_, i) => ({ InstanceConnectEndpointId: `eice-${i}`, VpcId: 'vpc-1', State: 'create-complete' as const }));
    const ec2 = new PagingEc2(raw);
    const all = await describeAllEndpoints(ec2, [{ Name: 'vpc-id', Values: ['vpc-1'] }]);
    expect(all.map((e) => e.id)).toEqual(raw.map((r) => r.InstanceConnectEndpointId));
    expect(ec2.requests).toHaveLength(3);
    expect(ec2.requests.every((r) => r.MaxResults === 50)).toBe(true);
    expect(ec2.requests[0]!.Filters).toEqual([{ Name: 'vpc-id', Values: ['vpc-1'] }]);
    expect(ec2.requests[1]!.NextToken).toBe('50');
  });

  it('stops when the service repeats a token', async () => {
    const ec2: EndpointDescriber = {
      send: async () => ({ InstanceConnectEndpoints: [{ InstanceConnectEndpointId: 'eice-1', VpcId: 'v', State: 'create-complete' }], NextToken: 'same', $metadata: {} }),
    };
    expect(await describeAllEndpoints(ec2)).toHaveLength(2);
  });
});
