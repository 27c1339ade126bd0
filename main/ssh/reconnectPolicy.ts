import type { AppError, ErrorCode } from '../../preload/contract';

export interface ReconnectPolicyOptions {
  /** Delay before the first attempt; doubles each attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts in a row before giving up. */
  maxAttempts: number;
  /** A connection that stayed up this long resets the count: it was not a flapping host. */
  stableAfterMs: number;
  /** 0..1 fraction of random spread, so many tabs do not retry in lockstep. */
  jitter: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicyOptions = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxAttempts: 8,
  stableAfterMs: 60_000,
  jitter: 0.2,
};

/**
 * Failures that retrying cannot fix: the person has to change something first. Retrying a
 * refused login would also lock accounts or trip fail2ban, so these stop auto-reconnect at once.
 */
const NEVER_RETRY: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SSH_AUTH_FAILED',
  'SSH_HOST_KEY_CHANGED',
  'SSH_KEY_UNREADABLE',
  'SSH_KEY_INVALID',
  'SSH_NOT_LINUX',
  'SSH_SHELL_REFUSED',
  'CANCELLED',
  'NOT_FOUND',
  'INVALID_INPUT',
  'AWS_CREDENTIALS_MISSING',
  'AWS_CREDENTIALS_INVALID',
  'AWS_CREDENTIALS_EXPIRED',
  'AWS_ACCESS_DENIED',
  'EIC_TUNNEL_ACCESS_DENIED',
  'EIC_NO_ENDPOINT',
  'EIC_PORT_NOT_ALLOWED',
  'KEYCHAIN_UNAVAILABLE',
  'KEYCHAIN_DENIED',
]);

/** Failures that usually pass by themselves (a reboot, a network blip, a busy endpoint). */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SSH_CONNECTION_LOST',
  'SSH_HANDSHAKE_FAILED',
  'EIC_TUNNEL_CLOSED',
  'EIC_TUNNEL_EXPIRED',
  'EIC_TUNNEL_TARGET_UNREACHABLE',
  'EIC_ENDPOINT_NOT_READY',
  'EIC_CONNECTION_LIMIT',
  'AWS_NETWORK',
  'AWS_THROTTLED',
]);

export type ReconnectDecision = { retry: true; delayMs: number } | { retry: false; why: string };

/**
 * Whether auto-reconnect makes attempt number `attempt` (1 = the first after a drop) after
 * `error`, and how long it waits first: exponential backoff with a cap, a limit on attempts in a
 * row, and never after a failure only the person can fix.
 */
export function decideReconnect(
  attempt: number,
  error: AppError | undefined,
  options: ReconnectPolicyOptions = DEFAULT_RECONNECT_POLICY,
  random: () => number = Math.random,
): ReconnectDecision {
  if (error && NEVER_RETRY.has(error.code)) {
    return { retry: false, why: `Not reconnecting by itself: ${error.message}` };
  }
  if (error && !TRANSIENT.has(error.code) && !error.retryable) {
    return { retry: false, why: `Not reconnecting by itself: ${error.message}` };
  }
  if (attempt > options.maxAttempts) {
    return { retry: false, why: `Gave up after ${options.maxAttempts} attempts in a row.` };
  }
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const spread = exponential * options.jitter * (random() * 2 - 1);
  return { retry: true, delayMs: Math.max(0, Math.round(exponential + spread)) };
}
