import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCredentialsCommand, ListAccountRolesCommand, ListAccountsCommand, LogoutCommand, SSOClient } from '@aws-sdk/client-sso';
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index';

let sandbox: Sandbox;

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function sts(credentials: Creds, region = 'us-east-1'): STSClient {
  return new STSClient({ region, endpoint: sandbox.urls.sts, credentials, maxAttempts: 1 });
}

function admin(): Creds {
  return { accessKeyId: sandbox.principals[0]!.accessKeyId, secretAccessKey: sandbox.principals[0]!.secretAccessKey };
}

beforeAll(async () => {
  sandbox = await startSandbox({ withoutInstanceServers: true });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('STS', () => {
  it('tells who the caller is', async () => {
    const me = await sts(admin()).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/sandbox-admin' });
    expect(me.UserId).toMatch(/^AIDA/);
  });

  it('answers InvalidClientTokenId for an unknown key and SignatureDoesNotMatch for a wrong secret', async () => {
    await expect(sts({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    await expect(sts({ ...admin(), secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
  });

  it('assumes a trusted role; the temporary credentials work everywhere until they expire', async () => {
    const assumed = await sts(admin()).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/BastionlessOperator', RoleSessionName: 'bastionless-test', DurationSeconds: 900 }));
    const c = assumed.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{9}EXAMPLE$/);
    expect(c.SessionToken).toBeTruthy();
    expect(c.Expiration!.getTime()).toBeGreaterThan(Date.now());
    expect(assumed.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/BastionlessOperator/bastionless-test');
    const temp = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    expect((await sts(temp).send(new GetCallerIdentityCommand({}))).Arn).toBe(assumed.AssumedRoleUser?.Arn);
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: sandbox.urls.ec2, credentials: temp, maxAttempts: 1 });
    expect((await ec2.send(new DescribeRegionsCommand({}))).Regions).toHaveLength(2);
    // Without its session token the temporary key is not recognised.
    await expect(sts({ accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });

    sandbox.world.expireSessions();
    await expect(sts(temp).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'ExpiredToken' });
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toMatchObject({ name: 'RequestExpired', message: 'The security token included in the request is expired' });
  });

  it('refuses an untrusted caller, an unknown role, and a role that needs MFA without the right code', async () => {
    const restricted = { accessKeyId: sandbox.principals[1]!.accessKeyId, secretAccessKey: sandbox.principals[1]!.secretAccessKey };
    await expect(sts(restricted).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/BastionlessOperator', RoleSessionName: 'session' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(sts(admin()).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/Nope', RoleSessionName: 'session' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const mfaRole = 'arn:aws:iam::123456789012:role/BastionlessAuditor';
    await expect(sts(admin()).send(new AssumeRoleCommand({ RoleArn: mfaRole, RoleSessionName: 'session' }))).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringMatching(/MFA/) });
    const serial = 'arn:aws:iam::123456789012:mfa/sandbox-mfa';
    await expect(sts(admin()).send(new AssumeRoleCommand({ RoleArn: mfaRole, RoleSessionName: 'session', SerialNumber: serial, TokenCode: '000000' }))).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringMatching(/invalid MFA one time pass code/) });
    const ok = await sts(admin()).send(new AssumeRoleCommand({ RoleArn: mfaRole, RoleSessionName: 'session', SerialNumber: serial, TokenCode: '123456' }));
    expect(ok.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/BastionlessAuditor/session');
    await expect(sts(admin()).send(new AssumeRoleCommand({ RoleArn: mfaRole, RoleSessionName: 'session', DurationSeconds: 7200, SerialNumber: serial, TokenCode: '123456' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('issues session tokens for MFA profiles, but not to temporary credentials', async () => {
    const session = await sts(admin()).send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::123456789012:mfa/sandbox-mfa', TokenCode: '123456', DurationSeconds: 900 }));
    const c = session.Credentials!;
    const temp = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    expect((await sts(temp).send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::123456789012:user/sandbox-admin');
    await expect(sts(temp).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('the sandbox\u2019s AWS config files', () => {
  it('hold a profile per principal, role and SSO role that the SDK\u2019s own credential chain can use', async () => {
    const configFile = sandbox.awsConfigFile;
    expect(sandbox.env['AWS_CONFIG_FILE']).toBeUndefined();
    expect(statSync(sandbox.awsCredentialsFile).mode & 0o777).toBe(0o600);
    const config = readFileSync(configFile, 'utf8');
    expect(config).toContain('[profile BastionlessAuditor]\nrole_arn = arn:aws:iam::123456789012:role/BastionlessAuditor\nsource_profile = sandbox-admin\nrole_session_name = bastionless\nmfa_serial = arn:aws:iam::123456789012:mfa/sandbox-mfa');
    expect(config).toContain('[profile sso-210987654321-ReadOnlyAccess]\nsso_session = sandbox');
    expect(config).toContain('[sso-session sandbox]\nsso_start_url = https://sandbox-example.awsapps.com/start');
    const saved = { ...process.env };
    Object.assign(process.env, sandbox.env, { AWS_CONFIG_FILE: sandbox.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sandbox.awsCredentialsFile });
    try {
      const operator = fromIni({ profile: 'BastionlessOperator' });
      const me = await new STSClient({ credentials: operator }).send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toBe('arn:aws:sts::123456789012:assumed-role/BastionlessOperator/bastionless');
      const restricted = await new STSClient({ credentials: fromIni({ profile: 'sandbox-restricted' }) }).send(new GetCallerIdentityCommand({}));
      expect(restricted.Arn).toBe('arn:aws:iam::123456789012:user/sandbox-restricted');
    } finally {
      for (const key of [...Object.keys(sandbox.env), 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('IAM Identity Center (SSO)', () => {
  const startUrl = 'https://sandbox-example.awsapps.com/start';

  async function signIn(): Promise<{ oidc: SSOOIDCClient; clientId: string; clientSecret: string; accessToken: string; refreshToken: string }> {
    const oidc = new SSOOIDCClient({ region: 'us-east-1', endpoint: sandbox.urls.ssoOidc, maxAttempts: 1 });
    const registered = await oidc.send(new RegisterClientCommand({ clientName: 'bastionless-test', clientType: 'public' }));
    const clientId = registered.clientId!;
    const clientSecret = registered.clientSecret!;
    const device = await oidc.send(new StartDeviceAuthorizationCommand({ clientId, clientSecret, startUrl }));
    expect(device.verificationUriComplete).toBe(`${sandbox.urls.ssoOidc}/device?user_code=${device.userCode}`);
    expect(device.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    const poll = (): Promise<unknown> => oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: device.deviceCode! }));
    await expect(poll()).rejects.toMatchObject({ name: 'AuthorizationPendingException', error: 'authorization_pending' });
    // The person "opens" the verification link in a browser.
    const page = await fetch(device.verificationUriComplete!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Request approved');
    const token = (await poll()) as { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number };
    expect(token.tokenType).toBe('Bearer');
    expect(token.expiresIn).toBe(28800);
    await expect(poll()).rejects.toMatchObject({ name: 'InvalidGrantException' });
    return { oidc, clientId, clientSecret, accessToken: token.accessToken, refreshToken: token.refreshToken };
  }

  it('signs in with the device flow, lists accounts and roles, and gets role credentials that work', async () => {
    const { accessToken } = await signIn();
    const sso = new SSOClient({ region: 'us-east-1', endpoint: sandbox.urls.sso, maxAttempts: 1 });
    const accounts = await sso.send(new ListAccountsCommand({ accessToken }));
    expect(accounts.accountList?.map((a) => `${a.accountId} ${a.accountName}`)).toEqual(['123456789012 Sandbox Production', '210987654321 Sandbox Staging']);
    const roles = await sso.send(new ListAccountRolesCommand({ accessToken, accountId: '123456789012' }));
    expect(roles.roleList?.map((r) => r.roleName)).toEqual(['AdministratorAccess', 'ReadOnlyAccess']);
    const creds = await sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: '123456789012', roleName: 'ReadOnlyAccess' }));
    const rc = creds.roleCredentials!;
    expect(rc.expiration).toBeGreaterThan(Date.now());
    const me = await sts({ accessKeyId: rc.accessKeyId!, secretAccessKey: rc.secretAccessKey!, sessionToken: rc.sessionToken! }).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/AWSReservedSSO_ReadOnlyAccess_[0-9a-f]{16}\/sandbox\.user@example\.com$/);
    await expect(sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: '210987654321', roleName: 'AdministratorAccess' }))).rejects.toMatchObject({ name: 'ForbiddenException' });
    await sso.send(new LogoutCommand({ accessToken }));
    await expect(sso.send(new ListAccountsCommand({ accessToken }))).rejects.toMatchObject({ name: 'UnauthorizedException', $metadata: { httpStatusCode: 401 } });
  });

  it('refreshes a token with the refresh-token grant, and rejects a bad start URL or a denied request', async () => {
    const { oidc, clientId, clientSecret, refreshToken } = await signIn();
    const refreshed = await oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'refresh_token', refreshToken }));
    expect(refreshed.accessToken).toBeTruthy();
    await expect(oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'refresh_token', refreshToken }))).rejects.toMatchObject({ name: 'InvalidGrantException' });
    await expect(oidc.send(new StartDeviceAuthorizationCommand({ clientId, clientSecret, startUrl: 'https://other.awsapps.com/start' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    const device = await oidc.send(new StartDeviceAuthorizationCommand({ clientId, clientSecret, startUrl }));
    await fetch(`${device.verificationUriComplete!}&action=deny`);
    await expect(oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: device.deviceCode! }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('lets tests approve a pending sign-in without a browser, and expire tokens', async () => {
    const oidc = new SSOOIDCClient({ region: 'us-east-1', endpoint: sandbox.urls.ssoOidc, maxAttempts: 1 });
    const { clientId, clientSecret } = await oidc.send(new RegisterClientCommand({ clientName: 'x', clientType: 'public' }));
    const device = await oidc.send(new StartDeviceAuthorizationCommand({ clientId, clientSecret, startUrl }));
    expect(sandbox.world.approveSsoDevices()).toContain(device.userCode);
    const token = await oidc.send(new CreateTokenCommand({ clientId, clientSecret, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: device.deviceCode! }));
    sandbox.world.expireSessions();
    const sso = new SSOClient({ region: 'us-east-1', endpoint: sandbox.urls.sso, maxAttempts: 1 });
    await expect(sso.send(new ListAccountsCommand({ accessToken: token.accessToken }))).rejects.toMatchObject({ name: 'UnauthorizedException' });
  });
});
