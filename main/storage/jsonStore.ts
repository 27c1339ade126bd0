import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { AppError } from '../../preload/contract';
import type { Logger } from '../log';

/** How a store came back when its file could not be used as it was. */
export interface Recovery {
  /** Where the data came from: the previous version kept as a backup, or nothing (empty). */
  from: 'backup' | 'empty';
  /** Why the main file was not used. */
  reason: string;
  /** Where the unusable file was moved, untouched, so nothing is lost. */
  keptAs?: string;
}

export interface JsonStoreOptions<T> {
  /** The store's file, e.g. `<dataDir>/hosts.json`. Its backup is `<file>.bak`. */
  file: string;
  /** The current schema version; the file records the version it was written with. */
  version: number;
  schema: z.ZodType<T>;
  /** Upgrades older data: `migrations[n]` turns version n's data into version n+1's. */
  migrations?: Readonly<Record<number, (data: unknown) => unknown>>;
  /** The value of a store that has never been written. */
  empty: () => T;
  log: Logger;
}

interface Envelope {
  schemaVersion: number;
  data: unknown;
}

/**
 * A schema-versioned JSON file written atomically: a temp file is written and fsynced, the
 * current file becomes the backup, the temp file is renamed over it, and the folder is
 * fsynced. A crash at any point leaves either the old or the new version readable.
 *
 * A corrupt, unreadable or invalid file is never overwritten: it is moved aside as
 * `<file>.corrupt-<time>`, the backup is loaded instead, and `recovery` says what happened so
 * the app can tell the person. A file written by a newer version of the app is left alone and
 * the store becomes read-only.
 */
export class JsonStore<T> {
  private data: T | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readOnlyReason: string | undefined;
  recovery: Recovery | undefined;

  constructor(private readonly options: JsonStoreOptions<T>) {}

  get file(): string {
    return this.options.file;
  }

  private get backupFile(): string {
    return `${this.options.file}.bak`;
  }

  /** Loads the file (or its backup). Safe to call more than once; later calls reuse the data. */
  async load(): Promise<T> {
    if (this.data !== undefined) return this.data;
    const { file, log } = this.options;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await this.removeStaleTempFiles();

    const main = await this.readVersion(file);
    if (main.ok) {
      this.data = main.data;
      return main.data;
    }
    if (main.newer) {
      // Written by a newer Bastionless: do not touch it, and do not write over it.
      this.readOnlyReason = main.reason;
      log.warn('store written by a newer version; read-only', { file: basename(file) });
      this.data = this.options.empty();
      this.recovery = { from: 'empty', reason: main.reason };
      return this.data;
    }

    let keptAs: string | undefined;
    if (!main.missing) {
      keptAs = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        await rename(file, keptAs);
      } catch {
        // Cannot move it (permissions): leave it where it is, and never write over it.
        keptAs = undefined;
        this.readOnlyReason = `${basename(file)} could not be read or moved aside`;
      }
      log.warn('store file unusable; trying the backup', { file: basename(file), reason: main.reason, keptAs: keptAs && basename(keptAs) });
    }

    const backup = await this.readVersion(this.backupFile);
    if (backup.ok) {
      this.data = backup.data;
      // A missing main file with a good backup is the trace of a crash between two renames.
      this.recovery = { from: 'backup', reason: main.missing ? `${basename(file)} was missing` : main.reason, ...(keptAs ? { keptAs } : {}) };
      return backup.data;
    }
    this.data = this.options.empty();
    if (!main.missing) this.recovery = { from: 'empty', reason: main.reason, ...(keptAs ? { keptAs } : {}) };
    return this.data;
  }

  /** Temp files left by a process killed mid-write: the main file or backup is intact, so drop them. */
  private async removeStaleTempFiles(): Promise<void> {
    const prefix = `.${basename(this.options.file)}.`;
    const names = await readdir(dirname(this.options.file)).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith(prefix) && name.endsWith('.tmp') && !name.startsWith(`${prefix}${process.pid}.`)) {
        await rm(join(dirname(this.options.file), name), { force: true }).catch(() => undefined);
      }
    }
  }

  /** The loaded data. Throws if `load()` has not run. */
  get(): T {
    if (this.data === undefined) throw new Error(`${basename(this.options.file)} was read before load()`);
    return this.data;
  }

  /**
   * Applies `change` to the current data and writes the result. Writes are queued, so two
   * updates never interleave. If the write fails, the data in memory stays as it was and the
   * returned promise rejects with STORE_WRITE_FAILED.
   */
  update(change: (current: T) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const current = await this.load();
      const next = this.options.schema.parse(change(current));
      await this.write(next);
      this.data = next;
      return next;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(data: T): Promise<void> {
    const { file, version } = this.options;
    if (this.readOnlyReason) {
      throw new AppError('STORE_WRITE_FAILED', `Bastionless did not save ${basename(file)}: ${this.readOnlyReason}.`, {
        hint: 'Update Bastionless to the version that wrote this file, or move the file away to start fresh.',
      });
    }
    const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const body = `${JSON.stringify({ schemaVersion: version, data } satisfies Envelope, null, 2)}\n`;
    try {
      const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await handle.writeFile(body, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      // Keep the previous version. Copy rather than rename, so the main file never disappears.
      try {
        await copyFile(file, this.backupFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      await rename(tmp, file);
      await syncDir(dirname(file));
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      const code = (error as NodeJS.ErrnoException).code;
      throw new AppError('STORE_WRITE_FAILED', `Bastionless could not save ${basename(file)}${code ? ` (${code})` : ''}.`, {
        hint:
          code === 'ENOSPC'
            ? 'The disk is full. Free some space and try again; nothing was changed.'
            : `Check that ${dirname(file)} exists and is writable, then try again; nothing was changed.`,
        cause: error,
        retryable: true,
      });
    }
  }

  private async readVersion(
    path: string,
  ): Promise<{ ok: true; data: T } | { ok: false; missing: boolean; newer: boolean; reason: string }> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { ok: false, missing: true, newer: false, reason: `${basename(path)} does not exist` };
      return { ok: false, missing: false, newer: false, reason: `${basename(path)} could not be read (${code ?? 'error'})` };
    }
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return { ok: false, missing: false, newer: false, reason: `${basename(path)} is not valid JSON` };
    }
    if (!envelope || typeof envelope !== 'object' || typeof envelope.schemaVersion !== 'number') {
      return { ok: false, missing: false, newer: false, reason: `${basename(path)} has no schema version` };
    }
    if (envelope.schemaVersion > this.options.version) {
      return {
        ok: false,
        missing: false,
        newer: true,
        reason: `${basename(path)} was written by a newer version of Bastionless (schema ${envelope.schemaVersion})`,
      };
    }
    let data = envelope.data;
    for (let v = envelope.schemaVersion; v < this.options.version; v++) {
      const migrate = this.options.migrations?.[v];
      if (!migrate) return { ok: false, missing: false, newer: false, reason: `${basename(path)} has schema ${v}, which cannot be upgraded` };
      data = migrate(data);
    }
    const parsed = this.options.schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, missing: false, newer: false, reason: `${basename(path)} does not match its schema (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})` };
    }
    return { ok: true, data: parsed.data };
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable. Not supported on Windows, where rename is already durable enough.
  if (process.platform === 'win32') return;
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
