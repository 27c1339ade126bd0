import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { classifyDrop } from '../../../../main/ssh/dropClassifier';

const base = { hostLabel: 'web-1', connectedAt: 0, now: 10 * 60_000 };

describe('classifyDrop', () => {
  it('calls an exit with the connection still up "exited", with its status', () => {
    expect(classifyDrop({ ...base, exit: { code: 3 } })).toEqual({ reason: 'exited', exitCode: 3 });
  });

  it('calls the endpoint\'s EIC_TUNNEL_EXPIRED "expired", in the endpoint\'s own words', () => {
    const tunnelError = new AppError('EIC_TUNNEL_EXPIRED', 'EICE closed the tunnel to 10.0.1.5:22 after 900 seconds: it reached the maximum duration.');
    const drop = classifyDrop({ ...base, end: { byServer: true, byUs: false }, tunnelError, expiresAt: 60 * 60_000 });
    expect(drop).toEqual({ reason: 'expired', error: tunnelError });
  });

  it('names the hour when the session ends at its expiry time', () => {
    const drop = classifyDrop({ ...base, connectedAt: 0, expiresAt: 60 * 60_000, now: 60 * 60_000, end: { byServer: true, byUs: false } });
    expect(drop.error?.message).toBe('The endpoint ended the session with web-1 at its 1-hour limit.');
  });

  it('calls a close at the expiry time "expired" even when the tunnel said nothing, with an IAM cap in minutes', () => {
    const drop = classifyDrop({ ...base, connectedAt: 0, expiresAt: 15 * 60_000, now: 15 * 60_000 - 5000, end: { byServer: true, byUs: false } });
    expect(drop.reason).toBe('expired');
    expect(drop.error?.message).toContain('15-minute limit');
  });

  it('passes the tunnel\'s own error through as a lost connection', () => {
    const tunnelError = new AppError('EIC_TUNNEL_CLOSED', 'The endpoint closed the tunnel.');
    expect(classifyDrop({ ...base, end: { byServer: true, byUs: false }, tunnelError })).toEqual({ reason: 'connection-lost', error: tunnelError });
  });

  it('calls socket errors and keepalive timeouts a lost connection', () => {
    for (const level of ['client-socket', 'client-timeout']) {
      const drop = classifyDrop({ ...base, end: { byServer: false, byUs: false, error: { message: 'x', level } } });
      expect(drop.reason).toBe('connection-lost');
      expect(drop.error?.message).toBe('The connection to web-1 was lost.');
    }
  });

  it('calls a clean close from the server "host-closed" (a reboot)', () => {
    const drop = classifyDrop({ ...base, end: { byServer: true, byUs: false } });
    expect(drop.reason).toBe('host-closed');
    expect(drop.error?.message).toBe('web-1 closed the connection.');
    expect(drop.error?.retryable).toBe(true);
  });
});
