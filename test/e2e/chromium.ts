import { existsSync } from 'node:fs';
import { requireBinary } from '../support/requireBinary';

/** Debian's Chromium (never a Playwright download). CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(path)) requireBinary(path, 'chromium');
  return path;
}
