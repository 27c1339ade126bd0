import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../test/harness/codec';

describe('the harness codec', () => {
  it('sends plain messages as JSON text', () => {
    const data = encodeMessage({ t: 'invoke', id: 1, channel: 'app:info', input: {} });
    expect(typeof data).toBe('string');
    expect(decodeMessage(data)).toEqual({ t: 'invoke', id: 1, channel: 'app:info', input: {} });
  });

  it('carries byte arrays as raw bytes, exactly', () => {
    const chunk = new Uint8Array(70_000).map((_, i) => i % 251);
    const other = new Uint8Array([0, 255, 10, 13]);
    const data = encodeMessage({ t: 'event', channel: 'sessions:data', payload: { sessionId: 's1', chunk, nested: [other] } });
    expect(data).toBeInstanceOf(Uint8Array);
    expect((data as Uint8Array).byteLength).toBeLessThan(70_000 + 200);
    const back = decodeMessage(data) as { payload: { sessionId: string; chunk: Uint8Array; nested: Uint8Array[] } };
    expect(back.payload.sessionId).toBe('s1');
    expect(Buffer.from(back.payload.chunk).equals(Buffer.from(chunk))).toBe(true);
    expect(Array.from(back.payload.nested[0]!)).toEqual([0, 255, 10, 13]);
  });

  it('keeps an empty byte array', () => {
    const back = decodeMessage(encodeMessage({ t: 'send', channel: 'x:y', input: { b: new Uint8Array(0) } })) as { input: { b: Uint8Array } };
    expect(back.input.b).toBeInstanceOf(Uint8Array);
    expect(back.input.b.byteLength).toBe(0);
  });
});
