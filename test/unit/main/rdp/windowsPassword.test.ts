import { describe, expect, it } from 'vitest';
import { passwordNotReady } from '../../../../main/rdp/windowsPassword';

const launch = new Date(2026, 0, 5, 9, 0, 0);
const after = (minutes: number): Date => new Date(launch.getTime() + minutes * 60_000);

describe('an empty GetPasswordData', () => {
  it('says how long to wait, from the launch time', () => {
    const error = passwordNotReady(launch, after(3));
    expect(error.code).toBe('RDP_PASSWORD_NOT_READY');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/not published .* yet \(the instance started 3 minutes ago\)/);
    expect(error.hint).toMatch(/try again in about 12 minutes \(around 09:15\)/);
  });

  it('says one minute at the end, and less than a minute ago at the start', () => {
    expect(passwordNotReady(launch, after(14.5)).hint).toMatch(/about 1 minute /);
    expect(passwordNotReady(launch, after(0.2)).message).toMatch(/less than a minute ago/);
  });

  it('stops telling the person to wait once 15 minutes have passed', () => {
    const error = passwordNotReady(launch, after(60 * 30));
    expect(error.message).toMatch(/started 30 hours ago but has no Administrator password/);
    expect(error.hint).toMatch(/Connect without password/);
  });

  it('still says to retry when the launch time is unknown', () => {
    expect(passwordNotReady(undefined, after(1)).hint).toMatch(/within about 15 minutes/);
  });
});
