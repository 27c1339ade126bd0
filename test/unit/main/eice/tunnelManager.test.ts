import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionBudget } from '../../../../main/eice/connectionBudget';
import { TunnelManager, type DurationCapLearned, type ListenerOptions, type TunnelOpenOptions } from '../../../../main/eice/tunnelManager';
import { AppError } from '../../../../preload/contract/errors';
import { appErrorOf } from '../../../support/appErrorOf';
import { aTarget, echo, FakeEice, testCredentials, wireFrames } from '../../../support/fakeEice';
import { waitFor } from '../../../support/waitFor';

const fakes: FakeEice[] = [];
const managers: TunnelManager[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(managers.splice(0).map((m) => m.dispose()));
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function setup(limitPerEndpoint?: number, onDurationCap?: (learned: DurationCapLearned) => void): Promise<{ fake: FakeEice; manager: TunnelManager }> {
  const fake = await FakeEice.start();
  fakes.push(fake);
  const manager = new TunnelManager({
    ...(limitPerEndpoint ? { limitPerEndpoint } : {}),
    ...(onDurationCap ? { onDurationCap } : {}),
    webSocketFactory: fake.webSocketFactory(),
  });
  managers.push(manager);
  return { fake, manager };
}

const opts: TunnelOpenOptions = { credentials: testCredentials, env: {} };

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

/** Writes `payload`, reads the same number of bytes back, then half-closes. */
function echoThrough(socket: Socket, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got === payload.length) resolve(Buffer.concat(chunks));
    });
    socket.write(payload);
  });
}

const closedSocket = (s: Socket): Promise<void> => (s.closed ? Promise.resolve() : new Promise((r) => s.once('close', () => r())));

describe('ConnectionBudget', () => {
  it('refuses the 21st connection, naming what uses the 20', () => {
    const budget = new ConnectionBudget();
    const slots = [];
    for (let i = 0; i < 14; i++) slots.push(budget.acquire('eice-0abc', { kind: 'ssh', label: `web-${i % 6}` }));
    slots.push(budget.acquire('eice-0abc', { kind: 'rdp', label: 'win-1' }));
    for (let i = 0; i < 5; i++) slots.push(budget.acquire('eice-0abc', { kind: 'forward', label: 'postgres' }));
    const error = (() => {
      try {
        budget.acquire('eice-0abc', { kind: 'ssh', label: 'web-9' });
      } catch (e) {
        return e as AppError;
      }
      throw new Error('not refused');
    })();
    expect(error.code).toBe('EIC_CONNECTION_LIMIT');
    expect(error.message).toBe('eice-0abc is using 20 of 20 connections: 14 SSH tabs (web-0, web-1, web-2, web-3, …), 1 RDP connection (win-1), 5 port-forward connections (postgres).');
    // Another endpoint has its own 20; a released slot frees one.
    expect(() => budget.acquire('eice-0def', { kind: 'ssh', label: 'x' })).not.toThrow();
    slots[0]!.release();
    slots[0]!.release();
    expect(budget.used('eice-0abc')).toBe(19);
    expect(() => budget.acquire('eice-0abc', { kind: 'ssh', label: 'web-9' })).not.toThrow();
  });
});

