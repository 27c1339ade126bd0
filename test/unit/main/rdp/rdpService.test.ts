import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import type { RdpSession } from '../../../../preload/contract/rdp';
import { RecordingDesktop } from '../../../../main/desktop';
import { ClipboardGuard } from '../../../../main/rdp/clipboardGuard';
import { keyPairAccount } from '../../../../main/rdp/rdpIo';
import { RdpService } from '../../../../main/rdp/rdpService';
import { memoryLogger } from '../../../support/fakes';
import { ManualTimers } from './fakes';
import { encryptedPkcs8, rsaTestKey } from './keyBuilders';
import { FakeKeyFiles, FakeLauncher, FakePasswords, FakeResolver, FakeTunnels, MemorySecrets, windowsHost } from './sessionFakes';

const PASSWORD = 'Zq8!vN2#kP5$wT7&';
const ACCOUNT = keyPairAccount('dev', 'eu-west-1', 'win-key');
const INSTANCE = { instance: { profileId: 'dev', region: 'eu-west-1', instanceId: 'i-0123456789abcdef0' } };

function setup(options: { storedKey?: boolean } = {}) {
  const key = rsaTestKey();
  const timers = new ManualTimers();
  const desktop = new RecordingDesktop();
  const { log, sink } = memoryLogger();
  const resolver = new FakeResolver();
  const passwords = new FakePasswords();
  passwords.passwordData = key.passwordData(PASSWORD);
  const secrets = new MemorySecrets();
  if (options.storedKey ?? true) secrets.values.set(ACCOUNT, key.pkcs1Pem);
  const keyFiles = new FakeKeyFiles();
  const tunnels = new FakeTunnels();
  const launcher = new FakeLauncher();
  const events: RdpSession[] = [];
  const removed: string[] = [];
  const clipboard = new ClipboardGuard(desktop, timers, log);
  let id = 0;
  const service = new RdpService({
    resolver,
    passwords,
    secrets,
    keyFiles,
    tunnels,
    launcher,
    clipboard,
    timers,
    log,
    platform: 'linux',
    onSessionChanged: (s) => events.push(s),
    onSessionRemoved: (s) => removed.push(s),
    newId: () => `s${++id}`,
  });
  /** The latest state of a session, as the window saw it through events. */
  const latest = (sessionId = 's1'): RdpSession => events.filter((e) => e.sessionId === sessionId).at(-1)!;
  /** Lets the launch's promises run until `done` holds (a bounded number of turns, no clock). */
  const until = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setImmediate(r));
    if (!done()) throw new Error(`the session did not get there; it is ${JSON.stringify(latest())}`);
  };
  return { key, timers, desktop, sink, resolver, passwords, secrets, keyFiles, tunnels, launcher, service, events, removed, latest, until };
}

