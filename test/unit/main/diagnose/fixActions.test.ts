import { describe, expect, it } from 'vitest';
import { AppError, type FixOffer } from '../../../../preload/contract';
import { applyAction, expandHome, previewAction, type DiagnoseActionsIo, type FixContext } from '../../../../main/diagnose/fixActions';
import type { FixAction } from '../../../../main/diagnose/checkTypes';
import { awsError, FakeAws, type FakeAnswer } from './fakeAws';

/** The app side of fixes, recording what it was asked to do. */
class FakeActionsIo implements DiagnoseActionsIo {
  readonly done: string[] = [];
  readonly secrets = new Map<string, string>();
  readonly files = new Map<string, string>();
  storeError: AppError | undefined;
  homeDir = '/home/alice';

  async updateHost(hostId: string, patch: { osUser?: string; region?: string }): Promise<void> {
    this.done.push(`updateHost ${hostId} ${JSON.stringify(patch)}`);
  }
  async useKeyPair(hostId: string, privateKey: string): Promise<void> {
    this.done.push(`useKeyPair ${hostId} ${privateKey.length} chars`);
  }
  async readSecret(account: string): Promise<string | null> {
    return this.secrets.get(account) ?? null;
  }
  async storeSecret(account: string, secret: string): Promise<void> {
    if (this.storeError) throw this.storeError;
    this.secrets.set(account, secret);
  }
  async checkNewFile(path: string): Promise<void> {
    if (this.files.has(path)) throw new AppError('INVALID_INPUT', `${path} already exists; Bastionless never overwrites a file.`);
  }
  async writeNewFile(path: string, content: string): Promise<void> {
    await this.checkNewFile(path);
    this.files.set(path, content);
  }
}

const PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAkey\n-----END OPENSSH PRIVATE KEY-----';

function context(ec2: Record<string, FakeAnswer> = {}): { ctx: FixContext; aws: FakeAws; io: FakeActionsIo } {
  const aws = new FakeAws({ ec2 });
  const io = new FakeActionsIo();
  return { ctx: { profileId: 'config:dev', profileName: 'dev', region: 'eu-west-1', aws, io }, aws, io };
}

const offer = (over: Partial<FixOffer> = {}): FixOffer => ({ fixId: 'f', kind: 'authorizeIngress', label: 'Add the inbound rule', preview: ['Add a rule.'], rerun: [], ...over });
const ingress: FixAction = {
  kind: 'authorizeIngress',
  request: { GroupId: 'sg-0a1b2c3d4e5f60004', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: 'sg-0a1b2c3d4e5f60005' }] }] },
  text: 'TCP 22 from sg-0a1b2c3d4e5f60005 on sg-0a1b2c3d4e5f60004',
};
const keyPair: FixAction = { kind: 'createKeyPair', windows: false, profileId: 'config:dev', region: 'eu-west-1' };

