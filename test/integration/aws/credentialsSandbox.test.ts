import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretAccounts } from '../../../main/aws/keychain';
import { ssoCacheKey } from '../../../main/aws/sso';
import { compose, type Composition } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { MemorySink } from '../../../main/log';
import type { CredentialPrompt, SsoSignIn } from '../../../preload/contract';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startKeyring, type KeyringSession } from '../../support/keyring';

// Assumed roles (with and without MFA) against the sandbox's STS, and IAM Identity Center's
// device sign-in end to end against its SSO-OIDC and portal, with the token in a real keyring.
let sandbox: Sandbox;
let keyring: KeyringSession;
let home: string;
let dataDir: string;
let env: Record<string, string>;
const apps: Composition[] = [];
const ctx = { senderId: 'test' };

const START_URL = 'https://sandbox-example.awsapps.com/start';

async function boot(desktop = new RecordingDesktop()): Promise<{ app: Composition; desktop: RecordingDesktop; prompts: CredentialPrompt[]; signIns: SsoSignIn[]; closed: string[] }> {
  const app = await compose({ dataDir, version: '0.0.0-test', platform: 'linux', desktop, logSink: new MemorySink(), env });
  apps.push(app);
  const prompts: CredentialPrompt[] = [];
  const signIns: SsoSignIn[] = [];
  const closed: string[] = [];
  app.events.subscribe((channel, payload) => {
    if (channel === 'profiles:promptRequested') prompts.push(payload as CredentialPrompt);
    if (channel === 'profiles:signInChanged') signIns.push(payload as SsoSignIn);
    if (channel === 'profiles:promptClosed') closed.push((payload as { promptId: string }).promptId);
  });
  return { app, desktop, prompts, signIns, closed };
}

/** Waits for something an event handler pushes (no timing assumptions: the test timeout bounds it). */
async function until<T>(read: () => T | undefined): Promise<T> {
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ withoutInstanceServers: true });
  keyring = await startKeyring();
  process.env['DBUS_SESSION_BUS_ADDRESS'] = keyring.env.DBUS_SESSION_BUS_ADDRESS;
  home = keyring.env.HOME;
  dataDir = mkdtempSync(join(tmpdir(), 'bl-creds-data-'));
  const aws = join(home, '.aws');
  mkdirSync(aws, { recursive: true });
  const admin = sandbox.principals[0]!;
  writeFileSync(
    join(aws, 'credentials'),
    `[base]\naws_access_key_id = ${admin.accessKeyId}\naws_secret_access_key = ${admin.secretAccessKey}\n`,
  );
  writeFileSync(
    join(aws, 'config'),
    `[profile base]
region = us-east-1

[profile operator]
role_arn = arn:aws:iam::123456789012:role/BastionlessOperator
source_profile = base
region = us-east-1

[profile auditor]
role_arn = arn:aws:iam::123456789012:role/BastionlessAuditor
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/sandbox-mfa
region = us-east-1

[profile chained]
role_arn = arn:aws:iam::123456789012:role/BastionlessOperator
source_profile = operator

[profile sso-admin]
sso_session = sandbox
sso_account_id = 123456789012
sso_role_name = AdministratorAccess
region = us-east-1

[profile sso-legacy]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_account_id = 210987654321
sso_role_name = ReadOnlyAccess
region = eu-west-1

[sso-session sandbox]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`,
  );
  // The sandbox's endpoints, but no environment keys and these files: every credential here comes from a profile above.
  const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...endpoints } = sandbox.env;
  env = { ...endpoints, HOME: home, AWS_CONFIG_FILE: join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials') };
});

afterAll(async () => {
  for (const app of apps) await app.dispose();
  await keyring?.stop();
  await sandbox?.stop();
});

