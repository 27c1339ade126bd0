import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../preload/contract';
import { check, startDiagnoseRig, statuses, stopKeyring, type DiagnoseRig } from './diagnoseRig';

// An instance whose only group allows HTTPS: the tunnel closes with "Unable to connect to target".
let rig: DiagnoseRig;
beforeAll(async () => {
  rig = await startDiagnoseRig('sg-without-22');
});
afterAll(async () => {
  await rig?.stop();
  await stopKeyring();
});

describe('diagnose: a security group without port 22', () => {
  it('finds the group from a failed session, adds the rule in one fix, and the session then connects', async () => {
    const host = await rig.saveHost();
    const session = await rig.openSession(host.id);
    expect(session.status).toBe('failed');
    expect(session.error?.code).toBe('EIC_TUNNEL_TARGET_UNREACHABLE');

    const report = await rig.diagnose({ hostId: host.id }, { sessionId: session.sessionId });
    expect(report.failure?.code).toBe('EIC_TUNNEL_TARGET_UNREACHABLE');
    expect(statuses(report)).toMatchObject({ credentials: 'pass', permissions: 'pass', instance: 'pass', endpoint: 'pass', securityGroups: 'fail', networkAcls: 'pass', os: 'pass', osUser: 'pass', failure: 'fail' });
    const sg = check(report, 'securityGroups');
    expect(sg.summary).toBe("The instance's groups do not let SSH in from the endpoint.");
    const fix = sg.fixes.find((f) => f.kind === 'authorizeIngress');
    expect(fix?.preview[0]).toBe('Add an inbound rule to sg-0d1a9e5e00000104 (web-only): TCP 22 from sg-0d1a9e5e00000101 (eice-endpoint) (the endpoint\'s security group).');
    const failure = check(report, 'failure');
    expect(failure.summary).toBe('"Unable to connect to target": the endpoint could not reach 10.40.2.15:22.');
    expect(failure.explanation).toContain("security groups: The instance's groups do not let SSH in from the endpoint.");
    expect(failure.evidence).toContainEqual({ label: 'Test tunnel just now', value: expect.stringContaining('EIC_TUNNEL_TARGET_UNREACHABLE') });

    // The preview says exactly what will be called, and the DryRun says it is allowed.
    const preview = await rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: fix!.fixId }, { senderId: 'test' });
    expect(preview.calls).toEqual([
      'ec2:AuthorizeSecurityGroupIngress GroupId=sg-0d1a9e5e00000104 IpPermissions=[{IpProtocol=tcp,FromPort=22,ToPort=22,UserIdGroupPairs=[{GroupId=sg-0d1a9e5e00000101,Description="Bastionless: SSH from EC2 Instance Connect Endpoint eice-0d1a9e5e00000901"}]}]',
    ]);
    expect(preview.permission.state).toBe('allowed');
    // Nothing changed yet: the DryRun is only a check.
    expect(rig.sandbox.instances[0]?.reachable).toBe(false);

    const after = await rig.applyFix(report, fix!.fixId);
    expect(after.applied.map((a) => a.outcome)).toEqual(['Added inbound rule TCP 22 from sg-0d1a9e5e00000101 on sg-0d1a9e5e00000104.']);
    expect(check(after, 'securityGroups').status).toBe('pass');
    expect(check(after, 'failure').status).toBe('warn');
    expect(check(after, 'failure').summary).toContain('It works now.');
    expect(rig.sandbox.instances[0]?.reachable).toBe(true);

    // "Try again": the same tab reconnects.
    await rig.app.api.sessions.reconnect({ sessionId: session.sessionId }, { senderId: 'test' });
    const again = await new Promise<SessionInfo>((resolve) => {
      const off = rig.app.events.subscribe((channel, payload) => {
        const s = payload as SessionInfo;
        if (channel === 'sessions:stateChanged' && s.sessionId === session.sessionId && (s.status === 'connected' || s.status === 'failed')) {
          off();
          resolve(s);
        }
      });
    });
    expect(again.status).toBe('connected');
  });

  it('refuses to apply a fix that was not previewed, and one whose token was already used', async () => {
    const host = await rig.saveHost({ label: 'second' });
    const report = await rig.diagnose({ hostId: host.id });
    // The rule is in place now: nothing to fix.
    expect(check(report, 'securityGroups').status).toBe('pass');
    await expect(rig.app.api.diagnose.applyFix({ runId: report.runId, fixId: 'authorizeIngress:x', confirmToken: 'a'.repeat(48) }, { senderId: 'test' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: 'authorizeIngress:x' }, { senderId: 'test' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
