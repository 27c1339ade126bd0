import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { Sandbox } from '../sandbox/index';
import type { KeyringSession } from '../support/keyring';
import { openDemoWorld } from './demoWorld';
import { expect } from './fixtures';

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
  const world = await openDemoWorld(page, {
    sandbox: { withoutInstanceServers: true },
    env: (sandbox, keyring) => {
      const files = options.awsFiles?.(sandbox);
      if (files) {
        const aws = join(keyring.env.HOME, '.aws');
        mkdirSync(aws, { recursive: true });
        if (files.config) writeFileSync(join(aws, 'config'), files.config);
        if (files.credentials) writeFileSync(join(aws, 'credentials'), files.credentials);
      }
      return {};
    },
    unset: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    // Room for a Region's table in the screenshots.
    viewport: { width: 1360, height: 960 },
    colorScheme: options.colorScheme,
    removeDataDir: true,
  });
  const { dataDir } = world.demo;
  return {
    sandbox: world.sandbox,
    keyring: world.keyring,
    dataDir,
    home: world.keyring.env.HOME,
    dataFiles() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          return statSync(path).isDirectory() ? walk(path) : [path];
        });
      return walk(dataDir).map((path) => ({ path, bytes: readFileSync(path) }));
    },
    stop: world.stop,
  };
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
