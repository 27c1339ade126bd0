import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetRoleCredentialsCommand, SSOClient } from '@aws-sdk/client-sso';
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from '@aws-sdk/client-sso-oidc';
import type { AwsCredentialIdentity } from '@smithy/types';
import { AppError, type SsoSignIn } from '../../preload/contract';
import type { DesktopIo } from '../desktop';
import { registerSecret, type Logger } from '../log';
import { homeOf } from './awsConfig';
import { AWS_MAX_ATTEMPTS, type AwsNetwork, type EndpointSettings } from './awsNetwork';
import { mapAwsError } from './errors';
import { secretAccounts, type SecretStore } from './keychain';
import type { SsoSettings } from './profileKinds';
import type { PromptBroker } from './prompts';

/** An IAM Identity Center token, in the AWS CLI's cache format. Kept in memory and the OS keychain only. */
interface SsoToken {
  startUrl: string;
  region: string;
  accessToken: string;
  /** ISO time. */
  expiresAt: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: string;
}

interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  /** ISO time. */
  expiresAt: string;
}

/** The profile a token or sign-in is for: only what sentences and events need. */
export interface SsoProfileRef {
  id: string;
  name: string;
  endpoints: EndpointSettings;
}

interface Flow {
  cacheKey: string;
  state: SsoSignIn;
  abort: AbortController;
  done: Promise<void>;
}

export interface SsoServiceOptions {
  network: AwsNetwork;
  keychain: SecretStore;
  prompts: PromptBroker;
  desktop: DesktopIo;
  /** A sign-in moved on: the `profiles.signInChanged` event. */
  onSignInChanged: (state: SsoSignIn) => void;
  log: Logger;
  now?: () => number;
  /** Waits between polls; resolves early (and the flow stops) when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Refresh a token this long before it expires, as the AWS SDKs do. */
const REFRESH_WINDOW_MS = 5 * 60_000;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** The AWS CLI's cache key: sha1 of the sso-session name, or of the start URL for legacy profiles. */
export function ssoCacheKey(sso: Pick<SsoSettings, 'session' | 'startUrl'>): string {
  return createHash('sha1').update(sso.session ?? sso.startUrl, 'utf8').digest('hex');
}

/**
 * IAM Identity Center for SSO profiles: finds a usable token (ours in the OS keychain, or the
 * AWS CLI's cache after `aws sso login`, which is read but never written), refreshes it with
 * its refresh token, runs the device authorization sign-in (the page opens in the system
 * browser; the app polls until the person approves), and trades the token for role
 * credentials. Each sign-in is a flow with a state (waiting -> signedIn | expired | failed |
 * cancelled); `dispose()` cancels those still waiting.
 */
export class SsoService {
  private readonly tokens = new Map<string, SsoToken>();
  private readonly registrations = new Map<string, ClientRegistration>();
  private readonly flows = new Map<string, Flow>();
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly options: SsoServiceOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Whether a token that is still valid is at hand, and when it expires. Never prompts; never throws. */
  async status(sso: SsoSettings): Promise<{ signedIn: boolean; expiresAt?: string }> {
    const token = await this.findToken(sso).catch(() => undefined);
    if (!token) return { signedIn: false };
    const valid = Date.parse(token.expiresAt) > this.now() || !!token.refreshToken;
    return valid ? { signedIn: true, expiresAt: token.expiresAt } : { signedIn: false, expiresAt: token.expiresAt };
  }

  /**
   * A valid access token for `sso`: cached, refreshed, or (when neither works) by asking the
   * person to sign in and waiting for it. Fails with AWS_SSO_SIGN_IN_REQUIRED or CANCELLED.
   */
  async accessToken(sso: SsoSettings, profile: SsoProfileRef, reason: string): Promise<string> {
    const token = await this.usableToken(sso, profile);
    if (token) return token.accessToken;
    await this.options.prompts.askSsoSignIn({
      kind: 'ssoSignIn',
      profileId: profile.id,
      profileName: profile.name,
      startUrl: sso.startUrl,
      ssoRegion: sso.ssoRegion,
      reason,
    });
    const fresh = this.tokens.get(ssoCacheKey(sso));
    if (!fresh || Date.parse(fresh.expiresAt) <= this.now()) {
      throw new AppError('AWS_SSO_SIGN_IN_REQUIRED', `The IAM Identity Center sign-in for profile "${profile.name}" did not give a usable token.`, {
        hint: 'Sign in again from the Profiles view.',
      });
    }
    return fresh.accessToken;
  }

