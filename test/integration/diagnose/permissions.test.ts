import { describe, expect, it } from 'vitest';
import { check, rigPerTest, statuses } from './diagnoseRig';

// IAM refusals from the scenario's rules, seen from a failed session and explained.
const startRig = rigPerTest();

const policyOf = (text: string | undefined) => JSON.parse(text ?? '{}') as { Statement: { Sid: string; Action: string | string[]; Resource: string; Condition?: Record<string, Record<string, string>> }[] };

describe('diagnose: permissions', () => {
  it('a denied OpenTunnel: names the action and its condition keys, and says an explicit Deny beats any Allow', async () => {
    const rig = await startRig('opentunnel-denied');
    const { session, report } = await rig.diagnoseSession();
    expect(session.error?.code).toBe('EIC_TUNNEL_ACCESS_DENIED');
    expect(statuses(report)).toMatchObject({ credentials: 'pass', permissions: 'fail', instance: 'pass', endpoint: 'pass', failure: 'fail' });
    const permissions = check(report, 'permissions');
    expect(permissions.summary).toBe('AWS refused OpenTunnel.');
    expect(permissions.explanation).toContain('ec2-instance-connect:OpenTunnel (on eice-0d1a9e5e00000901; a policy may also restrict ec2-instance-connect:remotePort (22), :privateIpAddress and :maxTunnelDuration)');
    expect(permissions.explanation).toContain('an explicit Deny refuses ec2-instance-connect:OpenTunnel');
    expect(permissions.evidence).toContainEqual({ label: 'Longest allowed', value: 'none' });
    const policy = policyOf(permissions.fixes.find((f) => f.fixId === 'copy:policy')?.text);
    expect(policy.Statement.find((s) => s.Sid === 'BastionlessOpenTunnel')).toEqual({
      Sid: 'BastionlessOpenTunnel',
      Effect: 'Allow',
      Action: 'ec2-instance-connect:OpenTunnel',
      Resource: 'arn:aws:ec2:us-east-1:123456789012:instance-connect-endpoint/eice-0d1a9e5e00000901',
      Condition: {
        NumericEquals: { 'ec2-instance-connect:remotePort': '22' },
        IpAddress: { 'ec2-instance-connect:privateIpAddress': '10.40.2.15/32' },
        NumericLessThanEquals: { 'ec2-instance-connect:maxTunnelDuration': '3600' },
      },
    });
    // "Copy the IAM policy" puts exactly that text on the clipboard.
    await rig.app.api.diagnose.copyFixText({ runId: report.runId, fixId: 'copy:policy' }, { senderId: 'test' });
    expect(policyOf(await rig.desktop.readClipboard()).Statement.map((s) => s.Sid)).toEqual(['BastionlessOpenTunnel', 'BastionlessSendSSHPublicKey']);
    expect(check(report, 'failure').evidence).toContainEqual({ label: 'AWS said', value: expect.stringContaining('is not authorized to perform: ec2-instance-connect:OpenTunnel') });
    // The test tunnels were closed again: the app holds none of the endpoint's 20 connections.
    expect((await rig.app.api.tunnels.list({}, { senderId: 'test' })).tunnels).toEqual([]);
  });

  it('a maxTunnelDuration cap: the session opens within it, and shorter test tunnels find the longest allowed', async () => {
    const rig = await startRig('max-tunnel-duration');
    const host = await rig.saveHost();
    // The app finds the cap itself: the session opens for 900 s instead of failing.
    const session = await rig.openSession(host.id);
    expect(session.error).toBeUndefined();
    expect(session.status).toBe('connected');
    expect(Date.parse(session.expiresAt!) - Date.now()).toBeLessThanOrEqual(900_000);
    const report = await rig.diagnose({ hostId: host.id }, { sessionId: session.sessionId });
    const permissions = check(report, 'permissions');
    expect(permissions.status).toBe('warn');
    expect(permissions.summary).toBe('Your IAM policy caps tunnels at 900 s (ec2-instance-connect:maxTunnelDuration).');
    expect(permissions.explanation).toContain('a tunnel of 3600 s was refused, but one of 900 s was allowed');
    expect(permissions.explanation).toContain('sessions end after 15 minutes');
    expect(permissions.evidence).toContainEqual({ label: 'Durations tried', value: '3600 s, 1800 s, 900 s' });
    expect(permissions.evidence).toContainEqual({ label: 'Longest allowed', value: '900 s' });
    const failure = check(report, 'failure');
    expect(failure.status).toBe('pass');
    expect(failure.evidence).toContainEqual({ label: 'Test tunnel just now', value: expect.stringMatching(/^reached SSH .* for 900 s \(3600 s was refused: an IAM cap\)$/) });
    // The test tunnels were closed again: only the session's own tunnel is open, held to the cap.
    expect((await rig.app.api.tunnels.list({}, { senderId: 'test' })).tunnels).toEqual([expect.objectContaining({ kind: 'ssh', durationCapSeconds: 900 })]);
  });

  it('a denied SendSSHPublicKey: the key push is named with the ec2:osuser condition; the tunnel itself is fine', async () => {
    const rig = await startRig('sendsshpublickey-denied');
    const { session, report } = await rig.diagnoseSession();
    expect(session.failedStep).toBe('key');
    const permissions = check(report, 'permissions');
    expect(permissions.summary).toBe('AWS refused SendSSHPublicKey.');
    expect(permissions.explanation).toContain('a policy may restrict the OS user with the ec2:osuser condition (it must allow "ec2-user")');
    expect(permissions.evidence).toContainEqual({ label: 'Test tunnel', value: 'allowed' });
    const policy = policyOf(permissions.fixes[0]?.text);
    expect(policy.Statement.find((s) => s.Sid === 'BastionlessSendSSHPublicKey')).toMatchObject({
      Resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0d1a9e5e00000001',
      Condition: { StringEquals: { 'ec2:osuser': 'ec2-user' } },
    });
    expect(check(report, 'failure').summary).toBe('Sending the SSH key with EC2 Instance Connect failed.');
  });
});
