import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CONTENT_SECURITY_POLICY } from '../../../main/windowOptions';
import { decodeMessage, encodeMessage, type HarnessMessage } from '../../harness/codec';
import { startHarness, type Harness } from '../../harness/server';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

function connect(path: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${new URL(harness.origin).port}${path}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const token = () => new URL(harness.url).searchParams.get('token')!;

function next(ws: WebSocket, predicate: (m: HarnessMessage) => boolean): Promise<HarnessMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      const m = decodeMessage(isBinary ? new Uint8Array(data) : data.toString());
      if (predicate(m)) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('the test harness', () => {
  it('listens on loopback only', () => {
    expect(new URL(harness.url).hostname).toBe('127.0.0.1');
  });

  it('serves the page only with the token, with the CSP and the bridge script', async () => {
    expect((await fetch(harness.origin + '/')).status).toBe(403);
    expect((await fetch(harness.origin + '/?token=wrong')).status).toBe(403);
    const page = await fetch(harness.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`);
    expect(html.indexOf('/__harness/bridge.js')).toBeLessThan(html.indexOf('type="module"'));
  });

  it('refuses a socket without the token or from another origin', async () => {
    await expect(connect('/__eic', harness.origin)).rejects.toThrow('HTTP 403');
    await expect(connect('/__eic?token=nope', harness.origin)).rejects.toThrow('HTTP 403');
    await expect(connect(`/__eic?token=${token()}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(`/__eic?token=${token()}`, undefined)).rejects.toThrow('HTTP 403');
  });

  it('round-trips an invoke through the real dispatch and envelopes', async () => {
    const ws = await connect(`/__eic?token=${token()}`, harness.origin);
    const reply = next(ws, (m) => m.t === 'result' && m.id === 1);
    ws.send(encodeMessage({ t: 'invoke', id: 1, channel: 'app:info', input: {} }));
    expect(await reply).toMatchObject({ envelope: { ok: true, value: { name: 'Bastionless', dataDir: harness.dataDir, isHarness: true } } });

    const bad = next(ws, (m) => m.t === 'result' && m.id === 2);
    ws.send(encodeMessage({ t: 'invoke', id: 2, channel: 'app:info', input: { sneaky: 1 } }));
    expect(await bad).toMatchObject({ envelope: { ok: false, error: { code: 'INVALID_INPUT' } } });

    const unknown = next(ws, (m) => m.t === 'result' && m.id === 3);
    ws.send(encodeMessage({ t: 'invoke', id: 3, channel: 'app:exec', input: {} }));
    expect(await unknown).toMatchObject({ envelope: { ok: false, error: { code: 'IPC_UNKNOWN_CHANNEL' } } });
    ws.close();
  });

  it('delivers events main emits', async () => {
    const ws = await connect(`/__eic?token=${token()}`, harness.origin);
    const event = next(ws, (m) => m.t === 'event');
    harness.composition.events.emit('app', 'noticePosted', { level: 'info', message: 'hello', at: new Date().toISOString() });
    expect(await event).toMatchObject({ channel: 'app:noticePosted', payload: { level: 'info', message: 'hello' } });
    ws.close();
  });

  it('opens https links through the desktop interface only', async () => {
    const ws = await connect(`/__eic?token=${token()}`, harness.origin);
    const reply = next(ws, (m) => m.t === 'result' && m.id === 9);
    ws.send(encodeMessage({ t: 'invoke', id: 9, channel: 'app:openExternal', input: { url: 'https://docs.aws.amazon.com/' } }));
    expect(await reply).toMatchObject({ envelope: { ok: true } });
    expect(harness.desktop.opened).toEqual(['https://docs.aws.amazon.com/']);
    ws.close();
  });
});
