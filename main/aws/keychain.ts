import { AppError } from '../../preload/contract';
import { registerSecret, type Logger } from '../log';

/** The keychain service every Bastionless secret is stored under. */
export const KEYCHAIN_SERVICE = 'bastionless';

/**
 * Where secrets live. The only implementation in the app is `Keychain` (the OS keychain);
 * tests hand in a real keychain or a small in-memory fake. There is deliberately no file-backed
 * implementation: a secret that cannot go to the OS keychain is not stored at all.
 */
export interface SecretStore {
  /** Resolves with the secret stored under `account`, or null if there is none. Fails with KEYCHAIN_*. */
  get(account: string): Promise<string | null>;
  /** Stores (or replaces) the secret under `account`. Fails with KEYCHAIN_*. */
  set(account: string, secret: string): Promise<void>;
  /** Removes the secret under `account`; nothing happens if there is none. Fails with KEYCHAIN_*. */
  delete(account: string): Promise<void>;
}

/**
 * Account names inside the `bastionless` keychain service. Each feature has its own prefix so
 * names never collide: `profile:` (AWS profiles), `sso:` (IAM Identity Center tokens), `host:`
 * (a saved host's key or password), and `keypair:` for features that store key pairs of their
 * own (SSH/RDP). Ids never contain a newline; the parts are joined with `:`.
 */
export const secretAccounts = {
  /** An app-managed profile's secret access key. */
  profileSecretAccessKey: (profileId: string): string => `profile:${profileId}:secretAccessKey`,
  /** An app-managed profile's session token, when it has one. */
  profileSessionToken: (profileId: string): string => `profile:${profileId}:sessionToken`,
  /** An IAM Identity Center token (JSON), keyed like the AWS CLI's cache (sha1 of session name or start URL). */
  ssoToken: (cacheKey: string): string => `sso:${cacheKey}:token`,
  /** An SSO-OIDC client registration (JSON: client id and secret), keyed by a hash of Region, start URL and scopes. */
  ssoClient: (registrationKey: string): string => `sso:client:${registrationKey}`,
  /** A saved host's secrets: its SSH private key, its Windows key pair's private key, its password. */
  host: (hostId: string, part: 'privateKey' | 'windowsKey' | 'password'): string => `host:${hostId}:${part}`,
} as const;

/** The slice of keytar that Keychain uses: what `loadKeytar` must return. */
export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeychainOptions {
  platform: NodeJS.Platform;
  log: Logger;
  /** Loads keytar. Default: a dynamic import, so a missing native module fails here, not at start-up. */
  loadKeytar?: () => Promise<KeytarModule>;
  /** The keychain service name; `bastionless` unless a test isolates itself. */
  service?: string;
}

const defaultLoad = async (): Promise<KeytarModule> => {
  const mod = (await import('keytar')) as unknown as KeytarModule & { default?: KeytarModule };
  return mod.default ?? mod;
};

/**
 * The OS keychain through keytar: libsecret (gnome-keyring, KWallet) on Linux, the Keychain on
 * macOS, Credential Manager on Windows. keytar is loaded on first use, so an app without a
 * keychain still starts, and every failure becomes KEYCHAIN_UNAVAILABLE or KEYCHAIN_DENIED
 * with a hint for the platform. Nothing is ever written anywhere else.
 */
export class Keychain implements SecretStore {
  private keytar: Promise<KeytarModule> | undefined;
  private readonly service: string;

