import type { Profile, ProfileKind } from '../../../../preload/contract';

/** How each kind is named in the Profiles view: plain words, not config keys. */
export const KIND_LABEL: Record<ProfileKind, string> = {
  static: 'Access keys',
  sso: 'IAM Identity Center (SSO)',
  ssoLegacy: 'IAM Identity Center (legacy SSO)',
  assumeRole: 'Assumed role',
  credentialProcess: 'credential_process',
  webIdentity: 'Web identity',
  login: 'Console sign-in (aws login)',
  environment: 'Environment variables',
  appManaged: 'Added in Bastionless',
  settingsOnly: 'No credentials',
};

/** One line under a profile's name: where its credentials come from. */
export function describeProfile(p: Profile): string {
  switch (p.kind) {
    case 'static':
      return `Key ${p.accessKeyIdHint ?? ''}${p.hasSessionToken ? ' with a session token' : ''} in your AWS files`;
    case 'sso':
    case 'ssoLegacy':
      return p.sso
        ? `${p.sso.roleName ?? 'a role'} in account ${p.sso.accountId ?? '?'} via ${hostOf(p.sso.startUrl)}${p.sso.session ? ` (session "${p.sso.session}")` : ''}`
        : 'IAM Identity Center';
    case 'assumeRole':
      return `Assumes ${p.roleArn ?? 'a role'} from ${p.sourceProfile ? `profile "${p.sourceProfile}"` : `${p.credentialSource ?? 'a credential source'}`}${p.mfaSerial ? ', with MFA' : ''}`;
    case 'credentialProcess':
      return `Runs ${p.processProgram ?? 'a program'} to get credentials`;
    case 'webIdentity':
      return `Assumes ${p.roleArn ?? 'a role'} with a web identity token`;
    case 'login':
      return 'Uses the session of `aws login`';
    case 'environment':
      return `AWS_ACCESS_KEY_ID ${p.accessKeyIdHint ?? ''}${p.hasSessionToken ? ' with AWS_SESSION_TOKEN' : ''}`;
    case 'appManaged':
      return `Key ${p.accessKeyIdHint ?? ''}; secret in your OS keychain${p.hasSessionToken ? ', with a session token' : ''}${p.mfaSerial ? ', MFA on' : ''}`;
    case 'settingsOnly':
      return 'Settings only: no keys, role, SSO or credential_process';
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
