import { basename } from 'node:path';
import type { ProfileKind } from '../../preload/contract/profiles';
import type { AwsConfigFiles, IniSection } from './awsConfig';

/** IAM Identity Center settings of a profile (from its `[sso-session]` or the legacy keys). */
export interface SsoSettings {
  startUrl: string;
  ssoRegion: string;
  accountId?: string;
  roleName?: string;
  /** The `[sso-session NAME]`; absent for the legacy form. */
  session?: string;
  registrationScopes: string[];
}

/** What a ~/.aws profile is and how to get its credentials. Secrets stay in `settings` (memory only). */
export interface ConfigProfile {
  name: string;
  kind: ProfileKind;
  /** Config settings merged with the credentials file (which wins for keys). */
  settings: IniSection;
  region?: string;
  mfaSerial?: string;
  roleArn?: string;
  sourceProfile?: string;
  credentialSource?: string;
  externalId?: string;
  roleSessionName?: string;
  durationSeconds?: number;
  sso?: SsoSettings;
  processProgram?: string;
  endpointUrl?: string;
  /** `services = NAME`: per-service endpoints in `[services NAME]`. */
  servicesSection?: IniSection;
  useFips: boolean;
  useDualstack: boolean;
  ignoreConfiguredEndpointUrls: boolean;
  caBundle?: string;
  hasStaticKeys: boolean;
  hasSessionToken: boolean;
  accessKeyIdHint?: string;
  problems: string[];
}

const CREDENTIAL_SOURCES = ['Environment', 'Ec2InstanceMetadata', 'EcsContainer'];

/** `AKIA…WXYZ`: enough to recognise a key, not enough to use it. */
export function maskAccessKeyId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : '…';
}

const truthy = (v: string | undefined): boolean => v?.trim().toLowerCase() === 'true';

/** The first word of a command line, without its folder: arguments can carry secrets. */
export function programOf(commandLine: string): string {
  const trimmed = commandLine.trim();
  const first = trimmed.startsWith('"') ? trimmed.slice(1, trimmed.indexOf('"', 1) > 0 ? trimmed.indexOf('"', 1) : undefined) : trimmed.split(/\s+/)[0] ?? '';
  return basename(first.replace(/\\/g, '/'));
}

/** Every profile name in either file, `default` first, then alphabetical. */
export function profileNames(files: AwsConfigFiles): string[] {
  const names = new Set([...Object.keys(files.config), ...Object.keys(files.credentials)]);
  return [...names].sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
}

/**
 * Classifies one profile the way the SDKs resolve it (botocore's order: assume role, web
 * identity, SSO, static keys, credential_process) and lists what stops it from working.
 */
