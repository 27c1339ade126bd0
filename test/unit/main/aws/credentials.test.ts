import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwsNetwork } from '../../../../main/aws/awsNetwork';
import { CredentialResolver, MemoizedCredentials, REFRESH_BEFORE_MS } from '../../../../main/aws/credentials';
import { secretAccounts } from '../../../../main/aws/keychain';
import { ProfilesService } from '../../../../main/aws/profilesService';
import { PromptBroker } from '../../../../main/aws/prompts';
import { SsoService } from '../../../../main/aws/sso';
import { RecordingDesktop } from '../../../../main/desktop';
import { memoryLogger } from '../../../support/fakes';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { awsFiles } from './awsFixtures';

describe('MemoizedCredentials', () => {
  it('shares one fetch among concurrent callers and caches until close to expiry', async () => {
    let now = 1_000_000;
    let fetches = 0;
    const memo = new MemoizedCredentials(async () => {
      fetches += 1;
      return { accessKeyId: `AKIA${fetches}`, secretAccessKey: 's', expiration: new Date(now + 60 * 60_000) };
    }, () => now);
    const [a, b] = await Promise.all([memo.get(), memo.get()]);
    expect(a).toBe(b);
    expect(fetches).toBe(1);
    now += 60 * 60_000 - REFRESH_BEFORE_MS - 1;
    expect((await memo.get()).accessKeyId).toBe('AKIA1');
    now += 2;
    expect((await memo.get()).accessKeyId).toBe('AKIA2');
    expect(fetches).toBe(2);
  });

  it('keeps credentials without an expiry, caches no failure, and forgets on invalidate', async () => {
    let fail = true;
    let fetches = 0;
    const memo = new MemoizedCredentials(async () => {
      fetches += 1;
      if (fail) throw new Error('boom');
      return { accessKeyId: 'AKIA', secretAccessKey: 's' };
    });
    await expect(memo.get()).rejects.toThrow('boom');
    fail = false;
    await memo.get();
    await memo.get();
    expect(fetches).toBe(2);
    memo.invalidate();
    await memo.get();
    expect(fetches).toBe(3);
  });
});

function resolver(env: Record<string, string>, keychain = new MemorySecretStore()) {
  const { log } = memoryLogger();
  const dataDir = mkdtempSync(join(tmpdir(), 'bl-creds-'));
  const requested: unknown[] = [];
  const prompts = new PromptBroker({ onRequested: (p) => requested.push(p), onClosed: () => undefined, log });
  const network = new AwsNetwork(env, log);
  const sso = new SsoService({ network, keychain, prompts, desktop: new RecordingDesktop(), onSignInChanged: () => undefined, log });
  const profiles = new ProfilesService({ dataDir, env, keychain, log });
  const credentials = new CredentialResolver({ env, network, profiles, keychain, prompts, sso, log });
  return { credentials, profiles, keychain, prompts, requested };
}

describe('CredentialResolver', () => {
  it('reads the environment profile from the env object', async () => {
    const { credentials } = resolver({ ...awsFiles().env, AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENV0001', AWS_SECRET_ACCESS_KEY: 'envSecret', AWS_SESSION_TOKEN: 'envToken' });
    expect(await credentials.providerFor('env')()).toEqual({ accessKeyId: 'AKIAENVENVENVENV0001', secretAccessKey: 'envSecret', sessionToken: 'envToken' });
  });

  it('reads static keys through the SDK provider, from the files the env names', async () => {
    const { credentials } = resolver(awsFiles().env);
    expect(await credentials.providerFor('config:default')()).toMatchObject({ accessKeyId: 'AKIADEFAULTDEFAULT01', secretAccessKey: 'defaultSecretKeyValue1234567890abcdefghi' });
    expect(await credentials.providerFor('config:creds-only')()).toMatchObject({ accessKeyId: 'ASIACREDSONLY0000001', sessionToken: 'credsOnlySessionTokenValue' });
  });

  it('runs a credential_process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-proc-'));
    const script = join(dir, 'creds.mjs');
    writeFileSync(script, `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIAPROCESS000000001', SecretAccessKey: 'procSecret', SessionToken: 'procToken', Expiration: '2099-01-01T00:00:00Z' }));`);
    const { env } = awsFiles(`[profile proc]\ncredential_process = ${process.execPath} ${script}\n`, '');
    const { credentials } = resolver(env);
    const creds = await credentials.providerFor('config:proc')();
    expect(creds).toMatchObject({ accessKeyId: 'AKIAPROCESS000000001', secretAccessKey: 'procSecret', sessionToken: 'procToken' });
    expect(creds.expiration?.toISOString()).toBe('2099-01-01T00:00:00.000Z');
  });

  it('maps a failing credential_process to AWS_CREDENTIAL_PROCESS_FAILED', async () => {
    const { env } = awsFiles(`[profile proc]\ncredential_process = ${process.execPath} -e "process.exit(3)"\n`, '');
    const { credentials } = resolver(env);
    await expect(credentials.providerFor('config:proc')()).rejects.toMatchObject({ code: 'AWS_CREDENTIAL_PROCESS_FAILED' });
  });

  it('reads an app profile from the keychain, and says so when the secret is gone', async () => {
    const { credentials, profiles, keychain } = resolver(awsFiles().env);
    const saved = await profiles.save({ name: 'app', region: 'eu-west-1', accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: 'appSecretKeyValue1234567890' });
    expect(await credentials.providerFor(saved.id)()).toEqual({ accessKeyId: 'AKIAAPPAPPAPPAPP0001', secretAccessKey: 'appSecretKeyValue1234567890' });
    keychain.secrets.delete(secretAccounts.profileSecretAccessKey(saved.id));
    credentials.invalidate(saved.id);
    await expect(credentials.providerFor(saved.id)()).rejects.toMatchObject({ code: 'KEYCHAIN_SECRET_MISSING' });
  });

  it('refuses broken profiles with what is wrong', async () => {
    const { credentials } = resolver(awsFiles().env);
    await expect(credentials.providerFor('config:broken-role')()).rejects.toMatchObject({ code: 'AWS_PROFILE_INVALID', message: expect.stringContaining('"missing"') });
    await expect(credentials.providerFor('config:settings-only')()).rejects.toMatchObject({ code: 'AWS_PROFILE_INVALID' });
    await expect(credentials.providerFor('config:nope')()).rejects.toMatchObject({ code: 'AWS_PROFILE_NOT_FOUND' });
  });

  it('detects a source_profile loop', async () => {
    const { env } = awsFiles(`[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n`, '');
    const { credentials } = resolver(env);
    await expect(credentials.providerFor('config:a')()).rejects.toMatchObject({ code: 'AWS_PROFILE_INVALID', message: expect.stringContaining('loop (a -> b -> a)') });
  });

  it('asks for an MFA code before assuming a role with mfa_serial, and a cancel stops it', async () => {
    const { credentials, prompts, requested } = resolver(awsFiles().env);
    const pending = credentials.providerFor('config:admin')();
    await expect.poll(() => requested.length).toBe(1);
    expect(requested[0]).toMatchObject({ kind: 'mfa', profileName: 'admin', mfaSerial: 'arn:aws:iam::123456789012:mfa/alice', reason: 'to assume role Admin in 777788889999' });
    prompts.answer((requested[0] as { promptId: string }).promptId, { cancel: true });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
