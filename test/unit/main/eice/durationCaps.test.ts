import { describe, expect, it } from 'vitest';
import { durationCapNotice, TunnelDurationCaps, type DurationCapLearned } from '../../../../main/eice/durationCaps';
import { mayBeDurationCap, searchDurationCap } from '../../../../main/eice/durationSearch';
import { describeTunnelFailure, type TunnelErrorContext } from '../../../../main/eice/errors';
import { type AppError } from '../../../../preload/contract/errors';

const context: TunnelErrorContext = { endpointId: 'eice-0123456789abcdef0', dnsName: 'x.example', privateIpAddress: '10.0.1.23', remotePort: 22, maxTunnelDuration: 3600, region: 'us-east-1' };

/** A 403 refusal as the tunnel's error table words it, with AWS's text. */
const refusal = (text: string, errorCode = 'AccessDenied', status = 403): AppError => describeTunnelFailure({ kind: 'refused', status, errorCode, text }, context);
const capRefusal = (seconds: number, cap: number): AppError => refusal(`User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ec2-instance-connect:OpenTunnel because the request's ec2-instance-connect:maxTunnelDuration (${seconds}) is not at most ${cap}`);
const explicitDeny = (): AppError => refusal('User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ec2-instance-connect:OpenTunnel on resource: arn:aws:ec2:us-east-1:123456789012:instance-connect-endpoint/eice-0123456789abcdef0 with an explicit deny in an identity-based policy');

/**
 * A stand-in for the service: opens (with the duration as the "tunnel") when `allow(seconds)`,
 * otherwise rejects with `refuse(seconds)`. Records every duration asked for, like CloudTrail.
 */
