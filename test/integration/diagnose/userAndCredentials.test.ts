import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Host, SessionInfo } from '../../../preload/contract';
import { check, startDiagnoseRig, statuses, stopKeyring, type DiagnoseRig } from './diagnoseRig';

let rig: DiagnoseRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});
afterAll(() => stopKeyring());
const ctx = { senderId: 'test' };

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
  await r.app.api.sessions.reconnect({ sessionId }, ctx);
  return done;
}

describe('diagnose: the OS user, the Region and the credentials', () => {
  it('the wrong OS user: named against the AMI’s, fixed on the saved host, and the tab connects', async () => {
    rig = await startDiagnoseRig('wrong-os-user');
    const host = await rig.saveHost({ osUser: 'ec2-user' });
    const session = await rig.openSession(host.id);
    expect(session.error?.code).toBe('SSH_AUTH_FAILED');
    const report = await rig.diagnose({ hostId: host.id }, { sessionId: session.sessionId });
    // The package is there; the user is the problem (and only that is blamed).
    expect(statuses(report)).toMatchObject({ os: 'pass', osUser: 'fail', keyPair: 'skip', failure: 'fail' });
    const user = check(report, 'osUser');
    expect(user.summary).toBe('The host signs in as ec2-user; Ubuntu 22.04 creates ubuntu.');
    const after = await rig.applyFix(report, 'updateHost:osUser:ubuntu');
    expect(after.applied[0]?.outcome).toBe('Saved the host with OS user ubuntu.');
    expect(check(after, 'osUser').status).toBe('pass');
    expect(((await rig.app.api.hosts.list({}, ctx)) as Host[]).find((h) => h.id === host.id)?.osUser).toBe('ubuntu');
    expect((await reconnect(rig, session.sessionId)).status).toBe('connected');
  });

  it('a host saved in the wrong Region: found in the profile’s Region, and moved there by the fix', async () => {
    rig = await startDiagnoseRig('healthy');
    const host = await rig.saveHost({ region: 'us-west-2' });
    const report = await rig.diagnose({ hostId: host.id });
    expect(statuses(report)).toMatchObject({ credentials: 'fail', instance: 'fail', endpoint: 'skip' });
    expect(check(report, 'credentials').summary).toBe('i-0d1a9e5e00000001 is in us-east-1, not us-west-2.');
    const after = await rig.applyFix(report, 'updateHost:region:us-east-1');
    expect(after.target.region).toBe('us-east-1');
    expect(statuses(after)).toMatchObject({ credentials: 'pass', instance: 'pass', endpoint: 'pass', securityGroups: 'pass', networkAcls: 'pass', failure: 'pass' });
  });

  it('expired credentials: STS says so, and the other checks say they could not read', async () => {
    rig = await startDiagnoseRig('expired-credentials', {
      // Temporary credentials of the environment's principal, as SSO or an assumed role would give.
      env: async (sandbox) => {
        const sts = new STSClient({ region: 'us-east-1', endpoint: sandbox.urls.sts, credentials: { accessKeyId: sandbox.env['AWS_ACCESS_KEY_ID']!, secretAccessKey: sandbox.env['AWS_SECRET_ACCESS_KEY']! }, maxAttempts: 1 });
        const out = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
        sts.destroy();
        return { AWS_ACCESS_KEY_ID: out.Credentials!.AccessKeyId!, AWS_SECRET_ACCESS_KEY: out.Credentials!.SecretAccessKey!, AWS_SESSION_TOKEN: out.Credentials!.SessionToken! };
      },
    });
    const host = await rig.saveHost();
    expect(statuses(await rig.diagnose({ hostId: host.id }))).toMatchObject({ credentials: 'pass', instance: 'pass' });

    const expired = await fetch(`${rig.sandbox.controlUrl}/sessions/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(expired.ok).toBe(true);
    const report = await rig.diagnose({ hostId: host.id });
    const credentials = check(report, 'credentials');
    expect(credentials.status).toBe('fail');
    expect(credentials.summary).toBe('AWS says the session of profile "Environment" has expired.');
    expect(credentials.evidence).toContainEqual({ label: 'AWS error', value: 'ExpiredToken' });
    expect(check(report, 'instance')).toMatchObject({ status: 'skip', summary: 'The instance could not be read.' });
    expect(check(report, 'permissions')).toMatchObject({ status: 'skip', summary: 'Could not be checked: the credentials do not work.' });
  });
});
