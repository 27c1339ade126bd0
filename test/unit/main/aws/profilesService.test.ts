import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwsConfig } from '../../../../main/aws/awsConfig';
import { secretAccounts } from '../../../../main/aws/keychain';
import { classifyProfile, programOf } from '../../../../main/aws/profileKinds';
import { ProfilesService } from '../../../../main/aws/profilesService';
import { Profile } from '../../../../preload/contract';
import { memoryLogger } from '../../../support/fakes';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { awsFiles } from './awsFixtures';

function service(env: Record<string, string>, keychain = new MemorySecretStore()) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bl-profiles-'));
  const changed: string[] = [];
  const profiles = new ProfilesService({ dataDir, env, keychain, log: memoryLogger().log, onChanged: (id) => changed.push(id) });
  return { profiles, keychain, dataDir, changed };
}

const input = { name: 'work keys', region: 'eu-west-1', accessKeyId: 'AKIAWORKWORKWORK0001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('AWS config files', () => {
  it('honours AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE from the env object, not process.env', async () => {
    const { env } = awsFiles();
    const files = await loadAwsConfig(env);
    expect(files.configFile).toBe(env.AWS_CONFIG_FILE);
    expect(Object.keys(files.config)).toContain('corp-sso');
    expect(Object.keys(files.credentials)).toEqual(['default', 'creds-only']);
    expect(Object.keys(files.ssoSessions)).toEqual(['corp']);
    expect(files.services['local-ec2']?.['ec2.endpoint_url']).toBe('https://127.0.0.1:4566');
  });

  it('defaults to ~/.aws under the env HOME and treats missing files as empty', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bl-empty-home-'));
    const files = await loadAwsConfig({ HOME: home });
    expect(files.configFile).toBe(join(home, '.aws', 'config'));
    expect(files.config).toEqual({});
    expect(files.warnings).toEqual([]);
  });

  it.each([
    ['default', 'static'],
    ['static-config', 'static'],
    ['creds-only', 'static'],
    ['corp-sso', 'sso'],
    ['old-sso', 'ssoLegacy'],
    ['admin', 'assumeRole'],
    ['from-env', 'assumeRole'],
    ['vault', 'credentialProcess'],
    ['web', 'webIdentity'],
    ['settings-only', 'settingsOnly'],
  ])('classifies %s as %s', async (name, kind) => {
    const files = await loadAwsConfig(awsFiles().env);
    expect(classifyProfile(name, files).kind).toBe(kind);
  });

  it('reads the facts each kind needs and names what is broken', async () => {
    const files = await loadAwsConfig(awsFiles().env);
    const sso = classifyProfile('corp-sso', files);
    expect(sso.sso).toEqual({ startUrl: 'https://corp.awsapps.com/start', ssoRegion: 'us-east-1', session: 'corp', registrationScopes: ['sso:account:access'], accountId: '111122223333', roleName: 'Developer' });
    expect(sso.problems).toEqual([]);
    const admin = classifyProfile('admin', files);
    expect(admin).toMatchObject({ roleArn: 'arn:aws:iam::777788889999:role/Admin', sourceProfile: 'default', mfaSerial: 'arn:aws:iam::123456789012:mfa/alice', region: 'eu-central-1' });
    expect(classifyProfile('broken-role', files).problems[0]).toContain('source_profile "missing" is not defined');
    expect(classifyProfile('settings-only', files).problems[0]).toContain('no credentials');
    expect(classifyProfile('local', files).servicesSection?.['ec2.endpoint_url']).toBe('https://127.0.0.1:4566');
    expect(classifyProfile('creds-only', files)).toMatchObject({ hasSessionToken: true, accessKeyIdHint: 'ASIA…0001' });
  });

  it('shows only the program of a credential_process, never its arguments', () => {
    expect(programOf('/usr/local/bin/aws-vault export --secret=abc')).toBe('aws-vault');
    expect(programOf('"C:\\Program Files\\tool.exe" --token x')).toBe('tool.exe');
  });
});