export function classifyProfile(name: string, files: AwsConfigFiles): ConfigProfile {
  const config = files.config[name] ?? {};
  const creds = files.credentials[name] ?? {};
  const settings: IniSection = { ...config, ...creds };
  const get = (key: string): string | undefined => {
    const v = settings[key];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const problems: string[] = [];
  const accessKeyId = get('aws_access_key_id');
  const hasStaticKeys = !!accessKeyId && !!get('aws_secret_access_key');
  if (accessKeyId && !get('aws_secret_access_key')) problems.push('aws_access_key_id is set but aws_secret_access_key is missing.');
  const servicesName = get('services');
  const servicesSection = servicesName ? files.services[servicesName] : undefined;
  if (servicesName && !servicesSection) problems.push(`services = ${servicesName}, but there is no [services ${servicesName}] section.`);
  const duration = get('duration_seconds');

  const base: ConfigProfile = {
    name,
    kind: 'settingsOnly',
    settings,
    ...(get('region') ? { region: get('region') } : {}),
    ...(get('mfa_serial') ? { mfaSerial: get('mfa_serial') } : {}),
    ...(get('endpoint_url') ? { endpointUrl: get('endpoint_url') } : {}),
    ...(servicesSection ? { servicesSection } : {}),
    ...(get('ca_bundle') ? { caBundle: get('ca_bundle') } : {}),
    useFips: truthy(get('use_fips_endpoint')),
    useDualstack: truthy(get('use_dualstack_endpoint')),
    ignoreConfiguredEndpointUrls: truthy(get('ignore_configured_endpoint_urls')),
    hasStaticKeys,
    hasSessionToken: hasStaticKeys && !!get('aws_session_token'),
    ...(accessKeyId ? { accessKeyIdHint: maskAccessKeyId(accessKeyId) } : {}),
    problems,
  };

  const roleArn = get('role_arn');
  const sourceProfile = get('source_profile');
  const credentialSource = get('credential_source');
  if (roleArn && get('web_identity_token_file')) {
    return { ...base, kind: 'webIdentity', roleArn, ...(get('role_session_name') ? { roleSessionName: get('role_session_name') } : {}) };
  }
  if (roleArn) {
    if (!sourceProfile && !credentialSource) problems.push('role_arn needs source_profile or credential_source to say which credentials assume the role.');
    if (sourceProfile && credentialSource) problems.push('source_profile and credential_source are both set; use only one.');
    if (sourceProfile && !(sourceProfile in files.config) && !(sourceProfile in files.credentials)) {
      problems.push(`source_profile "${sourceProfile}" is not defined in the config or credentials file.`);
    }
    if (credentialSource && !CREDENTIAL_SOURCES.includes(credentialSource)) {
      problems.push(`credential_source "${credentialSource}" is not one of ${CREDENTIAL_SOURCES.join(', ')}.`);
    }
    if (duration !== undefined && !/^\d+$/.test(duration)) problems.push('duration_seconds is not a number.');
    return {
      ...base,
      kind: 'assumeRole',
      roleArn,
      ...(sourceProfile ? { sourceProfile } : {}),
      ...(credentialSource ? { credentialSource } : {}),
      ...(get('external_id') ? { externalId: get('external_id') } : {}),
      ...(get('role_session_name') ? { roleSessionName: get('role_session_name') } : {}),
      ...(duration && /^\d+$/.test(duration) ? { durationSeconds: Number(duration) } : {}),
    };
  }

  const sessionName = get('sso_session');
  if (sessionName) {
    const session = files.ssoSessions[sessionName];
    if (!session) problems.push(`sso_session = ${sessionName}, but there is no [sso-session ${sessionName}] section.`);
    const startUrl = session?.['sso_start_url']?.trim() ?? '';
    const ssoRegion = session?.['sso_region']?.trim() ?? '';
    if (session && !startUrl) problems.push(`[sso-session ${sessionName}] has no sso_start_url.`);
    if (session && !ssoRegion) problems.push(`[sso-session ${sessionName}] has no sso_region.`);
    // A profile's own sso_start_url must agree with its session's (the SDK refuses otherwise).
    if (get('sso_start_url') && startUrl && get('sso_start_url') !== startUrl) problems.push('sso_start_url differs from the one in its sso-session.');
    if (!get('sso_account_id') || !get('sso_role_name')) problems.push('sso_account_id and sso_role_name are needed to get role credentials.');
    const scopes = (session?.['sso_registration_scopes'] ?? 'sso:account:access').split(',').map((s) => s.trim()).filter(Boolean);
    return {
      ...base,
      kind: 'sso',
      sso: {
        startUrl,
        ssoRegion,
        session: sessionName,
        registrationScopes: scopes,
        ...(get('sso_account_id') ? { accountId: get('sso_account_id') } : {}),
        ...(get('sso_role_name') ? { roleName: get('sso_role_name') } : {}),
      },
    };
  }
  if (get('sso_start_url') || get('sso_account_id') || get('sso_role_name')) {
    for (const key of ['sso_start_url', 'sso_region', 'sso_account_id', 'sso_role_name']) {
      if (!get(key)) problems.push(`${key} is missing (legacy IAM Identity Center profiles need all four sso_ settings).`);
    }
    return {
      ...base,
      kind: 'ssoLegacy',
      sso: {
        startUrl: get('sso_start_url') ?? '',
        ssoRegion: get('sso_region') ?? '',
        registrationScopes: [],
        ...(get('sso_account_id') ? { accountId: get('sso_account_id') } : {}),
        ...(get('sso_role_name') ? { roleName: get('sso_role_name') } : {}),
      },
    };
  }
  if (hasStaticKeys) return { ...base, kind: 'static' };
  const process = get('credential_process');
  if (process) return { ...base, kind: 'credentialProcess', processProgram: programOf(process) };
  if (get('login_session')) return { ...base, kind: 'login' };
  if (!accessKeyId) problems.push('This profile has settings but no credentials (no keys, role, SSO or credential_process).');
  return base;
}
