import type { Sandbox } from '../sandbox/index';
import { expect, test } from './fixtures';
import { addProfile, inDarkTheme, openSandboxDemo, shot, type SandboxDemo } from './sandboxDemo';

const START_URL = 'https://sandbox-example.awsapps.com/start';

function awsFiles(sandbox: Sandbox): { config: string; credentials: string } {
  const base = sandbox.principals[0]!;
  return {
    credentials: `[base]\naws_access_key_id = ${base.accessKeyId}\naws_secret_access_key = ${base.secretAccessKey}\n`,
    config: `[profile base]
region = us-east-1

[profile auditor]
role_arn = arn:aws:iam::123456789012:role/BastionlessAuditor
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/sandbox-mfa
region = us-east-1

[profile sso-admin]
sso_session = sandbox
sso_account_id = 123456789012
sso_role_name = AdministratorAccess
region = us-east-1

[sso-session sandbox]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile half-done]
region = eu-west-1
`,
  };
}

test.describe('Profiles', () => {
  let app: SandboxDemo | undefined;
  test.afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  test('lists every kind, adds keys to the keychain, tests them, asks for MFA and signs in to SSO', async ({ page }) => {
    test.setTimeout(120_000);
    // The base profile's keys are the sandbox admin's.
    app = await openSandboxDemo(page, { awsFiles });
    await page.keyboard.press('Control+3');
    await expect(page.getByRole('heading', { name: 'Profiles', level: 1 })).toBeVisible();
    const row = (name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
    await expect(row('base')).toContainText('Access keys');
    await expect(row('auditor')).toContainText('Assumed role');
    await expect(row('auditor')).toContainText('with MFA');
    await expect(row('sso-admin')).toContainText('IAM Identity Center (SSO)');
    await expect(row('sso-admin')).toContainText('Not signed in');
    await expect(row('half-done')).toContainText('No credentials');

    // Add app-managed keys: the secret goes to the keychain, the profile is tested at once.
    const keys = app.sandbox.principals.find((p) => p.name === 'sandbox-restricted')!;
    await addProfile(page, 'restricted keys', keys);
    await expect(row('restricted keys')).toContainText('Added in Bastionless');
    await expect(row('restricted keys').getByTestId('profile-identity')).toContainText('123456789012');
    await expect(row('restricted keys').getByTestId('profile-identity')).toContainText('sandbox-restricted');
    for (const file of app.dataFiles()) expect(file.bytes.includes(keys.secretAccessKey), `${file.path} holds the secret`).toBe(false);
    expect(app.keyring.lookup(`profile:${await page.locator('[data-profile-id^="app:"]').getAttribute('data-profile-id')}:secretAccessKey`)).toBe(keys.secretAccessKey);
    await shot(page, 'profiles');
    await inDarkTheme(page, () => shot(page, 'profiles-dark'));

    // An assumed role with MFA: the code is asked in a dialog.
    await row('auditor').getByRole('button', { name: 'Test auditor' }).click();
    const mfa = page.getByRole('dialog', { name: 'MFA code needed' });
    await expect(mfa).toBeVisible();
    await expect(mfa).toContainText('to assume role BastionlessAuditor in 123456789012');
    await mfa.getByLabel('6-digit code').fill('123456');
    await shot(page, 'profiles-mfa');
    await mfa.getByRole('button', { name: 'Continue' }).click();
    await expect(mfa).toHaveCount(0);
    await expect(row('auditor').getByTestId('profile-identity')).toContainText('assumed-role/BastionlessAuditor');

    // IAM Identity Center: Sign in shows the code; the person approves it in the browser.
    await row('sso-admin').getByRole('button', { name: 'Sign in' }).click();
    const code = row('sso-admin').getByTestId('sso-user-code');
    await expect(code).toBeVisible();
    await shot(page, 'profiles-sso');
    expect(app.sandbox.world.approveSsoDevices((await code.textContent())!.trim())).toHaveLength(1);
    await expect(row('sso-admin')).toContainText('Signed in');
    await row('sso-admin').getByRole('button', { name: 'Test sso-admin' }).click();
    await expect(row('sso-admin').getByTestId('profile-identity')).toContainText('AdministratorAccess');
  });

  test('edits and removes an app profile, and shows a test failure with its hint', async ({ page }) => {
    test.setTimeout(90_000);
    app = await openSandboxDemo(page);
    const admin = app.sandbox.principals[0]!;
    await addProfile(page, 'mine', { accessKeyId: admin.accessKeyId, secretAccessKey: 'wrong-secret-key-0000000000000000000000' });
    const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'mine', exact: true }) });
    const failure = row.getByRole('alert');
    await expect(failure).toHaveAttribute('data-code', 'AWS_CREDENTIALS_INVALID');
    await expect(failure).toContainText('secret access key');

    await row.getByRole('button', { name: 'Edit mine' }).click();
    const form = page.getByRole('form', { name: 'Edit profile' });
    await form.getByLabel('Secret access key').fill(admin.secretAccessKey);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(row.getByTestId('profile-identity')).toContainText('sandbox-admin');

    await row.getByRole('button', { name: 'Remove mine' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove profile' }).click();
    await expect(page.getByRole('heading', { name: 'mine', exact: true })).toHaveCount(0);
  });
});
