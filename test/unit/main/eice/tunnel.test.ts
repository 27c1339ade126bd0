import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, openTunnel, READ_HIGH_WATER_BYTES, WRITE_HIGH_WATER_BYTES, type OpenTunnelOptions, type TunnelStream, type TunnelTarget } from '../../../../main/eice/tunnel';
import { appErrorOf } from '../../../support/appErrorOf';
import { aTarget, FakeEice, testCredentials, wireFrames, type WireFrame } from '../../../support/fakeEice';
import { waitFor } from '../../../support/waitFor';
import { readAll } from '../../../support/readAll';

const fakes: FakeEice[] = [];
const tunnels: TunnelStream[] = [];
afterEach(async () => {
  for (const t of tunnels.splice(0)) t.destroy();
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function fake(): Promise<FakeEice> {
  const f = await FakeEice.start();
  fakes.push(f);
  return f;
}

function viaFake(f: FakeEice): Pick<OpenTunnelOptions, 'webSocketFactory' | 'credentials' | 'env'> {
  return { credentials: testCredentials, env: {}, webSocketFactory: f.webSocketFactory() };
}

async function open(f: FakeEice, target: TunnelTarget = aTarget()): Promise<TunnelStream> {
  const t = await openTunnel(target, viaFake(f));
  tunnels.push(t);
  return t;
}

/** Waits until the watched numbers stop changing: the pipeline has settled (no wall-clock assertion). */
async function quiet(watch: () => number[]): Promise<void> {
  let before = watch().join();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const now = watch().join();
    if (now === before) return;
    before = now;
  }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Writes `payload` to a tunnel whose far side echoes, ends it once everything came back, and resolves with what did. */
function echoedBack(t: TunnelStream, payload: Buffer): Promise<Buffer> {
  const received = readAll(t);
  let got = 0;
  t.on('data', (c: Buffer) => {
    got += c.length;
    if (got === payload.length) t.end();
  });
  t.write(payload);
  return received;
}

describe('openTunnel against a fake EICE', () => {
  it('carries bytes both ways exactly, in binary frames of at most 65,000 bytes', async () => {
    const f = await fake();
    const frameSizes: number[] = [];
    f.answer = () => ({
      accept: (ws) =>
        ws.on('message', (data: Buffer, isBinary) => {
          expect(isBinary).toBe(true);
          frameSizes.push(data.length);
          ws.send(data);
        }),
    });
    const t = await open(f);
    expect(t.id).toMatch(/^tun-/);
    expect(t.expiresAt.getTime() - t.openedAt.getTime()).toBe(3600_000);
    const payload = randomBytes(1_000_003);
    expect(sha(await echoedBack(t, payload))).toBe(sha(payload));
    expect(Math.max(...frameSizes)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(frameSizes.reduce((a, b) => a + b, 0)).toBe(payload.length);
    expect(t.bytesSent).toBe(payload.length);
    expect(t.bytesReceived).toBe(payload.length);
    expect(t.closeError).toBeUndefined();
  });

  it('masks frames with a zero key only when asked (the stream\'s own protocol client), else with fresh random keys; bytes arrive exact either way', async () => {
    const f = await fake();
    const sendThrough = async (zeroMask: boolean | undefined): Promise<WireFrame[]> => {
      const t = await openTunnel(aTarget(), { ...viaFake(f), ...(zeroMask === undefined ? {} : { zeroMask }) });
      tunnels.push(t);
      const payload = randomBytes(200_000);
      expect(sha(await echoedBack(t, payload))).toBe(sha(payload));
      return wireFrames(f.seen.at(-1)!.raw).filter((frame) => frame.opcode === 2);
    };
    const zero = await sendThrough(true);
    expect(zero.length).toBeGreaterThanOrEqual(4);
    expect(zero.every((frame) => frame.masked && frame.maskKey === '00000000')).toBe(true);
    for (const random of [await sendThrough(undefined), await sendThrough(false)]) {
      expect(random.every((frame) => frame.masked && frame.maskKey !== '00000000')).toBe(true);
      expect(new Set(random.map((frame) => frame.maskKey)).size).toBe(random.length);
    }
  });

  it('signs and sends what the service needs: path, endpoint, target and a duration it always includes', async () => {
    const f = await fake();
    const t = await open(f, aTarget({ maxTunnelDuration: undefined, remotePort: 3389, privateIpAddress: '10.9.8.7' }));
    const q = f.seen[0]!.url.searchParams;
    expect(f.seen[0]!.url.pathname).toBe('/openTunnel');
    expect(q.get('instanceConnectEndpointId')).toBe('eice-0123456789abcdef0');
    expect(q.get('privateIpAddress')).toBe('10.9.8.7');
    expect(q.get('remotePort')).toBe('3389');
    expect(q.get('maxTunnelDuration')).toBe('3600');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    expect(q.get('X-Amz-Credential')).toContain('/us-east-1/ec2-instance-connect/aws4_request');
    expect(f.seen[0]!.headers['sec-websocket-extensions']).toBeUndefined();
    t.end();
  });

  it('coalesces many small writes into few frames', async () => {
    const f = await fake();
    const frames: number[] = [];
    let total = 0;
    f.answer = () => ({
      accept: (ws) =>
        ws.on('message', (d: Buffer) => {
          frames.push(d.length);
          total += d.length;
        }),
    });
    const t = await open(f);
    t.cork();
    for (let i = 0; i < 2000; i++) t.write(Buffer.alloc(100, i % 256));
    t.uncork();
    t.end();
    await t.whenClosed;
    expect(total).toBe(200_000);
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(200_000 / MAX_FRAME_BYTES) + 1);
  });

  it('end() delivers every byte exactly once, then closes with 1000 (no resend of the last chunk)', async () => {
    const f = await fake();
    const got: Buffer[] = [];
    let closeCode = 0;
    const closed = new Promise<void>((resolve) => {
      f.answer = () => ({
        accept: (ws) => {
          ws.on('message', (d: Buffer) => got.push(Buffer.from(d)));
          ws.on('close', (code) => {
            closeCode = code;
            resolve();
          });
        },
      });
    });
    const t = await open(f);
    const parts = [Buffer.from('first chunk|'), randomBytes(70_000), Buffer.from('|last chunk')];
    for (const p of parts) t.write(p);
    t.end();
    await closed;
    const all = Buffer.concat(got);
    expect(all.length).toBe(parts.reduce((a, p) => a + p.length, 0));
    expect(sha(all)).toBe(sha(Buffer.concat(parts)));
    expect(all.subarray(-11).toString()).toBe('|last chunk');
    expect(closeCode).toBe(1000);
    await t.whenClosed;
    expect(t.closeError).toBeUndefined();
  });

  it('delivers everything the target sent before the service closed normally', async () => {
    const f = await fake();
    const payload = randomBytes(300_000);
    f.answer = () => ({
      accept: (ws) => {
        ws.send(payload.subarray(0, 100_000));
        ws.send(payload.subarray(100_000));
        ws.close(1000);
      },
    });
    const t = await open(f);
    const back = await readAll(t);
    expect(sha(back)).toBe(sha(payload));
    await t.whenClosed;
    expect(t.closeError).toBeUndefined();
    expect(t.state).toBe('closed');
  });

  it('treats a TEXT frame as a protocol error and drops what follows it', async () => {
    const f = await fake();
    f.answer = () => ({
      accept: (ws) => {
        ws.send(Buffer.from('before'));
        ws.send('{"surprise": true}');
        ws.send(Buffer.from('after'));
      },
    });
    const t = await open(f);
    const back = await readAll(t);
    expect(back.toString()).toBe('before');
    expect(t.closeError?.code).toBe('EIC_TUNNEL_PROTOCOL');
    expect(t.closeError?.message).toMatch(/TEXT frame/);
  });

  it('maps "Unable to connect to target" to EIC_TUNNEL_TARGET_UNREACHABLE with a security-group hint', async () => {
    const f = await fake();
    f.answer = () => ({ accept: (ws) => ws.close(1011, 'Unable to connect to target') });
    const t = await open(f);
    await readAll(t);
    expect(t.closeError?.code).toBe('EIC_TUNNEL_TARGET_UNREACHABLE');
    expect(t.closeError?.message).toContain('10.0.1.23:22');
    expect(t.closeError?.hint).toMatch(/security group/);
    expect(t.closeError?.hint).toMatch(/sshd/);
  });

  it('maps a connection dropped without a close frame to a retryable EIC_TUNNEL_CLOSED', async () => {
    const f = await fake();
    f.answer = () => ({
      accept: (ws) => {
        ws.send(randomBytes(10_000));
        setImmediate(() => ws.terminate());
      },
    });
    const t = await open(f);
    const back = await readAll(t);
    expect(back.length).toBe(10_000);
    expect(t.closeError?.code).toBe('EIC_TUNNEL_CLOSED');
    expect(t.closeError?.retryable).toBe(true);
  });

  it('reports a close at the maximum duration as EIC_TUNNEL_EXPIRED, even with code 1000', async () => {
    const f = await fake();
    f.answer = () => ({ accept: (ws) => setTimeout(() => ws.close(1000), 1000) });
    const t = await open(f, aTarget({ maxTunnelDuration: 1 }));
    await readAll(t);
    expect(t.closeError?.code).toBe('EIC_TUNNEL_EXPIRED');
    expect(t.closeError?.message).toContain('1 seconds');
  });

  it('reports a normal close whose reason says the duration ran out as EIC_TUNNEL_EXPIRED', async () => {
    const f = await fake();
    f.answer = () => ({ accept: (ws) => ws.close(1000, 'Maximum tunnel duration reached') });
    const t = await open(f);
    await readAll(t);
    expect(t.closeError?.code).toBe('EIC_TUNNEL_EXPIRED');
  });

  it('turns a refused upgrade into the table\'s code, with the request id and the service\'s text', async () => {
    const f = await fake();
    f.answer = () => ({
      refuse: {
        status: 403,
        headers: { 'x-amzn-requestid': 'req-123', 'Content-Type': 'application/json' },
        body: JSON.stringify({ ErrorCode: 'AccessDenied', Message: 'User is not authorized to perform ec2-instance-connect:OpenTunnel (maxTunnelDuration condition)' }),
      },
    });
    const error = await appErrorOf(openTunnel(aTarget({ maxTunnelDuration: 3600 }), viaFake(f)));
    expect(error.code).toBe('EIC_TUNNEL_ACCESS_DENIED');
    expect(error.requestId).toBe('req-123');
    expect(error.message).toContain('ec2-instance-connect:OpenTunnel');
    expect(error.hint).toMatch(/maxTunnelDuration/);
    expect(error.hint).toContain('3600');
  });

  it('never puts the presigned signature or the secret in an error or a log line', async () => {
    const f = await fake();
    f.answer = () => ({ refuse: { status: 500, body: 'oops' } });
    const lines: string[] = [];
    const { createLogger } = await import('../../../../main/log');
    const log = createLogger({ sink: { write: (l) => lines.push(l) }, minLevel: 'debug' });
    const error = await appErrorOf(openTunnel(aTarget(), { ...viaFake(f), log }));
    const signature = f.seen[0]!.url.searchParams.get('X-Amz-Signature')!;
    const text = JSON.stringify(error.toJSON()) + lines.join('\n');
    expect(text).not.toContain(signature);
    expect(text).not.toContain('wJalrXUtnFEMI');
    expect(error.code).toBe('EIC_TUNNEL_REFUSED');
    expect(error.retryable).toBe(true);
  });

  it('a slow reader pauses the socket: what waits in the tunnel stays bounded, and nothing is lost', async () => {
    const f = await fake();
    const total = 24 * 1024 * 1024;
    const payload = randomBytes(total);
    let serverWs: WebSocket | undefined;
    f.answer = () => ({
      accept: (ws) => {
        serverWs = ws;
        for (let off = 0; off < total; off += 60_000) ws.send(payload.subarray(off, off + 60_000));
      },
    });
    const t = await open(f);
    // Nobody reads yet: the server's send queue must back up instead of the tunnel's buffer.
    await waitFor(() => t.isReceivePaused || t.bytesReceived === total);
    await quiet(() => [serverWs!.bufferedAmount, t.readableLength]);
    expect(t.isReceivePaused).toBe(true);
    expect(serverWs!.bufferedAmount).toBeGreaterThan(total / 2);
    expect(t.readableLength).toBeLessThanOrEqual(READ_HIGH_WATER_BYTES + 2 * 1024 * 1024);
    expect(t.bytesReceived).toBeLessThan(total / 2);
    const back = readAll(t);
    await waitFor(() => t.bytesReceived === total);
    serverWs!.close(1000);
    expect(sha(await back)).toBe(sha(payload));
  });

  it('a stalled service holds writers back: pending bytes stay under the high-water mark', async () => {
    const f = await fake();
    let serverWs: WebSocket | undefined;
    let received = 0;
    const digest = createHash('sha256');
    f.answer = () => ({
      accept: (ws) => {
        serverWs = ws;
        // Stop reading at once: the TCP windows fill, then the tunnel must hold its writers.
        (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        ws.on('message', (d: Buffer) => {
          received += d.length;
          digest.update(d);
        });
      },
    });
    const t = await open(f);
    const sent = createHash('sha256');
    let writes = 0;
    let blocked = false;
    while (!blocked && t.pendingWriteBytes < 8 * WRITE_HIGH_WATER_BYTES) {
      const chunk = randomBytes(64 * 1024);
      sent.update(chunk);
      blocked = !t.write(chunk);
      writes++;
      if (!blocked) await new Promise((r) => setImmediate(r));
    }
    // Let the send path settle: whatever is queued must stay bounded while the service stalls.
    expect(blocked).toBe(true);
    await quiet(() => [t.pendingWriteBytes, t.writableLength]);
    expect(t.pendingWriteBytes).toBeLessThanOrEqual(WRITE_HIGH_WATER_BYTES + 2 * MAX_FRAME_BYTES + 64 * 1024);
    expect(t.writableLength).toBeLessThanOrEqual(t.writableHighWaterMark + 64 * 1024);
    (serverWs as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise<void>((resolve) => t.once('drain', resolve));
    t.end();
    await waitFor(() => received === writes * 64 * 1024);
    expect(digest.digest('hex')).toBe(sent.digest('hex'));
  });

  it('cancels the opening when the signal aborts', async () => {
    const f = await fake();
    f.answer = () => ({ accept: () => undefined });
    const controller = new AbortController();
    controller.abort();
    const error = await appErrorOf(openTunnel(aTarget(), { ...viaFake(f), signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
  });

  it('cancels an opening that is waiting for the service, and leaves nothing open', async () => {
    const f = await fake();
    f.answer = () => ({ hold: true });
    const controller = new AbortController();
    const opening = openTunnel(aTarget(), { ...viaFake(f), signal: controller.signal });
    await waitFor(() => f.seen.length === 1);
    controller.abort();
    expect((await appErrorOf(opening)).code).toBe('CANCELLED');
    await waitFor(() => f.sockets.size === 0);
  });

  it('closes an open tunnel normally when its signal aborts', async () => {
    const f = await fake();
    let closeCode = 0;
    const closed = new Promise<void>((resolve) => {
      f.answer = () => ({
        accept: (ws) =>
          ws.on('close', (code) => {
            closeCode = code;
            resolve();
          }),
      });
    });
    const controller = new AbortController();
    const t = await openTunnel(aTarget(), { ...viaFake(f), signal: controller.signal });
    tunnels.push(t);
    controller.abort();
    await closed;
    await t.whenClosed;
    expect(closeCode).toBe(1000);
    expect(t.closeError).toBeUndefined();
  });

  it('rejects targets it cannot sign for with INVALID_INPUT', async () => {
    const f = await fake();
    for (const bad of [aTarget({ remotePort: 0 }), aTarget({ privateIpAddress: 'web-1' }), aTarget({ maxTunnelDuration: 3601 }), aTarget({ maxTunnelDuration: 1.5 })]) {
      expect((await appErrorOf(openTunnel(bad, viaFake(f)))).code).toBe('INVALID_INPUT');
    }
    expect(f.seen).toHaveLength(0);
  });

  it('uses the FIPS name when asked, and says so when the endpoint has none', async () => {
    const f = await fake();
    const fips = 'eice-0123456789abcdef0.fips.ec2-instance-connect-endpoint.us-east-1.amazonaws.com';
    let dialedUrl = '';
    const options = viaFake(f);
    const factory = options.webSocketFactory!;
    const t = await openTunnel(aTarget({ fipsDnsName: fips }), {
      ...options,
      useFips: true,
      webSocketFactory: (url, o) => {
        dialedUrl = url;
        return factory(url, o);
      },
    });
    tunnels.push(t);
    expect(new URL(dialedUrl.replace('wss:', 'https:')).hostname).toBe(fips);
    const error = await appErrorOf(openTunnel(aTarget(), { ...viaFake(f), useFips: true }));
    expect(error.code).toBe('EIC_FIPS_UNAVAILABLE');
  });

  it('reports an unusable proxy setting as a proxy failure, before dialing anything', async () => {
    const f = await fake();
    const error = await appErrorOf(openTunnel(aTarget(), { ...viaFake(f), env: { HTTPS_PROXY: 'socks5://127.0.0.1:1080' } }));
    expect(error.code).toBe('EIC_PROXY_FAILED');
    expect(error.message).toContain('socks5');
    expect(f.seen).toHaveLength(0);
  });

  it('refuses incomplete credentials with a clear code', async () => {
    const f = await fake();
    const error = await appErrorOf(openTunnel(aTarget(), { ...viaFake(f), credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: '' }) }));
    expect(error.code).toBe('AWS_CREDENTIALS_MISSING');
  });

  it('wraps a credentials failure in a clear code', async () => {
    const f = await fake();
    const error = await appErrorOf(
      openTunnel(aTarget(), {
        ...viaFake(f),
        credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
      }),
    );
    expect(error.code).toBe('AWS_CREDENTIALS_MISSING');
  });
});

describe('closing a tunnel that is full', () => {
  it('destroy() on a paused tunnel still completes the close handshake with 1000', async () => {
    const f = await FakeEice.start();
    fakes.push(f);
    let closeCode = 0;
    const closed = new Promise<void>((resolve) => {
      f.answer = () => ({
        accept: (ws) => {
          const blast = (): void => {
            while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 4 * 1024 * 1024) ws.send(randomBytes(60_000));
            if (ws.readyState === WebSocket.OPEN) setTimeout(blast, 5);
          };
          blast();
          ws.on('close', (code) => {
            closeCode = code;
            resolve();
          });
        },
      });
    });
    const t = await openTunnel(aTarget(), viaFake(f));
    tunnels.push(t);
    await waitFor(() => t.isReceivePaused);
    t.destroy();
    await t.whenClosed;
    await closed;
    expect(closeCode).toBe(1000);
    expect(t.closeError).toBeUndefined();
  });
});
