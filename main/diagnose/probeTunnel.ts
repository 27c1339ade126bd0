import { AppError, isAppError } from '../../preload/contract';
import { searchDurationCap } from '../eice/durationSearch';
import type { DiagnoseProbes, ProbeStream, ProbeTunnelRequest } from './diagnoseIo';
import { ok, type Fact, type FactError, type TunnelProbe } from './facts';

export interface ProbeTunnelOptions {
  request: ProbeTunnelRequest;
  /** Durations (seconds) to try, in order, when the first is refused: a maxTunnelDuration cap shows up as one being allowed. */
  shorterDurations: readonly number[];
  signal: AbortSignal;
  /** How long to wait for the instance to say something (default 10 s). */
  waitMs?: number;
}

const DEFAULT_WAIT_MS = 10_000;
/** How long to wait for a probe's tunnel to finish closing before going on anyway. */
const CLOSE_WAIT_MS = 5_000;

/**
 * An RDP client's first packet: a TPKT/X.224 Connection Request with an RDP negotiation request
 * (TLS and CredSSP). Any RDP server answers it with a Connection Confirm, which proves port 3389
 * is Remote Desktop without signing in (MS-RDPBCGR 2.2.1.1).
 */
export const RDP_CONNECTION_REQUEST = Buffer.from([0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]);

const OPEN_TUNNEL = 'ec2-instance-connect:OpenTunnel';

function errorOf(error: unknown): FactError {
  const e = error instanceof AppError ? error : new AppError('INTERNAL', 'The test tunnel failed for an unexpected reason.', { cause: error });
  return { code: e.code, message: e.message, hint: e.hint, action: OPEN_TUNNEL, ...(e.requestId ? { requestId: e.requestId } : {}) };
}

/** The first line a server sent, when it is printable text (an SSH banner). */
function bannerOf(chunk: Buffer, port: number): string | undefined {
  if (port === 3389 || chunk[0] === 0x03) return chunk[0] === 0x03 ? 'Remote Desktop (X.224 connection confirm)' : undefined;
  const line = chunk.subarray(0, 200).toString('latin1').split(/\r?\n/)[0] ?? '';
  return /^[\x20-\x7e]+$/.test(line) ? line : undefined;
}

/** Watches an open tunnel until the instance says something, the tunnel closes, or time runs out. */
export function observe(stream: ProbeStream, port: number, signal: AbortSignal, waitMs = DEFAULT_WAIT_MS): Promise<Pick<TunnelProbe, 'outcome' | 'banner' | 'error'>> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: Pick<TunnelProbe, 'outcome' | 'banner' | 'error'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
      // The probe is over when its connection is: the endpoint's slot is free again and nothing lingers.
      const settled = setTimeout(() => resolve(result), CLOSE_WAIT_MS);
      settled.unref?.();
      void stream.whenClosed.then(() => {
        clearTimeout(settled);
        resolve(result);
      });
    };
    const ended = (): void => {
      // The close reason arrives with the end of the stream (`Unable to connect to target`).
      const e = stream.closeError;
      finish({
        outcome: 'failed',
        error: e
          ? { code: e.code as FactError['code'], message: e.message, hint: e.hint, action: OPEN_TUNNEL, ...(e.requestId ? { requestId: e.requestId } : {}) }
          : { code: 'EIC_TUNNEL_CLOSED', message: 'The tunnel closed before the instance answered.', hint: 'The instance may have closed the connection at once.', action: OPEN_TUNNEL },
      });
    };
    const onAbort = (): void => finish({ outcome: 'open' });
    const timer = setTimeout(() => finish({ outcome: 'open' }), waitMs);
    timer.unref?.();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      const banner = bannerOf(chunk, port);
      finish({ outcome: 'reached', ...(banner ? { banner } : {}) });
    });
    stream.on('end', ended);
    stream.on('close', ended);
    stream.on('error', () => undefined);
    // Remote Desktop waits for the client to speak first.
    if (port === 3389) stream.write(RDP_CONNECTION_REQUEST);
  });
}

/** A diagnosis asks shorter durations for any denial: that tells a duration cap from a missing permission. */
const isDenied = (error: unknown): boolean => isAppError(error) && error.code === 'EIC_TUNNEL_ACCESS_DENIED';

/**
 * Opens one short tunnel to the instance's port and reports what happened: the instance
 * answered, the tunnel stayed silent, or the service refused or closed it (with its words).
 * When OpenTunnel is refused, shorter durations are tried (the same search the TunnelManager
 * runs, durationSearch.ts) to tell a maxTunnelDuration cap from a missing permission: the fact
 * keeps the refusal of the asked duration, and what the longest allowed one found. Every tunnel
 * it opens is closed before it returns.
 */
export async function probeTunnel(probes: Pick<DiagnoseProbes, 'openTunnel'>, options: ProbeTunnelOptions): Promise<Fact<TunnelProbe>> {
  const { request, signal } = options;
  const base = { endpointId: request.endpointId, port: request.port, maxTunnelDuration: request.maxTunnelDuration };
  const search = await searchDurationCap((seconds) => probes.openTunnel(seconds === request.maxTunnelDuration ? request : { ...request, maxTunnelDuration: seconds }, signal), {
    asked: request.maxTunnelDuration,
    shorter: options.shorterDurations,
    retry: isDenied,
    signal,
  });
  const tried = search.tried.length > 1 ? { triedDurations: search.tried } : {};
  if (!search.ok) return ok({ ...base, outcome: 'failed', error: errorOf(search.refusal ?? search.error), ...tried });
  const seen = await observe(search.opened, request.port, signal, options.waitMs);
  if (!search.refusal) return ok({ ...base, ...seen });
  return ok({ ...base, outcome: 'failed', error: errorOf(search.refusal), allowedDuration: search.seconds, ...tried, shorter: { outcome: seen.outcome, ...(seen.banner ? { banner: seen.banner } : {}) } });
}
