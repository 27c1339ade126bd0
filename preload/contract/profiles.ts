import { z } from 'zod';
import { event, invoke } from './define';
import { SerializedError } from './errors';

/**
 * A profile's id, stable across restarts: `config:<name>` for a profile of ~/.aws/config or
 * ~/.aws/credentials, `app:<random>` for one the app manages (secrets in the OS keychain), and
 * `env` for the credentials found in the environment (AWS_ACCESS_KEY_ID...).
 */
export const ProfileId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(config:.+|app:[a-z0-9]{8,40}|env)$/, 'not a profile id (config:<name>, app:<id> or env)');
export type ProfileId = z.infer<typeof ProfileId>;

/** An AWS Region name such as `eu-west-1`. */
export const RegionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'not an AWS Region (us-east-1)');

/**
 * How a profile gets its credentials, as the Profiles view names it:
 * - `static`: access keys in ~/.aws/credentials or ~/.aws/config;
 * - `sso`: IAM Identity Center through an `[sso-session]` section; `ssoLegacy`: the older form
 *   with `sso_start_url` in the profile itself;
 * - `assumeRole`: `role_arn` with `source_profile` or `credential_source` (maybe `mfa_serial`);
 * - `credentialProcess`: an external command prints the credentials;
 * - `webIdentity`: `web_identity_token_file` + `role_arn`; `login`: `aws login` console sessions;
 * - `environment`: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the app's environment;
 * - `appManaged`: added in the app; the secret parts live in the OS keychain;
 * - `settingsOnly`: a profile with settings (a Region) but no way to get credentials.
 */
export const ProfileKind = z.enum([
  'static',
  'sso',
  'ssoLegacy',
  'assumeRole',
  'credentialProcess',
  'webIdentity',
  'login',
  'environment',
  'appManaged',
  'settingsOnly',
]);
export type ProfileKind = z.infer<typeof ProfileKind>;

export const SsoFacts = z.object({
  startUrl: z.string(),
  /** The Region of the IAM Identity Center instance (`sso_region`). */
  ssoRegion: z.string(),
  accountId: z.string().optional(),
  roleName: z.string().optional(),
  /** The `[sso-session NAME]` this profile uses; absent for the legacy form. */
  session: z.string().optional(),
  /** Whether a usable sign-in token is at hand (ours in the keychain, or the AWS CLI's cache). */
  signedIn: z.boolean(),
  /** When that token expires (ISO time). */
  expiresAt: z.string().optional(),
});
export type SsoFacts = z.infer<typeof SsoFacts>;

