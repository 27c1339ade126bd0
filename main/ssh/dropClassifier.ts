import { AppError, type DropReason } from '../../preload/contract';
import type { ShellExit } from './shellChannel';
import type { ConnectionEnd } from './sshConnection';

export interface DropFacts {
  hostLabel: string;
  /** How the SSH connection ended; undefined while it is still up (the shell alone ended). */
  end?: ConnectionEnd;
  /** Why the tunnel closed, when it did. */
  tunnelError?: AppError;
  /** The shell's exit, when the server reported one. */
  exit?: ShellExit;
  connectedAt: number;
  expiresAt?: number;
  now: number;
}

/** Within this much of expiresAt, a drop counts as the time limit (clocks and timers drift). */
const EXPIRY_SLACK_MS = 20_000;

/**
 * Says why a live session ended, for the tab: the endpoint's time limit, a lost connection, the
 * instance closing it, or the shell exiting. The tunnel's own reason wins over SSH's: when the
 * endpoint cuts a tunnel, ssh2 only sees a closed stream.
 */
export function classifyDrop(facts: DropFacts): { reason: DropReason; error?: AppError; exitCode?: number } {
  const { hostLabel, end, tunnelError, exit, expiresAt, now, connectedAt } = facts;
  if (!end) {
    return { reason: 'exited', ...(exit?.code !== undefined ? { exitCode: exit.code } : {}) };
  }
  // The endpoint said why (and after how long): its words are the most precise.
  if (tunnelError?.code === 'EIC_TUNNEL_EXPIRED') return { reason: 'expired', error: tunnelError };
  const atLimit = expiresAt !== undefined && now >= expiresAt - EXPIRY_SLACK_MS && !end.byUs;
  if (atLimit) {
    const minutes = expiresAt !== undefined ? Math.max(1, Math.round((expiresAt - connectedAt) / 60_000)) : 60;
    return {
      reason: 'expired',
      error: new AppError('EIC_TUNNEL_EXPIRED', `The endpoint ended the session with ${hostLabel} at its ${formatLimit(minutes)} limit.`, {
        hint: 'EC2 Instance Connect Endpoint connections last at most an hour. Reconnect to start a new one, or turn on auto-reconnect for this host.',
        retryable: true,
        ...(tunnelError ? { cause: tunnelError } : {}),
      }),
    };
  }
  if (tunnelError) {
    return { reason: 'connection-lost', error: tunnelError };
  }
  if (end.error && (end.error.level === 'client-socket' || end.error.level === 'client-timeout')) {
    return {
      reason: 'connection-lost',
      error: new AppError('SSH_CONNECTION_LOST', `The connection to ${hostLabel} was lost.`, {
        hint: 'The network or the tunnel stopped answering. Reconnect when your network is back.',
        retryable: true,
      }),
    };
  }
  if (end.byServer) {
    return {
      reason: 'host-closed',
      error: new AppError('SSH_CONNECTION_LOST', `${hostLabel} closed the connection.`, {
        hint: 'The instance may be rebooting or stopping, or sshd was restarted. Reconnect in a moment.',
        retryable: true,
      }),
    };
  }
  return {
    reason: 'connection-lost',
    error: new AppError('SSH_CONNECTION_LOST', `The connection to ${hostLabel} closed.`, {
      hint: 'Reconnect to open a new one.',
      retryable: true,
    }),
  };
}

function formatLimit(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}-hour` : `${minutes}-minute`;
}
