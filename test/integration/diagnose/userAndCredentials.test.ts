import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import type { Host } from '../../../preload/contract';
import { check, rigPerTest, statuses } from './diagnoseRig';

const startRig = rigPerTest();
const ctx = { senderId: 'test' };

describe('diagnose: the OS user, the Region and the credentials', () => {
  it('the wrong OS user: named against the AMI’s, fixed on the saved host, and the tab connects', async () => {
    const rig = await startRig('wrong-os-user');
    const { host, session, report } = await rig.diagnoseSession({ osUser: 'ec2-user' });
    expect(session.error?.code).toBe('SSH_AUTH_FAILED');
    // The package is there; the user is the problem (and only that is blamed).
    expect(statuses(report)).toMatchObject({ os: 'pass', osUser: 'fail', keyPair: 'skip', failure: 'fail' });
    const user = check(report, 'osUser');
    expect(user.summary).toBe('The host signs in as ec2-user; Ubuntu 22.04 creates ubuntu.');
    const after = await rig.applyFix(report, 'updateHost:osUser:ubuntu');
    expect(after.applied[0]?.outcome).toBe('Saved the host with OS user ubuntu.');
    expect(check(after, 'osUser').status).toBe('pass');
    expect(((await rig.app.api.hosts.list({}, ctx)) as Host[]).find((h) => h.id === host.id)?.osUser).toBe('ubuntu');
    expect((await rig.reconnect(session.sessionId)).status).toBe('connected');
  });

  it('a host saved in the wrong Region: found in the profile’s Region, and moved there by the fix', async () => {
    const rig = await startRig('healthy');
    const host = await rig.saveHost({ region: 'us-west-2' });
    const report = await rig.diagnose({ hostId: host.id });
    expect(statuses(report)).toMatchObject({ credentials: 'fail', instance: 'fail', endpoint: 'skip' });
    expect(check(report, 'credentials').summary).toBe('i-0d1a9e5e00000001 is in us-east-1, not us-west-2.');
    const after = await rig.applyFix(report, 'updateHost:region:us-east-1');
    expect(after.target.region).toBe('us-east-1');
    expect(statuses(after)).toMatchObject({ credentials: 'pass', instance: 'pass', endpoint: 'pass', securityGroups: 'pass', networkAcls: 'pass', failure: 'pass' });
  });

  it('expired credentials: STS says so, and the other checks say they could not read', async () => {
    const rig = await startRig('expired-credentials', {
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
