import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SandboxInstanceInfo } from '../sandbox/index';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What the demo's JSON line says about the AWS sandbox it started (see test/harness/demo.ts). */
export interface DemoSandboxInfo {
  /** The control API (test/sandbox/controlApi.ts): faults, dropped tunnels, host keys, state. */
  controlUrl: string;
  /** Every instance as the sandbox knows it (reachable, osUser, rdpPassword, keyPairFile...). */
  instances: SandboxInstanceInfo[];
  /** The AWS environment the app was given (endpoints, the sandbox's keys, its CA, profile files). */
  env: Record<string, string>;
  caFile: string;
  principals: { name: string; arn: string; accessKeyId: string; secretAccessKey: string }[];
}

export interface DemoInfo {
  url: string;
  dataDir: string;
  /** Absent when the demo ran with --no-sandbox or with an environment naming its own AWS endpoints. */
  sandbox?: DemoSandboxInfo;
}

export interface DemoApp extends DemoInfo {
  /** Opens the app in `page` and waits for the shell. */
  open(page: Page): Promise<void>;
}

/** Calls the demo sandbox's control API: GET without a body, POST with one; throws on an error status. */
export async function controlSandbox<T = unknown>(sandbox: DemoSandboxInfo, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sandbox.controlUrl}/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`Sandbox control ${path} failed (${res.status}): ${json.error ?? ''}`);
  return json;
}

/**
 * Starts `npm run demo -- --json` as a child process (the same command a person runs), reads
 * its one JSON line, and stops it after the test. Each test gets a fresh main and data folder.
 */
export async function startDemo(args: string[] = [], env?: NodeJS.ProcessEnv): Promise<{ info: DemoInfo; child: ChildProcess; stderr: () => string }> {
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
  return { info: JSON.parse(line) as DemoInfo, child, stderr: () => stderr };
}

/**
 * The environment of a demo without the sandbox: the user's own AWS settings (keys, profile,
 * endpoints, ~/.aws) never reach a test, so an e2e run can never call real AWS by accident.
 */
function withoutAws(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^AWS_/.test(key)) env[key] = value;
  return { ...env, AWS_CONFIG_FILE: '/nonexistent/bastionless-e2e/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/bastionless-e2e/credentials' };
}

export const test = base.extend<{ app: DemoApp; awsSandbox: boolean }>({
  /**
   * `test.use({ awsSandbox: true })` runs the demo with its local AWS sandbox (app.sandbox has
   * its instances and control API). Off by default: the app then starts with no AWS at all.
   */
  awsSandbox: [false, { option: true }],
  app: async ({ awsSandbox }, use) => {
    const { info, child } = awsSandbox ? await startDemo() : await startDemo(['--no-sandbox'], withoutAws());
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
