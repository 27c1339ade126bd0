import { access, chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LauncherFs } from './launcherIo';

/** LauncherFs over node:fs: private folders under the system temp folder. */
export class NodeLauncherFs implements LauncherFs {
  constructor(private readonly tempRoot: string = tmpdir()) {}

  async makeTempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(this.tempRoot, prefix));
    // mkdtemp already uses 0700 on POSIX; say so explicitly in case a umask or platform differs.
    await chmod(dir, 0o700);
    return dir;
  }

  async writePrivateFile(path: string, content: Uint8Array): Promise<void> {
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  }

  async remove(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async writeText(path: string, content: string): Promise<void> {
    // Written aside and renamed: a crash leaves the old file or the new one, never half of one.
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, content, { mode: 0o600 });
    await rename(temp, path);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }
}
