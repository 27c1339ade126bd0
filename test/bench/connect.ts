/**
 * `npm run bench -- connect [--delay-ms 25] [--runs 7]`
 *
 * Double-click to the first byte of the shell's prompt, through a link with `--delay-ms` of
 * latency each way in front of the sandbox's EC2, EC2 Instance Connect and EICE tunnel ports:
 * - app: the real composition's `sessions.open` (key push and tunnel in parallel, then SSH),
 *   after the scan a person's Hosts view has already run;
 * - sequential: the same pieces one after the other (push the key, then open the tunnel, then
 *   SSH), as a script around the AWS CLI would do it.
 * Runs alternate, after one untimed warm-up of each; prints both medians and their ratio.
 */
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SessionInfo } from '../../preload/contract';
import { compose, type Composition } from '../../main/compose';
import { RecordingDesktop } from '../../main/desktop';
import { pushPublicKey } from '../../main/eice/cliTarget';
import { openTunnel } from '../../main/eice/tunnel';
import { MemorySink, createLogger } from '../../main/log';
import { algorithmsFor } from '../../main/ssh/algorithms';
import { createEphemeralKey } from '../../main/ssh/ephemeralKey';
import { SshConnection } from '../../main/ssh/sshConnection';
import { startSandbox, type Sandbox, type SandboxInstanceInfo } from '../sandbox/index';
import { startDelayProxy, withPort, type DelayProxy } from './support/delayProxy';
import { median, numberOption } from './support/options';

export const description = 'double-click to first prompt byte over a 25 ms each-way link: the app (key push and tunnel in parallel) vs push, then tunnel, then SSH; prints both and the ratio';

const CTX = { senderId: 'bench' };

/** Delaying proxies in front of every port the connect path uses; returns the env that points at them. */
async function delayedEnv(sandbox: Sandbox, delayMs: number): Promise<{ env: Record<string, string>; proxies: DelayProxy[] }> {
  const proxies: DelayProxy[] = [];
  const via = async (url: string): Promise<string> => {
    const u = new URL(url);
    const proxy = await startDelayProxy({ host: u.hostname, port: Number(u.port) }, delayMs);
    proxies.push(proxy);
    return withPort(url, proxy.port);
  };
  const [eiceHost, eicePort] = sandbox.env['BASTIONLESS_EICE_ADDRESS']!.split(':');
  const eice = await startDelayProxy({ host: eiceHost!, port: Number(eicePort) }, delayMs);
  proxies.push(eice);
  return {
    env: {
      ...sandbox.env,
      AWS_ENDPOINT_URL_EC2: await via(sandbox.env['AWS_ENDPOINT_URL_EC2']!),
      AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT: await via(sandbox.env['AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT']!),
      AWS_ENDPOINT_URL_STS: await via(sandbox.env['AWS_ENDPOINT_URL_STS']!),
      BASTIONLESS_EICE_ADDRESS: eice.address,
    },
    proxies,
  };
}

/** Step durations of the app's runs, for the breakdown line. */
const stepTimes = new Map<string, number[]>();

/** The app: sessions.open, until the first output byte of the session. */
async function appOnce(app: Composition, instance: SandboxInstanceInfo): Promise<number> {
  // Set once open() answers; output can only start after that.
  const session = { id: '' };
  let off: () => void = () => undefined;
  const firstByte = new Promise<number>((resolve, reject) => {
    off = app.events.subscribe((channel, payload) => {
      const p = payload as { sessionId?: string } & Partial<SessionInfo>;
      if (p.sessionId === undefined || p.sessionId !== session.id) return;
      if (channel === 'sessions:data') resolve(performance.now());
      else if (channel === 'sessions:stateChanged' && p.status === 'connected') {
        for (const step of p.steps ?? []) if (step.durationMs !== undefined) stepTimes.set(step.id, [...(stepTimes.get(step.id) ?? []), step.durationMs]);
      }
      else if (channel === 'sessions:stateChanged' && p.status === 'failed') reject(new Error(`the session failed: ${p.error?.code} ${p.error?.message}`));
    });
  });
  const started = performance.now();
  const first = await app.api.sessions.open({ instanceId: instance.instanceId, profileId: 'env', region: instance.region }, CTX);
  session.id = first.sessionId;
  try {
    return (await firstByte) - started;
  } finally {
    off();
    app.api.sessions.close({ sessionId: session.id }, CTX);
  }
}

