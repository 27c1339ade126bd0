/**
 * Terminal sessions against a real OpenSSH sshd (the sandbox's stand-in for an instance), with
 * plain TCP connections in place of EICE tunnels: the connect flow, EC2 Instance Connect keys,
 * key pairs with a passphrase, host keys, drops and reconnects, shared connections.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../preload/contract';
import { startSshd, type Sshd } from '../../sandbox/instances/sshd';
import { aTarget, deferred, ManualClock } from '../../support/sshFakes';
import { SessionRig } from './sessionRig';
import { ed25519KeyPair } from '../../support/sshKeys';

/** One sshd with ec2-instance-connect for the file; the key-pair tests start their own without it. */
let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd({ mode: 'eic', users: ['ec2-user'] });
});
afterAll(async () => {
  await sshd?.stop();
});

describe('sessions over a real sshd (ec2-instance-connect mode)', () => {
  let rig: SessionRig;
  afterEach(() => rig?.dispose());

  const newRig = (overrides: Partial<ConstructorParameters<typeof SessionRig>[0]> = {}): SessionRig =>
    (rig = new SessionRig({ target: aTarget(), port: sshd.port, deliverKey: (user, key) => sshd.pushKey(user, key), ...overrides }));

  it('double-click to shell: resolves, pushes a key and opens the tunnel, logs in, runs a command', async () => {
    newRig();
    const info = await rig.connect({ cols: 100, rows: 30 });
    expect(info.title).toBe('web-1');
    expect(info.steps.map((s) => [s.id, s.status])).toEqual([
      ['resolve', 'done'],
      ['tunnel', 'done'],
      ['key', 'done'],
      ['auth', 'done'],
      ['shell', 'done'],
    ]);
    for (const step of info.steps) expect(step.durationMs).toBeGreaterThanOrEqual(0);
    // Trusted on first use, and it is the server's real key.
    expect(info.hostKey).toMatchObject({ algorithm: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint, isNew: true });
    expect(await rig.knownHosts.get('i-0123456789abcdef0')).toMatchObject({ fingerprint: sshd.hostKeyFingerprint });
    // One fresh key pushed for the OS user, valid for the login only.
    expect(rig.keys.pushed).toHaveLength(1);
    expect(rig.keys.pushed[0]).toMatchObject({ osUser: 'ec2-user', instanceId: 'i-0123456789abcdef0' });
    expect(rig.keys.pushed[0]!.publicKey).toMatch(/^ssh-ed25519 AAAA/);

    const session = rig.manager.get(info.sessionId);
    session.write('echo $((6*7))\n');
    await rig.waitForOutput(info.sessionId, /[\r\n]42\r?\n/);
    session.write('stty size\n');
    await rig.waitForOutput(info.sessionId, '30 100');
  });

  it('sends window-change when the terminal is resized', async () => {
    newRig();
    const info = await rig.connect();
    const session = rig.manager.get(info.sessionId);
    session.resize(132, 43);
    session.write('stty size\n');
    await rig.waitForOutput(info.sessionId, '43 132');
  });

  it('pushes the key and opens the tunnel at the same time', async () => {
    newRig();
    const tunnelGate = deferred();
    const keyGate = deferred();
    rig.tunnels.gate = tunnelGate.promise;
    rig.keys.gate = keyGate.promise;
    const first = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    // Neither has finished, and both are running: they were started together.
    const both = await rig.waitForState(first.sessionId, (s) => s.steps.find((x) => x.id === 'tunnel')?.status === 'running' && s.steps.find((x) => x.id === 'key')?.status === 'running');
    expect(both.status).toBe('connecting');
    expect(rig.keys.pushed).toHaveLength(1);
    keyGate.resolve();
    await rig.waitForState(first.sessionId, (s) => s.steps.find((x) => x.id === 'key')?.status === 'done');
    tunnelGate.resolve();
    await rig.waitForState(first.sessionId, (s) => s.status === 'connected');
  });

  it('stops on the failed step with its message, and the other half is not left open', async () => {
    newRig();
    const tunnelGate = deferred();
    rig.tunnels.gate = tunnelGate.promise;
    rig.keys.error = new AppError('AWS_ACCESS_DENIED', 'Your IAM identity may not use SendSSHPublicKey on i-0123456789abcdef0.', { hint: 'Allow ec2-instance-connect:SendSSHPublicKey.' });
    const first = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    const failed = await rig.waitForState(first.sessionId, (s) => s.status === 'failed');
    expect(failed.failedStep).toBe('key');
    expect(failed.error).toMatchObject({ code: 'AWS_ACCESS_DENIED', hint: 'Allow ec2-instance-connect:SendSSHPublicKey.' });
    expect(Object.fromEntries(failed.steps.map((s) => [s.id, s.status]))).toEqual({ resolve: 'done', tunnel: 'skipped', key: 'failed', auth: 'skipped', shell: 'skipped' });
    tunnelGate.resolve();
    // The tunnel that was still opening was told to stop (its signal aborted), so it never opened.
    await new Promise((r) => setImmediate(r));
    expect(rig.tunnels.opened).toHaveLength(0);
  });

  it('refuses with SSH_AUTH_FAILED and a hint when the instance does not take the pushed key', async () => {
    newRig({ deliverKey: () => undefined });
    const first = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    const failed = await rig.waitForState(first.sessionId, (s) => s.status === 'failed');
    expect(failed.failedStep).toBe('auth');
    expect(failed.error?.code).toBe('SSH_AUTH_FAILED');
    expect(failed.error?.message).toBe('web-1 refused the key Bastionless pushed for "ec2-user".');
    expect(failed.error?.hint).toContain('ec2-instance-connect package');
    // The tunnel of the failed attempt was closed.
    const socket = rig.tunnels.opened[0]!.stream;
    await new Promise<void>((r) => (socket.destroyed ? r() : socket.once('close', () => r())));
  });

  it('says "exited" with the status when the shell exits, and closes the tunnel', async () => {
    newRig();
    const info = await rig.connect();
    rig.manager.get(info.sessionId).write('exit 3\n');
    const dropped = await rig.waitForState(info.sessionId, (s) => s.status === 'disconnected');
    expect(dropped.drop).toMatchObject({ reason: 'exited', exitCode: 3 });
    expect(dropped.error).toBeUndefined();
    const socket = rig.tunnels.opened[0]!.stream;
    await new Promise<void>((r) => (socket.destroyed ? r() : socket.once('close', () => r())));
  });

  it('says the connection was lost when the tunnel drops, and Reconnect runs the whole flow again', async () => {
    newRig();
    const info = await rig.connect();
    const tunnel = rig.tunnels.opened[0]!;
    tunnel.closeErrorValue = new AppError('EIC_TUNNEL_CLOSED', 'The endpoint closed the tunnel to 10.0.1.5:22.', { hint: 'Reconnect.', retryable: true });
    tunnel.stream.destroy();
    const dropped = await rig.waitForState(info.sessionId, (s) => s.status === 'disconnected');
    expect(dropped.drop?.reason).toBe('connection-lost');
    expect(dropped.error).toMatchObject({ code: 'EIC_TUNNEL_CLOSED', message: 'The endpoint closed the tunnel to 10.0.1.5:22.' });
    // The tab says it; no toast covers the bar that offers Reconnect.
    expect(rig.notices).toEqual([]);

    const since = rig.states.length;
    rig.manager.reconnect(info.sessionId);
    const again = await rig.waitForState(info.sessionId, (s) => s.status === 'connected', since);
    expect(again.connections).toBe(2);
    // A new key and a new tunnel, as the first time.
    expect(rig.keys.pushed).toHaveLength(2);
    expect(rig.keys.pushed[1]!.publicKey).not.toBe(rig.keys.pushed[0]!.publicKey);
    expect(rig.tunnels.opened).toHaveLength(2);
    rig.manager.get(info.sessionId).write('echo back-$((1+1))\n');
    await rig.waitForOutput(info.sessionId, 'back-2');
  });

  it('says the host closed the connection when sshd ends it (as in a reboot)', async () => {
    newRig();
    const info = await rig.connect();
    // Kill this login's sshd process: the server side goes away without an exit status.
    rig.manager.get(info.sessionId).write('kill -9 $PPID\n');
    const dropped = await rig.waitForState(info.sessionId, (s) => s.status === 'disconnected');
    expect(dropped.drop?.reason).toBe('host-closed');
    expect(dropped.error?.message).toBe('web-1 closed the connection.');
  });

  it('shares one connection between tabs, and closing the last tab closes the tunnel', async () => {
    newRig();
    const a = await rig.connect();
    const b = rig.manager.open({ sameConnectionAs: a.sessionId });
    const bConnected = await rig.waitForState(b.sessionId, (s) => s.status === 'connected');
    expect(bConnected.steps.find((s) => s.id === 'tunnel')).toMatchObject({ status: 'skipped', detail: "Shares web-1's connection" });
    expect(rig.tunnels.opened).toHaveLength(1);
    expect(rig.keys.pushed).toHaveLength(1);

    rig.manager.get(a.sessionId).write('echo from-a\n');
    rig.manager.get(b.sessionId).write('echo from-b\n');
    await rig.waitForOutput(a.sessionId, /[\r\n]from-a/);
    await rig.waitForOutput(b.sessionId, /[\r\n]from-b/);
    expect(rig.text(a.sessionId)).not.toContain('from-b');

    const socket = rig.tunnels.opened[0]!.stream;
    rig.manager.close(a.sessionId);
    rig.manager.get(b.sessionId).write('echo still-here\n');
    await rig.waitForOutput(b.sessionId, /[\r\n]still-here/);
    expect(socket.destroyed).toBe(false);
    rig.manager.close(b.sessionId);
    await new Promise<void>((r) => (socket.destroyed ? r() : socket.once('close', () => r())));
    expect(rig.manager.list()).toEqual([]);
  });

  it('keeps the output held in main bounded while a slow renderer acknowledges late', async () => {
    const highWater = 256 * 1024;
    newRig({ shell: { highWater, lowWater: 64 * 1024 }, autoAck: false });
    const info = await rig.connect();
    const session = rig.manager.get(info.sessionId);
    const total = 16 * 1024 * 1024;
    let received = 0;
    let outstanding = 0;
    let peakHeld = 0;
    let ackScheduled = false;
    let tail = '';
    const done = deferred();
    rig.onData((id, chunk) => {
      if (id !== info.sessionId) return;
      received += chunk.byteLength;
      outstanding += chunk.byteLength;
      // The marker may sit anywhere in the last chunk, or across two.
      tail = (tail + Buffer.from(chunk.subarray(Math.max(0, chunk.byteLength - 1024))).toString('latin1')).slice(-1024);
      const stats = session.shellStats()!;
      peakHeld = Math.max(peakHeld, stats.buffered + stats.unacked);
      // A renderer that only catches up once main has stopped sending, and then late.
      if (stats.paused && !ackScheduled) {
        ackScheduled = true;
        setTimeout(() => {
          ackScheduled = false;
          session.ack(outstanding);
          outstanding = 0;
        }, 20);
      }
      if (tail.includes('END-42')) done.resolve();
    });
    session.write(`head -c ${total} /dev/zero | tr '\\0' x; echo; echo END-$((40+2))\n`);
    await done.promise;
    const stats = session.shellStats()!;
    expect(received).toBeGreaterThan(total);
    expect(stats.pauses).toBeGreaterThan(0);
    // Unacknowledged output stops at the high-water mark (plus the frame in hand) ...
    expect(stats.peakUnacked).toBeLessThanOrEqual(highWater + 64 * 1024);
    // ... and what main holds on top is what the server may still send once paused: ssh2 keeps
    // granting window until its 2 MiB channel buffer is full, so at most two SSH windows.
    expect(peakHeld).toBeLessThanOrEqual(highWater + 4 * 1024 * 1024 + 2 * 64 * 1024);
    expect(stats.frames).toBeLessThan(received / 1024);
  });

  it('stops a connect attempt when its tab is closed, leaving nothing open', async () => {
    newRig();
    const gate = deferred();
    rig.tunnels.gate = gate.promise;
    const first = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    await rig.waitForState(first.sessionId, (s) => s.steps.find((x) => x.id === 'tunnel')?.status === 'running');
    rig.manager.close(first.sessionId);
    expect(rig.states.at(-1)).toMatchObject({ sessionId: first.sessionId, status: 'closed' });
    gate.resolve();
    await new Promise((r) => setTimeout(r, 50));
    expect(rig.tunnels.opened).toHaveLength(0);
    expect(() => rig.manager.get(first.sessionId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('warns five minutes before the time limit, then says the session expired', async () => {
    const clock = new ManualClock(Date.now());
    newRig({ clock });
    rig.tunnels.lifetimeMs = 6 * 60_000;
    const info = await rig.connect();
    expect(info.expiresAt).toBe(new Date(clock.now() + 6 * 60_000).toISOString());
    expect(info.expiresSoon).toBe(false);
    clock.advance(61_000);
    const warned = await rig.waitForState(info.sessionId, (s) => s.expiresSoon);
    expect(warned.status).toBe('connected');
    expect(rig.notices.at(-1)).toMatchObject({ level: 'warning', message: 'web-1: the endpoint ends this session in 5 minutes (its time limit).' });

    clock.advance(5 * 60_000);
    const tunnel = rig.tunnels.opened[0]!;
    tunnel.closeErrorValue = new AppError('EIC_TUNNEL_EXPIRED', 'The tunnel reached its maximum duration.');
    tunnel.stream.destroy();
    const dropped = await rig.waitForState(info.sessionId, (s) => s.status === 'disconnected');
    expect(dropped.drop?.reason).toBe('expired');
    // The endpoint's own words, which say how long the tunnel lasted.
    expect(dropped.error).toMatchObject({ code: 'EIC_TUNNEL_EXPIRED', message: 'The tunnel reached its maximum duration.' });
  });

  it('reconnects by itself with auto-reconnect on, and stops at once when login fails', async () => {
    const clock = new ManualClock(Date.now());
    let deliver = true;
    newRig({ clock, target: aTarget({ autoReconnect: true }), deliverKey: (u, k) => deliver && sshd.pushKey(u, k) });
    const info = await rig.connect();
    rig.tunnels.opened[0]!.closeErrorValue = new AppError('EIC_TUNNEL_CLOSED', 'The endpoint closed the tunnel.', { retryable: true });
    rig.tunnels.opened[0]!.stream.destroy();
    const dropped = await rig.waitForState(info.sessionId, (s) => s.status === 'disconnected');
    expect(dropped.autoReconnect).toEqual({ enabled: true, attempt: 1, nextAttemptAt: new Date(clock.now() + 1000).toISOString() });
    // No notice: the tab will handle it by itself.
    expect(rig.notices).toEqual([]);

    let since = rig.states.length;
    clock.advance(1000);
    const back = await rig.waitForState(info.sessionId, (s) => s.status === 'connected', since);
    expect(back.connections).toBe(2);
    expect(rig.keys.pushed).toHaveLength(2);

    // The next drop finds the instance refusing the key: auto-reconnect gives up instead of looping.
    deliver = false;
    since = rig.states.length;
    rig.tunnels.opened[1]!.stream.destroy();
    await rig.waitForState(info.sessionId, (s) => s.status === 'disconnected', since);
    clock.advance(2000);
    const failed = await rig.waitForState(info.sessionId, (s) => s.status === 'failed', since);
    expect(failed.error?.code).toBe('SSH_AUTH_FAILED');
    expect(failed.autoReconnect.gaveUp).toContain('Not reconnecting by itself');
    expect(clock.pending).toBe(0);
  });

  it('pastes the clipboard through main, bracketed when the shell asks, and refuses a huge clipboard', async () => {
    newRig();
    const info = await rig.connect();
    // bash turns bracketed paste on: a pasted newline does not run the line by itself.
    await rig.desktop.writeClipboard('echo pasted-$((1+2))\nrm -rf /nothing');
    const bytes = await rig.manager.paste(info.sessionId, true);
    expect(bytes).toBe(Buffer.byteLength('\x1b[200~echo pasted-$((1+2))\rrm -rf /nothing\x1b[201~'));
    rig.manager.get(info.sessionId).write('\x15');
    await rig.desktop.writeClipboard('echo pasted-$((1+2))');
    await rig.manager.paste(info.sessionId, true);
    rig.manager.get(info.sessionId).write('\r');
    await rig.waitForOutput(info.sessionId, /[\r\n]pasted-3\r?\n/);
    await rig.desktop.writeClipboard('x'.repeat(5 * 1024 * 1024));
    await expect(rig.manager.paste(info.sessionId, false)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('answers sessions.list with every open session (for a reloaded window)', async () => {
    newRig();
    const a = await rig.connect();
    const b = await rig.connect();
    expect(rig.manager.list().map((s) => [s.sessionId, s.status])).toEqual([
      [a.sessionId, 'connected'],
      [b.sessionId, 'connected'],
    ]);
  });
});

describe('sessions over a real sshd (key pair, no ec2-instance-connect)', () => {
  let sshd: Sshd;
  let rig: SessionRig;
  const pair = ed25519KeyPair({ passphrase: 'open sesame', cipher: 'aes256-ctr', rounds: 4, comment: 'test key pair' });

  beforeAll(async () => {
    sshd = await startSshd({ mode: 'keyfile', users: ['ec2-user'], authorizedKeys: { 'ec2-user': [pair.public] } });
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  afterEach(() => rig?.dispose());

  it('asks for the passphrase in the tab (again after a wrong one) and logs in with the key pair', async () => {
    rig = new SessionRig({ target: aTarget({ auth: { method: 'keyPair', key: { source: 'file', path: '/keys/prod.pem' } } }), port: sshd.port });
    rig.secrets.keys.set('/keys/prod.pem', pair.private);
    const first = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    const asked = await rig.waitForState(first.sessionId, (s) => s.prompt !== undefined);
    expect(asked.prompt).toMatchObject({ kind: 'passphrase', title: 'Passphrase for /keys/prod.pem', fields: [{ label: 'Passphrase', echo: false }] });
    expect(asked.steps.find((s) => s.id === 'key')).toMatchObject({ label: 'Loading key', status: 'running' });
    // The tunnel waits for the key: a prompt never holds an idle tunnel.
    expect(rig.tunnels.opened).toHaveLength(0);

    rig.manager.get(first.sessionId).answerPrompt(asked.prompt!.promptId, ['wrong']);
    const again = await rig.waitForState(first.sessionId, (s) => s.prompt?.retryMessage !== undefined);
    rig.manager.get(first.sessionId).answerPrompt(again.prompt!.promptId, ['open sesame']);
    const connected = await rig.waitForState(first.sessionId, (s) => s.status === 'connected');
    expect(connected.prompt).toBeUndefined();
    expect(connected.target.authMethod).toBe('keyPair');
    expect(rig.keys.pushed).toHaveLength(0);

    // A reconnect in the same tab does not ask again: the unlocked key stays with the session.
    const since = rig.states.length;
    rig.manager.reconnect(first.sessionId);
    const reconnected = await rig.waitForState(first.sessionId, (s) => s.status === 'connected' || s.prompt !== undefined, since);
    expect(reconnected.status).toBe('connected');
  });

  it('stops with CANCELLED when the person cancels the passphrase', async () => {
    rig = new SessionRig({ target: aTarget({ auth: { method: 'keyPair', key: { source: 'file', path: '/keys/prod.pem' } } }), port: sshd.port });
    rig.secrets.keys.set('/keys/prod.pem', pair.private);
    const first = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    const asked = await rig.waitForState(first.sessionId, (s) => s.prompt !== undefined);
    rig.manager.get(first.sessionId).answerPrompt(asked.prompt!.promptId, null);
    const failed = await rig.waitForState(first.sessionId, (s) => s.status === 'failed');
    expect(failed).toMatchObject({ failedStep: 'key', error: { code: 'CANCELLED' } });
  });

  it('explains SSH_AUTH_FAILED for an EC2 Instance Connect key on an instance without the package', async () => {
    rig = new SessionRig({ target: aTarget(), port: sshd.port, deliverKey: (u, k) => sshd.pushKey(u, k) });
    const first = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    const failed = await rig.waitForState(first.sessionId, (s) => s.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'SSH_AUTH_FAILED' });
    expect(failed.error?.hint).toContain("connect with the instance's key pair instead");
  });
});

describe('host keys against a real sshd', () => {
  let rig: SessionRig;
  afterEach(() => rig?.dispose());

  it('refuses a changed host key with both fingerprints, keeps refusing when rejected, and connects once accepted', async () => {
    rig = new SessionRig({ target: aTarget(), port: sshd.port, deliverKey: (u, k) => sshd.pushKey(u, k) });
    const first = await rig.connect();
    const oldFingerprint = sshd.hostKeyFingerprint;
    rig.manager.close(first.sessionId);

    await sshd.regenerateHostKey();
    expect(sshd.hostKeyFingerprint).not.toBe(oldFingerprint);
    const second = rig.manager.open({ instanceId: 'i-0123456789abcdef0', profileId: 'default', region: 'us-east-1' });
    const refused = await rig.waitForState(second.sessionId, (s) => s.status === 'failed');
    expect(refused.failedStep).toBe('auth');
    expect(refused.error?.code).toBe('SSH_HOST_KEY_CHANGED');
    expect(refused.hostKeyChange).toMatchObject({
      instanceId: 'i-0123456789abcdef0',
      knownFingerprint: oldFingerprint,
      presentedFingerprint: sshd.hostKeyFingerprint,
      presentedAlgorithm: 'ssh-ed25519',
    });
    // Nothing was typed into a connection we did not trust, and the old key is still the one kept.
    expect(await rig.knownHosts.get('i-0123456789abcdef0')).toMatchObject({ fingerprint: oldFingerprint });

    const session = rig.manager.get(second.sessionId);
    await expect(session.decideHostKey('SHA256:not-the-presented-one', true)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await session.decideHostKey(sshd.hostKeyFingerprint, false);
    expect(session.info()).toMatchObject({ status: 'failed', error: { code: 'SSH_HOST_KEY_CHANGED' } });
    expect(session.info().hostKeyChange).toBeUndefined();

    // Retry shows the change again; this time the person accepts.
    const since = rig.states.length;
    session.reconnect();
    const again = await rig.waitForState(second.sessionId, (s) => s.status === 'failed', since);
    await session.decideHostKey(again.hostKeyChange!.presentedFingerprint, true);
    const connected = await rig.waitForState(second.sessionId, (s) => s.status === 'connected', since);
    expect(connected.hostKey).toMatchObject({ fingerprint: sshd.hostKeyFingerprint, isNew: false });
    expect(await rig.knownHosts.get('i-0123456789abcdef0')).toMatchObject({ fingerprint: sshd.hostKeyFingerprint });
  });
});
