import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInstanceInfo } from '../../sandbox/index';
import { descendantPids, freePort, isAlive } from '../../sandbox/instances/managedProcess';

const root = fileURLToPath(new URL('../../..', import.meta.url));

interface JsonLine {
  env: Record<string, string>;
  instances: SandboxInstanceInfo[];
  caFile: string;
  controlUrl: string;
  principals: { name: string; accessKeyId: string; secretAccessKey: string; arn: string }[];
  urls: Record<string, string>;
  awsConfigFile: string;
  awsCredentialsFile: string;
  startupMs: number;
}

interface Running {
  child: ChildProcess;
  line: JsonLine;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/sandbox/cli.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function startCli(args: string[] = []): Promise<Running> {
  const proc = run(['--json', ...args]);
  const line = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const text = proc.stdout();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    };
    proc.child.stdout!.on('data', check);
    void proc.exited.then((code) => reject(new Error(`the sandbox exited with ${code}: ${proc.stderr()}`)));
  });
  return { ...proc, line: JSON.parse(line) as JsonLine };
}

let sandbox: Running;
let eicePort: number;

async function control(path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sandbox.line.controlUrl}/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  eicePort = await freePort();
  sandbox = await startCli(['--eice-port', String(eicePort)]);
});
afterAll(async () => {
  if (sandbox && sandbox.child.exitCode === null) {
    sandbox.child.kill('SIGTERM');
    await sandbox.exited;
  }
});

describe('npm run sandbox -- --json', () => {
  it('prints one JSON line with the environment, the instances, the CA and the control URL', () => {
    const { env, instances, caFile, controlUrl, principals } = sandbox.line;
    expect(Object.keys(env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_DEFAULT_REGION',
      'AWS_ENDPOINT_URL_EC2',
      'AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT',
      'AWS_ENDPOINT_URL_SSO',
      'AWS_ENDPOINT_URL_SSO_OIDC',
      'AWS_ENDPOINT_URL_STS',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'BASTIONLESS_EICE_ADDRESS',
      'NODE_EXTRA_CA_CERTS',
    ]);
    expect(env['BASTIONLESS_EICE_ADDRESS']).toBe(`127.0.0.1:${eicePort}`);
    expect(env['AWS_REGION']).toBe('us-east-1');
    for (const url of ['AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_SSO_OIDC']) expect(env[url]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const p of principals) expect(p.accessKeyId).toMatch(/^AKIA[A-Z2-7]{9}EXAMPLE$/);
    expect(env['AWS_ACCESS_KEY_ID']).toBe(principals[0]!.accessKeyId);
    expect(env['NODE_EXTRA_CA_CERTS']).toBe(caFile);
    expect(readFileSync(caFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readFileSync(sandbox.line.awsConfigFile, 'utf8')).toContain('[profile sandbox-admin]');
    expect(readFileSync(sandbox.line.awsCredentialsFile, 'utf8')).toContain(`aws_access_key_id = ${principals[0]!.accessKeyId}`);
    expect(controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}$/);
    const byName = new Map(instances.map((i) => [i.name, i]));
    expect(byName.get('web-1')).toMatchObject({ platform: 'linux', osUser: 'ec2-user', region: 'us-east-1', reachable: true, acceptsPushedKeys: true });
    expect(byName.get('build-runner')).toMatchObject({ osUser: 'ubuntu', reachable: true });
    expect(byName.get('web-frontend')).toMatchObject({ reachable: false });
    expect(byName.get('batch-worker')).toMatchObject({ reachable: false, state: 'stopped' });
    expect(byName.get('legacy-reporting')).toMatchObject({ acceptsPushedKeys: false, keyPairName: 'legacy-key' });
    expect(existsSync(byName.get('legacy-reporting')!.keyPairFile!)).toBe(true);
    expect(byName.get('win-admin')).toMatchObject({ platform: 'windows', osUser: 'Administrator', reachable: true, rdpPassword: expect.stringMatching(/^.{32}$/) });
    expect(byName.get('jump-host')!.publicIp).toBe('54.210.12.34');
    // Nothing else on stdout.
    expect(sandbox.stdout().trim().split('\n')).toHaveLength(1);
  });
});

