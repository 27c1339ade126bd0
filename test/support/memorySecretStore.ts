import { AppError } from '../../preload/contract';
import type { SecretStore } from '../../main/aws/keychain';

/**
 * An in-memory SecretStore for unit tests. `failWith` makes every call fail with that keychain
 * code (a locked or absent keychain); `failSetsAfter` lets that many `set` calls through first.
 */
export class MemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, string>();
  failWith: 'KEYCHAIN_UNAVAILABLE' | 'KEYCHAIN_DENIED' | undefined;
  failSetsAfter: number | undefined;
  private sets = 0;

  async get(account: string): Promise<string | null> {
    this.check();
    return this.secrets.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    this.check();
    this.sets += 1;
    if (this.failSetsAfter !== undefined && this.sets > this.failSetsAfter) throw new AppError('KEYCHAIN_UNAVAILABLE', 'The test keychain refused a write.', { hint: 'test' });
    this.secrets.set(account, secret);
  }

  async delete(account: string): Promise<void> {
    this.check();
    this.secrets.delete(account);
  }

  private check(): void {
    if (this.failWith) throw new AppError(this.failWith, 'The test keychain is unavailable.', { hint: 'test' });
  }
}