/** The sequential baseline: push the key, then open the tunnel, then SSH, until the first output byte. */
async function sequentialOnce(env: Record<string, string>, sandbox: Sandbox, instance: SandboxInstanceInfo, eic: EC2InstanceConnectClient): Promise<number> {
  const endpoint = sandbox.world.endpoints().find((e) => e.id === instance.endpointId);
  if (!endpoint) throw new Error(`${instance.name} has no endpoint in the sandbox`);
  const credentials = async () => ({ accessKeyId: env['AWS_ACCESS_KEY_ID']!, secretAccessKey: env['AWS_SECRET_ACCESS_KEY']! });
  const started = performance.now();
  const key = createEphemeralKey();
  await pushPublicKey(eic, { instanceId: instance.instanceId, osUser: instance.osUser, publicKey: key.publicKey }, { region: instance.region });
  const tunnel = await openTunnel({ endpointId: endpoint.id, dnsName: endpoint.dnsName, region: instance.region, privateIpAddress: instance.privateIp, remotePort: 22 }, { credentials, env });
  const connection = await SshConnection.connect({
    sock: tunnel,
    username: instance.osUser,
    auth: { kind: 'publickey', key: key.privateKey },
    algorithms: algorithmsFor(),
    prompts: {
      password: () => Promise.reject(new Error('no prompts in the bench')),
      keyboardInteractive: () => Promise.reject(new Error('no prompts in the bench')),
    },
    log: createLogger({ sink: new MemorySink() }),
    verifyHostKey: async () => true,
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      connection.openShell({ cols: 80, rows: 24 }, () => resolve(performance.now() - started)).catch(reject);
    });
  } finally {
    connection.dispose();
  }
}

export async function run(args: string[]): Promise<void> {
  const delayMs = numberOption(args, '--delay-ms', 25, true);
  const runs = Math.max(1, Math.round(numberOption(args, '--runs', 7)));
  const sandbox = await startSandbox();
  const dataDir = mkdtempSync(join(tmpdir(), 'bl-bench-connect-'));
  const { env, proxies } = await delayedEnv(sandbox, delayMs);
  let app: Composition | undefined;
  const eic = new EC2InstanceConnectClient({
    region: 'us-east-1',
    endpoint: env['AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT']!,
    credentials: { accessKeyId: env['AWS_ACCESS_KEY_ID']!, secretAccessKey: env['AWS_SECRET_ACCESS_KEY']! },
  });
  try {
    const instance = sandbox.instances.find((i) => i.name === 'web-1' && i.reachable);
    if (!instance) throw new Error('the sandbox has no reachable web-1');
    app = await compose({ dataDir, version: 'bench', platform: process.platform, desktop: new RecordingDesktop(), logSink: new MemorySink(), logLevel: 'warn', env, isHarness: true });
    // What the Hosts view does before anyone double-clicks: the scan that fills the cache.
    await app.api.inventory.refresh({}, CTX);

    await appOnce(app, instance);
    await sequentialOnce(env, sandbox, instance, eic);
    stepTimes.clear();
    const appTimes: number[] = [];
    const sequentialTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      appTimes.push(await appOnce(app, instance));
      sequentialTimes.push(await sequentialOnce(env, sandbox, instance, eic));
    }
    const appMs = median(appTimes);
    const seqMs = median(sequentialTimes);
    const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    console.log(`connect: double-click to first prompt byte, ${delayMs} ms each way (RTT ${2 * delayMs} ms), ${runs} runs each`);
    console.log(`  app (push key || open tunnel, then SSH):   median ${appMs.toFixed(0)} ms   [${fmt(appTimes)}]`);
    console.log(`  sequential (push, then tunnel, then SSH):  median ${seqMs.toFixed(0)} ms   [${fmt(sequentialTimes)}]`);
    console.log(`  ratio app / sequential: ${(appMs / seqMs).toFixed(2)} (${(seqMs - appMs).toFixed(0)} ms saved)`);
    console.log(`  app steps (median ms): ${[...stepTimes].map(([id, values]) => `${id} ${median(values).toFixed(0)}`).join(', ')} (tunnel and key run at the same time)`);
  } finally {
    eic.destroy();
    await app?.dispose();
    for (const p of proxies) await p.stop();
    await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
