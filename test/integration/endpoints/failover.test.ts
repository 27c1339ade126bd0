import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2InstanceConnectClient, SendSSHPublicKeyCommand } from '@aws-sdk/client-ec2-instance-connect';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Composition } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { TunnelManager } from '../../../main/eice/tunnelManager';
import { JOURNAL_FILE } from '../../../main/eice/setup/operationJournal';
import { MemorySink } from '../../../main/log';
import type { Operation } from '../../../preload/contract';
import { DEFAULT_SCENARIO_FILE, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadScenarioFile } from '../../sandbox/scenario';
import { ed25519KeyPair } from '../../support/sshKeys';

const PROD_ENDPOINT = 'eice-0a1b2c3d4e5f60901';
const PROD_PRIVATE_C = 'subnet-0a1b2c3d4e5f60013';
const WEB_1 = 'i-0a1b2c3d4e5f60001';

let sandbox: Sandbox;
let home: string;
let dataDir: string;

beforeAll(async () => {
  const scenario = loadScenarioFile(DEFAULT_SCENARIO_FILE);
  sandbox = await startSandbox({ scenario: { ...scenario, timing: { ...scenario.timing, endpointCreateSeconds: 1, endpointDeleteSeconds: 1 } } });
  home = mkdtempSync(join(tmpdir(), 'endpoints-failover-home-'));
  dataDir = mkdtempSync(join(tmpdir(), 'endpoints-failover-data-'));
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** The real composition root over the sandbox, as the app builds it, on a shared data folder. */
async function app(): Promise<{ composition: Composition; until: (predicate: (op: Operation) => boolean) => Promise<Operation> }> {
  const env = { ...sandbox.env, HOME: home, AWS_CONFIG_FILE: join(home, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials') };
  const composition = await compose({ dataDir, version: '0.0.0-test', platform: 'linux', desktop: new RecordingDesktop(), logSink: new MemorySink(), logLevel: 'debug', env });
  const seen: Operation[] = [];
  const waiters: { predicate: (op: Operation) => boolean; resolve: (op: Operation) => void }[] = [];
  composition.events.subscribe((channel, payload) => {
    if (channel !== 'endpoints:operationChanged') return;
    const op = payload as Operation;
    seen.push(op);
    for (const w of [...waiters]) {
      if (w.predicate(op)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(op);
      }
    }
  });
  return {
    composition,
    until: (predicate) => {
      const found = seen.find(predicate);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** Logs in to web-1 with a pushed key over a tunnel through `endpoint`, and runs a command. */
async function sshThrough(endpoint: { id: string; dnsName: string }): Promise<string> {
  const credentials = { accessKeyId: sandbox.env['AWS_ACCESS_KEY_ID'] ?? '', secretAccessKey: sandbox.env['AWS_SECRET_ACCESS_KEY'] ?? '' };
  const key = ed25519KeyPair();
  const eic = new EC2InstanceConnectClient({ region: 'us-east-1', endpoint: sandbox.urls.ec2InstanceConnect, credentials, maxAttempts: 1 });
  const tunnels = new TunnelManager();
  try {
    await eic.send(new SendSSHPublicKeyCommand({ InstanceId: WEB_1, InstanceOSUser: 'ec2-user', SSHPublicKey: key.public }));
    const stream = await tunnels.openStream(
      { instanceId: WEB_1, endpointId: endpoint.id, dnsName: endpoint.dnsName, region: 'us-east-1', privateIpAddress: '10.0.1.10', remotePort: 22 },
      { kind: 'ssh', label: 'web-1' },
      { credentials: async () => credentials, env: sandbox.env },
    );
    expect(tunnels.connectionsInUse(endpoint.id)).toBe(1);
    return await new Promise<string>((resolve, reject) => {
      const client = new ssh2.Client();
      client.once('error', reject);
      client.once('ready', () => {
        client.exec('echo reached-through-$USER', (error, channel) => {
          if (error) return reject(error);
          let out = '';
          channel.on('data', (d: Buffer) => (out += d.toString()));
          channel.stderr.on('data', () => undefined);
          channel.once('close', () => {
            client.end();
            resolve(out.trim());
          });
        });
      });
      // Close the tunnel on ssh2's close, not right after end() (ENVIRONMENT.md).
      client.once('close', () => stream.destroy());
      client.connect({ sock: stream, username: 'ec2-user', privateKey: key.private, readyTimeout: 20_000, hostVerifier: () => true });
    });
  } finally {
    await tunnels.dispose();
    eic.destroy();
  }
}

describe('move to another AZ, across a restart, then connect', () => {
  it('avoids the impaired AZ, survives the app closing halfway, and the new endpoint carries SSH', async () => {
    sandbox.world.setZoneState('us-east-1', 'us-east-1b', 'impaired', 'Increased API error rates in use1-az2.');

    const first = await app();
    const options = await first.composition.api.endpoints.moveOptions({ profileId: 'env', region: 'us-east-1', endpointId: PROD_ENDPOINT }, { senderId: 'test' });
    expect(options.endpoint).toMatchObject({ id: PROD_ENDPOINT, availabilityZone: 'us-east-1a' });
    expect(new Set(options.candidates.map((c) => c.availabilityZone))).toEqual(new Set(['us-east-1b', 'us-east-1c']));
    expect(options.candidates.find((c) => c.availabilityZone === 'us-east-1b')?.availabilityZoneState).toBe('impaired');
    expect(options.recommended?.subnetId).toBe(PROD_PRIVATE_C);
    expect(options.downtime).toContain(`first deletes ${PROD_ENDPOINT}`);

    const started = await first.composition.api.endpoints.move({ profileId: 'env', region: 'us-east-1', endpointId: PROD_ENDPOINT, subnetId: PROD_PRIVATE_C }, { senderId: 'test' });
    // Close the app while it waits for the old endpoint to go.
    await first.until((op) => op.operationId === started.operationId && op.steps.some((s) => s.id === 'waitDeleted' && s.state === 'active'));
    await first.composition.dispose();
    const journal = JSON.parse(readFileSync(join(dataDir, JOURNAL_FILE), 'utf8')) as { data: { operations: Operation[] } };
    expect(journal.data.operations.find((o) => o.operationId === started.operationId)?.status).toBe('running');

    // A new app over the same data folder picks the wait up by itself and finishes the move.
    const second = await app();
    try {
      const done = await second.until((op) => op.operationId === started.operationId && op.status !== 'running');
      expect(done.error).toBeUndefined();
      expect(done).toMatchObject({ status: 'succeeded', kind: 'move', availabilityZone: 'us-east-1c', previousAvailabilityZone: 'us-east-1a', endpointState: 'create-complete' });

      const overview = await second.composition.api.endpoints.list({ profileId: 'env', region: 'us-east-1' }, { senderId: 'test' });
      const moved = overview.endpoints.find((e) => e.id === done.endpointId);
      expect(moved).toMatchObject({ vpcId: 'vpc-0a1b2c3d4e5f60001', subnetId: PROD_PRIVATE_C, availabilityZone: 'us-east-1c', state: 'create-complete', securityGroupIds: ['sg-0a1b2c3d4e5f60101'], preserveClientIp: false });
      expect(overview.endpoints.filter((e) => e.vpcId === 'vpc-0a1b2c3d4e5f60001' && e.state !== 'delete-complete')).toHaveLength(1);

      // The path still works: web-1 allows 22 from the endpoint's group, which moved with it.
      expect(await sshThrough({ id: moved?.id ?? '', dnsName: moved?.dnsName ?? '' })).toBe('reached-through-ec2-user');
    } finally {
      await second.composition.dispose();
    }
  });
});
