import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DemoInfo } from '../../e2e/fixtures';
import { decodeMessage, encodeMessage, type HarnessMessage } from '../../harness/codec';
import { descendantPids, isAlive } from '../../sandbox/instances/managedProcess';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const started: ChildProcess[] = [];

/** `npm run demo -- --json` as the e2e fixture runs it; resolves with its JSON line. */
async function demo(args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; info: DemoInfo; exited: Promise<number | null> }> {
  if (!existsSync(`${root}/out/renderer/index.html`)) throw new Error('The renderer is not built: run `npm run build` (npm test builds it before the integration step).');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/demo.ts', '--json', '--no-build', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void exited.then((code) => reject(new Error(`the demo exited with ${code}: ${err}`)));
  });
  return { child, info: JSON.parse(line) as DemoInfo, exited };
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  child.kill('SIGTERM');
  return exited;
}

/** Calls one contract entry of the app over the harness's WebSocket, as the page does. */
async function invoke(info: DemoInfo, channel: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  const url = new URL(info.url);
  const ws = new WebSocket(`ws://${url.host}/__eic?token=${url.searchParams.get('token')}`, { origin: url.origin });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  try {
    const result = new Promise<HarnessMessage>((resolve) =>
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const message = decodeMessage(isBinary ? new Uint8Array(data) : data.toString());
        if (message.t === 'result' && message.id === 1) resolve(message);
      }),
    );
    ws.send(encodeMessage({ t: 'invoke', id: 1, channel, input }));
    const message = await result;
    return (message as { envelope: { ok: boolean; value?: unknown; error?: { code: string } } }).envelope;
  } finally {
    ws.close();
  }
}

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

describe('npm run demo with the AWS sandbox', () => {
  it('starts the sandbox, points the app at it, reports it in the JSON line, and stops it all', async () => {
    const { child, info, exited } = await demo();
    const sandbox = info.sandbox!;
    expect(sandbox.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(sandbox.instances.map((i) => i.name)).toContain('web-1');
    expect(sandbox.env['AWS_ENDPOINT_URL_EC2']).toMatch(/^http:\/\/127\.0\.0\.1:/);

    // The app sees the sandbox's keys as its environment profile, and its STS call lands there.
    const profiles = (await invoke(info, 'profiles:list', {})) as { ok: boolean; value: { id: string; source: string; accessKeyIdHint?: string }[] };
    expect(profiles.ok).toBe(true);
    const environment = profiles.value.find((p) => p.source === 'environment')!;
    expect(environment).toBeTruthy();
    const identity = await invoke(info, 'profiles:test', { id: environment.id });
    expect(identity).toMatchObject({ ok: true, value: expect.objectContaining({ arn: 'arn:aws:iam::123456789012:user/sandbox-admin' }) });
    const events = (await (await fetch(`${sandbox.controlUrl}/events`)).json()) as { service: string; action: string; principal?: string }[];
    expect(events).toContainEqual(expect.objectContaining({ service: 'sts', action: 'GetCallerIdentity', principal: 'sandbox-admin' }));
    // None of the user's ~/.aws profiles: only the sandbox's keys.
    expect(profiles.value.filter((p) => p.source === 'config')).toEqual([]);

    const pids = descendantPids(child.pid!);
    const caFile = sandbox.caFile;
    expect(await stop(child, exited)).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(caFile)).toBe(false);
  });

  it('adds the sandbox\u2019s own profiles with --sandbox-profiles', async () => {
    const { child, info, exited } = await demo(['--sandbox-profiles']);
    const profiles = (await invoke(info, 'profiles:list', {})) as { ok: boolean; value: { name: string; source: string }[] };
    expect(profiles.value.map((p) => p.name)).toEqual(expect.arrayContaining(['Environment', 'sandbox-admin', 'BastionlessOperator', 'sso-123456789012-ReadOnlyAccess']));
    expect(info.sandbox!.env['AWS_CONFIG_FILE']).toMatch(/\/aws\/config$/);
    expect(await stop(child, exited)).toBe(0);
  });

  it('starts no sandbox with --no-sandbox, or when the environment already names an EC2 endpoint', async () => {
    const plain = await demo(['--no-sandbox']);
    expect(plain.info.sandbox).toBeUndefined();
    expect(await stop(plain.child, plain.exited)).toBe(0);
    const own = await demo([], { ...process.env, AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9' });
    expect(own.info.sandbox).toBeUndefined();
    expect(await stop(own.child, own.exited)).toBe(0);
  });
});
