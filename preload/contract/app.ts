import { z } from 'zod';
import { event, invoke } from './define';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.enum(['darwin', 'win32', 'linux', 'other']),
  /** Where the app keeps its files (settings, saved hosts, logs). Never holds a secret. */
  dataDir: z.string(),
  /** True when main runs inside the test harness rather than Electron. */
  isHarness: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const Notice = z.object({
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  hint: z.string().optional(),
  at: z.string(),
});
export type Notice = z.infer<typeof Notice>;

export const app = {
  /** Resolves with the app's name, version, platform and data folder. Fails only with INVALID_INPUT. */
  info: invoke(z.strictObject({}), AppInfo),
  /**
   * Opens an https URL in the person's browser (an SSO verification page, a doc link).
   * Fails with INVALID_INPUT for any other scheme.
   */
  openExternal: invoke(z.strictObject({ url: z.url({ protocol: /^https$/ }) }), z.null()),
  /** Main posted something the person should know that is not the answer to a call (a store recovered from backup, a tunnel about to expire). */
  noticePosted: event(Notice),
};
