import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { fromContainerMetadata, fromIni, fromInstanceMetadata, fromProcess } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError } from '../../preload/contract';
import { registerSecret, type Logger } from '../log';
import type { AwsEnv } from './awsConfig';
import { AWS_MAX_ATTEMPTS, type AwsNetwork } from './awsNetwork';
import { mapAwsError } from './errors';
import { secretAccounts, type SecretStore } from './keychain';
import type { ProfilesService, ResolvedProfile } from './profilesService';
import type { PromptBroker } from './prompts';
import type { SsoService } from './sso';

/** Refresh temporary credentials this long before they expire, so no call signs with a dying key. */
export const REFRESH_BEFORE_MS = 5 * 60_000;
/** How long an MFA session of an app-managed profile lasts (GetSessionToken). */
const MFA_SESSION_SECONDS = 12 * 3600;
const DEFAULT_REGION = 'us-east-1';

/**
 * Wraps a provider so every caller shares one set of credentials: cached until they come within
 * REFRESH_BEFORE_MS of expiring, one fetch at a time (one MFA prompt, one sign-in), nothing
 * cached after a failure. `invalidate()` forgets them (profile edited, access denied).
 */
export class MemoizedCredentials {
  private current: AwsCredentialIdentity | undefined;
  private inflight: Promise<AwsCredentialIdentity> | undefined;
  private generation = 0;

  constructor(
    private readonly fetch: () => Promise<AwsCredentialIdentity>,
    private readonly now: () => number = Date.now,
  ) {}

  readonly provide: AwsCredentialIdentityProvider = () => this.get();

  async get(): Promise<AwsCredentialIdentity> {
    if (this.current && !this.expiresSoon(this.current)) return this.current;
    if (!this.inflight) {
      const generation = this.generation;
      this.inflight = this.fetch().then(
        (creds) => {
          if (generation === this.generation) this.current = creds;
          this.inflight = undefined;
          return creds;
        },
        (error: unknown) => {
          this.inflight = undefined;
          throw error;
        },
      );
    }
    return this.inflight;
  }

  invalidate(): void {
    this.generation += 1;
    this.current = undefined;
    this.inflight = undefined;
  }

  private expiresSoon(creds: AwsCredentialIdentity): boolean {
    return !!creds.expiration && creds.expiration.getTime() - this.now() <= REFRESH_BEFORE_MS;
  }
}

export interface CredentialResolverOptions {
  env: AwsEnv;
  network: AwsNetwork;
  profiles: Pick<ProfilesService, 'resolve'>;
  keychain: SecretStore;
  prompts: PromptBroker;
  sso: SsoService;
  log: Logger;
  now?: () => number;
}

/**
 * Gets credentials for any profile kind, the way the AWS CLI would, with the person in the
 * loop: MFA codes and SSO sign-ins are asked through the PromptBroker. Uses the SDK's own
 * providers for static keys, credential_process, web identity and login profiles; assumed
 * roles, SSO and app-managed profiles are resolved here so their STS/SSO calls honour the
 * app's endpoints, proxies and CAs, and so SSO tokens live in the OS keychain.
 */
export class CredentialResolver {
  private readonly cache = new Map<string, MemoizedCredentials>();
  private readonly now: () => number;