describe('TunnelManager', () => {
  it('refuses the 21st stream before opening it, and opens again once one closes', async () => {
    const { fake, manager } = await setup();
    const streams = [];
    for (let i = 0; i < 20; i++) streams.push(await manager.openStream(aTarget(), { kind: 'ssh', label: `web-${i}` }, opts));
    expect(manager.connectionsInUse('eice-0123456789abcdef0')).toBe(20);
    const upgrades = fake.seen.length;
    const error = await appErrorOf(manager.openStream(aTarget(), { kind: 'ssh', label: 'one-too-many' }, opts));
    expect(error.code).toBe('EIC_CONNECTION_LIMIT');
    expect(error.message).toContain('20 of 20');
    expect(fake.seen.length).toBe(upgrades);
    await manager.stop(streams[0]!.id);
    await waitFor(() => manager.connectionsInUse('eice-0123456789abcdef0') === 19);
    await manager.openStream(aTarget(), { kind: 'ssh', label: 'now-fits' }, opts);
  });

  it('releases the slot of a tunnel that failed to open', async () => {
    const { fake, manager } = await setup();
    fake.answer = () => ({ refuse: { status: 403, body: '{"ErrorCode":"AccessDenied","Message":"no"}' } });
    expect((await appErrorOf(manager.openStream(aTarget(), { kind: 'ssh', label: 'a' }, opts))).code).toBe('EIC_TUNNEL_ACCESS_DENIED');
    expect(manager.connectionsInUse('eice-0123456789abcdef0')).toBe(0);
  });

  it('lists streams and listeners with their counters, and tells subscribers about changes', async () => {
    const { manager } = await setup();
    let changes = 0;
    const off = manager.onChange(() => changes++);
    const stream = await manager.openStream(aTarget(), { kind: 'ssh', label: 'web-1', hostId: 'h1' }, opts);
    const listener = await manager.startListener(aTarget({ remotePort: 3389 }), { kind: 'rdp', label: 'win-1' }, opts);
    const echoed = echoThrough(await dial(listener.port), Buffer.from('hello rdp'));
    expect((await echoed).toString()).toBe('hello rdp');
    stream.write('abc');
    await new Promise<void>((r) => stream.once('data', () => r()));
    const rows = manager.list();
    expect(rows).toHaveLength(2);
    const s = rows.find((r) => r.local === undefined)!;
    expect(s).toMatchObject({
      tunnelId: stream.id,
      kind: 'ssh',
      label: 'web-1',
      hostId: 'h1',
      endpoint: { endpointId: 'eice-0123456789abcdef0' },
      target: { privateIp: '10.0.1.23', port: 22 },
      bytesToInstance: 3,
      bytesFromInstance: 3,
      connections: { active: 1, total: 1 },
    });
    expect(Date.parse(s.expiresAt!) - Date.parse(s.openedAt)).toBe(3600_000);
    const l = rows.find((r) => r.local !== undefined)!;
    expect(l).toMatchObject({
      tunnelId: listener.id,
      kind: 'rdp',
      label: 'win-1',
      target: { privateIp: '10.0.1.23', port: 3389 },
      local: { address: '127.0.0.1', port: listener.port },
      bytesToInstance: 9,
      bytesFromInstance: 9,
      connections: { active: 1, total: 1, max: 10 },
    });
    expect(l.expiresAt).toBeDefined();
    expect(changes).toBeGreaterThan(2);
    off();
    await manager.stop(listener.id);
    await manager.stop(stream.id);
    expect(manager.list()).toEqual([]);
    // Stopping what is already gone is not an error: the list may be a second old.
    await manager.stop(stream.id);
    await manager.stop('tun-nope');
  });

  it('carries data through a listener byte-exact, one tunnel per accepted connection', async () => {
    const { fake, manager } = await setup();
    const listener = await manager.startListener(aTarget(), { kind: 'forward', label: 'pg' }, opts);
    const payloads = [randomBytes(2_000_000), randomBytes(777_777), randomBytes(1)];
    const results = await Promise.all(payloads.map(async (p) => echoThrough(await dial(listener.port), p)));
    for (let i = 0; i < payloads.length; i++) {
      expect(createHash('sha256').update(results[i]!).digest('hex')).toBe(createHash('sha256').update(payloads[i]!).digest('hex'));
    }
    expect(fake.seen).toHaveLength(3);
    expect(listener.totalConnections).toBe(3);
    expect(listener.bytesOut).toBe(2_000_000 + 777_777 + 1);
  });

  it('shares the endpoint budget between streams and listener connections', async () => {
    const { manager } = await setup(3);
    await manager.openStream(aTarget(), { kind: 'ssh', label: 'web-1' }, opts);
    await manager.openStream(aTarget(), { kind: 'ssh', label: 'web-2' }, opts);
    const listener = await manager.startListener(aTarget({ remotePort: 3389 }), { kind: 'rdp', label: 'win-1' }, opts);
    const first = await dial(listener.port);
    expect((await echoThrough(first, Buffer.from('x'))).toString()).toBe('x');
    const second = await dial(listener.port);
    await closedSocket(second);
    expect(listener.refusedConnections).toBe(1);
    expect(listener.lastError?.code).toBe('EIC_CONNECTION_LIMIT');
    expect(listener.lastError?.message).toContain('2 SSH tabs (web-1, web-2), 1 RDP connection (win-1)');
    expect((await appErrorOf(manager.openStream(aTarget(), { kind: 'ssh', label: 'web-3' }, opts))).code).toBe('EIC_CONNECTION_LIMIT');
  });

  it('caps a listener at its own limit and never above 20', async () => {
    const { manager } = await setup();
    const listener = await manager.startListener(aTarget(), { kind: 'forward', label: 'f' }, { ...opts, maxConnections: 1 });
    const first = await dial(listener.port);
    await echoThrough(first, Buffer.from('1'));
    const second = await dial(listener.port);
    await closedSocket(second);
    expect(listener.lastError?.message).toContain('limit');
    expect((await appErrorOf(manager.startListener(aTarget(), { kind: 'forward', label: 'f' }, { ...opts, maxConnections: 21 }))).code).toBe('INVALID_INPUT');
  });

  it('closes the local connection and records why when the tunnel is refused', async () => {
    const { fake, manager } = await setup();
    fake.answer = () => ({ refuse: { status: 400, body: '{"ErrorCode":"InvalidParameter","Message":"The specified RemotePort is not valid. Specify either 22 or 3389 and try again."}' } });
    const listener = await manager.startListener(aTarget({ remotePort: 5432 }), { kind: 'forward', label: 'pg' }, opts);
    const socket = await dial(listener.port);
    await closedSocket(socket);
    await waitFor(() => listener.activeConnections === 0);
    expect(listener.lastError?.code).toBe('EIC_PORT_NOT_ALLOWED');
    expect(manager.connectionsInUse('eice-0123456789abcdef0')).toBe(0);
    expect(manager.listener(listener.id)?.lastError?.message).toContain('Specify either 22 or 3389');
  });

  it('a listener with an idle timeout stops itself when nothing uses it', async () => {
    const { manager } = await setup();
    const listener = await manager.startListener(aTarget(), { kind: 'rdp', label: 'win' }, { ...opts, idleTimeoutMs: 50 });
    const socket = await dial(listener.port);
    await echoThrough(socket, Buffer.from('still here'));
    expect(listener.state).toBe('listening');
    socket.end();
    await waitFor(() => listener.state === 'stopped');
    expect(manager.list()).toEqual([]);
  });

  it('runs a connection\'s preparation in parallel with its tunnel, and closes both when it fails', async () => {
    const { fake, manager } = await setup();
    let prepared = 0;
    let fail = false;
    const listener = await manager.startListener(aTarget(), { kind: 'forward', label: 'ssh' }, {
      ...opts,
      prepare: async () => {
        prepared++;
        if (fail) throw new AppError('EIC_KEY_PUSH_FAILED', 'Could not push the key.', { hint: 'Check the OS user.' });
      },
    });
    expect((await echoThrough(await dial(listener.port), Buffer.from('ok'))).toString()).toBe('ok');
    fail = true;
    const refused = await dial(listener.port);
    await closedSocket(refused);
    await waitFor(() => listener.activeConnections === 1 && fake.wss().clients.size === 1);
    expect(prepared).toBe(2);
    expect(listener.lastError?.code).toBe('EIC_KEY_PUSH_FAILED');
    expect(manager.connectionsInUse('eice-0123456789abcdef0')).toBe(1);
  });

  it('reports connection counts and its end to the listener\'s subscribers', async () => {
    const { manager } = await setup();
    const listener = await manager.startListener(aTarget(), { kind: 'rdp', label: 'win' }, { ...opts, idleTimeoutMs: 60_000 });
    expect(listener.idleClosesAt).toBeDefined();
    const counts: number[] = [];
    const ends: string[] = [];
    listener.onConnectionsChanged((n) => counts.push(n));
    listener.onClosed((reason) => ends.push(reason));
    const socket = await dial(listener.port);
    await echoThrough(socket, Buffer.from('x'));
    expect(listener.idleClosesAt).toBeUndefined();
    socket.end();
    await waitFor(() => counts.at(-1) === 0);
    expect(counts).toEqual([1, 0]);
    await manager.stop(listener.id);
    await manager.stop(listener.id);
    expect(ends).toEqual(['stopped']);
  });

  it('tells subscribers when bytes move, not only when tunnels open and close', async () => {
    const { manager } = await setup();
    const stream = await manager.openStream(aTarget(), { kind: 'ssh', label: 'web' }, opts);
    let changes = 0;
    manager.onChange(() => changes++);
    stream.write('ping');
    await waitFor(() => changes > 0);
    expect(manager.list()[0]!.bytesToInstance).toBe(4);
  });

  it('refuses a taken local port clearly', async () => {
    const { manager } = await setup();
    const first = await manager.startListener(aTarget(), { kind: 'forward', label: 'a' }, opts);
    const error = await appErrorOf(manager.startListener(aTarget(), { kind: 'forward', label: 'b' }, { ...opts, port: first.port }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(`${first.port} is already in use`);
  });

  it('dispose() closes everything and refuses new tunnels', async () => {
    const { fake, manager } = await setup();
    const stream = await manager.openStream(aTarget(), { kind: 'ssh', label: 'a' }, opts);
    const listener = await manager.startListener(aTarget(), { kind: 'forward', label: 'b' }, opts);
    const socket = await dial(listener.port);
    await echoThrough(socket, Buffer.from('x'));
    await manager.dispose();
    expect(stream.state).toBe('closed');
    expect(listener.state).toBe('stopped');
    await closedSocket(socket);
    expect(fake.sockets.size).toBe(0);
    expect((await appErrorOf(manager.openStream(aTarget(), { kind: 'ssh', label: 'c' }, opts))).code).toBe('CANCELLED');
  });
});

describe('TunnelManager and masking keys', () => {
  it('passes the zero masking key to a stream that asks for it, and never to a listener\'s tunnels (any local program writes to those)', async () => {
    const { fake, manager } = await setup();
    const stream = await manager.openStream(aTarget(), { kind: 'ssh', label: 'web-1' }, { ...opts, zeroMask: true });
    stream.write('ssh transport bytes');
    await new Promise<void>((r) => stream.once('data', () => r()));
    // A caller that slips zeroMask past the type still gets random keys on a listener.
    const listener = await manager.startListener(aTarget(), { kind: 'forward', label: 'pg' }, { ...opts, zeroMask: true } as ListenerOptions);
    expect((await echoThrough(await dial(listener.port), Buffer.from('any local program'))).toString()).toBe('any local program');
    const [streamFrames, listenerFrames] = fake.seen.map((seen) => wireFrames(seen.raw).filter((f) => f.opcode === 2));
    expect(streamFrames).toEqual([expect.objectContaining({ masked: true, maskKey: '00000000' })]);
    expect(listenerFrames).toEqual([expect.objectContaining({ masked: true, maskKey: expect.not.stringMatching(/^00000000$/) })]);
  });
});

describe('TunnelManager under an IAM cap on tunnel duration', () => {
  /** Refuses, as IAM does, any tunnel that asks for more than `cap` seconds. */
  const capAt = (fake: FakeEice, cap: number): void => {
    fake.answer = (seen) => {
      const asked = Number(seen.url.searchParams.get('maxTunnelDuration'));
      return asked > cap
        ? { refuse: { status: 403, body: JSON.stringify({ ErrorCode: 'AccessDenied', Message: `not authorized: the request's ec2-instance-connect:maxTunnelDuration (${asked}) is not at most ${cap}` }) } }
        : { accept: echo };
    };
  };
  const asked = (fake: FakeEice): number[] => fake.seen.map((s) => Number(s.url.searchParams.get('maxTunnelDuration')));

  it('opens a stream at the longest allowed duration, expires it then, reports the cap, and asks for the cap straight away next time', async () => {
    const learned: DurationCapLearned[] = [];
    const { fake, manager } = await setup(undefined, (l) => learned.push(l));
    capAt(fake, 900);
    const stream = await manager.openStream(aTarget(), { kind: 'ssh', label: 'web-1' }, { ...opts, principal: 'config:dev' });
    expect(asked(fake)).toEqual([3600, 1800, 900]);
    expect(stream.expiresAt.getTime() - stream.openedAt.getTime()).toBe(900_000);
    const [row] = manager.list();
    expect(row).toMatchObject({ durationCapSeconds: 900 });
    expect(Date.parse(row!.expiresAt!) - Date.parse(row!.openedAt)).toBe(900_000);
    expect(learned).toEqual([{ principal: 'config:dev', endpointId: 'eice-0123456789abcdef0', seconds: 900, askedSeconds: 3600 }]);
    // Refused attempts gave their slots back: only the open stream holds one.
    expect(manager.connectionsInUse('eice-0123456789abcdef0')).toBe(1);
    await manager.openStream(aTarget(), { kind: 'ssh', label: 'web-2' }, { ...opts, principal: 'config:dev' });
    expect(asked(fake)).toEqual([3600, 1800, 900, 900]);
    expect(learned).toHaveLength(1);
    // Another profile is another principal: its own policy decides.
    await manager.openStream(aTarget(), { kind: 'ssh', label: 'web-3' }, { ...opts, principal: 'config:prod' });
    expect(asked(fake).slice(4)).toEqual([3600, 1800, 900]);
  });

  it('gives a listener\'s connections the cap too, and shows it on the listener\'s row', async () => {
    const { fake, manager } = await setup();
    capAt(fake, 300);
    const listener = await manager.startListener(aTarget({ remotePort: 3389 }), { kind: 'rdp', label: 'win-1' }, { ...opts, principal: 'config:dev' });
    expect(manager.list()[0]?.durationCapSeconds).toBeUndefined();
    const socket = await dial(listener.port);
    expect((await echoThrough(socket, Buffer.from('hello rdp'))).toString()).toBe('hello rdp');
    expect(asked(fake)).toEqual([3600, 1800, 900, 300]);
    const [row] = manager.list();
    expect(row).toMatchObject({ durationCapSeconds: 300 });
    // Its tunnel opened before now, for 300 s (an hour's tunnel would end well after this).
    expect(Date.parse(row!.expiresAt!)).toBeLessThanOrEqual(Date.now() + 300_000);
    expect((await echoThrough(await dial(listener.port), Buffer.from('again'))).toString()).toBe('again');
    expect(asked(fake)).toEqual([3600, 1800, 900, 300, 300]);
  });

  it('does not retry a refusal that names another condition, nor an exact-duration open', async () => {
    const { fake, manager } = await setup();
    fake.answer = () => ({ refuse: { status: 403, body: '{"ErrorCode":"AccessDenied","Message":"not authorized because ec2-instance-connect:remotePort (22) is not allowed"}' } });
    expect((await appErrorOf(manager.openStream(aTarget(), { kind: 'ssh', label: 'a' }, opts))).code).toBe('EIC_TUNNEL_ACCESS_DENIED');
    expect(asked(fake)).toEqual([3600]);
    capAt(fake, 900);
    expect((await appErrorOf(manager.openStream(aTarget(), { kind: 'ssh', label: 'b' }, { ...opts, exactDuration: true }))).message).toContain('maxTunnelDuration (3600) is not at most 900');
    expect(asked(fake)).toEqual([3600, 3600]);
    expect(manager.connectionsInUse('eice-0123456789abcdef0')).toBe(0);
  });
});
