/**
 * Terminal sessions through the real composition and the local AWS sandbox: the inventory's
 * cached facts, SendSSHPublicKey over SigV4, EICE tunnels over TLS WebSockets, the
 * TunnelManager's connection budget, and real sshd instances. Driven through the contract's
 * handlers and events, as the window drives them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../preload/contract';
import type { Composition } from '../../../main/compose';
import { startSandbox, type Sandbox, type SandboxInstanceInfo } from '../../sandbox/index';
import { startAppOnSandbox, type AppOnSandbox } from '../../support/appOnSandbox';

const CTX = { senderId: 'integration' };

let sandbox: Sandbox;
let rig: AppOnSandbox;
let app: Composition;

beforeAll(async () => {
  sandbox = await startSandbox();
  rig = await startAppOnSandbox(sandbox, { isHarness: true, platform: process.platform });
  app = rig.app;
  // What the Hosts view does first: the scan that fills the cache a double-click resolves from.
  await app.api.inventory.refresh({}, CTX);
});

afterAll(async () => {
  await rig?.dispose();
  await sandbox?.stop();
});

afterEach(async () => {
  // Closed before the next test starts, so its connections do not count against the endpoint's 20.
  await Promise.all((await app.api.sessions.list({}, CTX)).map((s) => app.api.sessions.close({ sessionId: s.sessionId }, CTX)));
  await fetch(`${sandbox.controlUrl}/faults/reset`, { method: 'POST' });
});

const states = (): SessionInfo[] => rig.emitted<SessionInfo>('sessions:stateChanged');
const until = <T>(check: () => T | undefined): Promise<T> => rig.until(check);

const stateOf = (sessionId: string, predicate: (s: SessionInfo) => boolean, since = 0): Promise<SessionInfo> =>
  until(() => states().slice(since).find((s) => s.sessionId === sessionId && predicate(s)));

const instance = (name: string): SandboxInstanceInfo => {
  const found = sandbox.instances.find((i) => i.name === name);
  if (!found) throw new Error(`no sandbox instance ${name}`);
  return found;
};

async function open(name: string): Promise<SessionInfo> {
  const i = instance(name);
  return app.api.sessions.open({ instanceId: i.instanceId, profileId: 'env', region: i.region }, CTX);
}

async function connected(name: string): Promise<SessionInfo> {
  const first = await open(name);
  const settled = await stateOf(first.sessionId, (s) => s.status === 'connected' || s.status === 'failed');
  // On failure, say what main logged about it (an INTERNAL error's cause is only in the log).
  expect(settled.error, `${settled.error?.message}\n${rig.sink.lines.filter((l) => l.includes(first.sessionId)).join('\n')}`).toBeUndefined();
  return settled;
}

const control = (path: string, body: unknown = {}) =>
  fetch(`${sandbox.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<unknown>);

describe('sessions through the sandbox', () => {
  it('connects through a real EICE tunnel with a pushed key, shows in the Tunnels view, and runs a command', async () => {
    const info = await connected('web-1');
    expect(info.target).toMatchObject({ name: 'web-1', osUser: 'ec2-user', endpointId: instance('web-1').endpointId, authMethod: 'eic' });
    expect(info.hostKey?.fingerprint).toBe(instance('web-1').hostKeyFingerprint);
    // The endpoint's one-hour limit, as the tunnel reports it.
    const left = Date.parse(info.expiresAt!) - Date.now();
    expect(left).toBeGreaterThan(59 * 60_000);
    expect(left).toBeLessThanOrEqual(60 * 60_000);

    const rows = await app.api.tunnels.list({}, CTX);
    expect(rows.tunnels.filter((t) => t.kind === 'ssh')).toEqual([expect.objectContaining({ label: 'ec2-user@web-1', target: expect.objectContaining({ instanceId: instance('web-1').instanceId, port: 22 }) })]);

    app.api.sessions.write({ sessionId: info.sessionId, data: 'echo $((6*7))\n' }, CTX);
    await until(() => (/[\r\n]42\r?\n/.test(rig.terminalOutput(info.sessionId)) ? true : undefined));

    // Closing the tab closes its tunnel.
    await app.api.sessions.close({ sessionId: info.sessionId }, CTX);
    await expect.poll(async () => (await app.api.tunnels.list({}, CTX)).tunnels.filter((t) => t.kind === 'ssh').length).toBe(0);
  });

  it('says the connection was lost when the sandbox drops the tunnel, and Reconnect opens a new one', async () => {
    const info = await connected('web-1');
    await control('/tunnels/drop', { instanceId: instance('web-1').instanceId, mode: 'reset' });
    const dropped = await stateOf(info.sessionId, (s) => s.status === 'disconnected');
    expect(dropped.drop?.reason).toBe('connection-lost');
    expect(dropped.error?.code).toMatch(/^EIC_TUNNEL_/);
    const since = states().length;
    await app.api.sessions.reconnect({ sessionId: info.sessionId }, CTX);
    const back = await stateOf(info.sessionId, (s) => s.status === 'connected' || s.status === 'failed', since);
    expect(back.status).toBe('connected');
    expect(back.connections).toBe(2);
  });

  it('says the session expired when the endpoint ends the tunnel at its time limit', async () => {
    await control('/faults', { maxTunnelDurationSeconds: 2 });
    const info = await connected('web-1');
    const dropped = await stateOf(info.sessionId, (s) => s.status === 'disconnected');
    expect(dropped.drop?.reason).toBe('expired');
    expect(dropped.error?.code).toBe('EIC_TUNNEL_EXPIRED');
  });

  it('refuses a Windows instance (RDP handles it) and explains an instance without ec2-instance-connect', async () => {
    const win = await open('win-admin');
    const refused = await stateOf(win.sessionId, (s) => s.status === 'failed');
    expect(refused).toMatchObject({ failedStep: 'resolve', error: { code: 'SSH_NOT_LINUX' } });

    const legacy = await open('legacy-reporting');
    const failed = await stateOf(legacy.sessionId, (s) => s.status === 'failed');
    expect(failed.failedStep).toBe('auth');
    expect(failed.error?.code).toBe('SSH_AUTH_FAILED');
    expect(failed.error?.hint).toContain('ec2-instance-connect package');
  });

  it('refuses the 21st connection on an endpoint before opening it, naming the endpoint and what uses it', async () => {
    const open20: SessionInfo[] = [];
    for (let i = 0; i < 20; i++) open20.push(await connected('web-1'));
    // A second shell on an open connection uses none of the 20.
    const shared = await app.api.sessions.open({ sameConnectionAs: open20[0]!.sessionId }, CTX);
    expect((await stateOf(shared.sessionId, (s) => s.status === 'connected' || s.status === 'failed')).status).toBe('connected');

    const extra = await open('build-runner');
    const refused = await stateOf(extra.sessionId, (s) => s.status === 'failed');
    expect(refused.failedStep).toBe('tunnel');
    expect(refused.error?.code).toBe('EIC_CONNECTION_LIMIT');
    expect(refused.error?.message).toContain(instance('web-1').endpointId!);
    expect(`${refused.error?.message} ${refused.error?.hint}`).toContain('web-1');
    // Nothing was opened for it: the budget refused before the service was asked.
    expect(Object.fromEntries(refused.steps.map((s) => [s.id, s.status]))).toMatchObject({ tunnel: 'failed', auth: 'skipped' });

    // Closing one frees a slot.
    await app.api.sessions.close({ sessionId: open20[1]!.sessionId }, CTX);
    await expect.poll(async () => (await app.api.tunnels.list({}, CTX)).tunnels.filter((t) => t.kind === 'ssh').length).toBe(19);
    const since = states().length;
    await app.api.sessions.reconnect({ sessionId: extra.sessionId }, CTX);
    expect((await stateOf(extra.sessionId, (s) => s.status === 'connected' || s.status === 'failed', since)).status).toBe('connected');
  });
});
