import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../preload/contract';
import type { SecretStore } from '../../aws/keychain';
import { registerSecret } from '../../log';
import type { PrivateKeyRef, SecretSource } from '../ports';

/** A private key is a few kilobytes; a large file is something else picked by mistake. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Key pairs and passwords of saved hosts: in the OS keychain, or a key file the host points at. */
export class KeychainSshSecrets implements SecretSource {
  constructor(
    private readonly keychain: Pick<SecretStore, 'get'>,
    private readonly home: string = homedir(),
  ) {}

  async readPrivateKey(ref: PrivateKeyRef): Promise<string> {
    if (ref.source === 'keychain') {
      const key = await this.keychain.get(ref.account);
      if (key === null) {
        throw new AppError('SSH_KEY_UNREADABLE', 'This host\'s private key is no longer in your OS keychain.', {
          hint: 'Edit the host and paste its key pair\'s private key again (or point it at the .pem file).',
        });
      }
      return key;
    }
    const path = ref.path === '~' || ref.path.startsWith('~/') ? join(this.home, ref.path.slice(1)) : ref.path;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new AppError('SSH_KEY_UNREADABLE', code === 'ENOENT' ? `The key file ${ref.path} does not exist.` : `Bastionless cannot read the key file ${ref.path} (${code ?? 'error'}).`, {
        hint: code === 'ENOENT' ? 'Edit the host and pick the key file where it is now.' : 'Check the file\'s permissions, or edit the host and pick the key file again.',
        cause,
      });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > MAX_KEY_FILE_BYTES) {
        throw new AppError('SSH_KEY_INVALID', `${ref.path} is not a private key file.`, { hint: 'Point the host at its key pair\'s .pem file (a few kilobytes).' });
      }
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }

  async readPassword(account: string): Promise<string | undefined> {
    const password = (await this.keychain.get(account)) ?? undefined;
    // Should any library ever echo it into an error, the log scrubs it.
    registerSecret(password);
    return password;
  }
}
