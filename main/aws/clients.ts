import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError } from '../../preload/contract';
import type { Logger } from '../log';
import type { AwsEnv } from './awsConfig';
import { AWS_MAX_ATTEMPTS, AwsNetwork, type AwsService, type EndpointSettings } from './awsNetwork';
import { CredentialResolver } from './credentials';
import { mapAwsError } from './errors';
import type { SecretStore } from './keychain';
import type { ProfilesService } from './profilesService';
import type { PromptBroker } from './prompts';
import type { SsoService } from './sso';

/**
 * Everything a feature needs to call AWS as one profile in one Region. Clients are shared and
 * owned by the factory: never `destroy()` them yourself.
 */
export interface AwsContext {
  profileId: string;
  /** The profile's name, for sentences (mapAwsError's `profile`). */
  profileName: string;
  region: string;
  /** Memoised; refreshes before expiry; may prompt the person for MFA or an SSO sign-in. */
  credentials: AwsCredentialIdentityProvider;
  ec2: EC2Client;
  eic: EC2InstanceConnectClient;
  sts: STSClient;
  /** use_fips_endpoint / AWS_USE_FIPS_ENDPOINT: tunnels use the endpoint's FipsDnsName. */
  useFips: boolean;
  /** The environment the app was composed with (proxies, AWS_ENDPOINT_URL_*, EICE overrides). */
  env: AwsEnv;
  /** The profile's endpoint settings (endpoint_url, [services], ca_bundle). */
  endpoints: EndpointSettings;
  /** Where requests go and through what proxy/CAs: for features that open their own connections (tunnels). */
  network: AwsNetwork;
}

export interface AwsClientFactoryOptions {
  /** The compose env (never process.env directly). */
  env: AwsEnv;
  profiles: ProfilesService;
  keychain: SecretStore;
  prompts: PromptBroker;
  sso: SsoService;
  log: Logger;
  /** Shared with SsoService so both read CA files once; built from `env` when omitted. */
  network?: AwsNetwork;
  now?: () => number;
}

const DEFAULT_REGION = 'us-east-1';

/**
 * Builds AWS SDK clients per (profile, Region) with the app's credentials, endpoints
 * (AWS_ENDPOINT_URL_*, a profile's endpoint_url), proxies (HTTPS_PROXY / NO_PROXY), extra CAs
 * (AWS_CA_BUNDLE, ca_bundle, NODE_EXTRA_CA_CERTS), FIPS, retries and timeouts. Clients are cached
 * and destroyed on `invalidate` (a profile changed) and `dispose`.
 */
export class AwsClientFactory {
  readonly network: AwsNetwork;
  readonly credentials: CredentialResolver;
  private readonly contexts = new Map<string, AwsContext>();
  /** Account id per profile, while its credentials stay the same (see invalidate). */
  private readonly accounts = new Map<string, Promise<string>>();
  private disposed = false;

  constructor(private readonly options: AwsClientFactoryOptions) {
    this.network = options.network ?? new AwsNetwork(options.env, options.log.child('network'));
    this.credentials = new CredentialResolver({
      env: options.env,
      network: this.network,
      profiles: options.profiles,
      keychain: options.keychain,
      prompts: options.prompts,
      sso: options.sso,
      log: options.log.child('credentials'),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * The clients for `profileId` in `region` (default: the profile's Region, then AWS_REGION,
   * then us-east-1). Fails with AWS_PROFILE_NOT_FOUND, AWS_PROFILE_INVALID (a bad endpoint URL)
   * or AWS_TLS_UNTRUSTED (an unreadable CA bundle). Credentials are fetched on first use.
   */
  async forProfile(profileId: string, region?: string): Promise<AwsContext> {
    if (this.disposed) throw new AppError('CANCELLED', 'Bastionless is shutting down.', { hint: '' });
    const profile = await this.options.profiles.resolve(profileId);
    const env = this.options.env;
    const chosen = region || profile.region || env['AWS_REGION']?.trim() || env['AWS_DEFAULT_REGION']?.trim() || DEFAULT_REGION;
    const key = `${profileId}\u0000${chosen}`;
    const cached = this.contexts.get(key);
    if (cached) return cached;

    const settings = profile.endpoints;
    const useFips = this.network.useFips(settings);
    const credentials = this.credentials.providerFor(profileId);
    const common = (service: AwsService) => {
      const endpoint = this.network.endpointFor(service, settings);
      return {
        region: chosen,
        credentials,
        ...(endpoint ? { endpoint } : {}),
        // The SDK refuses FIPS together with a custom endpoint: an override wins.
        useFipsEndpoint: useFips && !endpoint,
        useDualstackEndpoint: false,
        maxAttempts: AWS_MAX_ATTEMPTS,
        retryMode: 'standard',
        requestHandler: this.network.httpHandlerFor(service, chosen, settings),
      };
    };
    const context: AwsContext = {
      profileId,
      profileName: profile.name,
      region: chosen,
      credentials,
      ec2: new EC2Client(common('ec2')),
      eic: new EC2InstanceConnectClient(common('eic')),
      sts: new STSClient(common('sts')),
      useFips,
      env,
      endpoints: settings,
      network: this.network,
    };
    this.contexts.set(key, context);
    return context;
  }

  /**
   * The AWS account the profile's credentials belong to (STS GetCallerIdentity), asked once and
   * remembered until the profile changes; a failure is not remembered. Fails with the mapped
   * AWS error (AWS_CREDENTIALS_*, AWS_NETWORK...).
   */
  accountOf(profileId: string): Promise<string> {
    let account = this.accounts.get(profileId);
    if (!account) {
      account = (async () => {
        const ctx = await this.forProfile(profileId);
        try {
          const out = await ctx.sts.send(new GetCallerIdentityCommand({}));
          if (!out.Account) throw new AppError('AWS_REQUEST_FAILED', `STS did not say which account profile "${ctx.profileName}" belongs to.`, { hint: 'Test the profile in the Profiles view.' });
          return out.Account;
        } catch (error) {
          throw mapAwsError(error, { action: 'check which account this profile is (STS GetCallerIdentity)', region: ctx.region, profile: ctx.profileName });
        }
      })();
      this.accounts.set(profileId, account);
      account.catch(() => {
        if (this.accounts.get(profileId) === account) this.accounts.delete(profileId);
      });
    }
    return account;
  }

  /** Drops cached credentials, clients and account ids: of one profile (edited, removed), or all. */
  invalidate(profileId?: string): void {
    this.credentials.invalidate(profileId);
    if (profileId === undefined) this.accounts.clear();
    else this.accounts.delete(profileId);
    for (const [key, context] of [...this.contexts]) {
      if (profileId === undefined || context.profileId === profileId) {
        this.contexts.delete(key);
        destroy(context);
      }
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.invalidate();
  }
}

function destroy(context: AwsContext): void {
  context.ec2.destroy();
  context.eic.destroy();
  context.sts.destroy();
}
