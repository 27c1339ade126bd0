/**
 * `npm run demo`: starts the harness (the real main in Node + the built renderer) and prints
 * the URL to open. `-- --json` prints one JSON line {"url", "dataDir"} instead, for scripts.
 * Stops cleanly on SIGINT/SIGTERM.
 *
 * It also starts the local AWS sandbox (test/sandbox) and gives the app its environment, so
 * the demo's AWS calls and tunnels go to the sandbox's instances, never to AWS; the JSON line
 * then has `"sandbox": {controlUrl, instances, env, caFile, principals}`. `--no-sandbox` skips
 * it, and so does an environment that already names an EC2 endpoint (AWS_ENDPOINT_URL_EC2: a
 * test that brought its own sandbox). `--sandbox-scenario FILE` picks another world. The app
 * sees the sandbox's keys as its "Environment" profile and none of your ~/.aws profiles;
 * `--sandbox-profiles` adds the sandbox's own (assume-role, MFA, IAM Identity Center).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { startHarness } from './server';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'no-sandbox': { type: 'boolean', default: false },
    'sandbox-scenario': { type: 'string' },
    'sandbox-profiles': { type: 'boolean', default: false },
  },
});

/**
 * The app's environment with the sandbox: the user's own AWS settings, ~/.aws files and
 * proxies are left out (the sandbox is on loopback), everything else is kept.
 */
function sandboxEnv(sandbox: Sandbox): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^AWS_/.test(key) || /^(https?|all|no)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...sandboxAwsEnv(sandbox) };
}

/** The AWS part of the app's environment: the sandbox's variables and which profile files to read. */
function sandboxAwsEnv(sandbox: Sandbox): Record<string, string> {
  const files = values['sandbox-profiles']
    ? { AWS_CONFIG_FILE: sandbox.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sandbox.awsCredentialsFile }
    : { AWS_CONFIG_FILE: join(dirname(sandbox.awsConfigFile), 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dirname(sandbox.awsConfigFile), 'none') };
  return { ...sandbox.env, ...files };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Rebuilds the renderer when its sources are newer than the build, so the demo never shows stale UI. */
function ensureBuilt(): void {
  const index = join(root, 'out/renderer/index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(root, 'renderer')), newestMtime(join(root, 'preload/contract')));
  if (built >= sources) return;
  process.stderr.write('Building the renderer (npm run build)...\n');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write('The build failed; see above.\n');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  let sandbox: Sandbox | undefined;
  let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.resolve(harness?.stop())
      .catch(() => undefined)
      .then(() => sandbox?.stop())
      .finally(() => process.exit(0));
  };
  // Listen before printing the JSON line: a parent that reads it and signals at once must
  // find the handler in place. `on`, not `once`: a second signal must not end us mid-cleanup.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (!values['no-build']) ensureBuilt();
  const useSandbox = !values['no-sandbox'] && !process.env['AWS_ENDPOINT_URL_EC2'];
  if (useSandbox) {
    sandbox = await startSandbox({
      ...(values['sandbox-scenario'] ? { scenario: values['sandbox-scenario'] } : {}),
      log: (line) => process.stderr.write(`sandbox: ${line}\n`),
    }).catch((error: unknown) => {
      // Never fall back to real AWS silently: say why, and how to choose it on purpose.
      throw new Error(`The local AWS sandbox could not start: ${error instanceof Error ? error.message : String(error)}\nRun with --no-sandbox to use your own AWS settings instead.`, { cause: error });
    });
  }
  try {
    harness = await startHarness({
      ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
      ...(values.port ? { port: Number(values.port) } : {}),
      ...(sandbox ? { env: sandboxEnv(sandbox) } : {}),
      verboseLog: values.verbose,
    });
  } catch (error) {
    await sandbox?.stop();
    throw error;
  }
  if (values.json) {
    const sandboxInfo = sandbox ? { sandbox: { controlUrl: sandbox.controlUrl, instances: sandbox.instances, env: sandboxAwsEnv(sandbox), caFile: sandbox.caFile, principals: sandbox.principals } } : {};
    process.stdout.write(`${JSON.stringify({ url: harness.url, dataDir: harness.dataDir, ...sandboxInfo })}\n`);
  } else {
    process.stdout.write(`Bastionless demo: open ${harness.url}\nData folder: ${harness.dataDir}\n`);
    if (sandbox) process.stdout.write(`AWS: the local sandbox (${sandbox.instances.length} instances; control API ${sandbox.controlUrl}). Use --no-sandbox for your own AWS settings.\n`);
    process.stdout.write('Press Ctrl+C to stop.\n');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
