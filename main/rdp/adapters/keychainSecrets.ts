import type { SecretStore as AppSecretStore } from '../../aws/keychain';
import type { SecretStore } from '../rdpIo';

/** The app's keychain (null for "none") in the shape RDP uses (undefined for "none"). */
export class KeychainSecrets implements SecretStore {
  constructor(private readonly keychain: AppSecretStore) {}

  async get(account: string): Promise<string | undefined> {
    return (await this.keychain.get(account)) ?? undefined;
  }

  set(account: string, secret: string): Promise<void> {
    return this.keychain.set(account, secret);
  }

  delete(account: string): Promise<void> {
    return this.keychain.delete(account);
  }
}
