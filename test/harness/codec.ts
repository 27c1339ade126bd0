/**
 * Encodes harness messages for the WebSocket. Messages are JSON; any Uint8Array inside (a
 * terminal chunk) travels as raw bytes in a binary frame instead of bloating the JSON:
 *   [u32 JSON length][JSON with {"$bytes": i} placeholders][buffer 0][buffer 1]...
 * with each buffer's length listed in the JSON header. Runs in Node and in the browser.
 */
export type HarnessMessage =
  | { t: 'invoke'; id: number; channel: string; input: unknown }
  | { t: 'result'; id: number; envelope: unknown }
  | { t: 'send'; channel: string; input: unknown }
  | { t: 'event'; channel: string; payload: unknown };

interface Frame {
  m: unknown;
  lengths: number[];
}

export function encodeMessage(message: HarnessMessage): string | Uint8Array<ArrayBuffer> {
  const buffers: Uint8Array[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      buffers.push(value);
      return { $bytes: buffers.length - 1 };
    }
    return value;
  });
  if (buffers.length === 0) return json;
  const header = new TextEncoder().encode(JSON.stringify({ m: JSON.parse(json), lengths: buffers.map((b) => b.byteLength) } satisfies Frame));
  const total = 4 + header.byteLength + buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.byteLength);
  out.set(header, 4);
  let at = 4 + header.byteLength;
  for (const b of buffers) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

export function decodeMessage(data: string | Uint8Array): HarnessMessage {
  if (typeof data === 'string') return JSON.parse(data) as HarnessMessage;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = view.getUint32(0);
  const frame = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + headerLength))) as Frame;
  const buffers: Uint8Array[] = [];
  let at = 4 + headerLength;
  for (const length of frame.lengths) {
    // Copy: callers may keep the chunk after the frame's memory is reused.
    buffers.push(data.slice(at, at + length));
    at += length;
  }
  return revive(frame.m, buffers) as HarnessMessage;
}

function revive(value: unknown, buffers: Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((v) => revive(v, buffers));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes') return buffers[(value as { $bytes: number }).$bytes];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v, buffers);
    return out;
  }
  return value;
}