  constructor(private readonly options: KeychainOptions) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
  }

  async get(account: string): Promise<string | null> {
    const keytar = await this.load();
    try {
      const secret = await keytar.getPassword(this.service, account);
      // Anything read from the keychain is scrubbed from later log lines, should one leak there.
      if (secret) registerSecret(secret);
      return secret;
    } catch (error) {
      throw this.fail(error, 'read a secret from');
    }
  }

  async set(account: string, secret: string): Promise<void> {
    if (!secret) throw new AppError('INVALID_INPUT', 'An empty secret cannot be stored.', { hint: 'Enter the secret and try again.' });
    const keytar = await this.load();
    registerSecret(secret);
    try {
      await keytar.setPassword(this.service, account, secret);
    } catch (error) {
      throw this.fail(error, 'store a secret in');
    }
  }

  async delete(account: string): Promise<void> {
    const keytar = await this.load();
    try {
      await keytar.deletePassword(this.service, account);
    } catch (error) {
      throw this.fail(error, 'remove a secret from');
    }
  }

  private load(): Promise<KeytarModule> {
    this.keytar ??= (this.options.loadKeytar ?? defaultLoad)().catch((error: unknown) => {
      // A module that failed to load will not load later in this process: keep the failure.
      this.options.log.warn('keytar could not be loaded', { error });
      throw new AppError('KEYCHAIN_UNAVAILABLE', `Bastionless cannot reach the ${keychainName(this.options.platform)}: its keychain module did not load.`, {
        hint: moduleHint(this.options.platform),
        cause: error,
      });
    });
    return this.keytar;
  }

  private fail(error: unknown, verb: string): AppError {
    const text = error instanceof Error ? error.message : String(error);
    const { platform, log } = this.options;
    const name = keychainName(platform);
    log.warn('keychain call failed', { verb, error });
    if (DENIED.test(text)) {
      return new AppError('KEYCHAIN_DENIED', `The ${name} refused to let Bastionless ${verb} it.`, {
        hint: deniedHint(platform),
        cause: error,
      });
    }
    if (LOCKED.test(text)) {
      return new AppError('KEYCHAIN_UNAVAILABLE', `Bastionless could not ${verb} the ${name}: it is locked.`, {
        hint: lockedHint(platform),
        cause: error,
        retryable: true,
      });
    }
    return new AppError('KEYCHAIN_UNAVAILABLE', `Bastionless could not ${verb} the ${name}: ${reasonOf(text, platform)}.`, {
      hint: unavailableHint(platform),
      cause: error,
      retryable: true,
    });
  }
}

// Messages from libsecret/GLib, the macOS Security framework and Windows' CredWrite.
const DENIED = /user canceled|user cancelled|prompt dismissed|dismissed|access is denied|not allowed to access|passphrase you entered is not correct|authorization denied|-128\b/i;
const LOCKED = /locked collection|is locked|interaction is not allowed|keychain is locked/i;

function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'OS keychain (Secret Service)';
}

function reasonOf(text: string, platform: NodeJS.Platform): string {
  if (platform !== 'darwin' && platform !== 'win32') {
    if (/autolaunch d-bus|dbus_session_bus_address|could not connect|failed to connect to socket|no such file/i.test(text)) return 'no D-Bus session is running';
    if (/org\.freedesktop\.secrets|serviceunknown|not provided by any \.service/i.test(text)) return 'no Secret Service (gnome-keyring or KWallet) is running';
    if (/object does not exist|no such object|collection/i.test(text)) return 'the default keyring does not exist and could not be created';
  }
  if (/could not be found|no keychain|not found/i.test(text)) return 'no default keychain was found';
  return 'the keychain did not answer';
}

function unavailableHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Open Keychain Access and check that your login keychain exists and is unlocked, then try again.';
  if (platform === 'win32') return 'Check that Windows Credential Manager works for your account (Control Panel > Credential Manager), then try again.';
  return 'Install and unlock gnome-keyring or KWallet (Secret Service), make sure you are in a desktop session with D-Bus, then try again. Bastionless never stores secrets in a plain file.';
}

function lockedHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Unlock your login keychain in Keychain Access, then try again.';
  if (platform === 'win32') return 'Sign in to Windows again to unlock Credential Manager, then try again.';
  return 'Unlock your keyring (gnome-keyring or KWallet: log in to the desktop, or open Passwords and Keys and unlock "Login"), then try again.';
}

function deniedHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Try again and choose "Allow" (or "Always Allow") when macOS asks about Bastionless.';
  if (platform === 'win32') return 'Check that your account may use Windows Credential Manager, then try again.';
  return 'Try again and accept the keyring prompt; unlock the keyring if it asks for its password.';
}

function moduleHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin' || platform === 'win32') return 'Reinstall Bastionless; the keychain module is part of the app.';
  return 'Install libsecret (Debian/Ubuntu: sudo apt-get install libsecret-1-0 gnome-keyring), then restart Bastionless.';
}