  /** Role credentials for an SSO profile (GetRoleCredentials), signing in first if needed. */
  async roleCredentials(sso: SsoSettings, profile: SsoProfileRef): Promise<AwsCredentialIdentity> {
    if (!sso.accountId || !sso.roleName) {
      throw new AppError('AWS_PROFILE_INVALID', `Profile "${profile.name}" does not say which account and role to use.`, {
        hint: 'Add sso_account_id and sso_role_name to the profile in ~/.aws/config (or run `aws configure sso`).',
      });
    }
    const reason = `to get credentials for role ${sso.roleName} in account ${sso.accountId}`;
    for (let attempt = 0; ; attempt++) {
      const accessToken = await this.accessToken(sso, profile, reason);
      const client = this.ssoClient(sso, profile.endpoints);
      try {
        const out = await client.send(new GetRoleCredentialsCommand({ accessToken, accountId: sso.accountId, roleName: sso.roleName }));
        const rc = out.roleCredentials;
        if (!rc?.accessKeyId || !rc.secretAccessKey) throw new Error('GetRoleCredentials returned no credentials');
        registerSecret(rc.secretAccessKey);
        registerSecret(rc.sessionToken);
        return {
          accessKeyId: rc.accessKeyId,
          secretAccessKey: rc.secretAccessKey,
          ...(rc.sessionToken ? { sessionToken: rc.sessionToken } : {}),
          ...(rc.expiration ? { expiration: new Date(rc.expiration) } : {}),
          ...(sso.accountId ? { accountId: sso.accountId } : {}),
        };
      } catch (error) {
        // The token was revoked or expired early: forget it and sign in again, once.
        if ((error as { name?: string }).name === 'UnauthorizedException' && attempt === 0) {
          await this.forget(sso);
          continue;
        }
        throw mapAwsError(error, { action: `get role credentials for ${sso.roleName}`, region: sso.ssoRegion, profile: profile.name });
      } finally {
        client.destroy();
      }
    }
  }

  /**
   * Starts the device authorization sign-in for `sso` (or returns the one already waiting):
   * registers a client, asks for a device code, opens the verification page in the browser,
   * and polls in the background. Resolves at once with the `waiting` state and the user code.
   */
  async signIn(sso: SsoSettings, profile: SsoProfileRef): Promise<SsoSignIn> {
    const cacheKey = ssoCacheKey(sso);
    const running = this.flows.get(cacheKey);
    if (running && running.state.state === 'waiting') return { ...running.state, profileId: profile.id };
    const oidc = this.oidcClient(sso, profile.endpoints);
    const action = { action: 'start the IAM Identity Center sign-in', region: sso.ssoRegion, profile: profile.name };
    let registration: ClientRegistration;
    let device: { deviceCode: string; userCode: string; verificationUri: string; verificationUriComplete?: string; expiresIn: number; interval: number };
    try {
      registration = await this.registration(sso, oidc);
      const out = await oidc.send(new StartDeviceAuthorizationCommand({ clientId: registration.clientId, clientSecret: registration.clientSecret, startUrl: sso.startUrl }));
      if (!out.deviceCode || !out.userCode || !out.verificationUri) throw new Error('StartDeviceAuthorization returned no device code');
      device = {
        deviceCode: out.deviceCode,
        userCode: out.userCode,
        verificationUri: out.verificationUri,
        ...(out.verificationUriComplete ? { verificationUriComplete: out.verificationUriComplete } : {}),
        expiresIn: out.expiresIn ?? 600,
        interval: out.interval ?? 5,
      };
    } catch (error) {
      oidc.destroy();
      throw mapAwsError(error, action);
    }
    const abort = new AbortController();
    const state: SsoSignIn = {
      profileId: profile.id,
      state: 'waiting',
      userCode: device.userCode,
      verificationUri: device.verificationUri,
      ...(device.verificationUriComplete ? { verificationUriComplete: device.verificationUriComplete } : {}),
      expiresAt: new Date(this.now() + device.expiresIn * 1000).toISOString(),
    };
    const flow: Flow = { cacheKey, state, abort, done: Promise.resolve() };
    this.flows.set(cacheKey, flow);
    flow.done = this.poll(flow, sso, profile, oidc, registration, device).finally(() => oidc.destroy());
    await this.openPage(device.verificationUriComplete ?? device.verificationUri);
    this.options.onSignInChanged(state);
    return state;
  }

