import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Composition } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { MemorySink } from '../../../main/log';
import { LinuxLauncher } from '../../../main/rdp/launchers/linuxLauncher';
import { NodeProcessRunner } from '../../../main/rdp/launchers/nodeProcessRunner';
import type { RdpSession, TunnelInfo } from '../../../preload/contract';
import { DEFAULT_SCENARIO_FILE, startSandbox, type Sandbox, type SandboxInstanceInfo } from '../../sandbox';
import { loadScenarioFile } from '../../sandbox/scenario';
import { memoryLogger } from '../../support/fakes';
import { requireBinary } from '../../support/requireBinary';

/**
 * The whole RDP flow in the real composition against the sandbox: GetPasswordData through the
 * SDK (SigV4-checked), the password decrypted with the key pair's file, a 127.0.0.1 listener
 * whose connections are EICE tunnels (TLS, presigned, security-group path checked) to the
 * Windows instance's NLA RDP server, and the real xfreerdp in /auth-only mode signing in.
 */
const ctx = { senderId: 'test' };
let sandbox: Sandbox;
let app: Composition;
let desktop: RecordingDesktop;
let win: SandboxInstanceInfo;
const sessions: RdpSession[] = [];
const tunnelEvents: TunnelInfo[][] = [];
const sink = new MemorySink();

beforeAll(async () => {
  requireBinary('xfreerdp');
  sandbox = await startSandbox();
  win = sandbox.instances.find((i) => i.name === 'win-admin')!;
  desktop = new RecordingDesktop();
  app = await compose({
    dataDir: mkdtempSync(join(tmpdir(), 'bl-rdp-data-')),
    version: '0.0.0-test',
    platform: 'linux',
    desktop,
    logSink: sink,
    logLevel: 'debug',
    env: {
      ...sandbox.env,
      HOME: mkdtempSync(join(tmpdir(), 'bl-rdp-home-')),
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      // Test mode: xfreerdp signs in and exits, on the Xvfb display of the instance's server.
      BASTIONLESS_RDP_AUTH_ONLY: '1',
      DISPLAY: win.rdpDisplay!,
    },
  });
  app.events.subscribe((channel, payload) => {
    if (channel === 'rdp:sessionChanged') sessions.push(payload as RdpSession);
    if (channel === 'tunnels:changed') tunnelEvents.push((payload as { tunnels: TunnelInfo[] }).tunnels);
  });
});

afterAll(async () => {
  await app?.dispose();
  await sandbox?.stop();
});

function latest(sessionId: string): RdpSession | undefined {
  return sessions.filter((s) => s.sessionId === sessionId).at(-1);
}