describe('assumed roles against the sandbox STS', () => {
  it('assumes a role from a source profile', async () => {
    const { app } = await boot();
    const identity = await app.api.profiles.test({ id: 'config:operator' }, ctx);
    expect(identity.account).toBe('123456789012');
    expect(identity.arn).toMatch(/assumed-role\/BastionlessOperator\//);
    expect(identity.expiresAt).toBeTruthy();
    // A chain assumes the next role with the first role's session: the sandbox's trust policy
    // trusts only the user, so STS refuses, naming the assumed role that asked.
    const chained = await Promise.resolve(app.api.profiles.test({ id: 'config:chained' }, ctx)).then(() => undefined, (e: unknown) => e);
    expect(chained).toMatchObject({ code: 'AWS_ACCESS_DENIED', message: expect.stringContaining('assumed-role/BastionlessOperator/') });
  });

  it('asks for the MFA code of a role that requires it, and refuses a wrong one', async () => {
    const { app, prompts } = await boot();
    const wrong = app.api.profiles.test({ id: 'config:auditor' }, ctx);
    const first = await until(() => prompts[0]);
    expect(first).toMatchObject({ kind: 'mfa', profileName: 'auditor', mfaSerial: 'arn:aws:iam::123456789012:mfa/sandbox-mfa' });
    await app.api.profiles.answerPrompt({ promptId: first.promptId, mfaCode: '000000' }, ctx);
    await expect(wrong).rejects.toMatchObject({ code: 'AWS_MFA_INVALID' });

    const right = app.api.profiles.test({ id: 'config:auditor' }, ctx);
    const second = await until(() => prompts[1]);
    await app.api.profiles.answerPrompt({ promptId: second.promptId, mfaCode: '123456' }, ctx);
    expect((await right).arn).toMatch(/assumed-role\/BastionlessAuditor\//);
    // The session is kept: no second prompt for the same profile.
    await app.api.profiles.test({ id: 'config:auditor' }, ctx);
    expect(prompts).toHaveLength(2);
  });
});

describe('app-managed keys with an MFA device', () => {
  it('trades the keys and a code for an MFA session (GetSessionToken), kept for later calls', async () => {
    const { app, prompts } = await boot();
    const admin = sandbox.principals[0]!;
    const saved = await app.api.profiles.save(
      { name: 'with mfa', region: 'us-east-1', accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey, mfaSerial: 'arn:aws:iam::123456789012:mfa/sandbox-mfa' },
      ctx,
    );
    const testing = app.api.profiles.test({ id: saved.id }, ctx);
    const prompt = await until(() => prompts.find((p) => p.profileId === saved.id));
    expect(prompt).toMatchObject({ kind: 'mfa', reason: 'to start an MFA session for this profile' });
    await app.api.profiles.answerPrompt({ promptId: prompt.promptId, mfaCode: '123456' }, ctx);
    const identity = await testing;
    expect(identity.arn).toBe(admin.arn);
    expect(identity.expiresAt).toBeTruthy();
    await app.api.profiles.test({ id: saved.id }, ctx);
    expect(prompts.filter((p) => p.profileId === saved.id)).toHaveLength(1);
  });
});

describe('IAM Identity Center device sign-in against the sandbox', () => {
  it('signs in end to end: prompt, browser page, approval, role credentials, token in the keychain', async () => {
    const { app, desktop, prompts, signIns, closed } = await boot();
    const profiles = await app.api.profiles.list({}, ctx);
    expect(profiles.find((p) => p.name === 'sso-admin')).toMatchObject({ kind: 'sso', sso: { signedIn: false, session: 'sandbox' } });

    // Using the profile asks for a sign-in...
    const testing = app.api.profiles.test({ id: 'config:sso-admin' }, ctx);
    const prompt = await until(() => prompts.find((p) => p.kind === 'ssoSignIn'));
    expect(prompt).toMatchObject({ profileName: 'sso-admin', startUrl: START_URL, ssoRegion: 'us-east-1' });

    // ...which the person starts from the dialog: the verification page opens in the browser.
    const started = await app.api.profiles.signIn({ id: 'config:sso-admin' }, ctx);
    expect(started).toMatchObject({ state: 'waiting', userCode: expect.any(String) });
    expect(desktop.opened).toEqual([started.verificationUriComplete]);

    // The person approves in the browser (the sandbox's page approves on GET).
    const page = await fetch(desktop.opened[0]!);
    expect(page.status).toBe(200);

    const identity = await testing;
    expect(identity.account).toBe('123456789012');
    expect(identity.arn).toContain('AdministratorAccess');
    expect(signIns.at(-1)).toMatchObject({ state: 'signedIn', profileId: 'config:sso-admin' });
    expect(closed).toContain(prompt.promptId);

    // The token is in the OS keychain, and neither in the data folder nor in the AWS CLI's cache.
    const stored = keyring.lookup(secretAccounts.ssoToken(ssoCacheKey({ session: 'sandbox', startUrl: START_URL })));
    expect(stored).toBeTruthy();
    const token = (JSON.parse(stored!) as { accessToken: string }).accessToken;
    expect(existsSync(join(home, '.aws', 'sso', 'cache'))).toBe(false);
    for (const name of readdirSync(dataDir)) {
      const path = join(dataDir, name);
      if (statSync(path).isFile()) expect(readFileSync(path, 'utf8')).not.toContain(token);
    }
    expect((await app.api.profiles.list({}, ctx)).find((p) => p.name === 'sso-admin')!.sso!.signedIn).toBe(true);
  });

  it('uses the stored token after a restart without asking again', async () => {
    const { app, prompts } = await boot();
    expect((await app.api.profiles.list({}, ctx)).find((p) => p.name === 'sso-admin')!.sso).toMatchObject({ signedIn: true });
    const identity = await app.api.profiles.test({ id: 'config:sso-admin' }, ctx);
    expect(identity.arn).toContain('AdministratorAccess');
    expect(prompts).toEqual([]);
  });

  it('signs in a legacy SSO profile and reports a denied request', async () => {
    const { app, desktop, signIns } = await boot();
    const denied = await app.api.profiles.signIn({ id: 'config:sso-legacy' }, ctx);
    expect(denied.state).toBe('waiting');
    await fetch(`${desktop.opened.at(-1)!}&action=deny`);
    const failed = await until(() => signIns.find((s) => s.profileId === 'config:sso-legacy' && s.state !== 'waiting'));
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'AWS_SSO_SIGN_IN_FAILED' } });

    const again = await app.api.profiles.signIn({ id: 'config:sso-legacy' }, ctx);
    await fetch(desktop.opened.at(-1)!);
    await until(() => signIns.find((s) => s.profileId === 'config:sso-legacy' && s.state === 'signedIn'));
    expect(again.userCode).not.toBe(denied.userCode);
    const identity = await app.api.profiles.test({ id: 'config:sso-legacy' }, ctx);
    expect(identity.account).toBe('210987654321');
    expect(identity.region).toBe('eu-west-1');
  });

  it('can cancel a waiting sign-in', async () => {
    const { app, signIns } = await boot();
    const first = signIns.length;
    await app.api.profiles.signIn({ id: 'config:sso-admin' }, ctx);
    await app.api.profiles.cancelSignIn({ id: 'config:sso-admin' }, ctx);
    expect(await until(() => signIns.slice(first).find((s) => s.state === 'cancelled'))).toMatchObject({ profileId: 'config:sso-admin' });
  });

  it('discovers instances with an SSO profile', async () => {
    const { app } = await boot();
    const snapshot = await app.api.inventory.refresh({ profileIds: ['config:sso-admin'], regions: ['us-east-1'] }, ctx);
    expect(snapshot.scopes[0]).toMatchObject({ state: 'done', instanceCount: 8 });
  });
});