  /** Opens the verification page of the sign-in waiting for `sso` again (the person closed the tab). */
  async reopenPage(sso: SsoSettings): Promise<void> {
    const state = this.flows.get(ssoCacheKey(sso))?.state;
    const page = state?.state === 'waiting' ? (state.verificationUriComplete ?? state.verificationUri) : undefined;
    if (!page) {
      throw new AppError('NOT_FOUND', 'No IAM Identity Center sign-in is waiting for this profile.', { hint: 'Start the sign-in again.' });
    }
    await this.openPage(page);
  }

  private async openPage(page: string): Promise<void> {
    // Security: only an https page (or a page on this computer, as a local IAM Identity Center
    // stand-in serves) is handed to the system browser.
    if (/^https:\/\//i.test(page) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//i.test(page)) {
      await this.options.desktop.openExternal(page).catch((error: unknown) => this.options.log.warn('could not open the sign-in page', { error }));
    } else {
      this.options.log.warn('the sign-in page is not https; not opening it', { page });
    }
  }

  /** Stops a waiting sign-in for `sso`. */
  cancelSignIn(sso: SsoSettings): void {
    this.flows.get(ssoCacheKey(sso))?.abort.abort();
  }

  /** The flow for `sso`, if one ran in this session (tests and the UI use its state). */
  flowState(sso: SsoSettings): SsoSignIn | undefined {
    return this.flows.get(ssoCacheKey(sso))?.state;
  }

  async dispose(): Promise<void> {
    const flows = [...this.flows.values()];
    for (const f of flows) f.abort.abort();
    await Promise.allSettled(flows.map((f) => f.done));
  }