describe('ProfilesService', () => {
  it('lists config, credentials, environment and app profiles without any secret', async () => {
    const { env } = awsFiles();
    const { profiles } = service({ ...env, AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENV0001', AWS_SECRET_ACCESS_KEY: 'envSecretKeyValue1234567890abcdefghijklm', AWS_REGION: 'us-east-2' });
    await profiles.save(input);
    const list = await profiles.list();
    for (const p of list) Profile.parse(p);
    const byName = Object.fromEntries(list.map((p) => [p.name, p]));
    expect(byName['Environment']).toMatchObject({ id: 'env', kind: 'environment', source: 'environment', region: 'us-east-2', isDefault: true, accessKeyIdHint: 'AKIA…0001' });
    expect(byName['default']).toMatchObject({ id: 'config:default', kind: 'static', isDefault: false, region: 'eu-west-1' });
    expect(byName['corp-sso']?.sso).toMatchObject({ startUrl: 'https://corp.awsapps.com/start', signedIn: false });
    expect(byName['vault']).toMatchObject({ kind: 'credentialProcess', processProgram: 'aws-vault' });
    expect(byName['work keys']).toMatchObject({ kind: 'appManaged', source: 'app', hasSecret: true, accessKeyIdHint: 'AKIA…0001', region: 'eu-west-1' });
    // No value that is a secret in the files, the env or the keychain appears in what is listed.
    const text = JSON.stringify(list);
    for (const secret of ['configSecretKeyValue', 'defaultSecretKeyValue', 'credsOnlySecret', 'credsOnlySessionToken', 'envSecretKeyValue', input.secretAccessKey, '--secret=abc']) {
      expect(text).not.toContain(secret);
    }
  });

  it('marks AWS_PROFILE as the default when no keys are in the environment, and warns if it does not exist', async () => {
    const { env } = awsFiles();
    const { profiles } = service({ ...env, AWS_PROFILE: 'admin' });
    expect((await profiles.list()).filter((p) => p.isDefault).map((p) => p.name)).toEqual(['admin']);
    expect(await profiles.defaultProfileId()).toBe('config:admin');
    const other = service({ ...env, AWS_PROFILE: 'nope' });
    expect((await other.profiles.sources()).warnings[0]).toContain('AWS_PROFILE is "nope"');
  });

  it('keeps the secret and session token in the keychain only', async () => {
    const { profiles, keychain, dataDir, changed } = service(awsFiles().env);
    const saved = await profiles.save({ ...input, sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN', mfaSerial: 'arn:aws:iam::123456789012:mfa/alice' });
    expect(saved.id).toMatch(/^app:[a-z0-9]+$/);
    expect(saved).toMatchObject({ hasSecret: true, hasSessionToken: true, mfaSerial: 'arn:aws:iam::123456789012:mfa/alice' });
    expect(keychain.secrets.get(secretAccounts.profileSecretAccessKey(saved.id))).toBe(input.secretAccessKey);
    expect(keychain.secrets.get(secretAccounts.profileSessionToken(saved.id))).toBe('FwoGZXIvYXdzEXAMPLESESSIONTOKEN');
    for (const name of readdirSync(dataDir)) {
      const path = join(dataDir, name);
      if (statSync(path).isFile()) {
        const text = readFileSync(path, 'utf8');
        expect(text).not.toContain(input.secretAccessKey);
        expect(text).not.toContain('FwoGZXIvYXdzEXAMPLESESSIONTOKEN');
      }
    }
    expect(changed).toEqual([saved.id]);
  });

  it('edits without a new secret keeps the stored one; a new secret replaces it and its token', async () => {
    const { profiles, keychain } = service(awsFiles().env);
    const saved = await profiles.save({ ...input, sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN' });
    const renamed = await profiles.save({ id: saved.id, name: 'renamed', region: 'us-east-1', accessKeyId: input.accessKeyId });
    expect(renamed).toMatchObject({ name: 'renamed', region: 'us-east-1', hasSessionToken: true, createdAt: saved.createdAt });
    expect(keychain.secrets.get(secretAccounts.profileSecretAccessKey(saved.id))).toBe(input.secretAccessKey);
    await profiles.save({ id: saved.id, name: 'renamed', region: 'us-east-1', accessKeyId: input.accessKeyId, secretAccessKey: 'aNewSecretKeyValue1234567890abcdefghijkl' });
    expect(keychain.secrets.get(secretAccounts.profileSecretAccessKey(saved.id))).toBe('aNewSecretKeyValue1234567890abcdefghijkl');
    expect(keychain.secrets.has(secretAccounts.profileSessionToken(saved.id))).toBe(false);
    expect((await profiles.get(saved.id)).hasSessionToken).toBe(false);
  });

  it('refuses duplicate names, missing secrets and edits of ~/.aws profiles, changing nothing', async () => {
    const { profiles, keychain } = service(awsFiles().env);
    await expect(profiles.save({ ...input, name: 'Default' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('already exists in your AWS config') });
    const { secretAccessKey: _omit, ...noSecret } = input;
    await expect(profiles.save(noSecret)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(profiles.save({ ...input, id: 'config:default' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(profiles.save({ ...input, id: 'app:0000000000000000' })).rejects.toMatchObject({ code: 'AWS_PROFILE_NOT_FOUND' });
    await expect(profiles.remove('config:default')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(keychain.secrets.size).toBe(0);
    expect((await profiles.list()).filter((p) => p.source === 'app')).toEqual([]);
  });

  it('saves nothing when the keychain is unavailable (no plaintext fallback)', async () => {
    const { profiles, keychain, dataDir } = service(awsFiles().env);
    keychain.failWith = 'KEYCHAIN_UNAVAILABLE';
    await expect(profiles.save(input)).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    keychain.failWith = undefined;
    expect((await profiles.list()).filter((p) => p.source === 'app')).toEqual([]);
    expect(readdirSync(dataDir).filter((n) => n.startsWith('profiles.json'))).toEqual([]);
  });

  it('rolls the keychain back when the session token cannot be stored', async () => {
    const { profiles, keychain } = service(awsFiles().env);
    keychain.failSetsAfter = 1;
    await expect(profiles.save({ ...input, sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN' })).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(keychain.secrets.size).toBe(0);
  });

  it('removes an app profile and its keychain entries', async () => {
    const { profiles, keychain } = service(awsFiles().env);
    const saved = await profiles.save({ ...input, sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN' });
    await profiles.remove(saved.id);
    expect(keychain.secrets.size).toBe(0);
    await expect(profiles.get(saved.id)).rejects.toMatchObject({ code: 'AWS_PROFILE_NOT_FOUND' });
  });
});