describe('launching RDP', () => {
  it('retrieves the password, opens the tunnel, launches the client and follows its connections', async () => {
    const t = setup();
    const first = await t.service.launch(INSTANCE);
    expect(first.state).toBe('starting');
    await t.until(() => t.latest().state === 'ready');
    const ready = t.latest();
    expect(ready.local).toEqual({ address: '127.0.0.1', port: 50000 });
    expect(ready.hasPassword).toBe(true);
    expect(ready.label).toBe('win-2022');
    expect(ready.steps.map((s) => [s.id, s.status])).toEqual([
      ['password', 'done'],
      ['tunnel', 'done'],
      ['client', 'done'],
      ['connected', 'active'],
    ]);
    expect(ready.client).toEqual({ name: 'xfreerdp', passwordDelivered: true, state: 'running', authOnly: false });
    const [launched] = t.launcher.launched;
    expect(launched!.request).toEqual({ address: '127.0.0.1', port: 50000, username: 'Administrator', label: 'win-2022', password: PASSWORD });

    const listener = t.tunnels.listeners[0]!;
    listener.connections(1);
    expect(t.latest().state).toBe('connected');
    expect(t.latest().steps[3]!.status).toBe('done');
    listener.connections(0);
    expect(t.latest().state).toBe('ready');
    // The client still runs (it may be reconnecting): the tunnel stays.
    expect(t.latest().idleClosesAt).toBeUndefined();

    launched!.exit({ code: 0, signal: null });
    await t.until(() => t.latest().client?.state === 'exited');
    expect(t.latest().idleClosesAt).toBe(new Date(t.timers.now() + 120_000).toISOString());
    t.timers.advance(119_000);
    expect(t.latest().state).toBe('ready');
    t.timers.advance(1_000);
    await t.until(() => t.latest().state === 'closed' && !t.latest().hasPassword);
    expect(t.latest().closedReason).toBe('idle');
    expect(t.latest().local).toBeUndefined();
    expect(listener.closed).toBe(true);
    expect(launched!.disposed).toBe(true);
  });

  it('cancels the idle close when a client comes back', async () => {
    const t = setup();
    t.launcher.observable = false;
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    expect(t.latest().idleClosesAt).toBeDefined();
    t.tunnels.listeners[0]!.connections(1);
    expect(t.latest().idleClosesAt).toBeUndefined();
    t.timers.advance(600_000);
    expect(t.latest().state).toBe('connected');
    t.tunnels.listeners[0]!.connections(0);
    expect(t.latest().idleClosesAt).toBeDefined();
  });

  it('copies the password and clears it 30 s later; never puts it in an event or the log', async () => {
    const t = setup();
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    expect(await t.service.copyPassword('s1')).toEqual({ clearsAfterMs: 30_000 });
    expect(await t.desktop.readClipboard()).toBe(PASSWORD);
    t.timers.advance(30_000);
    await t.until(() => t.timers.pending.size <= 1);
    await new Promise((r) => setImmediate(r));
    expect(await t.desktop.readClipboard()).toBe('');
    expect(JSON.stringify(t.events)).not.toContain(PASSWORD);
    expect(JSON.stringify(t.service.list())).not.toContain(PASSWORD);
    expect(t.sink.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('asks for the key when none is stored, says when it does not match, and remembers a good one if asked', async () => {
    const t = setup({ storedKey: false });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'needsKey');
    expect(t.latest().keyPrompt).toEqual({ keyName: 'win-key', need: 'key' });
    // Meanwhile the tunnel opened: it does not wait for the person.
    expect(t.latest().steps[1]!.status).toBe('done');

    const other = rsaTestKey(2048, true);
    t.service.provideKey({ sessionId: 's1', privateKey: other.pkcs8Pem, remember: true });
    await t.until(() => t.latest().state === 'needsKey' && t.latest().keyPrompt?.problem !== undefined);
    expect(t.latest().keyPrompt?.problem).toMatchObject({ code: 'RDP_DECRYPT_FAILED', message: "This key does not match the instance's key pair." });

    t.service.provideKey({ sessionId: 's1', privateKey: t.key.pkcs8Pem, remember: true });
    await t.until(() => t.latest().state === 'ready');
    expect(t.secrets.values.get(ACCOUNT)).toBe(t.key.pkcs8Pem);
    expect(t.launcher.launched[0]!.request.password).toBe(PASSWORD);
  });

  it('does not remember the key unless asked', async () => {
    const t = setup({ storedKey: false });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'needsKey');
    t.service.provideKey({ sessionId: 's1', privateKey: t.key.pkcs1Pem, remember: false });
    await t.until(() => t.latest().state === 'ready');
    expect(t.secrets.values.size).toBe(0);
  });

  it('asks for the passphrase of an encrypted key, and again when it is wrong', async () => {
    const t = setup({ storedKey: false });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'needsKey');
    t.service.provideKey({ sessionId: 's1', privateKey: encryptedPkcs8(t.key, 'open sesame'), remember: false });
    await t.until(() => t.latest().keyPrompt?.need === 'passphrase');
    expect(t.latest().keyPrompt?.problem).toBeUndefined();
    t.service.provideKey({ sessionId: 's1', passphrase: 'close sesame', remember: false });
    await t.until(() => t.latest().keyPrompt?.problem?.code === 'RDP_KEY_PASSPHRASE_NEEDED');
    expect(t.latest().keyPrompt).toMatchObject({ need: 'passphrase', problem: { message: 'That passphrase does not unlock this private key.' } });
    t.service.provideKey({ sessionId: 's1', passphrase: 'open sesame', remember: false });
    await t.until(() => t.latest().state === 'ready');
    expect(t.sink.lines.join('\n')).not.toContain('open sesame');
  });

  it('explains an ED25519 key pair before asking for any file', async () => {
    const t = setup({ storedKey: false });
    t.passwords.keyType = 'ed25519';
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'failed');
    expect(t.latest().error).toMatchObject({ code: 'RDP_KEY_UNSUITABLE', message: 'The key pair "win-key" is ED25519; Windows passwords need an RSA key pair.' });
    expect(t.tunnels.listeners[0]?.closed ?? true).toBe(true);
  });

  it('says when the password is not ready yet and closes the tunnel', async () => {
    const t = setup();
    t.passwords.passwordData = '';
    t.resolver.host = windowsHost({ launchTime: new Date(t.timers.now() - 4 * 60_000) });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'failed');
    const error = t.latest().error!;
    expect(error.code).toBe('RDP_PASSWORD_NOT_READY');
    expect(error.message).toMatch(/started 4 minutes ago/);
    expect(error.hint).toMatch(/about 11 minutes/);
    expect(error.retryable).toBe(true);
    expect(t.latest().steps[0]).toMatchObject({ id: 'password', status: 'failed' });
    await t.until(() => t.tunnels.listeners[0]?.closed === true);
    expect(t.launcher.launched).toEqual([]);
  });

  it('explains an instance launched without a key pair, and connects without a password when asked', async () => {
    const t = setup();
    t.resolver.host = windowsHost({ keyName: undefined });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'failed');
    expect(t.latest().error).toMatchObject({ code: 'RDP_KEY_MISSING', message: 'This instance was launched without a key pair, so AWS holds no password for it.' });

    await t.service.launch({ ...INSTANCE, withoutPassword: true, username: 'ana' });
    await t.until(() => t.latest('s2')?.state === 'ready');
    expect(t.latest('s2').steps[0]).toMatchObject({ status: 'skipped' });
    expect(t.latest('s2').hasPassword).toBe(false);
    expect(t.launcher.launched[0]!.request).not.toHaveProperty('password');
    expect(t.launcher.launched[0]!.request.username).toBe('ana');
    expect(t.passwords.calls).toBe(0);
    await expect(t.service.copyPassword('s2')).rejects.toMatchObject({ code: 'RDP_PASSWORD_NOT_READY' });
  });

  it('keeps the tunnel open and says what to install when no client is found', async () => {
    const t = setup();
    t.launcher.client = undefined;
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready' && t.latest().error !== undefined);
    const session = t.latest();
    expect(session.error).toMatchObject({ code: 'RDP_CLIENT_MISSING', hint: 'Install FreeRDP.' });
    expect(session.local).toEqual({ address: '127.0.0.1', port: 50000 });
    expect(session.steps[2]).toMatchObject({ id: 'client', status: 'failed' });
    expect(session.idleClosesAt).toBeDefined();
    expect(await t.service.copyPassword('s1')).toEqual({ clearsAfterMs: 30_000 });
  });

  it('reports an auth-only check: signed in on exit 0', async () => {
    const t = setup();
    t.launcher.authOnly = true;
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    t.tunnels.listeners[0]!.connections(1);
    t.tunnels.listeners[0]!.connections(0);
    t.launcher.launched[0]!.exit({ code: 0, signal: null });
    await t.until(() => t.latest().client?.state === 'exited');
    expect(t.latest().client).toMatchObject({ authOnly: true, authenticated: true, exitCode: 0 });
    expect(t.latest().steps[3]).toMatchObject({ status: 'done', detail: 'Signed in (auth-only check, xfreerdp exit 0)' });
    expect(t.latest().error).toBeUndefined();
  });

  it('reports a refused sign-in from the client and keeps the tunnel for another try', async () => {
    const t = setup();
    t.launcher.authOnly = true;
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    const refused = new AppError('RDP_LAUNCH_FAILED', 'xfreerdp could not sign in (exit code 147).');
    t.launcher.launched[0]!.exit({ code: 147, signal: null, error: refused });
    await t.until(() => t.latest().client?.state === 'exited');
    expect(t.latest()).toMatchObject({ state: 'ready', client: { authenticated: false, exitCode: 147 }, error: { code: 'RDP_LAUNCH_FAILED' } });
    expect(t.latest().steps[3]!.status).toBe('failed');

    await t.service.openClient('s1');
    expect(t.launcher.launched).toHaveLength(2);
    expect(t.latest().error).toBeUndefined();
    expect(t.latest().steps[3]!.status).toBe('active');
  });

  it('explains a dropped client with the tunnel’s reason (security group, endpoint) rather than the client’s', async () => {
    const t = setup();
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    const listener = t.tunnels.listeners[0]!;
    listener.connections(1);
    listener.failure = new AppError('EIC_TUNNEL_TARGET_UNREACHABLE', 'The endpoint could not reach 10.0.1.12:3389.', { hint: 'Allow TCP 3389 from the endpoint in the instance’s security group.' });
    listener.connections(0);
    expect(t.latest().error).toMatchObject({ code: 'EIC_TUNNEL_TARGET_UNREACHABLE' });
    t.launcher.launched[0]!.exit({ code: 131, signal: null, error: new AppError('RDP_LAUNCH_FAILED', 'xfreerdp could not sign in: the connection failed (exit code 131).') });
    await t.until(() => t.latest().client?.state === 'exited');
    expect(t.latest().error).toMatchObject({ code: 'EIC_TUNNEL_TARGET_UNREACHABLE', hint: /3389/ });
    expect(t.latest().steps[3]).toMatchObject({ status: 'failed', detail: 'The endpoint could not reach 10.0.1.12:3389.' });

    // A later run of the client that fails on its own shows its own error.
    await t.service.openClient('s1');
    t.launcher.launched[1]!.exit({ code: 147, signal: null, error: new AppError('RDP_LAUNCH_FAILED', 'refused (exit code 147).') });
    await t.until(() => t.latest().error?.code === 'RDP_LAUNCH_FAILED');
  });

  it('reuses the open session when Launch RDP is pressed again, bringing the client back', async () => {
    const t = setup();
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    const again = await t.service.launch(INSTANCE);
    expect(again.sessionId).toBe('s1');
    expect(t.launcher.launched).toHaveLength(1);
    t.launcher.launched[0]!.exit({ code: 0, signal: null });
    await t.until(() => t.latest().client?.state === 'exited');
    await t.service.launch(INSTANCE);
    expect(t.launcher.launched).toHaveLength(2);
    expect(t.tunnels.listeners).toHaveLength(1);
  });

  it('stops: closes the tunnel and the client, and forgets the password', async () => {
    const t = setup();
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    const stopped = await t.service.stop('s1');
    expect(stopped).toMatchObject({ state: 'closed', closedReason: 'stopped', hasPassword: false });
    expect(t.tunnels.listeners[0]!.closed).toBe(true);
    expect(t.launcher.launched[0]!.disposed).toBe(true);
    await expect(t.service.copyPassword('s1')).rejects.toMatchObject({ code: 'RDP_PASSWORD_NOT_READY', message: /ended/ });
    await expect(t.service.openClient('s1')).rejects.toMatchObject({ code: 'EIC_TUNNEL_CLOSED' });
    await t.service.dismiss('s1');
    expect(t.service.list()).toEqual([]);
    expect(t.removed).toEqual(['s1']);
    await expect(t.service.stop('s1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stops while waiting for a key, and refuses a key afterwards', async () => {
    const t = setup({ storedKey: false });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'needsKey');
    await t.service.stop('s1');
    expect(t.latest()).toMatchObject({ state: 'closed' });
    expect(t.latest().keyPrompt).toBeUndefined();
    expect(() => t.service.provideKey({ sessionId: 's1', privateKey: t.key.pkcs1Pem, remember: false })).toThrow(/not waiting for a key/);
    expect(t.launcher.launched).toEqual([]);
  });

  it('closes when the tunnel is stopped from the Tunnels view or drops', async () => {
    const t = setup();
    await t.service.launch(INSTANCE);
    await t.service.launch({ hostId: 'h2' });
    await t.until(() => t.latest('s1').state === 'ready' && t.latest('s2')?.state === 'ready');
    t.tunnels.listeners[0]!.closeFromOutside('stopped');
    expect(t.latest('s1')).toMatchObject({ state: 'closed', closedReason: 'tunnelClosed' });
    expect(t.latest('s1').error).toBeUndefined();
    t.tunnels.listeners[1]!.closeFromOutside('error', new Error('socket hang up'));
    expect(t.latest('s2')).toMatchObject({ state: 'closed', error: { code: 'EIC_TUNNEL_CLOSED' } });
  });

  it('fails with the tunnel error, without waiting for a key', async () => {
    const t = setup({ storedKey: false });
    t.tunnels.failure = new AppError('EIC_NO_ENDPOINT', 'No EC2 Instance Connect Endpoint serves VPC vpc-1.', { hint: 'Create one.' });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'failed');
    expect(t.latest().error).toMatchObject({ code: 'EIC_NO_ENDPOINT', hint: 'Create one.' });
    expect(t.latest().keyPrompt).toBeUndefined();
  });

  it('refuses a stopped instance with a plain reason', async () => {
    const t = setup();
    t.resolver.host = windowsHost({ state: 'stopped' });
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'failed');
    expect(t.latest().error?.message).toBe('The instance is stopped, so Remote Desktop cannot reach it.');
    expect(t.tunnels.listeners).toEqual([]);
  });

  it('uses the saved host key file and user, and falls back to asking when the keychain is unavailable', async () => {
    const t = setup({ storedKey: false });
    t.keyFiles.files.set('/home/ana/keys/win.pem', t.key.pkcs1Pem);
    t.resolver.host = windowsHost({ hostId: 'h1', keyPair: { source: 'file', path: '/home/ana/keys/win.pem' }, username: 'ops' });
    await t.service.launch({ hostId: 'h1' });
    await t.until(() => t.latest().state === 'ready');
    expect(t.launcher.launched[0]!.request).toMatchObject({ username: 'ops', password: PASSWORD });
    expect(t.latest().hostId).toBe('h1');

    const u = setup({ storedKey: false });
    u.secrets.failing = new AppError('KEYCHAIN_UNAVAILABLE', 'No OS keychain is available.');
    await u.service.launch(INSTANCE);
    await u.until(() => u.latest().state === 'needsKey');
    expect(u.latest().notice).toMatch(/No OS keychain is available/);
    u.service.provideKey({ sessionId: 's1', privateKey: u.key.pkcs1Pem, remember: true });
    await u.until(() => u.latest().state === 'ready');
    expect(u.latest().notice).toMatch(/could not be remembered/);
  });

  it('reports a lookup failure and an unknown host', async () => {
    const t = setup();
    await t.service.launch({ hostId: 'gone' });
    await t.until(() => t.latest().state === 'failed');
    expect(t.latest().error?.code).toBe('NOT_FOUND');
  });

  it('reports which client it would use', async () => {
    const t = setup();
    expect(await t.service.clients()).toEqual({ platform: 'linux', client: { name: 'xfreerdp', path: '/usr/bin/xfreerdp', acceptsPassword: true }, installHint: 'Install FreeRDP.' });
    t.launcher.client = undefined;
    expect(await t.service.clients()).toEqual({ platform: 'linux', installHint: 'Install FreeRDP.' });
  });

  it('dispose closes every session and clears a copied password', async () => {
    const t = setup();
    await t.service.launch(INSTANCE);
    await t.until(() => t.latest().state === 'ready');
    await t.service.copyPassword('s1');
    await t.service.dispose();
    expect(t.latest()).toMatchObject({ state: 'closed', closedReason: 'shutdown' });
    expect(t.tunnels.listeners[0]!.closed).toBe(true);
    expect(t.launcher.disposed).toBe(true);
    expect(await t.desktop.readClipboard()).toBe('');
    await expect(t.service.launch(INSTANCE)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
