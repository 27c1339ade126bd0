import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface DemoApp {
  url: string;
  dataDir: string;
  /** Opens the app in `page` and waits for the shell. */
  open(page: Page): Promise<void>;
}

/**
 * Starts `npm run demo -- --json` as a child process (the same command a person runs), reads
 * its one JSON line, and stops it after the test. Each test gets a fresh main and data folder.
 */
export async function startDemo(args: string[] = [], env?: NodeJS.ProcessEnv): Promise<{ info: { url: string; dataDir: string }; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/demo.ts', '--json', '--no-build', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A test may point the app at the sandbox (AWS_ENDPOINT_URL_*, keys, a private HOME).
    ...(env ? { env } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`npm run demo exited with ${code}: ${stderr}`)));
  });
  return { info: JSON.parse(line) as { url: string; dataDir: string }, child, stderr: () => stderr };
}

export const test = base.extend<{ app: DemoApp }>({
  // Playwright needs an object pattern here even when the fixture uses no other fixture.
  // eslint-disable-next-line no-empty-pattern
  app: async ({}, use) => {
    const { info, child } = await startDemo();
    try {
      await use({
        ...info,
        open: async (page) => {
          await page.goto(info.url);
          await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
        },
      });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  },
});

export { expect };