describe('the control API', () => {
  it('reports state and accepts fault knobs, refusing an unknown one', async () => {
    const state = (await control('state')).json as { instances: unknown[]; endpoints: { id: string; state: string }[]; tunnels: unknown[]; faults: Record<string, unknown> };
    expect(state.instances).toHaveLength(9);
    expect(state.endpoints.map((e) => `${e.id} ${e.state}`).sort()).toEqual(['eice-0a1b2c3d4e5f60901 create-complete', 'eice-0e1f2a3b4c5d60902 create-complete']);
    expect(state.tunnels).toEqual([]);
    const faults = await control('faults', { apiDelayMs: 5, dropTunnelAfterBytes: 100 });
    expect(faults).toMatchObject({ status: 200, json: { apiDelayMs: 5, dropTunnelAfterBytes: 100, refuseUpgrades: null } });
    expect(await control('faults', { noSuchKnob: 1 })).toMatchObject({ status: 400, json: { error: expect.stringMatching(/noSuchKnob/) } });
    expect(await control('faults/reset', {})).toMatchObject({ status: 200, json: { apiDelayMs: 0, dropTunnelAfterBytes: null } });
    expect(await control('tunnels/drop', { instanceId: 'i-0a1b2c3d4e5f60001' })).toEqual({ status: 200, json: { dropped: 0 } });
  });

  it('regenerates an instance\u2019s host key, changes states and password availability', async () => {
    const before = sandbox.line.instances.find((i) => i.name === 'web-1')!.hostKeyFingerprint;
    const rotated = await control('instances/web-1/regenerate-host-key', {});
    expect(rotated.status).toBe(200);
    expect((rotated.json as { hostKeyFingerprint: string }).hostKeyFingerprint).toMatch(/^SHA256:/);
    expect((rotated.json as { hostKeyFingerprint: string }).hostKeyFingerprint).not.toBe(before);
    expect(await control('instances/win-admin/regenerate-host-key', {})).toMatchObject({ status: 409 });
    expect(await control('passwords', { availableInSeconds: 600 })).toEqual({ status: 200, json: { instances: 1 } });
    expect(await control('endpoints/eice-0a1b2c3d4e5f60901/state', { state: 'update-failed', message: 'boom' })).toEqual({ status: 200, json: { ok: true } });
    expect(await control('zones/us-east-1/us-east-1c/state', { state: 'impaired' })).toEqual({ status: 200, json: { ok: true } });
    expect(await control('instances/i-0a1b2c3d4e5f60005/state', { state: 'stopped' })).toMatchObject({ status: 200, json: { state: 'stopped', reachable: false } });
    expect(await control('sessions/expire', {})).toMatchObject({ status: 200 });
    expect(await control('transitions/complete', {})).toEqual({ status: 200, json: { ok: true } });
    expect(await control('instances/nope/state', { state: 'stopped' })).toMatchObject({ status: 404 });
    const events = (await control('events')).json as { action: string }[];
    expect(Array.isArray(events)).toBe(true);
  });

  it('answers 404 without the token', async () => {
    const url = new URL(sandbox.line.controlUrl);
    const res = await fetch(`${url.origin}/not-the-token/state`);
    expect(res.status).toBe(404);
  });
});

describe('stopping', () => {
  it('stops every process it started and deletes its files on SIGTERM', async () => {
    const pids = descendantPids(sandbox.child.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(8);
    const caDir = dirname(sandbox.line.caFile);
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(caDir)).toBe(false);
  });
});

describe('bad start-up options', () => {
  it('fails with a clear message for an invalid scenario and a bad port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    try {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify({ regions: [{ name: 'mars-1' }] }));
      const bad = run(['--scenario', file]);
      expect(await bad.exited).toBe(1);
      expect(bad.stderr()).toMatch(/The sandbox could not start: The sandbox scenario .*bad\.json is not valid:\n {2}- regions\.0\.name: must be a Region name/);
      expect(bad.stdout()).toBe('');
      const port = run(['--eice-port', 'http']);
      expect(await port.exited).toBe(2);
      expect(port.stderr()).toMatch(/--eice-port must be a port number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
