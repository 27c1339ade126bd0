import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { startKeyring, type KeyringSession } from '../support/keyring';
import { expect, startDemo } from './fixtures';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS = join(root, 'test-results/screenshots');

export interface SandboxDemo {
  sandbox: Sandbox;
  keyring: KeyringSession;
  dataDir: string;
  home: string;
  /** Every file under the demo's data folder, for "no secret on disk" checks. */
  dataFiles(): { path: string; bytes: Buffer }[];
  stop(): Promise<void>;
}

/**
 * The app as a person would run it (`npm run demo` in a child process) against the sandbox,
 * with a real gnome-keyring on a private D-Bus for its OS keychain. No AWS keys in the
 * environment: profiles come from `awsConfig`/`awsCredentials` (written to ~/.aws of a private
 * HOME, written once the sandbox has made its keys) or are added in the app.
 */
export async function openSandboxDemo(
  page: Page,
  options: { awsFiles?: (sandbox: Sandbox) => { config?: string; credentials?: string }; colorScheme?: 'light' | 'dark' } = {},
): Promise<SandboxDemo> {
  const sandbox = await startSandbox({ withoutInstanceServers: true });
  let keyring: KeyringSession | undefined;
  try {
    keyring = await startKeyring();
    const home = keyring.env.HOME;
    const files = options.awsFiles?.(sandbox);
    if (files) {
      mkdirSync(join(home, '.aws'), { recursive: true });
      if (files.config) writeFileSync(join(home, '.aws', 'config'), files.config);
      if (files.credentials) writeFileSync(join(home, '.aws', 'credentials'), files.credentials);
    }
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...endpoints } = sandbox.env;
    const env: NodeJS.ProcessEnv = { ...process.env, ...endpoints, ...keyring.env };
    for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) delete env[name];
    const demo = await startDemo([], env);
    if (options.colorScheme) await page.emulateMedia({ colorScheme: options.colorScheme });
    // Room for a Region's table in the screenshots.
    await page.setViewportSize({ width: 1360, height: 960 });
    await page.goto(demo.info.url);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    const ring = keyring;
    return {
      sandbox,
      keyring: ring,
      dataDir: demo.info.dataDir,
      home,
      dataFiles() {
        const walk = (dir: string): string[] =>
          readdirSync(dir).flatMap((name) => {
            const path = join(dir, name);
            return statSync(path).isDirectory() ? walk(path) : [path];
          });
        return walk(demo.info.dataDir).map((path) => ({ path, bytes: readFileSync(path) }));
      },
      async stop() {
        const exited = new Promise((r) => demo.child.once('exit', r));
        demo.child.kill('SIGTERM');
        await exited;
        await ring.stop();
        await sandbox.stop();
        rmSync(demo.info.dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await keyring?.stop();
    await sandbox.stop();
    throw error;
  }
}

/** A screenshot of the window (the app scrolls inside its own panel, so a full-page shot adds nothing). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Takes a screenshot in the dark theme (without motion, so nothing is caught mid-fade), then goes back to light. */
export async function inDarkTheme(page: Page, take: () => Promise<void>): Promise<void> {
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await take();
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: null });
}

/** Fills and submits the Add profile form with a sandbox principal's keys. */
export async function addProfile(page: Page, name: string, keys: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /Profiles/ }).click();
  await page.getByRole('button', { name: 'Add profile' }).click();
  const form = page.getByRole('form', { name: 'Add profile' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Default Region').fill(region);
  await form.getByLabel('Access key id').fill(keys.accessKeyId);
  await form.getByLabel('Secret access key').fill(keys.secretAccessKey);
  await form.getByRole('button', { name: 'Add profile' }).click();
  await expect(form).toHaveCount(0);
}
