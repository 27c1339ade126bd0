import { describe, expect, it } from 'vitest';
import { endpointCheck } from '../../../../../main/diagnose/checks/endpointCheck';
import { endpoint, factError, facts, failed, IDS, instance, ok } from '../factBuilders';

const run = (f = facts()) => endpointCheck.evaluate(f, []);

describe('check 4: endpoint', () => {
  it('passes with a create-complete endpoint in the VPC', () => {
    const v = run();
    expect(v.status).toBe('pass');
    expect(v.summary).toBe(`${IDS.endpoint} is create-complete.`);
  });

  it('fails without an endpoint and links to the setup wizard for that VPC', () => {
    const v = run(facts({ endpoints: ok([]) }));
    expect(v.status).toBe('fail');
    expect(v.fixes[0]?.offer).toMatchObject({ kind: 'openEndpoints', endpoints: { profileId: 'config:dev', region: 'eu-west-1', vpcId: IDS.vpc } });
  });

  it('ignores endpoints of other VPCs', () => {
    expect(run(facts({ endpoints: ok([endpoint({ vpcId: 'vpc-0ffffffffffffffff' })]) })).status).toBe('fail');
  });

  it('fails on create-failed and quotes the StateMessage', () => {
    const v = run(facts({ endpoints: ok([endpoint({ state: 'create-failed', stateMessage: 'Subnet has no free IP addresses.' })]) }));
    expect(v.status).toBe('fail');
    expect(v.explanation).toContain('AWS says: "Subnet has no free IP addresses."');
    expect(v.evidence).toContainEqual({ label: 'State message', value: 'Subnet has no free IP addresses.' });
  });

  it('warns while the endpoint is being created', () => {
    expect(run(facts({ endpoints: ok([endpoint({ state: 'create-in-progress' })]) })).status).toBe('warn');
  });

  it('fails when an ipv4 endpoint must reach an IPv6-only instance', () => {
    const v = run(facts({ instance: ok(instance({ PrivateIpAddress: undefined, Ipv6Address: '2600:1f18::15' })) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toBe('The endpoint is ipv4, the instance\'s address is IPv6.');
    expect(run(facts({ instance: ok(instance({ PrivateIpAddress: undefined, Ipv6Address: '2600:1f18::15' })), endpoints: ok([endpoint({ ipAddressType: 'dualstack' })]) })).status).toBe('pass');
  });

  it('skips when the endpoints could not be listed', () => {
    expect(run(facts({ endpoints: failed(factError({ action: 'ec2:DescribeInstanceConnectEndpoints' })) })).status).toBe('skip');
  });
});
