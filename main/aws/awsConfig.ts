import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

/** The environment the app reads AWS settings from: the compose `env`, never `process.env` directly. */
export type AwsEnv = Readonly<Record<string, string | undefined>>;

/** One section's settings, as the SDK's ini parser returns them (`key` or `service.key`). */
export type IniSection = Readonly<Record<string, string | undefined>>;

/** ~/.aws/config and ~/.aws/credentials, parsed. Holds secrets in memory only; never written anywhere. */
export interface AwsConfigFiles {
  configFile: string;
  credentialsFile: string;
  /** Profile name -> settings from the config file (`[profile x]`, `[default]`). */
  config: Readonly<Record<string, IniSection>>;
  /** Profile name -> settings from the credentials file (`[x]`). */
  credentials: Readonly<Record<string, IniSection>>;
  /** `[sso-session NAME]` sections. */
  ssoSessions: Readonly<Record<string, IniSection>>;
  /** `[services NAME]` sections (per-service endpoint_url). */
  services: Readonly<Record<string, IniSection>>;
  /** Files that exist but could not be read. */
  warnings: string[];
}

/** The home folder per the environment (HOME, USERPROFILE), as the AWS CLI resolves `~`. */
export function homeOf(env: AwsEnv): string {
  return env['HOME'] || env['USERPROFILE'] || (env['HOMEDRIVE'] && env['HOMEPATH'] ? `${env['HOMEDRIVE']}${env['HOMEPATH']}` : '') || homedir();
}

function expand(path: string, env: AwsEnv): string {
  return path.startsWith('~/') || path === '~' ? join(homeOf(env), path.slice(1)) : path;
}

export function configFilePath(env: AwsEnv): string {
  return expand(env['AWS_CONFIG_FILE'] || join(homeOf(env), '.aws', 'config'), env);
}

export function credentialsFilePath(env: AwsEnv): string {
  return expand(env['AWS_SHARED_CREDENTIALS_FILE'] || join(homeOf(env), '.aws', 'credentials'), env);
}

async function readable(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return `${path} could not be read (${code ?? 'error'}); its profiles are not listed.`;
  }
}

/**
 * Reads both files with the SDK's own parser (so what we list is what the SDK resolves),
 * honouring AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE from `env`. Missing files are
 * simply empty. Always re-reads: the person may have just run `aws configure`.
 */
export async function loadAwsConfig(env: AwsEnv): Promise<AwsConfigFiles> {
  const configFile = configFilePath(env);
  const credentialsFile = credentialsFilePath(env);
  const warnings = (await Promise.all([readable(configFile), readable(credentialsFile)])).filter((w): w is string => !!w);
  let parsed: { configFile: Record<string, IniSection>; credentialsFile: Record<string, IniSection> };
  try {
    parsed = (await loadSharedConfigFiles({ filepath: credentialsFile, configFilepath: configFile, ignoreCache: true })) as typeof parsed;
  } catch (error) {
    warnings.push(`The AWS config files could not be parsed (${error instanceof Error ? error.message : String(error)}).`);
    parsed = { configFile: {}, credentialsFile: {} };
  }
  const config: Record<string, IniSection> = {};
  const ssoSessions: Record<string, IniSection> = {};
  const services: Record<string, IniSection> = {};
  for (const [key, section] of Object.entries(parsed.configFile ?? {})) {
    // The parser names special sections `sso-session.NAME` and `services.NAME`.
    if (key.startsWith('sso-session.')) ssoSessions[key.slice('sso-session.'.length)] = section;
    else if (key.startsWith('services.')) services[key.slice('services.'.length)] = section;
    else config[key] = section;
  }
  return { configFile, credentialsFile, config, credentials: parsed.credentialsFile ?? {}, ssoSessions, services, warnings };
}
