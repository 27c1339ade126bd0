import { describe, expect, it } from 'vitest';
import { osUserCheck } from '../../../../../main/diagnose/checks/osUserCheck';
import { facts, failure, image, ok, windowsInstance } from '../factBuilders';

const run = (f = facts()) => osUserCheck.evaluate(f, []);
const asUser = (osUser: string | undefined, over = facts()) => ({ ...over, subject: { ...over.subject, ...(osUser ? { osUser } : { osUser: undefined }) } });

describe('check 9: OS user', () => {
  it('passes when the host uses the AMI’s default user', () => {
    expect(run().status).toBe('pass');
  });

  it('warns about another user, and fails when sign-in was refused, offering the default', () => {
    const ubuntu = facts({ image: ok(image({ Name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240301' })) });
    const warned = run(asUser('ec2-user', ubuntu));
    expect(warned.status).toBe('warn');
    expect(warned.summary).toBe('The host signs in as ec2-user; Ubuntu 22.04 creates ubuntu.');
    expect(warned.fixes[0]?.action).toEqual({ kind: 'updateHost', hostId: 'h-0a1b2c3d4e5f6000', patch: { osUser: 'ubuntu' } });
    expect(run(asUser('ec2-user', { ...ubuntu, failure: failure({ code: 'SSH_AUTH_FAILED', step: 'auth' }) })).status).toBe('fail');
  });

  it('says root cannot sign in', () => {
    expect(run(asUser('root')).explanation).toContain('do not allow root');
  });

  it('accepts both CentOS users', () => {
    expect(run(asUser('ec2-user', facts({ image: ok(image({ Name: 'CentOS-7-2111-20220825_1.x86_64' })) }))).status).toBe('pass');
  });

  it('cannot compare for an unknown AMI, and does not pretend to', () => {
    const v = run(asUser('deploy', facts({ image: ok(null) })));
    expect(v.status).toBe('pass');
    expect(v.explanation).toContain('cannot compare');
  });

  it('skips for Windows', () => {
    expect(run(facts({ instance: ok(windowsInstance()) })).status).toBe('skip');
  });
});
