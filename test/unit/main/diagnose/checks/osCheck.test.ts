import { describe, expect, it } from 'vitest';
import { osCheck } from '../../../../../main/diagnose/checks/osCheck';
import { facts, failure, image, instance, ok, OLD_AL2, windowsInstance } from '../factBuilders';

const run = (f = facts()) => osCheck.evaluate(f, []);

describe('check 7: the ec2-instance-connect package', () => {
  it('passes for Amazon Linux 2023', () => {
    expect(run().status).toBe('pass');
  });

  it('passes for Amazon Linux 2 from 2.0.20190618 and Ubuntu 20.04', () => {
    expect(run(facts({ image: ok(image({ Name: 'amzn2-ami-hvm-2.0.20190618-x86_64-gp2' })) })).status).toBe('pass');
    expect(run(facts({ image: ok(image({ Name: 'ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20230112' })) })).status).toBe('pass');
  });

  it('fails for the old Amazon Linux 2 with the yum command, how to check, and the key-pair alternative', () => {
    const v = run(facts({ image: ok(OLD_AL2) }));
    expect(v.status).toBe('fail');
    expect(v.explanation).toContain('sudo yum install ec2-instance-connect');
    expect(v.explanation).toContain('/opt/aws/bin/eic_run_authorized_keys');
    expect(v.explanation).toContain("connect with the instance's key pair (team-key)");
    expect(v.fixes[0]?.offer.text).toContain('sudo yum install ec2-instance-connect');
  });

  it('gives the apt commands and the Ubuntu drop-in file for Ubuntu 18.04', () => {
    const v = run(facts({ image: ok(image({ Name: 'ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-20200112' })), instance: ok(instance({ KeyName: undefined })) }));
    expect(v.status).toBe('fail');
    expect(v.fixes[0]?.offer.text).toContain('sudo apt update && sudo apt install ec2-instance-connect');
    expect(v.fixes[0]?.offer.text).toContain('/lib/systemd/system/ssh.service.d/ec2-instance-connect.conf');
  });

  it('fails where the package does not exist (Debian)', () => {
    expect(run(facts({ image: ok(image({ Name: 'debian-12-amd64-20240717-1811' })) })).summary).toBe('The ec2-instance-connect package is not available for Debian 12.');
  });

  it('warns for an unrecognised AMI', () => {
    expect(run(facts({ image: ok(image({ Name: 'golden-image-v42' })) })).status).toBe('warn');
  });

  it('warns when a pushed key was refused on an image that ships the package, unless the user is the problem', () => {
    const refused = failure({ code: 'SSH_AUTH_FAILED', step: 'auth', message: 'refused' });
    expect(run(facts({ failure: refused })).status).toBe('warn');
    const f = facts({ failure: refused });
    expect(run({ ...f, subject: { ...f.subject, osUser: 'ubuntu' } }).status).toBe('pass');
  });

  it('says how to get in when the instance has no key pair', () => {
    expect(run(facts({ image: ok(OLD_AL2), instance: ok(instance({ KeyName: undefined })) })).explanation).toContain('launched without a key pair, so Session Manager or the EC2 serial console');
  });

  it('skips for Windows and for hosts that sign in with a key pair', () => {
    expect(run(facts({ instance: ok(windowsInstance()) })).status).toBe('skip');
    const f = facts({ image: ok(OLD_AL2) });
    expect(run({ ...f, subject: { ...f.subject, auth: { method: 'keyPair', key: { store: 'keychain' } } } }).status).toBe('skip');
  });
});
