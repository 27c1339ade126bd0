import { describe, expect, it } from 'vitest';
import { generateSshConfig, sshAliasFor } from '../../../../main/ssh/sshConfig';
import { aTarget } from '../../../support/sshFakes';

describe('generateSshConfig', () => {
  it('writes a Host block that pushes the IdentityFile\'s public key through bastionless-tunnel', () => {
    const { alias, text } = generateSshConfig({ target: aTarget({ hostId: 'h-aaaaaaaa', name: 'Web 1 (prod)', profileId: 'config:prod' }) });
    expect(alias).toBe('web-1-prod');
    expect(text).toBe(
      [
        '# Web 1 (prod) (i-0123456789abcdef0, us-east-1), written by Bastionless.',
        'Host web-1-prod',
        '  HostName i-0123456789abcdef0',
        '  User ec2-user',
        '  Port 22',
        '  HostKeyAlias i-0123456789abcdef0',
        '  IdentityFile ~/.ssh/id_ed25519',
        '  IdentitiesOnly yes',
        '  ProxyCommand bastionless-tunnel --profile prod --region us-east-1 --instance-id i-0123456789abcdef0 --remote-port %p --push-key ~/.ssh/id_ed25519.pub --os-user ec2-user',
        '  ServerAliveInterval 30',
        '  ServerAliveCountMax 3',
        '',
      ].join('\n'),
    );
  });

  it('uses the chosen identity file for both the login and the push', () => {
    const { text } = generateSshConfig({ target: aTarget(), identityFile: '~/.ssh/work key', tunnelCommand: '/opt/Bastionless/bastionless-tunnel' });
    expect(text).toContain('  IdentityFile "~/.ssh/work key"\n');
    // ~/ stays outside the quotes so /bin/sh still expands it.
    expect(text).toContain("--push-key ~/'.ssh/work key.pub'");
    expect(text).toContain('ProxyCommand /opt/Bastionless/bastionless-tunnel ');
  });

  it('quotes profile names and commands the shell would split or expand', () => {
    const { text } = generateSshConfig({ target: aTarget({ profileId: "config:team's $HOME" }), tunnelCommand: '/Applications/Bastion less.app/tunnel' });
    expect(text).toContain("ProxyCommand '/Applications/Bastion less.app/tunnel' --profile 'team'\\''s $HOME' ");
  });

  it('passes ~/.aws profiles by name, and says what the tunnel uses for the others', () => {
    const env = generateSshConfig({ target: aTarget({ profileId: 'env' }) }).text;
    const proxyLine = (text: string) => text.split('\n').find((l) => l.includes('ProxyCommand'));
    expect(proxyLine(env)).not.toContain('--profile');
    expect(env).toContain('# Credentials: the AWS_* variables');
    const app = generateSshConfig({ target: aTarget({ profileId: 'app:abcdefgh12' }) }).text;
    expect(proxyLine(app)).not.toContain('--profile');
    expect(app).toContain('which the command-line tunnel cannot read');
  });

  it('logs in with a key pair file as it is, with no push', () => {
    const { text } = generateSshConfig({ target: aTarget({ auth: { method: 'keyPair', key: { source: 'file', path: '/home/me/prod.pem' } } }) });
    expect(text).toContain('  IdentityFile /home/me/prod.pem\n');
    expect(text).not.toContain('--push-key');
  });

  it('explains a keychain key pair and pushes the person\'s own key instead', () => {
    const { text } = generateSshConfig({ target: aTarget({ auth: { method: 'keyPair', key: { source: 'keychain', account: 'h-1' } } }) });
    expect(text).toContain('# Its key pair is in your OS keychain');
    expect(text).toContain('--push-key ~/.ssh/id_ed25519.pub --os-user ec2-user');
  });

  it('leaves keys out for a password host', () => {
    const { text } = generateSshConfig({ target: aTarget({ auth: { method: 'password' } }) });
    expect(text).not.toContain('IdentityFile');
    expect(text).not.toContain('--push-key');
    expect(text).toContain('# It logs in with a password');
  });

  it('makes aliases OpenSSH accepts, falling back to the instance id', () => {
    expect(sshAliasFor({ name: '  ..Über*Server ', instanceId: 'i-1' })).toBe('ber-server');
    expect(sshAliasFor({ name: '***', instanceId: 'i-0123456789abcdef0' })).toBe('i-0123456789abcdef0');
  });

  it('keeps a multi-line name on one comment line', () => {
    const { text } = generateSshConfig({ target: aTarget({ name: 'a\nHost evil' }) });
    expect(text.split('\n').filter((l) => l.startsWith('Host '))).toEqual(['Host a-host-evil']);
  });
});
