import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Composition } from '../../../main/compose';
import type { Notice, RdpSession, SessionInfo } from '../../../preload/contract';
import { DEFAULT_SCENARIO_FILE, startSandbox, type Sandbox, type SandboxInstanceInfo } from '../../sandbox';
import type { ScenarioInput } from '../../sandbox/scenario';
import { startAppOnSandbox, type AppOnSandbox } from '../../support/appOnSandbox';
import { requireBinary } from '../../support/requireBinary';

/**
 * An IAM policy that caps ec2-instance-connect:maxTunnelDuration at 900 s (the sandbox refuses
 * OpenTunnel above it with AccessDenied, as IAM does): the real composition finds the cap once
 * per endpoint, and SSH sessions and RDP listener connections work within it, with the session's
 * time limit, the Tunnels view and a notice saying 15 minutes.
 */
const CTX = { senderId: 'integration' };
const CAP = 900;

let sandbox: Sandbox;
let rig: AppOnSandbox;
let app: Composition;

beforeAll(async () => {
  requireBinary('xfreerdp');
  const scenario = JSON.parse(readFileSync(DEFAULT_SCENARIO_FILE, 'utf8')) as ScenarioInput & { iam: Record<string, unknown> };
  scenario.iam = { ...scenario.iam, maxTunnelDuration: { seconds: CAP } };
  sandbox = await startSandbox({ scenario });
  // Test mode: xfreerdp signs in and exits, on the Xvfb display of the instance's server.
  rig = await startAppOnSandbox(sandbox, { env: { BASTIONLESS_RDP_AUTH_ONLY: '1', DISPLAY: instance('win-admin').rdpDisplay! } });
  app = rig.app;
  await app.api.inventory.refresh({}, CTX);
});

afterAll(async () => {
  await rig?.dispose();
  await sandbox?.stop();
});

const sessions = (): SessionInfo[] => rig.emitted<SessionInfo>('sessions:stateChanged');
const rdpSessions = (): RdpSession[] => rig.emitted<RdpSession>('rdp:sessionChanged');
const notices = (): Notice[] => rig.emitted<Notice>('app:noticePosted');
const until = <T>(check: () => T | undefined): Promise<T> => rig.until(check);

function instance(name: string): SandboxInstanceInfo {
  const found = sandbox.instances.find((i) => i.name === name);
  if (!found) throw new Error(`no sandbox instance ${name}`);
  return found;
}

async function connect(name: string): Promise<SessionInfo> {
  const i = instance(name);
  const first = await app.api.sessions.open({ instanceId: i.instanceId, profileId: 'env', region: i.region }, CTX);
  const settled = await until(() => sessions().filter((s) => s.sessionId === first.sessionId).find((s) => s.status === 'connected' || s.status === 'failed'));
  expect(settled.error, settled.error?.message).toBeUndefined();
  return settled;
}

/** The maxTunnelDuration of each OpenTunnel the sandbox saw since `from`, with its refusal code. */
const openTunnels = (from: number): string[] =>
  sandbox.world
    .events(from)
    .filter((e) => e.action === 'OpenTunnel')
    .map((e) => `${String(e.detail?.['maxTunnelDuration'])}${e.errorCode ? ` ${e.errorCode}` : ''}`);

describe('tunnels under an IAM maxTunnelDuration cap of 900 s', () => {
  it('an SSH session opens, its time limit is the cap, and the next session asks for the cap straight away', async () => {
    const from = sandbox.world.events().length;
    const info = await connect('web-1');
    expect(openTunnels(from)).toEqual(['3600 AccessDenied', '1800 AccessDenied', '900']);
    // The tab counts down from 15 minutes, not an hour (its 5-minute warning follows expiresAt).
    const left = Date.parse(info.expiresAt!) - Date.now();
    expect(left).toBeLessThanOrEqual(CAP * 1000);
    expect(left).toBeGreaterThan(CAP * 1000 - 60_000);
    app.api.sessions.write({ sessionId: info.sessionId, data: 'echo $((6*7))\n' }, CTX);
    await until(() => (/[\r\n]42\r?\n/.test(rig.terminalOutput(info.sessionId)) ? true : undefined));

    const row = (await app.api.tunnels.list({}, CTX)).tunnels.find((t) => t.kind === 'ssh');
    expect(row).toMatchObject({ durationCapSeconds: CAP, endpoint: { endpointId: instance('web-1').endpointId } });
    expect(Date.parse(row!.expiresAt!) - Date.parse(row!.openedAt)).toBe(CAP * 1000);
    expect(notices().filter((n) => n.message.includes('maxTunnelDuration') || n.message.includes('limits tunnels'))).toEqual([
      expect.objectContaining({ level: 'info', message: `Your IAM policy limits tunnels through ${instance('web-1').endpointId} to 15 minutes, so Bastionless opens them for that long instead of 60 minutes.` }),
    ]);

    const again = sandbox.world.events().length;
    const second = await connect('web-1');
    expect(openTunnels(again)).toEqual(['900']);
    expect(Date.parse(second.expiresAt!) - Date.now()).toBeLessThanOrEqual(CAP * 1000);
    expect(notices().filter((n) => n.message.includes('limits tunnels'))).toHaveLength(1);
    await app.api.sessions.close({ sessionId: info.sessionId }, CTX);
    await app.api.sessions.close({ sessionId: second.sessionId }, CTX);
  });

  it('an RDP listener connection gets through within the cap: xfreerdp signs in (exit 0)', async () => {
    const win = instance('win-admin');
    const from = sandbox.world.events().length;
    const started = await app.api.rdp.launch({ instance: { profileId: 'env', region: win.region, instanceId: win.instanceId } }, CTX);
    await until(() => rdpSessions().filter((s) => s.sessionId === started.sessionId).find((s) => s.state === 'needsKey'));
    await app.api.rdp.provideKey({ sessionId: started.sessionId, privateKey: readFileSync(win.keyPairFile!, 'utf8'), remember: false }, CTX);
    const done = await until(() => {
      const s = rdpSessions().filter((r) => r.sessionId === started.sessionId).at(-1);
      if (s?.state === 'failed') throw new Error(`the RDP session failed: ${JSON.stringify(s.error)}`);
      return s?.client?.state === 'exited' ? s : undefined;
    });
    expect(done.client).toMatchObject({ name: 'xfreerdp', authOnly: true, authenticated: true, exitCode: 0 });
    // win-admin is behind the same endpoint as web-1: every connection the client made asked
    // for the cap found by the SSH session, and none was refused.
    expect(win.endpointId).toBe(instance('web-1').endpointId);
    const asked = openTunnels(from);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked).toEqual(asked.map(() => '900'));
    const row = (await app.api.tunnels.list({}, CTX)).tunnels.find((t) => t.kind === 'rdp' && t.local?.port === done.local?.port);
    expect(row).toMatchObject({ durationCapSeconds: CAP, target: { instanceId: win.instanceId, port: 3389 } });
    await app.api.rdp.stop({ sessionId: started.sessionId }, CTX);
  });
});