/** Resolves once main has published a state of the session that passes `done`. */
function until(sessionId: string, done: (s: RdpSession) => boolean): Promise<RdpSession> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const s = latest(sessionId);
      if (s && done(s)) resolve(s);
      else if (s?.state === 'failed') reject(new Error(`the session failed: ${JSON.stringify(s.error)}`));
      else setTimeout(check, 25);
    };
    check();
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('RDP to the sandbox’s Windows instance', () => {
  let session: RdpSession;

  it('decrypts the password with the key pair file and signs in with xfreerdp through the tunnel (exit 0)', async () => {
    expect(win).toMatchObject({ platform: 'windows', reachable: true });
    const auditFrom = sandbox.world.events().length;
    const started = await app.api.rdp.launch({ instance: { profileId: 'env', region: win.region, instanceId: win.instanceId } }, ctx);
    // No key is stored for "windows-admin" yet: the person picks the file.
    const asking = await until(started.sessionId, (s) => s.state === 'needsKey');
    expect(asking.keyPrompt).toMatchObject({ keyName: 'windows-admin', need: 'key' });
    expect(asking.notice).toMatch(/keychain/i);

    await app.api.rdp.provideKey({ sessionId: started.sessionId, privateKey: readFileSync(win.keyPairFile!, 'utf8'), remember: false }, ctx);
    session = await until(started.sessionId, (s) => s.client?.state === 'exited');
    expect(session.client).toMatchObject({ name: 'xfreerdp', authOnly: true, authenticated: true, exitCode: 0 });
    expect(session.state).toBe('ready');
    expect(session.error).toBeUndefined();
    expect(session.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(sessions.some((s) => s.sessionId === started.sessionId && s.state === 'connected')).toBe(true);

    // It went through EICE: GetPasswordData, then OpenTunnel to the instance's 3389.
    const audit = sandbox.world.events(auditFrom);
    const getPassword = audit.find((e) => e.action === 'GetPasswordData');
    expect(getPassword?.detail).toEqual({ InstanceId: win.instanceId });
    expect(getPassword?.errorCode).toBeUndefined();
    expect(audit.filter((e) => e.action === 'OpenTunnel' && !e.errorCode).map((e) => e.detail)).toContainEqual(expect.objectContaining({ instanceId: win.instanceId }));

    // The password the app decrypted is the instance's: Copy password puts it on the clipboard.
    expect(await app.api.rdp.copyPassword({ sessionId: session.sessionId }, ctx)).toEqual({ clearsAfterMs: 30_000 });
    expect(await desktop.readClipboard()).toBe(win.rdpPassword);
    // ...and it never reached an event, the Tunnels view or the log.
    expect(JSON.stringify(sessions)).not.toContain(win.rdpPassword!);
    expect(JSON.stringify(tunnelEvents)).not.toContain(win.rdpPassword!);
    expect(sink.lines.join('\n')).not.toContain(win.rdpPassword!);
  });

  it('shows the listener in the Tunnels view with its traffic', async () => {
    const { tunnels } = await app.api.tunnels.list({}, ctx);
    const row = tunnels.find((t) => t.kind === 'rdp' && t.local?.port === session.local!.port);
    expect(row).toMatchObject({
      label: 'win-admin',
      target: { instanceId: win.instanceId, privateIp: win.privateIp, port: 3389 },
      endpoint: { endpointId: win.endpointId },
      local: { address: '127.0.0.1', port: session.local!.port },
    });
    expect(row!.connections.total).toBeGreaterThanOrEqual(1);
    expect(row!.bytesFromInstance).toBeGreaterThan(0);
    expect(row!.bytesToInstance).toBeGreaterThan(0);
    // The client left: the row says when the idle tunnel closes.
    expect(row!.idleClosesAt).toBeDefined();
  });

  it('refuses a wrong password through the same tunnel (exit 147)', async () => {
    const { log } = memoryLogger();
    const launcher = new LinuxLauncher({ runner: new NodeProcessRunner(process.env), log, authOnly: true, display: win.rdpDisplay });
    const launched = await launcher.launch({ address: '127.0.0.1', port: session.local!.port, username: 'Administrator', password: 'not-the-password', label: 'wrong' });
    const exit = await launched.exited!;
    expect(exit.code).toBe(147);
    expect(exit.error?.message).toMatch(/exit code 147/);
  });

  it('stopping the tunnel from the Tunnels view closes the port and ends the session', async () => {
    const { tunnels } = await app.api.tunnels.list({}, ctx);
    const row = tunnels.find((t) => t.local?.port === session.local!.port)!;
    expect(await portOpen(session.local!.port)).toBe(true);
    await app.api.tunnels.stop({ tunnelId: row.tunnelId }, ctx);
    expect(await portOpen(session.local!.port)).toBe(false);
    const closed = await until(session.sessionId, (s) => s.state === 'closed' && !s.hasPassword);
    expect(closed.closedReason).toBe('tunnelClosed');
    expect((await app.api.tunnels.list({}, ctx)).tunnels.find((t) => t.tunnelId === row.tunnelId)).toBeUndefined();
    await expect(app.api.rdp.copyPassword({ sessionId: session.sessionId }, ctx)).rejects.toMatchObject({ code: 'RDP_PASSWORD_NOT_READY' });
  });
});

describe('a Windows instance whose password is not published yet', () => {
  it('says so, and when to retry', async () => {
    const scenario = loadScenarioFile(DEFAULT_SCENARIO_FILE);
    const early = await startSandbox({ scenario: { ...scenario, timing: { ...scenario.timing, passwordAvailableAfterSeconds: 3600 } }, withoutInstanceServers: true });
    const other = await compose({
      dataDir: mkdtempSync(join(tmpdir(), 'bl-rdp-early-')),
      version: '0.0.0-test',
      platform: 'linux',
      desktop: new RecordingDesktop(),
      logSink: new MemorySink(),
      env: { ...early.env, HOME: mkdtempSync(join(tmpdir(), 'bl-rdp-early-home-')), PATH: process.env['PATH'] ?? '' },
    });
    try {
      const seen: RdpSession[] = [];
      other.events.subscribe((channel, payload) => {
        if (channel === 'rdp:sessionChanged') seen.push(payload as RdpSession);
      });
      const earlyWin = early.instances.find((i) => i.name === 'win-admin')!;
      const started = await other.api.rdp.launch({ instance: { profileId: 'env', region: earlyWin.region, instanceId: earlyWin.instanceId } }, ctx);
      const failed = await new Promise<RdpSession>((resolve) => {
        const check = (): void => {
          const s = seen.filter((x) => x.sessionId === started.sessionId).at(-1);
          if (s && (s.state === 'failed' || s.state === 'needsKey')) resolve(s);
          else setTimeout(check, 25);
        };
        check();
      });
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatchObject({ code: 'RDP_PASSWORD_NOT_READY', retryable: true });
      expect(failed.error!.hint).toMatch(/try again|Connect without password/i);
    } finally {
      await other.dispose();
      await early.stop();
    }
  });
});
