import { createWriteStream, mkdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { LogSink } from './log';

/**
 * Appends log lines to `<dir>/main.log`, rotating to `main.1.log` past `maxBytes` so the log
 * folder stays bounded. Lines arrive already redacted.
 */
export function createFileSink(dir: string, maxBytes = 5 * 1024 * 1024): LogSink & { close(): void } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'main.log');
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  let stream: WriteStream = createWriteStream(file, { flags: 'a', mode: 0o600 });
  return {
    write(line) {
      const bytes = Buffer.byteLength(line) + 1;
      if (size + bytes > maxBytes) {
        stream.end();
        try {
          renameSync(file, join(dir, 'main.1.log'));
        } catch {
          // Rotation is best effort; keep appending to the current file.
        }
        stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
        size = 0;
      }
      size += bytes;
      stream.write(`${line}\n`);
    },
    close() {
      stream.end();
    },
  };
}
