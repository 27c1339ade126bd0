import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeKeyPairsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { Keychain } from '../../../main/aws/keychain';
import { createLogger, MemorySink } from '../../../main/log';
import type { Host } from '../../../preload/contract';
import { check, rigPerTest, statuses, type DiagnoseRig } from './diagnoseRig';

const startRig = rigPerTest();
const ctx = { senderId: 'test' };

/** The sandbox's EC2 as the environment's principal: to see what the fixes did there. */
function ec2Of(r: DiagnoseRig): EC2Client {
  return new EC2Client({ region: 'us-east-1', endpoint: r.sandbox.urls.ec2, credentials: { accessKeyId: r.sandbox.env['AWS_ACCESS_KEY_ID']!, secretAccessKey: r.sandbox.env['AWS_SECRET_ACCESS_KEY']! }, maxAttempts: 1 });
}

describe('diagnose: the package and key pairs', () => {
  it('the old Amazon Linux 2: the yum command and the key-pair alternative; a new key pair written to a 0600 file', async () => {
    const rig = await startRig('old-al2');
    const { session, report } = await rig.diagnoseSession();
    expect(session.error?.code).toBe('SSH_AUTH_FAILED');
    expect(statuses(report)).toMatchObject({ os: 'fail', keyPair: 'fail', osUser: 'pass', securityGroups: 'pass', failure: 'fail' });
    const os = check(report, 'os');
    expect(os.summary).toBe('Amazon Linux 2 (2.0.20190313) does not come with the ec2-instance-connect package.');
    expect(os.fixes[0]?.text).toBe(
      [
        '# Install the ec2-instance-connect package (run on the instance):',
        'sudo yum install ec2-instance-connect',
        '',
        '# Check that sshd asks EC2 Instance Connect for keys:',
        'sudo sshd -T | grep -i authorizedkeyscommand   # expect: /opt/aws/bin/eic_run_authorized_keys %u %f',
      ].join('\n'),
    );
    expect(os.explanation).toContain("connect with the instance's key pair (legacy-key)");
    expect(check(report, 'keyPair').summary).toBe('Bastionless does not have the private key of legacy-key.');

    // A file in a folder that does not exist is refused before anything is created.
    const ssh = join(rig.home, '.ssh');
    const options = { name: 'bastionless-legacy-1', type: 'ed25519' as const, storage: { to: 'file' as const, path: join(ssh, 'bastionless-legacy-1.pem') } };
    await expect(rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: 'createKeyPair', keyPair: options }, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `The folder ${ssh} does not exist.` });
    mkdirSync(ssh, { mode: 0o700 });
    const preview = await rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: 'createKeyPair', keyPair: options }, ctx);
    expect(preview.calls).toEqual(['ec2:CreateKeyPair KeyName=bastionless-legacy-1 KeyType=ed25519 KeyFormat=pem', `file: create ${options.storage.path} (0600)`]);
    expect(preview.permission.state).toBe('allowed');
    // The confirmation is bound to the options it was shown with.
    await expect(rig.app.api.diagnose.applyFix({ runId: report.runId, fixId: 'createKeyPair', confirmToken: preview.confirmToken, keyPair: { ...options, type: 'rsa' } }, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const after = (await rig.app.api.diagnose.applyFix({ runId: report.runId, fixId: 'createKeyPair', confirmToken: preview.confirmToken, keyPair: options }, ctx)) as typeof report;
    expect(after.applied[0]?.outcome).toBe(`Created the ED25519 key pair "bastionless-legacy-1"; its private key is in ${options.storage.path} (0600).`);
    expect(statSync(options.storage.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(options.storage.path, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n$/);
    const ec2 = ec2Of(rig);
    const made = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['bastionless-legacy-1'] }));
    ec2.destroy();
    expect(made.KeyPairs?.[0]?.KeyType).toBe('ed25519');
    // The private key reached neither the window's report nor a log line.
    expect(JSON.stringify(after)).not.toContain('PRIVATE KEY');
    expect(rig.sink.lines.join('\n')).not.toContain('PRIVATE KEY');
    // A second key pair never overwrites the file.
    await expect(rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: 'createKeyPair', keyPair: { ...options, name: 'other' } }, ctx)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `${options.storage.path} already exists; Bastionless never overwrites a file.` });
  });

  it('Ubuntu 18.04 without the package: the apt commands; with the launch key in the keychain, one fix signs the host in with it', async () => {
    const rig = await startRig('keypair-unknown');
    const { host, session, report } = await rig.diagnoseSession({ osUser: 'ubuntu' });
    expect(session.error?.code).toBe('SSH_AUTH_FAILED');
    const os = check(report, 'os');
    expect(os.summary).toBe('Ubuntu 18.04 does not come with the ec2-instance-connect package.');
    expect(os.fixes[0]?.text).toContain('sudo apt update && sudo apt install ec2-instance-connect');
    expect(os.fixes[0]?.text).toContain('ls -l /lib/systemd/system/ssh.service.d/ec2-instance-connect.conf');
    expect(check(report, 'keyPair').summary).toBe('Bastionless does not have the private key of legacy-key.');

    // The person gives Bastionless the launch key (as the RDP key prompt's "remember" does).
    const keyFile = rig.sandbox.instances[0]!.keyPairFile!;
    await new Keychain({ platform: 'linux', log: createLogger({ sink: new MemorySink() }) }).set('keypair:env:us-east-1:legacy-key', readFileSync(keyFile, 'utf8'));
    const again = await rig.diagnose({ hostId: host.id }, { sessionId: session.sessionId });
    const keyPair = check(again, 'keyPair');
    expect(keyPair.summary).toBe('Sign in with legacy-key: Bastionless has its private key.');
    expect(keyPair.fixes.map((f) => f.kind)).toEqual(['useKeyPair']);
    const fixed = await rig.applyFix(again, 'useKeyPair:legacy-key');
    expect(fixed.applied[0]?.outcome).toBe('The host now signs in with the key pair legacy-key.');
    const saved = ((await rig.app.api.hosts.list({}, ctx)) as Host[]).find((h) => h.id === host.id);
    expect(saved?.auth).toEqual({ method: 'keyPair', key: { store: 'keychain' } });
    expect(check(fixed, 'os').status).toBe('skip');
    expect(check(fixed, 'keyPair').status).toBe('pass');
    expect((await rig.reconnect(session.sessionId)).status).toBe('connected');
  });

  it('Windows with an ED25519 key pair: RSA is required, offered only as RSA, and the RDP port answers the probe', async () => {
    const rig = await startRig('windows-ed25519');
    const host = await rig.saveHost({ platform: 'windows', osUser: 'Administrator', port: 3389 });
    const report = await rig.diagnose({ hostId: host.id });
    expect(statuses(report)).toMatchObject({ instance: 'pass', securityGroups: 'pass', os: 'skip', keyPair: 'fail', osUser: 'skip', failure: 'pass' });
    const keyPair = check(report, 'keyPair');
    expect(keyPair.summary).toBe('win-key is an ED25519 key pair.');
    expect(keyPair.fixes[0]?.keyPair).toMatchObject({ type: 'rsa', rsaOnly: true });
    await expect(
      rig.app.api.diagnose.previewFix({ runId: report.runId, fixId: 'createKeyPair', keyPair: { name: 'win-rsa', type: 'ed25519', storage: { to: 'keychain' } } }, ctx),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Windows instances need an RSA key pair.' });
    expect(check(report, 'failure').evidence).toContainEqual({ label: 'Test tunnel just now', value: 'reached RDP (Remote Desktop (X.224 connection confirm))' });
  });
});
