import { describe, expect, it } from 'vitest';
import { permissionsCheck } from '../../../../../main/diagnose/checks/permissionsCheck';
import { factError, facts, failed, failure, IDS, ok, probe } from '../factBuilders';

const run = (f = facts()) => permissionsCheck.evaluate(f, []);
const policyOf = (v: ReturnType<typeof run>) => JSON.parse(v.fixes.find((f) => f.offer.fixId === 'copy:policy')?.offer.text ?? '{}') as { Statement: { Action: string | string[]; Resource: string; Condition?: Record<string, Record<string, string>> }[] };

const denied = (action: string, awsCode = 'AccessDeniedException') =>
  factError({ code: action.includes('OpenTunnel') ? 'EIC_TUNNEL_ACCESS_DENIED' : 'AWS_ACCESS_DENIED', awsCode, action, message: `You are not allowed to do ${action}. AWS said: "User is not authorized"` });

describe('check 2: IAM permissions', () => {
  it('passes when nothing was refused', () => {
    expect(run().status).toBe('pass');
  });

  it('names a denied OpenTunnel with its condition keys, and a policy scoped to the endpoint ARN', () => {
    const v = run(facts({ probes: { tunnel: ok(probe({ outcome: 'failed', error: denied('ec2-instance-connect:OpenTunnel') })), keyPush: ok({ osUser: 'ec2-user' }) } }));
    expect(v.status).toBe('fail');
    expect(v.explanation).toContain('ec2-instance-connect:OpenTunnel');
    expect(v.explanation).toContain('maxTunnelDuration');
    const policy = policyOf(v);
    const tunnel = policy.Statement.find((s) => s.Action === 'ec2-instance-connect:OpenTunnel');
    expect(tunnel?.Resource).toBe(`arn:aws:ec2:eu-west-1:123456789012:instance-connect-endpoint/${IDS.endpoint}`);
    expect(tunnel?.Condition).toEqual({
      NumericEquals: { 'ec2-instance-connect:remotePort': '22' },
      IpAddress: { 'ec2-instance-connect:privateIpAddress': '10.0.2.15/32' },
      NumericLessThanEquals: { 'ec2-instance-connect:maxTunnelDuration': '3600' },
    });
  });

  it('recognises a maxTunnelDuration cap when a shorter tunnel was allowed: a warning, since the app keeps to the cap', () => {
    const capped = probe({ outcome: 'failed', error: denied('ec2-instance-connect:OpenTunnel'), triedDurations: [3600, 1800, 900], allowedDuration: 900, shorter: { outcome: 'reached' } });
    const v = run(facts({ probes: { tunnel: ok(capped), keyPush: ok({ osUser: 'ec2-user' }) } }));
    expect(v.status).toBe('warn');
    expect(v.summary).toBe('Your IAM policy caps tunnels at 900 s (ec2-instance-connect:maxTunnelDuration).');
    expect(v.explanation).toContain('one of 900 s was allowed');
    expect(v.explanation).toContain('sessions end after 15 minutes');
    expect(v.explanation).toContain('"NumericLessThanEquals": {"ec2-instance-connect:maxTunnelDuration": "3600"}');
    expect(v.evidence).toContainEqual({ label: 'Test tunnel', value: 'allowed for 900 s, refused for 3600 s' });
    expect(v.evidence).toContainEqual({ label: 'Durations tried', value: '3600 s, 1800 s, 900 s' });
    expect(v.evidence).toContainEqual({ label: 'Longest allowed', value: '900 s' });
    expect(policyOf(v).Statement.find((s) => s.Action === 'ec2-instance-connect:OpenTunnel')?.Condition?.['NumericLessThanEquals']).toEqual({ 'ec2-instance-connect:maxTunnelDuration': '3600' });
    // The same cap next to a real refusal: the refusal fails the check, the cap is said too.
    const both = run(facts({ probes: { tunnel: ok(capped), keyPush: failed(denied('ec2-instance-connect:SendSSHPublicKey', 'AuthException')) } }));
    expect(both.status).toBe('fail');
    expect(both.summary).toBe('AWS refused SendSSHPublicKey (and caps tunnels at 900 s).');
    expect(both.explanation).toContain('one of 900 s was allowed');
  });

  it('names a denied SendSSHPublicKey with the ec2:osuser condition, scoped to the instance ARN', () => {
    const v = run(facts({ probes: { tunnel: ok(probe()), keyPush: failed(denied('ec2-instance-connect:SendSSHPublicKey', 'AuthException')) } }));
    expect(v.status).toBe('fail');
    expect(v.explanation).toContain('ec2:osuser');
    const send = policyOf(v).Statement.find((s) => s.Action === 'ec2-instance-connect:SendSSHPublicKey');
    expect(send?.Resource).toBe(`arn:aws:ec2:eu-west-1:123456789012:instance/${IDS.instance}`);
    expect(send?.Condition).toEqual({ StringEquals: { 'ec2:osuser': 'ec2-user' } });
  });

  it('names a denied DescribeInstances and grants the Describe calls on "*"', () => {
    const v = run(facts({ instance: failed(denied('ec2:DescribeInstances', 'UnauthorizedOperation')) }));
    expect(v.status).toBe('fail');
    expect(v.summary).toContain('DescribeInstances');
    const describe = policyOf(v).Statement.find((s) => Array.isArray(s.Action));
    expect(describe?.Resource).toBe('*');
    expect(describe?.Action).toContain('ec2:DescribeInstances');
  });

  it('explains a refused tunnel from the failure even without a probe, in the right partition', () => {
    const v = run(
      facts({
        identity: ok({ arn: 'arn:aws-cn:iam::123456789012:user/bob', account: '123456789012', userId: 'x' }),
        failure: failure({ code: 'EIC_TUNNEL_ACCESS_DENIED', message: 'You are not allowed to open a tunnel. AWS said: "not authorized to perform: ec2-instance-connect:OpenTunnel"' }),
        probes: {},
      }),
    );
    expect(v.status).toBe('fail');
    expect(policyOf(v).Statement[0]?.Resource).toMatch(/^arn:aws-cn:ec2:/);
  });

  it('cannot judge permissions when AWS does not accept the credentials', () => {
    const v = run(facts({ identity: failed(factError({ code: 'AWS_CREDENTIALS_EXPIRED', awsCode: 'ExpiredToken', action: 'sts:GetCallerIdentity' })), instance: failed(factError({ code: 'AWS_CREDENTIALS_EXPIRED', awsCode: 'ExpiredToken' })) }));
    expect(v.status).toBe('skip');
  });

  it('does not count throttling or expired keys as missing permissions', () => {
    expect(run(facts({ instance: failed(factError({ code: 'AWS_THROTTLED', awsCode: 'RequestLimitExceeded' })) })).status).toBe('pass');
  });
});
