import { rmSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index';
import { startKeyring, type KeyringSession } from '../support/keyring';
import { expect, startDemo, type DemoInfo } from './fixtures';

/** A sandbox, a private keychain and the demo app pointed at both, open in a page. */
export interface DemoWorld {
  sandbox: Sandbox;
  keyring: KeyringSession;
  demo: DemoInfo;
  /** Stops the demo (waiting for it to exit, so it lets go of the keychain and the sandbox first), then the keychain and the sandbox. */
  stop(): Promise<void>;
}

export interface DemoWorldOptions {
  sandbox?: SandboxOptions;
  /**
   * What the demo's environment adds to the sandbox's and the keychain's. It runs once both are
   * up and before the demo starts, so it may also look into them or write files to the
   * keychain's private HOME; if it throws, both are stopped.
   */
  env?: (sandbox: Sandbox, keyring: KeyringSession) => NodeJS.ProcessEnv;
  /** Names to remove from that environment besides the user's own profile settings (e.g. the sandbox's keys, so the app has to use profiles). */
  unset?: string[];
  viewport?: { width: number; height: number };
  /** Playwright's default when absent. */
  colorScheme?: 'light' | 'dark';
  /** Removes the demo's data folder once everything has stopped. */
  removeDataDir?: boolean;
}

/**
 * The user's own profile, profile files and session token never reach the demo: it signs in
 * only with what the sandbox or the test gives it (a stray session token would go with the
 * sandbox's keys).
 */
const USER_PROFILE_SETTINGS = ['AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_SESSION_TOKEN'];

/**
 * Starts the sandbox and a real gnome-keyring on a private D-Bus, runs the demo (`npm run demo`
 * in a child process, the real main in Node) against both, and opens it in `page`. If the
 * setup fails, the keychain and the sandbox are stopped again.
 */
export async function openDemoWorld(page: Page, options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const sandbox = await startSandbox(options.sandbox);
  let keyring: KeyringSession | undefined;
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  /** Ends the demo process and waits for it, whether setup finished or not. */
  const stopDemo = async (): Promise<void> => {
    const child = demo?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    keyring = await startKeyring();
    const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox.env, ...keyring.env, ...options.env?.(sandbox, keyring) };
    for (const name of [...USER_PROFILE_SETTINGS, ...(options.unset ?? [])]) delete env[name];
    demo = await startDemo([], env);
    const info = demo.info;
    if (options.viewport) await page.setViewportSize(options.viewport);
    if (options.colorScheme) await page.emulateMedia({ colorScheme: options.colorScheme });
    await page.goto(info.url);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    const ring = keyring;
    return {
      sandbox,
      keyring: ring,
      demo: info,
      async stop() {
        await stopDemo();
        await ring.stop();
        await sandbox.stop();
        if (options.removeDataDir) rmSync(info.dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    // The page may fail to load after the demo started: it must not outlive the test.
    await stopDemo();
    await keyring?.stop();
    await sandbox.stop();
    throw error;
  }
}
