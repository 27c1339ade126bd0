import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError, type Profile, type ProfileSources, type SaveProfileInput } from '../../preload/contract';
import type { Logger } from '../log';
import { JsonStore } from '../storage/jsonStore';
import { loadAwsConfig, type AwsConfigFiles, type AwsEnv } from './awsConfig';
import type { EndpointSettings } from './awsNetwork';
import { secretAccounts, type SecretStore } from './keychain';
import { classifyProfile, maskAccessKeyId, profileNames, type ConfigProfile, type SsoSettings } from './profileKinds';

/** An app-managed profile as stored in profiles.json: metadata only, the secrets are in the keychain. */
const AppProfileRecord = z.object({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  accessKeyId: z.string(),
  mfaSerial: z.string().optional(),
  hasSecret: z.boolean(),
  hasSessionToken: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AppProfileRecord = z.infer<typeof AppProfileRecord>;
const AppProfilesFile = z.object({ profiles: z.array(AppProfileRecord) });
type AppProfilesFile = z.infer<typeof AppProfilesFile>;

/** A profile with everything needed to get its credentials and build its clients. */
export type ResolvedProfile =
  | { id: 'env'; name: string; source: 'environment'; kind: 'environment'; region?: string; endpoints: EndpointSettings }
  | { id: string; name: string; source: 'config'; kind: ConfigProfile['kind']; region?: string; config: ConfigProfile; files: AwsConfigFiles; endpoints: EndpointSettings }
  | { id: string; name: string; source: 'app'; kind: 'appManaged'; region: string; record: AppProfileRecord; endpoints: EndpointSettings };

export interface ProfilesServiceOptions {
  dataDir: string;
  env: AwsEnv;
  keychain: SecretStore;
  log: Logger;
  /** Whether an SSO profile has a usable token (SsoService.status); never prompts. */
  ssoStatus?: (sso: SsoSettings) => Promise<{ signedIn: boolean; expiresAt?: string }>;
  /** Profiles were added, edited or removed. */
  onChanged?: (profileId: string) => void;
  now?: () => Date;
}

export const ENV_PROFILE_ID = 'env';
const CONFIG_PREFIX = 'config:';

export function configProfileId(name: string): string {
  return `${CONFIG_PREFIX}${name}`;
}

/**
 * Every AWS profile the app can use: the ~/.aws files (re-read on each call, never copied),
 * the environment's keys, and app-managed profiles whose secret parts live only in the OS
 * keychain (profiles.json holds names, Regions and access key ids). Secrets go in, never out:
 * nothing this service returns to the renderer carries one.
 */
export class ProfilesService {
  private readonly store: JsonStore<AppProfilesFile>;
  private readonly now: () => Date;

  constructor(private readonly options: ProfilesServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.store = new JsonStore({
      file: join(options.dataDir, 'profiles.json'),
      version: 1,
      schema: AppProfilesFile,
      empty: () => ({ profiles: [] }),
      log: options.log.child('profiles.json'),
    });
  }

  /** The app-managed profiles store (for the start-up recovery notice). */
  get appStore(): JsonStore<AppProfilesFile> {
    return this.store;
  }

  async list(): Promise<Profile[]> {
    const all = await this.resolveAll();
    return Promise.all(all.map((p) => this.toProfile(p, all)));
  }

  async sources(): Promise<ProfileSources> {
    const files = await loadAwsConfig(this.options.env);
    const envProfile = this.options.env['AWS_PROFILE']?.trim();
    const warnings = [...files.warnings];
    if (envProfile && !(envProfile in files.config) && !(envProfile in files.credentials)) {
      warnings.push(`AWS_PROFILE is "${envProfile}", but no such profile is defined in ${files.configFile} or ${files.credentialsFile}.`);
    }
    await this.store.load();
    if (this.store.recovery) warnings.push(`profiles.json was recovered: ${this.store.recovery.reason}.`);
    return { configFile: files.configFile, credentialsFile: files.credentialsFile, ...(envProfile ? { envProfile } : {}), warnings };
  }

  /** The profile as the renderer sees it. Fails with AWS_PROFILE_NOT_FOUND. */
  async get(id: string): Promise<Profile> {
    const all = await this.resolveAll();
    const found = all.find((p) => p.id === id);
    if (!found) throw notFound(id);
    return this.toProfile(found, all);
  }

  /** The profile with what credentials and clients need. Fails with AWS_PROFILE_NOT_FOUND. */
  async resolve(id: string): Promise<ResolvedProfile> {
    const found = (await this.resolveAll()).find((p) => p.id === id);
    if (!found) throw notFound(id);
    return found;
  }

  /**
   * The profile Bastionless uses when none is chosen, as the AWS SDK would pick it: the
   * environment's keys, else AWS_PROFILE, else `default`.
   */
  async defaultProfileId(): Promise<string | undefined> {
    const all = await this.resolveAll();
    return all.find((p) => this.isDefault(p, all))?.id;
  }

  /** Adds or edits an app-managed profile. Secrets go to the keychain first; on failure nothing changes. */
  async save(input: z.output<typeof SaveProfileInput>): Promise<Profile> {
    const data = await this.store.load();
    const existing = input.id ? data.profiles.find((p) => p.id === input.id) : undefined;
    if (input.id && !existing) {
      if (!input.id.startsWith('app:')) {
        throw new AppError('INVALID_INPUT', 'Only profiles added in Bastionless can be edited here.', {
          hint: 'Edit profiles from ~/.aws/config or ~/.aws/credentials in those files (or with `aws configure`).',
        });
      }
      throw notFound(input.id);
    }
    const name = input.name.trim();
    const clash = (await this.resolveAll()).find((p) => p.name.toLowerCase() === name.toLowerCase() && p.id !== input.id);
    if (clash) {
      throw new AppError('INVALID_INPUT', `A profile named "${name}" already exists${clash.source === 'config' ? ' in your AWS config' : ''}.`, {
        hint: 'Choose another name.',
      });
    }
    if (!existing && !input.accessKeyId) {
      throw new AppError('INVALID_INPUT', 'A new profile needs its access key id.', { hint: 'Paste the access key id (AKIA… or ASIA…).' });
    }
    if (existing && input.accessKeyId && input.accessKeyId !== existing.accessKeyId && !input.secretAccessKey) {
      throw new AppError('INVALID_INPUT', 'A new access key id needs its secret access key.', { hint: 'Enter the secret access key that belongs to the new key id.' });
    }
    if (!existing && !input.secretAccessKey) {
      throw new AppError('INVALID_INPUT', 'A new profile needs its secret access key.', { hint: 'Paste the secret access key that came with the access key id.' });
    }
    if (input.sessionToken && !input.secretAccessKey) {
      throw new AppError('INVALID_INPUT', 'A session token comes with its own secret access key.', { hint: 'Enter the secret access key together with the session token.' });
    }
    const id = existing?.id ?? `app:${randomBytes(8).toString('hex')}`;
    const secretAccount = secretAccounts.profileSecretAccessKey(id);
    const tokenAccount = secretAccounts.profileSessionToken(id);
    const { keychain } = this.options;

    // Keychain first, remembering what was there so a failed metadata write can put it back.
    const previous = input.secretAccessKey && existing ? { secret: await keychain.get(secretAccount), token: await keychain.get(tokenAccount) } : undefined;
    if (input.secretAccessKey) {
      await keychain.set(secretAccount, input.secretAccessKey);
      try {
        if (input.sessionToken) await keychain.set(tokenAccount, input.sessionToken);
        else await keychain.delete(tokenAccount);
      } catch (error) {
        await this.restoreSecrets(id, previous);
        throw error;
      }
    }
    const at = this.now().toISOString();
    const record: AppProfileRecord = {
      id,
      name,
      region: input.region,
      accessKeyId: input.accessKeyId ?? existing?.accessKeyId ?? '',
      ...(input.mfaSerial ? { mfaSerial: input.mfaSerial } : {}),
      hasSecret: true,
      hasSessionToken: input.secretAccessKey ? !!input.sessionToken : (existing?.hasSessionToken ?? false),
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    };
    try {
      await this.store.update((d) => ({ profiles: existing ? d.profiles.map((p) => (p.id === id ? record : p)) : [...d.profiles, record] }));
    } catch (error) {
      if (input.secretAccessKey) await this.restoreSecrets(id, previous);
      throw error;
    }
    this.options.log.info(existing ? 'profile edited' : 'profile added', { profileId: id });
    this.options.onChanged?.(id);
    return this.get(id);
  }

  /** Removes an app-managed profile: its keychain entries first, then its metadata. */
  async remove(id: string): Promise<void> {
    if (!id.startsWith('app:')) {
      throw new AppError('INVALID_INPUT', 'Only profiles added in Bastionless can be removed here.', {
        hint: 'Remove profiles from ~/.aws/config or ~/.aws/credentials by editing those files.',
      });
    }
    const data = await this.store.load();
    if (!data.profiles.some((p) => p.id === id)) throw notFound(id);
    await this.options.keychain.delete(secretAccounts.profileSecretAccessKey(id));
    await this.options.keychain.delete(secretAccounts.profileSessionToken(id));
    await this.store.update((d) => ({ profiles: d.profiles.filter((p) => p.id !== id) }));
    this.options.log.info('profile removed', { profileId: id });
    this.options.onChanged?.(id);
  }

  private async restoreSecrets(id: string, previous: { secret: string | null; token: string | null } | undefined): Promise<void> {
    const { keychain, log } = this.options;
    const put = async (account: string, value: string | null | undefined): Promise<void> => {
      if (value) await keychain.set(account, value);
      else await keychain.delete(account);
    };
    try {
      await put(secretAccounts.profileSecretAccessKey(id), previous?.secret);
      await put(secretAccounts.profileSessionToken(id), previous?.token);
    } catch (error) {
      log.error('could not roll back keychain entries after a failed save', { profileId: id, error });
    }
  }

  private isDefault(p: ResolvedProfile, all: ResolvedProfile[]): boolean {
    const env = this.options.env;
    if (p.source === 'environment') return true;
    const hasEnv = all.some((x) => x.source === 'environment');
    if (hasEnv) return false;
    const wanted = env['AWS_PROFILE']?.trim() || 'default';
    return p.source === 'config' && p.name === wanted;
  }

  private async resolveAll(): Promise<ResolvedProfile[]> {
    const env = this.options.env;
    const out: ResolvedProfile[] = [];
    const envRegion = env['AWS_REGION']?.trim() || env['AWS_DEFAULT_REGION']?.trim();
    if (env['AWS_ACCESS_KEY_ID']?.trim() && env['AWS_SECRET_ACCESS_KEY']?.trim()) {
      out.push({ id: ENV_PROFILE_ID, name: 'Environment', source: 'environment', kind: 'environment', ...(envRegion ? { region: envRegion } : {}), endpoints: {} });
    }
    const files = await loadAwsConfig(env);
    for (const name of profileNames(files)) {
      const config = classifyProfile(name, files);
      const region = config.region ?? envRegion;
      out.push({
        id: configProfileId(name),
        name,
        source: 'config',
        kind: config.kind,
        ...(region ? { region } : {}),
        config,
        files,
        endpoints: {
          ...(config.endpointUrl ? { endpointUrl: config.endpointUrl } : {}),
          ...(config.servicesSection ? { servicesSection: config.servicesSection } : {}),
          ...(config.caBundle ? { caBundle: config.caBundle } : {}),
          ignoreConfiguredEndpointUrls: config.ignoreConfiguredEndpointUrls,
          useFips: config.useFips,
        },
      });
    }
    const data = await this.store.load();
    for (const record of data.profiles) {
      out.push({ id: record.id, name: record.name, source: 'app', kind: 'appManaged', region: record.region, record, endpoints: {} });
    }
    return out;
  }

  private async toProfile(p: ResolvedProfile, all: ResolvedProfile[]): Promise<Profile> {
    const env = this.options.env;
    const isDefault = this.isDefault(p, all);
    const base = { id: p.id, name: p.name, kind: p.kind, source: p.source, isDefault, ...(p.region ? { region: p.region } : {}) };
    if (p.source === 'environment') {
      const keyId = env['AWS_ACCESS_KEY_ID']?.trim() ?? '';
      return {
        ...base,
        hasSecret: true,
        hasSessionToken: !!env['AWS_SESSION_TOKEN']?.trim(),
        accessKeyIdHint: maskAccessKeyId(keyId),
        useFips: (env['AWS_USE_FIPS_ENDPOINT'] ?? '').toLowerCase() === 'true',
        problems: [],
      };
    }
    if (p.source === 'app') {
      return {
        ...base,
        hasSecret: p.record.hasSecret,
        hasSessionToken: p.record.hasSessionToken,
        accessKeyIdHint: maskAccessKeyId(p.record.accessKeyId),
        ...(p.record.mfaSerial ? { mfaSerial: p.record.mfaSerial } : {}),
        useFips: false,
        problems: [],
        createdAt: p.record.createdAt,
        updatedAt: p.record.updatedAt,
      };
    }
    const c = p.config;
    let sso: Profile['sso'];
    if (c.sso) {
      const status = c.sso.startUrl && this.options.ssoStatus ? await this.options.ssoStatus(c.sso) : { signedIn: false };
      sso = {
        startUrl: c.sso.startUrl,
        ssoRegion: c.sso.ssoRegion,
        ...(c.sso.accountId ? { accountId: c.sso.accountId } : {}),
        ...(c.sso.roleName ? { roleName: c.sso.roleName } : {}),
        ...(c.sso.session ? { session: c.sso.session } : {}),
        signedIn: status.signedIn,
        ...(status.expiresAt ? { expiresAt: status.expiresAt } : {}),
      };
    }
    return {
      ...base,
      hasSecret: c.hasStaticKeys,
      hasSessionToken: c.hasSessionToken,
      ...(c.accessKeyIdHint ? { accessKeyIdHint: c.accessKeyIdHint } : {}),
      ...(c.mfaSerial ? { mfaSerial: c.mfaSerial } : {}),
      ...(c.roleArn ? { roleArn: c.roleArn } : {}),
      ...(c.sourceProfile ? { sourceProfile: c.sourceProfile } : {}),
      ...(c.credentialSource ? { credentialSource: c.credentialSource } : {}),
      ...(sso ? { sso } : {}),
      ...(c.processProgram ? { processProgram: c.processProgram } : {}),
      ...(c.endpointUrl ? { endpointUrl: c.endpointUrl } : {}),
      useFips: c.useFips,
      problems: c.problems,
    };
  }
}

function notFound(id: string): AppError {
  return new AppError('AWS_PROFILE_NOT_FOUND', `There is no AWS profile "${id.replace(/^config:/, '')}".`, {
    hint: 'It may have been removed from ~/.aws/config or the Profiles view; pick another profile.',
  });
}
