// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CredentialPrompt, Profile } from '../../../../../preload/contract';
import { CredentialPrompts } from '../../../../../renderer/src/features/profiles/CredentialPrompts';
import { ProfilesView } from '../../../../../renderer/src/features/profiles/ProfilesView';
import { profilesStore } from '../../../../../renderer/src/features/profiles/profilesStore';
import { aProfile } from '../hosts/builders';
import { failure } from '../../../../support/fakeMain';
import { button, field, queryButton, renderWithMain, typeInto } from '../../../../support/renderWithMain';

const ui = renderWithMain();
const { main } = ui;
let profiles: Profile[];

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

beforeEach(() => {
  profiles = [
    aProfile(),
    aProfile({ id: 'config:corp', name: 'corp', kind: 'sso', source: 'config', isDefault: false, sso: { startUrl: 'https://corp.awsapps.com/start', ssoRegion: 'us-east-1', accountId: '111122223333', roleName: 'Dev', session: 'corp', signedIn: false } }),
    aProfile({ id: 'config:admin', name: 'admin', kind: 'assumeRole', source: 'config', isDefault: false, roleArn: 'arn:aws:iam::1:role/Admin', sourceProfile: 'default', mfaSerial: 'arn:aws:iam::1:mfa/me' }),
    aProfile({ id: 'config:vault', name: 'vault', kind: 'credentialProcess', source: 'config', isDefault: false, processProgram: 'aws-vault' }),
    aProfile({ id: 'config:half', name: 'half', kind: 'settingsOnly', source: 'config', isDefault: false, problems: ['This profile has settings but no credentials.'] }),
  ];
  main.handlers.set('profiles:list', () => profiles);
  main.handlers.set('profiles:sources', () => ({ configFile: '/home/me/.aws/config', credentialsFile: '/home/me/.aws/credentials', warnings: [] }));
  main.handlers.set('profiles:openPrompts', () => []);
});

async function render(): Promise<void> {
  await act(async () => {
    await profilesStore.reload();
    ui.root.render(
      <>
        <ProfilesView />
        <CredentialPrompts />
      </>,
    );
  });
  await act(async () => profilesStore.reload());
}

const profileRow = (name: string): HTMLElement => [...ui.container.querySelectorAll<HTMLElement>('li.profile')].find((li) => li.querySelector('h2')?.textContent === name)!;

