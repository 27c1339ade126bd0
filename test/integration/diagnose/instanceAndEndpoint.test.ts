import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../preload/contract';
import { check, rigPerTest, statuses, type DiagnoseRig } from './diagnoseRig';

const startRig = rigPerTest();

/** Reconnects a session and resolves once it is connected or failed again. */
async function reconnect(r: DiagnoseRig, sessionId: string): Promise<SessionInfo> {
  const done = new Promise<SessionInfo>((resolve) => {
    const off = r.app.events.subscribe((channel, payload) => {
      const s = payload as SessionInfo;
      if (channel === 'sessions:stateChanged' && s.sessionId === sessionId && (s.status === 'connected' || s.status === 'failed')) {
        off();
        resolve(s);
      }
    });
  });
  await r.app.api.sessions.reconnect({ sessionId }, { senderId: 'test' });
  return done;
}

describe('diagnose: the instance and the endpoint', () => {
  it('a stopped instance: Start waits until it runs, the checks pass, and the tab connects', async () => {
    const rig = await startRig('stopped-instance');
    const { session, report } = await rig.diagnoseSession();
    expect(session.status).toBe('failed');
    const instance = check(report, 'instance');
    expect(instance.status).toBe('fail');
    expect(instance.summary).toBe('The instance is stopped.');
    expect(check(report, 'failure').summary).toBe('The instance cannot be reached in its current state.');
    // No test tunnel to a stopped instance.
    expect(report.checks.find((c) => c.id === 'failure')?.evidence.some((e) => e.label === 'Test tunnel just now')).toBe(false);

    const preview = await rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: 'startInstance:i-0d1a9e5e00000001' }, { senderId: 'test' });
    expect(preview.calls).toEqual(['ec2:StartInstances InstanceIds=[i-0d1a9e5e00000001]']);
    expect(preview.permission.state).toBe('allowed');
    const after = await rig.applyFix(report, 'startInstance:i-0d1a9e5e00000001');
    expect(after.applied[0]?.outcome).toMatch(/^Started i-0d1a9e5e00000001; it is running/);
    expect(check(after, 'instance').status).toBe('pass');
    expect((await reconnect(rig, session.sessionId)).status).toBe('connected');
  });

  it('no endpoint in the VPC: the wizard is offered for that VPC', async () => {
    const rig = await startRig('no-endpoint');
    const { session, report } = await rig.diagnoseSession();
    expect(session.error?.code).toBe('EIC_NO_ENDPOINT');
    expect(statuses(report)).toMatchObject({ endpoint: 'fail', securityGroups: 'skip', networkAcls: 'skip', failure: 'fail' });
    const endpoint = check(report, 'endpoint');
    expect(endpoint.summary).toBe('vpc-0d1a9e5e00000001 has no EC2 Instance Connect Endpoint.');
    expect(endpoint.fixes[0]).toMatchObject({ kind: 'openEndpoints', endpoints: { profileId: 'env', region: 'us-east-1', vpcId: 'vpc-0d1a9e5e00000001' } });
    // The wizard is the window's: main refuses to "apply" it.
    await expect(rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: endpoint.fixes[0]!.fixId }, { senderId: 'test' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('an endpoint that failed to create: its state and AWS’s StateMessage', async () => {
    const rig = await startRig('endpoint-create-failed');
    const host = await rig.saveHost();
    const report = await rig.diagnose({ hostId: host.id });
    const endpoint = check(report, 'endpoint');
    expect(endpoint.status).toBe('fail');
    expect(endpoint.summary).toBe('The endpoint eice-0d1a9e5e00000901 is create-failed.');
    expect(endpoint.explanation).toContain('AWS says: "The subnet subnet-0d1a9e5e00000011 has no free IP addresses to create the endpoint\'s network interface."');
    expect(endpoint.evidence).toContainEqual({ label: 'State', value: 'create-failed' });
    expect(check(report, 'failure').status).toBe('skip');
  });
});
