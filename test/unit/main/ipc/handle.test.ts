import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, invoke, send } from '../../../../preload/contract';
import { createDispatch, handle, handleSend } from '../../../../main/ipc/handle';
import { fakePolicy, memoryLogger, type FakeSender } from '../../../support/fakes';

const trusted: FakeSender = { id: 'window:1', trusted: true };
const foreign: FakeSender = { id: 'frame:evil', trusted: false };

const entry = invoke(z.strictObject({ n: z.number().int() }), z.object({ doubled: z.number() }));

describe('handle()', () => {
  it('returns {ok, value} from the feature', async () => {
    const { log } = memoryLogger();
    const call = handle('test:double', entry, (input) => ({ doubled: (input as { n: number }).n * 2 }), fakePolicy, log);
    await expect(call(trusted, { n: 21 })).resolves.toEqual({ ok: true, value: { doubled: 42 } });
  });

  it('rejects a foreign sender without calling the feature', async () => {
    const { log, records } = memoryLogger();
    let called = false;
    const call = handle('test:double', entry, () => ((called = true), { doubled: 0 }), fakePolicy, log);
    const result = await call(foreign, { n: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER' } });
    expect(called).toBe(false);
    expect(records().some((r) => r['msg'] === 'rejected a call from an untrusted sender')).toBe(true);
  });

  it('turns invalid input into INVALID_INPUT without calling the feature', async () => {
    const { log } = memoryLogger();
    let called = false;
    const call = handle('test:double', entry, () => ((called = true), { doubled: 0 }), fakePolicy, log);
    for (const bad of [undefined, null, 'x', { n: 'one' }, { n: 1.5 }, { n: 1, extra: true }]) {
      const result = await call(trusted, bad);
      expect(result, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', hint: expect.any(String) } });
    }
    expect(called).toBe(false);
  });

  it('passes an AppError through as its code, message and hint', async () => {
    const { log } = memoryLogger();
    const call = handle(
      'test:double',
      entry,
      () => {
        throw new AppError('EIC_NO_ENDPOINT', 'VPC vpc-1 has no endpoint.', { hint: 'Run the setup wizard.', requestId: 'req-1' });
      },
      fakePolicy,
      log,
    );
    const result = await call(trusted, { n: 1 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'EIC_NO_ENDPOINT', message: 'VPC vpc-1 has no endpoint.', hint: 'Run the setup wizard.', requestId: 'req-1', retryable: false },
    });
  });

  it('turns an unknown throw into INTERNAL, logged in main and not leaked', async () => {
    const { log, records } = memoryLogger();
    const call = handle('test:double', entry, () => {
      throw new Error('ECONNRESET at /home/me/secret-path');
    }, fakePolicy, log);
    const result = await call(trusted, { n: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('secret-path');
    expect(records().find((r) => r['level'] === 'error')).toMatchObject({ channel: 'test:double' });
  });

  it('strips fields the contract does not declare from the output', async () => {
    const { log } = memoryLogger();
    const call = handle('test:double', entry, () => ({ doubled: 2, secretAccessKey: 'wJalr' }), fakePolicy, log);
    const result = await call(trusted, { n: 1 });
    expect(result).toEqual({ ok: true, value: { doubled: 2 } });
  });

  it('reports an output outside the contract as INTERNAL', async () => {
    const { log } = memoryLogger();
    const call = handle('test:double', entry, () => ({ doubled: 'two' }), fakePolicy, log);
    await expect(call(trusted, { n: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});

describe('handleSend()', () => {
  const sendEntry = send(z.strictObject({ text: z.string() }));

  it('calls the feature for a trusted sender with valid input only', () => {
    const { log } = memoryLogger();
    const seen: string[] = [];
    const call = handleSend('test:type', sendEntry, (input) => seen.push((input as { text: string }).text), fakePolicy, log);
    call(trusted, { text: 'ls' });
    call(foreign, { text: 'rm -rf /' });
    call(trusted, { text: 5 });
    expect(seen).toEqual(['ls']);
  });
});

describe('createDispatch()', () => {
  const contract = { test: { double: entry, type: send(z.strictObject({ text: z.string() })) } };

  it('refuses a contract entry without a handler', () => {
    const { log } = memoryLogger();
    expect(() => createDispatch(contract, { test: { double: () => ({ doubled: 1 }) } } as never, fakePolicy, log)).toThrow(/no handler for test:type/);
  });

  it('refuses a handler without a contract entry', () => {
    const { log } = memoryLogger();
    const handlers = { test: { double: () => ({ doubled: 1 }), type: () => undefined, extra: () => 1 } };
    expect(() => createDispatch(contract, handlers as never, fakePolicy, log)).toThrow(/test:extra has no contract entry/);
  });
});