describe('the Profiles view', () => {
  it('names each kind plainly, with what it uses and what is wrong', async () => {
    await render();
    expect(profileRow('Environment').textContent).toContain('Environment variables');
    expect(profileRow('corp').textContent).toContain('IAM Identity Center (SSO)');
    expect(profileRow('corp').textContent).toContain('Dev in account 111122223333 via corp.awsapps.com');
    expect(profileRow('corp').textContent).toContain('Not signed in');
    expect(profileRow('admin').textContent).toContain('Assumes arn:aws:iam::1:role/Admin from profile "default", with MFA');
    expect(profileRow('vault').textContent).toContain('Runs aws-vault');
    expect(profileRow('half').textContent).toContain('This profile has settings but no credentials.');
    // Only profiles added in the app can be edited.
    expect(queryButton('Edit corp', profileRow('corp'))).toBeUndefined();
    expect(queryButton('Sign in', profileRow('corp'))).toBeDefined();
  });

  it('adds a profile: the secret goes to main once and is never shown', async () => {
    main.handlers.set('profiles:save', () => {
      const p = aProfile({ id: 'app:0123456789abcdef', name: 'work', kind: 'appManaged', source: 'app', isDefault: false, accessKeyIdHint: 'AKIA…0001' });
      profiles = [...profiles, p];
      return p;
    });
    main.handlers.set('profiles:test', () => ({ profileId: 'app:0123456789abcdef', account: '123456789012', arn: 'arn:aws:iam::123456789012:user/me', userId: 'AIDA', region: 'eu-west-1' }));
    await render();
    await act(async () => button('Add profile', ui.container).click());
    const form = ui.container.querySelector('form')!;
    await typeInto(field(/^Name/, form), 'work');
    await typeInto(field(/^Default Region/, form), 'eu-west-1');
    await typeInto(field(/^Access key id/, form), 'AKIAWORKWORKWORK0001');
    await typeInto(field(/^Secret access key/, form), SECRET);
    await act(async () => form.requestSubmit());
    expect(main.callsTo('profiles:save')).toEqual([{ name: 'work', region: 'eu-west-1', accessKeyId: 'AKIAWORKWORKWORK0001', secretAccessKey: SECRET }]);
    await act(async () => profilesStore.reload());
    // The new profile is tested at once and shows who it is; the secret is nowhere on the page.
    expect(profileRow('work').querySelector('[data-testid="profile-identity"]')?.textContent).toContain('123456789012');
    expect(ui.container.innerHTML).not.toContain(SECRET);
    expect(ui.container.querySelector('dialog')).toBeNull();
  });

  it('shows a failed test with its hint', async () => {
    main.handlers.set('profiles:test', () => {
      throw failure('AWS_CREDENTIALS_INVALID', 'Could not check who this profile is: AWS does not recognise the access key.', 'Create a new access key.');
    });
    await render();
    await act(async () => button('Test Environment', profileRow('Environment')).click());
    const alert = profileRow('Environment').querySelector('[role="alert"]')!;
    expect(alert.getAttribute('data-code')).toBe('AWS_CREDENTIALS_INVALID');
    expect(alert.textContent).toContain('Create a new access key.');
  });

  it('asks for an MFA code when main needs one, and answers with it', async () => {
    main.handlers.set('profiles:answerPrompt', () => null);
    await render();
    const prompt: CredentialPrompt = { promptId: 'p-1', kind: 'mfa', profileId: 'config:admin', profileName: 'admin', mfaSerial: 'arn:aws:iam::1:mfa/me', reason: 'to assume role Admin in 1' };
    await act(async () => main.emit('profiles:promptRequested', prompt));
    const dialog = ui.container.querySelector('dialog')!;
    expect(dialog.textContent).toContain('Profile “admin” needs a code from your MFA device to assume role Admin in 1.');
    await typeInto(field(/6-digit code/, dialog), '12a3456');
    expect(field(/6-digit code/, dialog).value).toBe('123456');
    await act(async () => dialog.querySelector('form')!.requestSubmit());
    expect(main.callsTo('profiles:answerPrompt')).toEqual([{ promptId: 'p-1', mfaCode: '123456' }]);
    await act(async () => main.emit('profiles:promptClosed', { promptId: 'p-1', outcome: 'answered' }));
    expect(ui.container.querySelector('dialog')).toBeNull();
  });

  it('shows the SSO user code while a sign-in waits, then that it is signed in', async () => {
    main.handlers.set('profiles:signIn', () => ({ profileId: 'config:corp', state: 'waiting', userCode: 'ABCD-EFGH', verificationUri: 'https://device.sso.us-east-1.amazonaws.com/', verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH', expiresAt: '2099-01-01T00:10:00.000Z' }));
    main.handlers.set('profiles:openSignInPage', () => null);
    await render();
    await act(async () => button('Sign in', profileRow('corp')).click());
    expect(profileRow('corp').querySelector('[data-testid="sso-user-code"]')?.textContent).toBe('ABCD-EFGH');
    await act(async () => button('Open the page again', profileRow('corp')).click());
    expect(main.callsTo('profiles:openSignInPage')).toEqual([{ id: 'config:corp' }]);
    await act(async () => main.emit('profiles:signInChanged', { profileId: 'config:corp', state: 'signedIn', expiresAt: '2099-01-01T08:00:00.000Z' }));
    expect(profileRow('corp').textContent).toContain('Signed in until');
  });
});
