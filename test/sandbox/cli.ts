/**
 * `npm run sandbox`: starts the local AWS sandbox (test/sandbox/index.ts) and prints how to
 * use it. Options:
 *   --json                 print ONE JSON line on stdout and nothing else there:
 *                          {"env", "instances", "caFile", "controlUrl", "principals", "urls",
 *                           "awsConfigFile", "awsCredentialsFile", "startupMs"}
 *   --scenario FILE        another world (default test/sandbox/scenarios/default.json)
 *   --eice-port N          the tunnel server's port (default: a free one)
 *   --exit-on-stdin-close  stop when stdin closes (for a parent process that may die)
 * Stops every process it started on SIGINT, SIGTERM (and SIGHUP). Diagnostics go to stderr.
 * A program that starts it should run `node --import tsx test/sandbox/cli.ts` and signal that
 * process: `npm run` does not pass a SIGTERM on to its script (Ctrl+C in a terminal reaches
 * every process of the group, so it works there).
 */
import { parseArgs } from 'node:util';
import { startSandbox, type Sandbox } from './index';

function usage(message: string): never {
  process.stderr.write(`${message}\nUsage: npm run sandbox -- [--json] [--scenario FILE] [--eice-port N] [--exit-on-stdin-close]\n`);
  process.exit(2);
}

function summary(sandbox: Sandbox, scenario: string): string {
  const lines = [`Bastionless AWS sandbox is running (started in ${(sandbox.startupMs / 1000).toFixed(1)} s), scenario ${scenario}.`, '', 'Instances:'];
  for (const i of sandbox.instances) {
    const how = i.reachable ? `reachable (${i.platform === 'windows' ? `RDP, password ${i.rdpPassword}` : i.acceptsPushedKeys ? 'pushed keys' : `key pair ${i.keyPairFile}`})` : `NOT reachable: ${i.unreachableReason}`;
    lines.push(`  ${i.instanceId}  ${i.name.padEnd(18)} ${i.region.padEnd(10)} ${i.platform.padEnd(8)} ${i.osUser.padEnd(14)} ${how}`);
  }
  lines.push('', 'Point a shell at it (the app, the AWS CLI v2 and the SDKs read these):');
  for (const [k, v] of Object.entries(sandbox.env)) lines.push(`  export ${k}=${v}`);
  lines.push('', `Other principals: ${sandbox.principals.slice(1).map((p) => `${p.name} (${p.accessKeyId})`).join(', ') || 'none'}`);
  lines.push(`Profiles (roles, MFA, SSO): export AWS_CONFIG_FILE=${sandbox.awsConfigFile} AWS_SHARED_CREDENTIALS_FILE=${sandbox.awsCredentialsFile}`);
  lines.push(`Control API: ${sandbox.controlUrl}  (GET .../state, POST .../faults, see test/sandbox/controlApi.ts)`);
  lines.push('', 'Press Ctrl+C to stop.');
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  let values: { json?: boolean; scenario?: string; 'eice-port'?: string; 'exit-on-stdin-close'?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        json: { type: 'boolean', default: false },
        scenario: { type: 'string' },
        'eice-port': { type: 'string' },
        'exit-on-stdin-close': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  let eicePort: number | undefined;
  if (values['eice-port'] !== undefined) {
    eicePort = Number(values['eice-port']);
    if (!Number.isInteger(eicePort) || eicePort < 0 || eicePort > 65535) usage(`--eice-port must be a port number, not "${values['eice-port']}".`);
  }
  const sandbox = await startSandbox({
    ...(values.scenario ? { scenario: values.scenario } : {}),
    ...(eicePort !== undefined ? { eicePort } : {}),
    log: (line) => process.stderr.write(`sandbox: ${line}\n`),
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void sandbox.stop().finally(() => process.exit(0));
  };
  // `on`, not `once`: a second signal (tsx relays the one it gets) must not kill us mid-cleanup.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  if (values['exit-on-stdin-close']) {
    process.stdin.resume();
    process.stdin.once('end', stop);
    process.stdin.once('close', stop);
  }
  if (values.json) {
    const { env, instances, caFile, controlUrl, principals, urls, awsConfigFile, awsCredentialsFile, startupMs } = sandbox;
    process.stdout.write(`${JSON.stringify({ env, instances, caFile, controlUrl, principals, urls, awsConfigFile, awsCredentialsFile, startupMs })}\n`);
  } else {
    process.stdout.write(summary(sandbox, values.scenario ?? 'default'));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`The sandbox could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