  private async poll(
    flow: Flow,
    sso: SsoSettings,
    profile: SsoProfileRef,
    oidc: SSOOIDCClient,
    registration: ClientRegistration,
    device: { deviceCode: string; expiresIn: number; interval: number },
  ): Promise<void> {
    const deadline = this.now() + device.expiresIn * 1000;
    let interval = Math.max(1, device.interval) * 1000;
    const finish = (next: Partial<SsoSignIn> & { state: SsoSignIn['state'] }): void => {
      flow.state = { ...flow.state, ...next };
      this.options.onSignInChanged(flow.state);
    };
    for (;;) {
      await this.sleep(interval, flow.abort.signal);
      if (flow.abort.signal.aborted) return finish({ state: 'cancelled' });
      if (this.now() >= deadline) return finish({ state: 'expired' });
      try {
        const out = await oidc.send(
          new CreateTokenCommand({ clientId: registration.clientId, clientSecret: registration.clientSecret, grantType: DEVICE_GRANT, deviceCode: device.deviceCode }),
          { abortSignal: flow.abort.signal },
        );
        if (!out.accessToken) throw new Error('CreateToken returned no access token');
        const token: SsoToken = {
          startUrl: sso.startUrl,
          region: sso.ssoRegion,
          accessToken: out.accessToken,
          expiresAt: new Date(this.now() + (out.expiresIn ?? 3600) * 1000).toISOString(),
          ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}),
          clientId: registration.clientId,
          clientSecret: registration.clientSecret,
          registrationExpiresAt: registration.expiresAt,
        };
        await this.keep(sso, token);
        finish({ state: 'signedIn', expiresAt: token.expiresAt });
        this.options.prompts.completeSignIn(sso.startUrl);
        return;
      } catch (error) {
        if (flow.abort.signal.aborted) return finish({ state: 'cancelled' });
        const name = (error as { name?: string }).name ?? '';
        if (name === 'AuthorizationPendingException') continue;
        if (name === 'SlowDownException') {
          interval += 5_000;
          continue;
        }
        if (name === 'ExpiredTokenException') return finish({ state: 'expired' });
        const appError =
          name === 'AccessDeniedException'
            ? new AppError('AWS_SSO_SIGN_IN_FAILED', `The IAM Identity Center sign-in for profile "${profile.name}" was denied.`, {
                hint: 'The request was rejected on the verification page. Start the sign-in again and choose Allow.',
                cause: error,
              })
            : mapAwsError(error, { action: 'finish the IAM Identity Center sign-in', region: sso.ssoRegion, profile: profile.name });
        this.options.log.warn('SSO sign-in failed', { profileId: profile.id, error });
        return finish({ state: 'failed', error: appError.toJSON() });
      }
    }
  }

  private async usableToken(sso: SsoSettings, profile: SsoProfileRef): Promise<SsoToken | undefined> {
    const token = await this.findToken(sso);
    if (!token) return undefined;
    const left = Date.parse(token.expiresAt) - this.now();
    if (left > REFRESH_WINDOW_MS) return token;
    if (token.refreshToken && token.clientId && token.clientSecret && (!token.registrationExpiresAt || Date.parse(token.registrationExpiresAt) > this.now())) {
      const oidc = this.oidcClient(sso, profile.endpoints);
      try {
        const out = await oidc.send(
          new CreateTokenCommand({ clientId: token.clientId, clientSecret: token.clientSecret, grantType: 'refresh_token', refreshToken: token.refreshToken }),
        );
        if (out.accessToken) {
          const refreshed: SsoToken = {
            ...token,
            accessToken: out.accessToken,
            expiresAt: new Date(this.now() + (out.expiresIn ?? 3600) * 1000).toISOString(),
            ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}),
          };
          await this.keep(sso, refreshed);
          return refreshed;
        }
      } catch (error) {
        // A refused refresh means a new sign-in; anything else too, but say so in the log.
        this.options.log.info('SSO token refresh failed; a sign-in is needed', { profileId: profile.id, error });
      } finally {
        oidc.destroy();
      }
    }
    return left > 30_000 ? token : undefined;
  }

  private async findToken(sso: SsoSettings): Promise<SsoToken | undefined> {
    const key = ssoCacheKey(sso);
    const cached = this.tokens.get(key);
    if (cached) return cached;
    const candidates: SsoToken[] = [];
    try {
      const stored = await this.options.keychain.get(secretAccounts.ssoToken(key));
      const parsed = stored ? parseToken(stored) : undefined;
      if (parsed) candidates.push(parsed);
    } catch (error) {
      this.options.log.info('no SSO token from the keychain', { error });
    }
    const cli = await readFile(join(homeOf(this.options.network.env), '.aws', 'sso', 'cache', `${key}.json`), 'utf8').catch(() => undefined);
    const parsedCli = cli ? parseToken(cli) : undefined;
    if (parsedCli && (!parsedCli.startUrl || parsedCli.startUrl === sso.startUrl)) candidates.push({ ...parsedCli, startUrl: sso.startUrl, region: parsedCli.region || sso.ssoRegion });
    const best = candidates.sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt))[0];
    if (best) {
      registerSecret(best.accessToken);
      registerSecret(best.refreshToken);
      this.tokens.set(key, best);
    }
    return best;
  }

  /** Keeps a token in memory and, when the keychain works, in the keychain (never in a file). */
  private async keep(sso: SsoSettings, token: SsoToken): Promise<void> {
    registerSecret(token.accessToken);
    registerSecret(token.refreshToken);
    const key = ssoCacheKey(sso);
    this.tokens.set(key, token);
    try {
      await this.options.keychain.set(secretAccounts.ssoToken(key), JSON.stringify(token));
    } catch (error) {
      // The sign-in still works for this session; it just will not survive a restart.
      this.options.log.warn('SSO token kept in memory only: the keychain did not take it', { error });
    }
  }

  private async forget(sso: SsoSettings): Promise<void> {
    const key = ssoCacheKey(sso);
    this.tokens.delete(key);
    await this.options.keychain.delete(secretAccounts.ssoToken(key)).catch(() => undefined);
  }

  private async registration(sso: SsoSettings, oidc: SSOOIDCClient): Promise<ClientRegistration> {
    const regKey = createHash('sha1').update(`${sso.ssoRegion}|${sso.startUrl}|${sso.registrationScopes.join(',')}`).digest('hex');
    const account = secretAccounts.ssoClient(regKey);
    const valid = (r: ClientRegistration | undefined): r is ClientRegistration => !!r && Date.parse(r.expiresAt) - this.now() > 60 * 60_000;
    let reg = this.registrations.get(regKey);
    if (!valid(reg)) {
      const stored = await this.options.keychain.get(account).catch(() => null);
      reg = stored ? parseRegistration(stored) : undefined;
    }
    if (valid(reg)) {
      this.registrations.set(regKey, reg);
      return reg;
    }
    const out = await oidc.send(
      new RegisterClientCommand({
        clientName: 'bastionless',
        clientType: 'public',
        ...(sso.registrationScopes.length > 0 ? { scopes: sso.registrationScopes, grantTypes: [DEVICE_GRANT, 'refresh_token'] } : {}),
      }),
    );
    if (!out.clientId || !out.clientSecret) throw new Error('RegisterClient returned no client');
    registerSecret(out.clientSecret);
    const fresh: ClientRegistration = {
      clientId: out.clientId,
      clientSecret: out.clientSecret,
      expiresAt: new Date((out.clientSecretExpiresAt ?? Math.floor(this.now() / 1000) + 90 * 86_400) * 1000).toISOString(),
    };
    this.registrations.set(regKey, fresh);
    await this.options.keychain.set(account, JSON.stringify(fresh)).catch((error: unknown) => this.options.log.info('SSO client registration kept in memory only', { error }));
    return fresh;
  }

  private oidcClient(sso: SsoSettings, endpoints: EndpointSettings): SSOOIDCClient {
    const { network } = this.options;
    const endpoint = network.endpointFor('ssoOidc', endpoints);
    return new SSOOIDCClient({
      region: sso.ssoRegion,
      ...(endpoint ? { endpoint } : {}),
      requestHandler: network.httpHandlerFor('ssoOidc', sso.ssoRegion, endpoints),
      maxAttempts: AWS_MAX_ATTEMPTS,
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
    });
  }

  private ssoClient(sso: SsoSettings, endpoints: EndpointSettings): SSOClient {
    const { network } = this.options;
    const endpoint = network.endpointFor('sso', endpoints);
    return new SSOClient({
      region: sso.ssoRegion,
      ...(endpoint ? { endpoint } : {}),
      requestHandler: network.httpHandlerFor('sso', sso.ssoRegion, endpoints),
      maxAttempts: AWS_MAX_ATTEMPTS,
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
    });
  }
}

