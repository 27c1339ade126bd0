import { isAppError, type AppError } from '../../preload/contract/errors';

/**
 * Shorter tunnel durations (seconds) to ask for, longest first, when OpenTunnel is refused in a
 * way an IAM condition on `ec2-instance-connect:maxTunnelDuration` can explain. Policies cap at
 * round numbers of minutes; the longest rung at or under the cap wins, and each rung tried costs
 * one refused OpenTunnel in CloudTrail, so the ladder is short.
 */
export const SHORTER_TUNNEL_DURATIONS: readonly number[] = [1800, 900, 300, 60];

/**
 * Condition keys and causes other than the duration that AWS may name in a refusal: a refusal
 * that names one of them is about that, and asking for a shorter tunnel would only add refused
 * OpenTunnel events to CloudTrail.
 */
const NOT_ABOUT_DURATION = /remote ?port|private ?ip|privateIpAddress|osuser|source ?ip|sourceVpce?/i;
const ABOUT_DURATION = /max ?tunnel ?duration|tunnel ?duration/i;

/** The service's own words inside one of the tunnel's AppErrors (errors.ts quotes them last). */
function serviceWordsOf(error: AppError): string {
  return /AWS said: "([\s\S]*)"\s*$/.exec(error.message)?.[1] ?? '';
}

/**
 * Whether a failed OpenTunnel may be an IAM cap on its duration, so that asking again for less
 * can succeed: only an access denial (EIC_TUNNEL_ACCESS_DENIED; AWS does not say which condition
 * failed, and a cap written as an explicit Deny looks like any other Deny), and not one whose
 * words name another condition key. Throttling, credentials, ports, limits and network failures
 * never are.
 */
export function mayBeDurationCap(error: unknown): boolean {
  if (!isAppError(error) || error.code !== 'EIC_TUNNEL_ACCESS_DENIED') return false;
  const words = serviceWordsOf(error);
  if (ABOUT_DURATION.test(words)) return true;
  return !NOT_ABOUT_DURATION.test(words);
}

/** What a search for an allowed duration found. */
export type DurationSearch<T> =
  | {
      ok: true;
      opened: T;
      /** The duration the tunnel was granted. */
      seconds: number;
      /** Every duration asked for, in order (the last is `seconds`). */
      tried: number[];
      /** The refusal of the first duration asked, when a shorter one was needed. */
      refusal: AppError | undefined;
    }
  | {
      ok: false;
      tried: number[];
      /** The refusal of the first duration asked, when it was refused. */
      refusal: AppError | undefined;
      /**
       * What to throw: the first refusal when every duration was refused for the same kind of
       * reason; otherwise the failure that stopped the search (a connection limit, a cancel).
       */
      error: unknown;
      /** True when every duration down to the shortest rung was refused (so it is not a cap). */
      exhausted: boolean;
    };

export interface DurationSearchOptions {
  /** The duration to ask for first (seconds). */
  asked: number;
  /** Whether a failure is worth asking again for less (mayBeDurationCap, or any denial in a diagnosis). */
  retry: (error: unknown) => boolean;
  /** Shorter durations to try, longest first (default SHORTER_TUNNEL_DURATIONS); only those under `asked` are. */
  shorter?: readonly number[];
  /** Stops the search (the next rung is not asked for). */
  signal?: AbortSignal;
}

/**
 * Opens with `open(seconds)` at `asked`, then, while the failure is one `retry` accepts, at each
 * shorter duration in turn: the first that opens is the longest the policy allows (of those
 * tried). Never throws: the result says what opened, or what to throw.
 */
export async function searchDurationCap<T>(open: (seconds: number) => Promise<T>, options: DurationSearchOptions): Promise<DurationSearch<T>> {
  const rungs = [options.asked, ...(options.shorter ?? SHORTER_TUNNEL_DURATIONS).filter((s) => s < options.asked)];
  const tried: number[] = [];
  let refusal: AppError | undefined;
  for (const seconds of rungs) {
    tried.push(seconds);
    try {
      const opened = await open(seconds);
      return { ok: true, opened, seconds, tried, refusal };
    } catch (error) {
      const again = !options.signal?.aborted && options.retry(error);
      if (tried.length === 1 && isAppError(error) && again) refusal = error;
      if (!again) return { ok: false, tried, refusal, error, exhausted: false };
    }
  }
  return { ok: false, tried, refusal, error: refusal, exhausted: true };
}
