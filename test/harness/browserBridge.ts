/**
 * The harness's stand-in for the preload script: builds `window.eic` with the same
 * `buildBridge` and contract as the app, over a WebSocket to the harness server instead of
 * Electron IPC. Loaded as a classic script before the renderer's module script.
 */
import { buildBridge, type Transport } from '../../preload/bridge';
import { contract } from '../../preload/contract';
import { decodeMessage, encodeMessage, type HarnessMessage } from './codec';

const token = new URL(window.location.href).searchParams.get('token') ?? '';
const socket = new WebSocket(`ws://${window.location.host}/__eic?token=${encodeURIComponent(token)}`);
socket.binaryType = 'arraybuffer';

const queue: (string | Uint8Array<ArrayBuffer>)[] = [];
const pending = new Map<number, (envelope: unknown) => void>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let nextId = 1;

function post(message: HarnessMessage): void {
  const data = encodeMessage(message);
  if (socket.readyState === WebSocket.OPEN) socket.send(data);
  else queue.push(data);
}

socket.addEventListener('open', () => {
  for (const data of queue.splice(0)) socket.send(data);
});

socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
  const message = decodeMessage(typeof event.data === 'string' ? event.data : new Uint8Array(event.data));
  if (message.t === 'result') {
    pending.get(message.id)?.(message.envelope);
    pending.delete(message.id);
  } else if (message.t === 'event') {
    for (const l of listeners.get(message.channel) ?? []) l(message.payload);
  }
});

socket.addEventListener('close', () => {
  // The harness went away: fail what is outstanding the way main would.
  for (const resolve of pending.values()) {
    resolve({
      ok: false,
      error: {
        code: 'INTERNAL',
        message: 'The connection to the Bastionless harness closed.',
        hint: 'Restart `npm run demo` and reload the page.',
        retryable: true,
        at: new Date().toISOString(),
      },
    });
  }
  pending.clear();
});

const transport: Transport = {
  invoke(channel, input) {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      post({ t: 'invoke', id, channel, input });
    });
  },
  send(channel, input) {
    post({ t: 'send', channel, input });
  },
  subscribe(channel, listener) {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
};

Object.defineProperty(window, 'eic', { value: buildBridge(contract, transport), writable: false, configurable: false });