class FakeService {
  readonly asked: number[] = [];
  constructor(
    public allow: (seconds: number) => boolean,
    public refuse: (seconds: number) => unknown = (s) => capRefusal(s, 900),
  ) {}
  readonly open = async (seconds: number): Promise<string> => {
    this.asked.push(seconds);
    await Promise.resolve();
    if (this.allow(seconds)) return `tunnel-${seconds}`;
    throw this.refuse(seconds);
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('mayBeDurationCap', () => {
  it('counts access denials that name the duration, or no condition at all (a Deny written on the duration looks like any Deny)', () => {
    expect(mayBeDurationCap(capRefusal(3600, 900))).toBe(true);
    expect(mayBeDurationCap(explicitDeny())).toBe(true);
    expect(mayBeDurationCap(refusal('', 'AccessDenied'))).toBe(true);
  });

  it('never counts refusals that are about something else: another condition key, credentials, limits, throttling, ports', () => {
    expect(mayBeDurationCap(refusal('not authorized because ec2-instance-connect:remotePort (22) is not allowed'))).toBe(false);
    expect(mayBeDurationCap(refusal('not authorized because ec2-instance-connect:privateIpAddress 10.0.1.23 is outside 10.1.0.0/16'))).toBe(false);
    expect(mayBeDurationCap(refusal('The security token included in the request is invalid.', 'UnrecognizedClientException'))).toBe(false);
    expect(mayBeDurationCap(refusal('The maximum number of concurrent connections (20) has been reached.', 'ConnectionLimitExceeded', 429))).toBe(false);
    expect(mayBeDurationCap(refusal('Rate exceeded', 'ThrottlingException', 429))).toBe(false);
    expect(mayBeDurationCap(refusal('The specified RemotePort is not valid.', 'InvalidParameter', 400))).toBe(false);
    expect(mayBeDurationCap(new Error('AccessDenied'))).toBe(false);
  });
});

describe('searchDurationCap', () => {
  it('asks shorter durations, longest first, until one opens, and keeps the first refusal', async () => {
    const service = new FakeService((s) => s <= 900);
    const result = await searchDurationCap(service.open, { asked: 3600, retry: mayBeDurationCap });
    expect(service.asked).toEqual([3600, 1800, 900]);
    expect(result).toMatchObject({ ok: true, opened: 'tunnel-900', seconds: 900, tried: [3600, 1800, 900] });
    expect(result.refusal?.message).toContain('maxTunnelDuration (3600)');
  });

  it('opens at once, with no refusal, when the asked duration is allowed', async () => {
    const service = new FakeService(() => true);
    expect(await searchDurationCap(service.open, { asked: 3600, retry: mayBeDurationCap })).toEqual({ ok: true, opened: 'tunnel-3600', seconds: 3600, tried: [3600], refusal: undefined });
  });

  it('gives back the first refusal when every duration is refused, and says the ladder was exhausted', async () => {
    const service = new FakeService(() => false, () => explicitDeny());
    const result = await searchDurationCap(service.open, { asked: 3600, retry: mayBeDurationCap });
    expect(service.asked).toEqual([3600, 1800, 900, 300, 60]);
    expect(result).toMatchObject({ ok: false, exhausted: true, tried: [3600, 1800, 900, 300, 60] });
    expect(!result.ok && result.error).toBe(result.refusal);
  });

  it('stops at a failure that is not worth a shorter try, and gives back that failure', async () => {
    const limit = refusal('The maximum number of concurrent connections (20) has been reached.', 'ConnectionLimitExceeded', 429);
    const service = new FakeService(() => false, (s) => (s === 3600 ? capRefusal(s, 900) : limit));
    const result = await searchDurationCap(service.open, { asked: 3600, retry: mayBeDurationCap });
    expect(service.asked).toEqual([3600, 1800]);
    expect(result).toMatchObject({ ok: false, exhausted: false, error: limit });
    // A first failure that is not a cap is never retried at all.
    const other = new FakeService(() => false, () => limit);
    expect(await searchDurationCap(other.open, { asked: 3600, retry: mayBeDurationCap })).toMatchObject({ ok: false, tried: [3600], refusal: undefined, error: limit });
  });

  it('only tries durations under the one asked, and none once cancelled', async () => {
    const service = new FakeService((s) => s <= 300);
    await searchDurationCap(service.open, { asked: 900, retry: mayBeDurationCap });
    expect(service.asked).toEqual([900, 300]);
    const abort = new AbortController();
    const cancelled = new FakeService(() => false, (s) => {
      abort.abort();
      return capRefusal(s, 900);
    });
    expect(await searchDurationCap(cancelled.open, { asked: 3600, retry: mayBeDurationCap, signal: abort.signal })).toMatchObject({ ok: false, tried: [3600] });
  });
});

describe('TunnelDurationCaps', () => {
  const scope = { principal: 'config:dev', endpointId: 'eice-0123456789abcdef0' };

  it('finds a cap once, tells about it once, and asks for it straight away afterwards', async () => {
    const learned: DurationCapLearned[] = [];
    const caps = new TunnelDurationCaps({ onLearned: (l) => learned.push(l) });
    const service = new FakeService((s) => s <= 900);
    expect(await caps.open(scope, 3600, service.open)).toEqual({ opened: 'tunnel-900', seconds: 900 });
    expect(await caps.open(scope, 3600, service.open)).toEqual({ opened: 'tunnel-900', seconds: 900 });
    expect(service.asked).toEqual([3600, 1800, 900, 900]);
    expect(learned).toEqual([{ ...scope, seconds: 900, askedSeconds: 3600 }]);
    expect(caps.capOf(scope)).toBe(900);
    // A tunnel that asks for less than the cap gets what it asked for.
    expect((await caps.open(scope, 600, service.open)).seconds).toBe(600);
  });

  it('keeps caps per principal and per endpoint', async () => {
    const caps = new TunnelDurationCaps();
    const service = new FakeService((s) => s <= 900);
    await caps.open(scope, 3600, service.open);
    service.asked.length = 0;
    await caps.open({ ...scope, principal: 'config:prod' }, 3600, service.open);
    await caps.open({ ...scope, endpointId: 'eice-0fedcba9876543210' }, 3600, service.open);
    expect(service.asked).toEqual([3600, 1800, 900, 3600, 1800, 900]);
    expect(caps.capOf({ ...scope, principal: 'config:other' })).toBeUndefined();
  });

  it('follows a cap that was lowered, from the remembered one down', async () => {
    const learned: number[] = [];
    const caps = new TunnelDurationCaps({ onLearned: (l) => learned.push(l.seconds) });
    const service = new FakeService((s) => s <= 900);
    await caps.open(scope, 3600, service.open);
    service.allow = (s) => s <= 300;
    service.refuse = (s) => capRefusal(s, 300);
    service.asked.length = 0;
    expect((await caps.open(scope, 3600, service.open)).seconds).toBe(300);
    expect(service.asked).toEqual([900, 300]);
    expect(learned).toEqual([900, 300]);
  });

  it('searches once for an outright denial, then never again (CloudTrail stays quiet) until a tunnel opens', async () => {
    const caps = new TunnelDurationCaps();
    const service = new FakeService(() => false, () => explicitDeny());
    expect(await rejection(caps.open(scope, 3600, service.open))).toMatchObject({ code: 'EIC_TUNNEL_ACCESS_DENIED' });
    expect(service.asked).toEqual([3600, 1800, 900, 300, 60]);
    service.asked.length = 0;
    await rejection(caps.open(scope, 3600, service.open));
    expect(service.asked).toEqual([3600]);
    // The denial was lifted: a tunnel opens, and a later cap is searched for again.
    service.allow = () => true;
    await caps.open(scope, 3600, service.open);
    service.allow = (s) => s <= 1800;
    service.refuse = (s) => capRefusal(s, 1800);
    service.asked.length = 0;
    expect((await caps.open(scope, 3600, service.open)).seconds).toBe(1800);
    expect(service.asked).toEqual([3600, 1800]);
  });

  it('never retries a refusal that is not about the duration', async () => {
    const caps = new TunnelDurationCaps();
    const portDenied = refusal('not authorized because ec2-instance-connect:remotePort (22) is not allowed');
    const service = new FakeService(() => false, () => portDenied);
    expect(await rejection(caps.open(scope, 3600, service.open))).toBe(portDenied);
    expect(service.asked).toEqual([3600]);
  });

  it('lets tunnels opening at the same time share one search', async () => {
    const caps = new TunnelDurationCaps();
    const service = new FakeService((s) => s <= 900);
    const [a, b] = await Promise.all([caps.open(scope, 3600, service.open), caps.open(scope, 3600, service.open)]);
    expect([a.seconds, b.seconds]).toEqual([900, 900]);
    // Both first asks were refused; only one went down the ladder.
    expect(service.asked).toEqual([3600, 3600, 1800, 900, 900]);
  });
});

describe('durationCapNotice', () => {
  it('says how long tunnels now last, and what to ask the administrator', () => {
    expect(durationCapNotice({ endpointId: 'eice-0abc', seconds: 900, askedSeconds: 3600 })).toEqual({
      level: 'info',
      message: 'Your IAM policy limits tunnels through eice-0abc to 15 minutes, so Bastionless opens them for that long instead of 60 minutes.',
      hint: 'Sessions show the time left, warn five minutes ahead and offer Reconnect. For longer sessions, ask your administrator to allow ec2-instance-connect:maxTunnelDuration up to 3600.',
    });
    expect(durationCapNotice({ endpointId: 'eice-0abc', seconds: 60, askedSeconds: 90 }).message).toContain('to 1 minute, so Bastionless opens them for that long instead of 90 seconds');
  });
});