/** A profile as the renderer sees it. It never carries a secret: `hasSecret` says one is stored. */
export const Profile = z.object({
  id: ProfileId,
  name: z.string(),
  kind: ProfileKind,
  /** Where it is defined. Only `app` profiles can be edited or removed in the app. */
  source: z.enum(['config', 'app', 'environment']),
  /** The profile's default Region, if it has one. */
  region: z.string().optional(),
  /** The profile AWS_PROFILE names (or `default`), which Bastionless uses first. */
  isDefault: z.boolean(),
  /** App-managed profiles: the secret access key is in the OS keychain. Never the secret itself. */
  hasSecret: z.boolean(),
  hasSessionToken: z.boolean(),
  /** The access key id with its middle hidden (`AKIA…WXYZ`), when the profile has static keys. */
  accessKeyIdHint: z.string().optional(),
  /** The MFA device asked for a code: `mfa_serial`, or the app profile's MFA serial. */
  mfaSerial: z.string().optional(),
  roleArn: z.string().optional(),
  sourceProfile: z.string().optional(),
  credentialSource: z.string().optional(),
  sso: SsoFacts.optional(),
  /** The program a `credential_process` runs (its name only: arguments can hold secrets). */
  processProgram: z.string().optional(),
  /** `endpoint_url` from the profile, if set. */
  endpointUrl: z.string().optional(),
  useFips: z.boolean(),
  /** Problems that will stop the profile from working, in plain words (a missing source_profile). */
  problems: z.array(z.string()),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type Profile = z.infer<typeof Profile>;

/** Where profiles were read from, and anything that went wrong reading them. */
export const ProfileSources = z.object({
  configFile: z.string(),
  credentialsFile: z.string(),
  /** AWS_PROFILE, when set. */
  envProfile: z.string().optional(),
  warnings: z.array(z.string()),
});
export type ProfileSources = z.infer<typeof ProfileSources>;

const AccessKeyId = z.string().regex(/^[A-Z0-9]{16,128}$/, 'an access key id is 16 to 128 capital letters and digits (AKIA…)');
const SecretAccessKey = z
  .string()
  .min(16, 'a secret access key is at least 16 characters')
  .max(256)
  .regex(/^\S+$/, 'a secret access key has no spaces');
const MfaSerial = z
  .string()
  .regex(/^[\w+=/:,.@-]{9,256}$/, 'an MFA serial is a device ARN (arn:aws:iam::123456789012:mfa/name) or a hardware serial');

/**
 * What the Profiles form sends to add or edit an app-managed profile. The secret parts are
 * write-only: they go to the OS keychain and are never returned. On edit (`id` given), an
 * omitted `accessKeyId` keeps the stored key id, and an omitted `secretAccessKey` keeps the
 * stored secret and session token.
 */
export const SaveProfileInput = z.strictObject({
  id: ProfileId.optional(),
  name: z
    .string()
    .trim()
    .min(1, 'a profile needs a name')
    .max(64)
    .regex(/^[\w.@+ -]+$/, 'a profile name uses letters, digits, spaces and . _ - @ +'),
  region: RegionName,
  accessKeyId: AccessKeyId.optional(),
  secretAccessKey: SecretAccessKey.optional(),
  sessionToken: z.string().min(16).max(8192).regex(/^\S+$/).optional(),
  mfaSerial: MfaSerial.optional(),
});
export type SaveProfileInput = z.input<typeof SaveProfileInput>;

/** The identity STS GetCallerIdentity returned for a profile. */
export const CallerIdentity = z.object({
  profileId: ProfileId,
  account: z.string(),
  arn: z.string(),
  userId: z.string(),
  /** The Region the call went to. */
  region: z.string(),
  /** When the credentials used expire, for temporary ones (SSO, assumed roles, MFA sessions). */
  expiresAt: z.string().optional(),
});
export type CallerIdentity = z.infer<typeof CallerIdentity>;

/**
 * Main needs something only the person can give, while it resolves credentials: an MFA code for
 * an assumed role or an MFA session, or an IAM Identity Center sign-in. Answer with
 * `profiles.answerPrompt`; an SSO prompt is also answered by finishing `profiles.signIn`.
 */
export const CredentialPrompt = z.discriminatedUnion('kind', [
  z.object({
    promptId: z.string(),
    kind: z.literal('mfa'),
    profileId: ProfileId,
    profileName: z.string(),
    mfaSerial: z.string(),
    /** What the code is for, in plain words ("to assume role Admin in 123456789012"). */
    reason: z.string(),
  }),
  z.object({
    promptId: z.string(),
    kind: z.literal('ssoSignIn'),
    profileId: ProfileId,
    profileName: z.string(),
    startUrl: z.string(),
    ssoRegion: z.string(),
    reason: z.string(),
  }),
]);
export type CredentialPrompt = z.infer<typeof CredentialPrompt>;

/** A device-authorization sign-in in progress, as the Sign-in dialog shows it. */
export const SsoSignIn = z.object({
  profileId: ProfileId,
  state: z.enum(['waiting', 'signedIn', 'failed', 'cancelled', 'expired']),
  /** The code the person confirms on the verification page. */
  userCode: z.string().optional(),
  verificationUri: z.string().optional(),
  /** The verification page with the code filled in: what was opened in the browser. */
  verificationUriComplete: z.string().optional(),
  expiresAt: z.string().optional(),
  error: SerializedError.optional(),
});
export type SsoSignIn = z.infer<typeof SsoSignIn>;

const ById = z.strictObject({ id: ProfileId });

export const profiles = {
  /**
   * Resolves with every profile: those of ~/.aws/config and ~/.aws/credentials (honouring
   * AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), the environment's credentials, and the
   * app-managed ones. Secrets are never included (`hasSecret` only). Never fails for a bad file:
   * its problem is in `profiles.sources().warnings`.
   */
  list: invoke(z.strictObject({}), z.array(Profile)),
  /** Resolves with the files profiles come from and any problem reading them. */
  sources: invoke(z.strictObject({}), ProfileSources),
  /**
   * Adds (no `id`) or edits (`id`) an app-managed profile; the secret access key and session
   * token go to the OS keychain only. Resolves with the saved profile. Fails with
   * KEYCHAIN_UNAVAILABLE / KEYCHAIN_DENIED (nothing saved), INVALID_INPUT (a name already used,
   * no secret for a new profile), NOT_FOUND (unknown id), STORE_WRITE_FAILED.
   */
  save: invoke(SaveProfileInput, Profile),
  /**
   * Removes an app-managed profile and its keychain entries. Resolves with null. Fails with
   * NOT_FOUND, INVALID_INPUT (a profile from ~/.aws: edit the file instead), KEYCHAIN_*.
   */
  remove: invoke(ById, z.null()),
  /**
   * Calls STS GetCallerIdentity with the profile's credentials (prompting for MFA or SSO sign-in
   * if needed). Resolves with account, ARN and user id. Fails with AWS_* codes (credentials
   * missing, invalid or expired, access denied, network), KEYCHAIN_*, CANCELLED.
   */
  test: invoke(z.strictObject({ id: ProfileId, region: RegionName.optional() }), CallerIdentity),
  /**
   * Answers a `promptRequested` prompt: an MFA code, or `cancel`. Resolves with null. Fails with
   * NOT_FOUND when the prompt is gone (answered, timed out), INVALID_INPUT for a malformed code.
   */
  answerPrompt: invoke(
    z.strictObject({
      promptId: z.string().min(1).max(100),
      mfaCode: z.string().regex(/^\d{6}$/, 'an MFA code is 6 digits').optional(),
      cancel: z.boolean().optional(),
    }),
    z.null(),
  ),
  /**
   * Starts IAM Identity Center sign-in for an SSO profile (device authorization): opens the
   * verification page in the browser and resolves at once with the user code; `signInChanged`
   * then reports `signedIn`, `expired`, `failed` or `cancelled`. The token is kept in the OS
   * keychain. Fails with INVALID_INPUT (not an SSO profile), NOT_FOUND, AWS_* (the SSO service
   * refused), KEYCHAIN_*.
   */
  signIn: invoke(ById, SsoSignIn),
  /** Opens the verification page of a waiting sign-in again. Resolves with null. Fails with NOT_FOUND when none is waiting. */
  openSignInPage: invoke(ById, z.null()),
  /** Stops a sign-in that is waiting for the person. Resolves with null even if none was running. */
  cancelSignIn: invoke(ById, z.null()),
  /** Resolves with the prompts still waiting for an answer (a window that reloads shows them again). */
  openPrompts: invoke(z.strictObject({}), z.array(CredentialPrompt)),
  /** Main needs an MFA code or an SSO sign-in to go on. */
  promptRequested: event(CredentialPrompt),
  /** A prompt was answered, cancelled or timed out: close its dialog. */
  promptClosed: event(z.object({ promptId: z.string(), outcome: z.enum(['answered', 'cancelled', 'timedOut']) })),
  /** An SSO sign-in moved on (the person approved it, it expired, failed or was cancelled). */
  signInChanged: event(SsoSignIn),
  /** Profiles were added, edited, removed or signed in: reload the list. */
  changed: event(z.object({})),
};
