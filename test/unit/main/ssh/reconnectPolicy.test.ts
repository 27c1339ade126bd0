import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../../../preload/contract';
import { DEFAULT_RECONNECT_POLICY, decideReconnect } from '../../../../main/ssh/reconnectPolicy';

const noJitter = { ...DEFAULT_RECONNECT_POLICY, jitter: 0 };
const err = (code: ErrorCode, retryable = false) => new AppError(code, 'x', { retryable });

describe('decideReconnect', () => {
  it('backs off exponentially from the base delay up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => {
      const d = decideReconnect(n, err('SSH_CONNECTION_LOST', true), noJitter);
      return d.retry ? d.delayMs : -1;
    });
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('gives up after maxAttempts in a row', () => {
    expect(decideReconnect(9, err('EIC_TUNNEL_CLOSED'), noJitter)).toEqual({ retry: false, why: 'Gave up after 8 attempts in a row.' });
  });

  it.each(['SSH_AUTH_FAILED', 'SSH_HOST_KEY_CHANGED', 'CANCELLED', 'AWS_ACCESS_DENIED', 'EIC_TUNNEL_ACCESS_DENIED', 'SSH_KEY_INVALID', 'AWS_CREDENTIALS_EXPIRED'] as const)(
    'never retries %s, even when flagged retryable',
    (code) => {
      const decision = decideReconnect(1, err(code, true), noJitter);
      expect(decision.retry).toBe(false);
    },
  );

  it.each(['EIC_TUNNEL_EXPIRED', 'EIC_TUNNEL_CLOSED', 'SSH_CONNECTION_LOST', 'EIC_TUNNEL_TARGET_UNREACHABLE', 'AWS_NETWORK', 'AWS_THROTTLED', 'EIC_CONNECTION_LIMIT'] as const)(
    'retries transient %s',
    (code) => {
      expect(decideReconnect(1, err(code), noJitter).retry).toBe(true);
    },
  );

  it('does not retry an unknown failure unless it is marked retryable', () => {
    expect(decideReconnect(1, err('INTERNAL'), noJitter).retry).toBe(false);
    expect(decideReconnect(1, err('INTERNAL', true), noJitter).retry).toBe(true);
  });

  it('retries a drop that carries no error', () => {
    expect(decideReconnect(1, undefined, noJitter)).toEqual({ retry: true, delayMs: 1000 });
  });

  it('spreads delays by the jitter fraction, both ways', () => {
    const low = decideReconnect(3, undefined, DEFAULT_RECONNECT_POLICY, () => 0);
    const high = decideReconnect(3, undefined, DEFAULT_RECONNECT_POLICY, () => 1);
    expect(low).toEqual({ retry: true, delayMs: 3200 });
    expect(high).toEqual({ retry: true, delayMs: 4800 });
  });
});