describe('fix actions', () => {
  it('previews a rule with the exact call and AWS’s DryRun: allowed, denied, or unknown', async () => {
    const allowed = context({ AuthorizeSecurityGroupIngress: awsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.') });
    const preview = await previewAction(allowed.ctx, offer(), ingress, undefined);
    expect(preview.calls).toEqual(['ec2:AuthorizeSecurityGroupIngress GroupId=sg-0a1b2c3d4e5f60004 IpPermissions=[{IpProtocol=tcp,FromPort=22,ToPort=22,UserIdGroupPairs=[{GroupId=sg-0a1b2c3d4e5f60005}]}]']);
    expect(preview.permission).toEqual({ state: 'allowed' });
    expect(allowed.aws.ec2.calls[0]?.input).toMatchObject({ DryRun: true });

    const denied = context({ AuthorizeSecurityGroupIngress: awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.') });
    expect((await previewAction(denied.ctx, offer(), ingress, undefined)).permission).toEqual({ state: 'denied', message: 'Your identity is not allowed to call ec2:AuthorizeSecurityGroupIngress: ask your AWS administrator for it.' });

    const odd = context({ AuthorizeSecurityGroupIngress: awsError('RequestLimitExceeded', 'Slow down.') });
    expect((await previewAction(odd.ctx, offer(), ingress, undefined)).permission.state).toBe('unknown');
  });

  it('adds a rule, and takes "already there" as done', async () => {
    const { ctx, aws } = context({ AuthorizeSecurityGroupIngress: { Return: true } });
    expect(await applyAction(ctx, ingress, undefined)).toBe('Added inbound rule TCP 22 from sg-0a1b2c3d4e5f60005 on sg-0a1b2c3d4e5f60004.');
    expect(aws.ec2.calls[0]?.input).toEqual(ingress.kind === 'authorizeIngress' ? ingress.request : {});
    const dup = context({ AuthorizeSecurityGroupIngress: awsError('InvalidPermission.Duplicate', 'the specified rule already exists') });
    expect(await applyAction(dup.ctx, ingress, undefined)).toBe('The rule TCP 22 from sg-0a1b2c3d4e5f60005 on sg-0a1b2c3d4e5f60004 was already there.');
    const refused = context({ AuthorizeSecurityGroupIngress: awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.') });
    await expect(applyAction(refused.ctx, ingress, undefined)).rejects.toMatchObject({ code: 'AWS_ACCESS_DENIED' });
  });

  it('creates a key pair into the keychain, and deletes it again when the key cannot be kept', async () => {
    const ok = context({ CreateKeyPair: { KeyName: 'k', KeyMaterial: PEM } });
    expect(await applyAction(ok.ctx, keyPair, { name: 'k', type: 'ed25519', storage: { to: 'keychain' } })).toBe('Created the ED25519 key pair "k"; its private key is in your OS keychain.');
    expect(ok.io.secrets.get('keypair:config:dev:eu-west-1:k')).toBe(PEM);
    expect(ok.aws.ec2.calls[0]?.input).toEqual({ KeyName: 'k', KeyType: 'ed25519', KeyFormat: 'pem' });

    const failing = context({ CreateKeyPair: { KeyName: 'k', KeyMaterial: PEM }, DeleteKeyPair: { Return: true } });
    failing.io.storeError = new AppError('KEYCHAIN_DENIED', 'The keychain refused to store it.');
    await expect(applyAction(failing.ctx, keyPair, { name: 'k', type: 'ed25519', storage: { to: 'keychain' } })).rejects.toMatchObject({ code: 'KEYCHAIN_DENIED' });
    expect(failing.aws.ec2.names()).toEqual(['CreateKeyPair', 'DeleteKeyPair']);
    expect(failing.aws.ec2.calls[1]?.input).toEqual({ KeyName: 'k' });
  });

  it('writes a key file under ~ with a trailing newline, and never over an existing file', async () => {
    const { ctx, io, aws } = context({ CreateKeyPair: { KeyName: 'k', KeyMaterial: PEM } });
    expect(expandHome('~/.ssh/k.pem', io.homeDir)).toBe('/home/alice/.ssh/k.pem');
    await applyAction(ctx, keyPair, { name: 'k', type: 'rsa', storage: { to: 'file', path: '~/.ssh/k.pem' } });
    expect(io.files.get('/home/alice/.ssh/k.pem')).toBe(`${PEM}\n`);
    await expect(applyAction(ctx, keyPair, { name: 'k2', type: 'rsa', storage: { to: 'file', path: '~/.ssh/k.pem' } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // Refused before anything was created in AWS.
    expect(aws.ec2.names()).toEqual(['CreateKeyPair']);
    await expect(applyAction(ctx, keyPair, { name: 'k3', type: 'rsa', storage: { to: 'file', path: 'relative.pem' } })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: '"relative.pem" is not a full path.' });
  });

  it('insists on RSA for Windows and on options for a key pair', async () => {
    const { ctx } = context();
    await expect(applyAction(ctx, { ...keyPair, windows: true } as FixAction, { name: 'w', type: 'ed25519', storage: { to: 'keychain' } })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Windows instances need an RSA key pair.' });
    await expect(previewAction(ctx, offer({ kind: 'createKeyPair' }), keyPair, undefined)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('changes the saved host, and switches it to a key pair the keychain holds (refusing when it no longer does)', async () => {
    const { ctx, io } = context();
    expect(await applyAction(ctx, { kind: 'updateHost', hostId: 'h-0a1b2c3d4e5f6000', patch: { osUser: 'ubuntu' } }, undefined)).toBe('Saved the host with OS user ubuntu.');
    const use: FixAction = { kind: 'useKeyPair', hostId: 'h-0a1b2c3d4e5f6000', keychainAccount: 'keypair:config:dev:eu-west-1:team-key', keyName: 'team-key' };
    await expect(applyAction(ctx, use, undefined)).rejects.toMatchObject({ code: 'KEYCHAIN_SECRET_MISSING' });
    io.secrets.set('keypair:config:dev:eu-west-1:team-key', PEM);
    expect(await applyAction(ctx, use, undefined)).toBe('The host now signs in with the key pair team-key.');
    expect(io.done).toEqual(['updateHost h-0a1b2c3d4e5f6000 {"osUser":"ubuntu"}', `useKeyPair h-0a1b2c3d4e5f6000 ${PEM.length} chars`]);
  });

  it('leaves window-side fixes to the window', async () => {
    const { ctx } = context();
    await expect(applyAction(ctx, { kind: 'copy', text: 'x' }, undefined)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(previewAction(ctx, offer({ kind: 'openEndpoints' }), { kind: 'openEndpoints' }, undefined)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