function parseToken(text: string): SsoToken | undefined {
  try {
    const t = JSON.parse(text) as Partial<SsoToken>;
    if (typeof t.accessToken !== 'string' || typeof t.expiresAt !== 'string' || Number.isNaN(Date.parse(t.expiresAt))) return undefined;
    return {
      startUrl: typeof t.startUrl === 'string' ? t.startUrl : '',
      region: typeof t.region === 'string' ? t.region : '',
      accessToken: t.accessToken,
      expiresAt: t.expiresAt,
      ...(typeof t.refreshToken === 'string' ? { refreshToken: t.refreshToken } : {}),
      ...(typeof t.clientId === 'string' ? { clientId: t.clientId } : {}),
      ...(typeof t.clientSecret === 'string' ? { clientSecret: t.clientSecret } : {}),
      ...(typeof t.registrationExpiresAt === 'string' ? { registrationExpiresAt: t.registrationExpiresAt } : {}),
    };
  } catch {
    return undefined;
  }
}

function parseRegistration(text: string): ClientRegistration | undefined {
  try {
    const r = JSON.parse(text) as Partial<ClientRegistration>;
    return typeof r.clientId === 'string' && typeof r.clientSecret === 'string' && typeof r.expiresAt === 'string'
      ? { clientId: r.clientId, clientSecret: r.clientSecret, expiresAt: r.expiresAt }
      : undefined;
  } catch {
    return undefined;
  }
}
