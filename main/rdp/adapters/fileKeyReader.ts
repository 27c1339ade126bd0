import { open } from 'node:fs/promises';
import { AppError } from '../../../preload/contract';
import type { KeyFileReader } from '../rdpIo';

/** A private key file is a few kilobytes; refuse to read a large file someone pointed at by mistake. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Reads the key file a saved host points at. */
export class FileKeyReader implements KeyFileReader {
  async read(path: string): Promise<string> {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new AppError('RDP_KEY_MISSING', `The key file ${path} no longer exists.`, { hint: 'Pick the key file again, or edit the host to point at where it is now.', cause });
      }
      throw new AppError('RDP_KEY_INVALID', `The key file ${path} cannot be read (${code ?? 'error'}).`, { hint: 'Check its permissions, or pick the key file again.', cause });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw new AppError('RDP_KEY_INVALID', `${path} is not a file.`, { hint: 'Point the host at the .pem file of its key pair.' });
      }
      if (stat.size > MAX_KEY_FILE_BYTES) {
        throw new AppError('RDP_KEY_INVALID', `${path} is too large to be a private key.`, { hint: 'Point the host at the .pem file of its key pair.' });
      }
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }
}
