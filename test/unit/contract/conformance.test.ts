import { describe, expect, it } from 'vitest';
import { buildBridge, type Transport } from '../../../preload/bridge';
import { contract, entriesOf, listenerNameOf } from '../../../preload/contract';
import { compose } from '../../../main/compose';
import { RecordingDesktop } from '../../../main/desktop';
import { createDispatch } from '../../../main/ipc/handle';
import { fakePolicy, memoryLogger } from '../../support/fakes';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const nullTransport: Transport = {
  invoke: async () => ({ ok: true, value: null }),
  send: () => undefined,
  subscribe: () => () => undefined,
};

async function composed() {
  const { log, sink } = memoryLogger();
  return compose({
    dataDir: mkdtempSync(join(tmpdir(), 'bl-conformance-')),
    version: '0.0.0-test',
    platform: 'linux',
    desktop: new RecordingDesktop(),
    logSink: sink,
    logLevel: 'debug',
  }).then((c) => ({ ...c, testLog: log }));
}

describe('the contract', () => {
  it('names channels domain:name and declares each channel once', () => {
    const channels = entriesOf(contract).map((e) => e.channel);
    expect(new Set(channels).size).toBe(channels.length);
    for (const c of channels) expect(c).toMatch(/^[a-z]+:[a-z][A-Za-z]*$/);
  });

  it('takes one strict object as the input of every invoke and send', () => {
    for (const { channel, entry } of entriesOf(contract)) {
      if (entry.kind === 'event') continue;
      // A strict object refuses unknown keys: the handler never sees fields it did not declare.
      const result = entry.input.safeParse({ __unexpected__: 1 });
      expect(result.success, `${channel} accepted an unknown key`).toBe(false);
      expect(entry.input.safeParse('text').success, `${channel} accepted a non-object`).toBe(false);
    }
  });

  it('has exactly one main handler per invoke and send entry', async () => {
    const app = await composed();
    const api = app.api as unknown as Record<string, Record<string, unknown>>;
    for (const { domain, name, channel, entry } of entriesOf(contract)) {
      const handler = api[domain]?.[name];
      if (entry.kind === 'event') expect(handler, `${channel} is an event and must have no handler`).toBeUndefined();
      else expect(typeof handler, `${channel} has no handler`).toBe('function');
    }
    const declared = new Set(entriesOf(contract).filter((e) => e.entry.kind !== 'event').map((e) => e.channel));
    const implemented = Object.entries(api).flatMap(([d, fns]) => Object.keys(fns).map((n) => `${d}:${n}`));
    expect(new Set(implemented)).toEqual(declared);
    // The dispatcher performs the same check at start-up.
    expect(() => createDispatch(contract, app.api, fakePolicy, app.testLog)).not.toThrow();
    await app.dispose();
  });

  it('builds a bridge whose keys equal the contract keys', () => {
    const bridge = buildBridge(contract, nullTransport) as unknown as Record<string, Record<string, unknown>>;
    const expected: Record<string, string[]> = {};
    for (const { domain, name, entry } of entriesOf(contract)) {
      (expected[domain] ??= []).push(entry.kind === 'event' ? listenerNameOf(name) : name);
    }
    expect(Object.keys(bridge).sort()).toEqual(Object.keys(expected).sort());
    for (const [domain, names] of Object.entries(expected)) {
      expect(Object.keys(bridge[domain] ?? {}).sort()).toEqual(names.sort());
    }
  });

  it('freezes the bridge so the page cannot swap a function', () => {
    const bridge = buildBridge(contract, nullTransport) as unknown as Record<string, Record<string, unknown>>;
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge['app'])).toBe(true);
  });
});