  constructor(private readonly options: CredentialResolverOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The memoised, refreshing provider for a profile. */
  providerFor(profileId: string): AwsCredentialIdentityProvider {
    let memo = this.cache.get(profileId);
    if (!memo) {
      memo = new MemoizedCredentials(() => this.fetch(profileId, []), this.now);
      this.cache.set(profileId, memo);
    }
    return memo.provide;
  }

  /** Forgets cached credentials: one profile's, or all. */
  invalidate(profileId?: string): void {
    if (profileId === undefined) {
      for (const memo of this.cache.values()) memo.invalidate();
      this.cache.clear();
    } else {
      this.cache.get(profileId)?.invalidate();
      this.cache.delete(profileId);
    }
  }

  private async fetch(profileId: string, chain: string[]): Promise<AwsCredentialIdentity> {
    const profile = await this.options.profiles.resolve(profileId);
    const creds = await this.resolve(profile, chain);
    registerSecret(creds.secretAccessKey);
    registerSecret(creds.sessionToken);
    return creds;
  }

  private async resolve(profile: ResolvedProfile, chain: string[]): Promise<AwsCredentialIdentity> {
    switch (profile.source) {
      case 'environment':
        return this.fromEnv();
      case 'app':
        return this.appManaged(profile);
      case 'config':
        return this.configProfile(profile, chain);
    }
  }

  private fromEnv(): AwsCredentialIdentity {
    const env = this.options.env;
    const accessKeyId = env['AWS_ACCESS_KEY_ID']?.trim();
    const secretAccessKey = env['AWS_SECRET_ACCESS_KEY']?.trim();
    if (!accessKeyId || !secretAccessKey) {
      throw new AppError('AWS_CREDENTIALS_MISSING', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set in the environment.', {
        hint: 'Set both variables before starting Bastionless, or use a profile.',
      });
    }
    const sessionToken = env['AWS_SESSION_TOKEN']?.trim();
    const expiration = env['AWS_CREDENTIAL_EXPIRATION']?.trim();
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiration && !Number.isNaN(Date.parse(expiration)) ? { expiration: new Date(expiration) } : {}),
    };
  }

  private async appManaged(profile: Extract<ResolvedProfile, { source: 'app' }>): Promise<AwsCredentialIdentity> {
    const { keychain } = this.options;
    const secretAccessKey = await keychain.get(secretAccounts.profileSecretAccessKey(profile.id));
    if (!secretAccessKey) {
      throw new AppError('KEYCHAIN_SECRET_MISSING', `The secret access key of profile "${profile.name}" is not in the OS keychain.`, {
        hint: 'The keychain may be locked, or the entry was deleted: unlock the keychain, or edit the profile and enter the secret access key again.',
      });
    }
    const sessionToken = profile.record.hasSessionToken ? await keychain.get(secretAccounts.profileSessionToken(profile.id)) : null;
    if (profile.record.hasSessionToken && !sessionToken) {
      throw new AppError('KEYCHAIN_SECRET_MISSING', `The session token of profile "${profile.name}" is not in the OS keychain.`, {
        hint: 'Unlock the keychain, or edit the profile and enter the session token again.',
      });
    }
    const base: AwsCredentialIdentity = { accessKeyId: profile.record.accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    if (!profile.record.mfaSerial || sessionToken) return base;
    // An IAM user with an MFA device: trade the long-term keys and a code for a 12-hour session.
    const code = await this.options.prompts.askMfa({
      kind: 'mfa',
      profileId: profile.id,
      profileName: profile.name,
      mfaSerial: profile.record.mfaSerial,
      reason: 'to start an MFA session for this profile',
    });
    const sts = this.stsClient(profile, base);
    try {
      const out = await sts.send(new GetSessionTokenCommand({ SerialNumber: profile.record.mfaSerial, TokenCode: code, DurationSeconds: MFA_SESSION_SECONDS }));
      return this.fromStsCredentials(out.Credentials, 'GetSessionToken');
    } catch (error) {
      throw mapAwsError(error, { action: 'start an MFA session', region: this.regionOf(profile), profile: profile.name });
    } finally {
      sts.destroy();
    }
  }

  private async configProfile(profile: Extract<ResolvedProfile, { source: 'config' }>, chain: string[]): Promise<AwsCredentialIdentity> {
    const c = profile.config;
    const files = { profile: c.name, filepath: profile.files.credentialsFile, configFilepath: profile.files.configFile, ignoreCache: true };
    const action = { action: 'load the credentials', profile: profile.name };
    if (c.problems.length > 0 && c.kind !== 'static') {
      throw new AppError('AWS_PROFILE_INVALID', `Profile "${profile.name}" cannot be used: ${c.problems[0]}`, {
        hint: `Fix the profile in ${profile.files.configFile}.`,
      });
    }
    switch (c.kind) {
      case 'static':
      case 'webIdentity':
      case 'login':
        try {
          return await fromIni({ ...files, clientConfig: this.innerClientConfig(profile) })();
        } catch (error) {
          throw mapAwsError(error, action);
        }
      case 'credentialProcess':
        try {
          return await fromProcess(files)();
        } catch (error) {
          throw mapAwsError(error, action);
        }
      case 'sso':
      case 'ssoLegacy':
        if (!c.sso) throw new AppError('AWS_PROFILE_INVALID', `Profile "${profile.name}" has no IAM Identity Center settings.`, { hint: 'Run `aws configure sso`.' });
        return this.options.sso.roleCredentials(c.sso, { id: profile.id, name: profile.name, endpoints: profile.endpoints });
      case 'assumeRole':
        return this.assumeRole(profile, chain);
      default:
        throw new AppError('AWS_CREDENTIALS_MISSING', `Profile "${profile.name}" has no credentials.`, {
          hint: `Add keys, a role, SSO or credential_process to it in ${profile.files.configFile}, or pick another profile.`,
        });
    }
  }

  private async assumeRole(profile: Extract<ResolvedProfile, { source: 'config' }>, chain: string[]): Promise<AwsCredentialIdentity> {
    const c = profile.config;
    if (chain.includes(profile.id) || chain.length > 8) {
      throw new AppError('AWS_PROFILE_INVALID', `Profile "${profile.name}" takes part in a source_profile loop (${[...chain, profile.id].map((id) => id.replace(/^config:/, '')).join(' -> ')}).`, {
        hint: 'Make the chain of source_profile settings end in a profile with keys, SSO or credential_process.',
      });
    }
    let source: AwsCredentialIdentity;
    if (c.sourceProfile === c.name) {
      // A profile that names itself uses its own static keys to assume the role (the CLI's rule).
      const id = c.settings['aws_access_key_id']?.trim();
      const secret = c.settings['aws_secret_access_key']?.trim();
      if (!id || !secret) throw new AppError('AWS_PROFILE_INVALID', `Profile "${profile.name}" is its own source_profile but has no keys.`, { hint: 'Add aws_access_key_id and aws_secret_access_key, or point source_profile elsewhere.' });
      const token = c.settings['aws_session_token']?.trim();
      source = { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
    } else if (c.sourceProfile) {
      source = await this.fetch(`config:${c.sourceProfile}`, [...chain, profile.id]);
    } else {
      source = await this.credentialSource(profile);
    }
    let tokenCode: string | undefined;
    const roleName = c.roleArn?.split('/').pop() ?? c.roleArn ?? '';
    const account = c.roleArn?.split(':')[4];
    if (c.mfaSerial) {
      tokenCode = await this.options.prompts.askMfa({
        kind: 'mfa',
        profileId: profile.id,
        profileName: profile.name,
        mfaSerial: c.mfaSerial,
        reason: `to assume role ${roleName}${account ? ` in ${account}` : ''}`,
      });
    }
    const sts = this.stsClient(profile, source);
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: c.roleArn,
          RoleSessionName: c.roleSessionName ?? `bastionless-${this.now()}`,
          ...(c.externalId ? { ExternalId: c.externalId } : {}),
          ...(c.durationSeconds ? { DurationSeconds: c.durationSeconds } : {}),
          ...(c.mfaSerial && tokenCode ? { SerialNumber: c.mfaSerial, TokenCode: tokenCode } : {}),
        }),
      );
      return this.fromStsCredentials(out.Credentials, 'AssumeRole');
    } catch (error) {
      throw mapAwsError(error, { action: `assume role ${roleName}`, region: this.regionOf(profile), profile: profile.name });
    } finally {
      sts.destroy();
    }
  }

  private async credentialSource(profile: Extract<ResolvedProfile, { source: 'config' }>): Promise<AwsCredentialIdentity> {
    const source = profile.config.credentialSource;
    try {
      if (source === 'Environment') return this.fromEnv();
      if (source === 'Ec2InstanceMetadata') return await fromInstanceMetadata({ timeout: 2000, maxRetries: 1 })();
      if (source === 'EcsContainer') return await fromContainerMetadata({ timeout: 2000, maxRetries: 1 })();
    } catch (error) {
      throw mapAwsError(error, { action: `load credentials from ${source}`, profile: profile.name });
    }
    throw new AppError('AWS_PROFILE_INVALID', `Profile "${profile.name}" has an unknown credential_source "${source ?? ''}".`, {
      hint: 'Use Environment, Ec2InstanceMetadata or EcsContainer.',
    });
  }

  /** Settings for the SDK's own inner STS client (web identity profiles): our endpoint, proxy and CAs. */
  private innerClientConfig(profile: Extract<ResolvedProfile, { source: 'config' }>): Record<string, unknown> {
    const region = this.regionOf(profile);
    if (profile.config.kind !== 'webIdentity') return { region };
    const endpoint = this.options.network.endpointFor('sts', profile.endpoints);
    return { region, ...(endpoint ? { endpoint } : {}), requestHandler: this.options.network.httpHandlerFor('sts', region, profile.endpoints) };
  }

  private regionOf(profile: ResolvedProfile): string {
    return profile.region || this.options.env['AWS_REGION']?.trim() || this.options.env['AWS_DEFAULT_REGION']?.trim() || DEFAULT_REGION;
  }

  private stsClient(profile: ResolvedProfile, credentials: AwsCredentialIdentity): STSClient {
    const { network } = this.options;
    const region = this.regionOf(profile);
    const endpoint = network.endpointFor('sts', profile.endpoints);
    return new STSClient({
      region,
      credentials,
      ...(endpoint ? { endpoint } : {}),
      useFipsEndpoint: !endpoint && network.useFips(profile.endpoints),
      useDualstackEndpoint: false,
      requestHandler: network.httpHandlerFor('sts', region, profile.endpoints),
      maxAttempts: AWS_MAX_ATTEMPTS,
    });
  }

  private fromStsCredentials(
    creds: { AccessKeyId?: string | undefined; SecretAccessKey?: string | undefined; SessionToken?: string | undefined; Expiration?: Date | undefined } | undefined,
    operation: string,
  ): AwsCredentialIdentity {
    if (!creds?.AccessKeyId || !creds.SecretAccessKey) {
      throw new AppError('AWS_REQUEST_FAILED', `STS ${operation} returned no credentials.`, { hint: 'Try again; if it persists, copy the details and report it.' });
    }
    registerSecret(creds.SecretAccessKey);
    registerSecret(creds.SessionToken);
    return {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      ...(creds.SessionToken ? { sessionToken: creds.SessionToken } : {}),
      ...(creds.Expiration ? { expiration: creds.Expiration } : {}),
    };
  }
}
