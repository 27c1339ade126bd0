import { mayBeDurationCap, searchDurationCap, SHORTER_TUNNEL_DURATIONS } from './durationSearch';

/** Whose tunnels through which endpoint a cap applies to: IAM evaluates the signer's policies per endpoint. */
export interface CapScope {
  /** Who signs: a profile id (or, without one, every tunnel of this process). */
  principal?: string | undefined;
  endpointId: string;
}

/** A cap found (or lifted) for a scope: the tunnels' new length, and what was asked. */
export interface DurationCapLearned extends CapScope {
  /** The longest duration now allowed (seconds). */
  seconds: number;
  /** What the tunnel asked for (the hour, usually). */
  askedSeconds: number;
}

/** What is known of a scope: its cap in seconds, or that shorter tunnels are refused too. */
type Known = number | 'notACap';

interface Waiter {
  promise: Promise<void>;
  resolve: () => void;
}

const keyOf = (scope: CapScope): string => `${scope.principal ?? ''}\u0000${scope.endpointId}`;

/**
 * Remembers, for the life of the app, the IAM cap on tunnel duration per (principal, endpoint),
 * and opens tunnels within it. The first refusal that may be a cap runs one search down the
 * ladder of shorter durations; later tunnels ask for the cap straight away, so each cap costs a
 * few refused OpenTunnel calls once, not on every connection. A refusal that is not about the
 * duration (see mayBeDurationCap), or a scope whose shorter tunnels were refused too, is never
 * retried. Tunnels opening at the same time wait for one search instead of running their own.
 */
export class TunnelDurationCaps {
  private readonly known = new Map<string, Known>();
  private readonly searches = new Map<string, Waiter>();

  constructor(
    private readonly options: {
      /** Called when a cap is found, or found lower than remembered. */
      onLearned?: (learned: DurationCapLearned) => void;
      shorter?: readonly number[];
    } = {},
  ) {}

  /** The remembered cap of a scope, if tunnels there are held below the hour. */
  capOf(scope: CapScope): number | undefined {
    const known = this.known.get(keyOf(scope));
    return typeof known === 'number' ? known : undefined;
  }

  /**
   * Opens with `open(seconds)` at `asked` (or the scope's remembered cap when lower), searching
   * shorter durations when the refusal may be a cap. Resolves with what opened and its duration;
   * rejects with the first refusal when every duration was refused, or with the failure that
   * stopped the search.
   */
  async open<T>(scope: CapScope, asked: number, open: (seconds: number) => Promise<T>, signal?: AbortSignal): Promise<{ opened: T; seconds: number }> {
    const key = keyOf(scope);
    for (;;) {
      await this.searches.get(key)?.promise;
      const known = this.known.get(key);
      const start = typeof known === 'number' ? Math.min(asked, known) : asked;
      let mine: Waiter | undefined;
      let joinOther = false;
      const result = await searchDurationCap(open, {
        asked: start,
        shorter: this.options.shorter ?? SHORTER_TUNNEL_DURATIONS,
        ...(signal ? { signal } : {}),
        retry: (error) => {
          if (known === 'notACap' || !mayBeDurationCap(error)) return false;
          if (mine) return true;
          if (this.searches.has(key) || this.known.get(key) !== known) {
            // Another tunnel of this scope is searching, or has just found the answer: use it.
            joinOther = true;
            return false;
          }
          mine = waiter();
          this.searches.set(key, mine);
          return true;
        },
      });
      // Learn first, then let the tunnels that waited for this search go on with the answer.
      if (result.ok) this.learn(scope, key, known, start, result.seconds, asked);
      // Refused at every duration: an outright denial, so later refusals are not searched again.
      else if (mine && result.exhausted) this.known.set(key, 'notACap');
      if (mine) {
        this.searches.delete(key);
        mine.resolve();
      }
      if (result.ok) return { opened: result.opened, seconds: result.seconds };
      if (joinOther && !signal?.aborted) continue;
      throw result.error;
    }
  }

  private learn(scope: CapScope, key: string, known: Known | undefined, start: number, seconds: number, asked: number): void {
    if (seconds < start) {
      this.known.set(key, seconds);
      this.options.onLearned?.({ ...scope, seconds, askedSeconds: asked });
    } else if (known === 'notACap') {
      // A tunnel opened where every duration was refused before: the denial was lifted.
      this.known.delete(key);
    }
  }
}

function waiter(): Waiter {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** "15 minutes", "1 minute", "90 seconds". */
export function spokenDuration(seconds: number): string {
  if (seconds % 60 !== 0) return `${seconds} seconds`;
  const minutes = seconds / 60;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** What to tell the person when a cap is found: tunnels are shorter, and why. */
export function durationCapNotice(learned: DurationCapLearned): { level: 'info'; message: string; hint: string } {
  return {
    level: 'info',
    message: `Your IAM policy limits tunnels through ${learned.endpointId} to ${spokenDuration(learned.seconds)}, so Bastionless opens them for that long instead of ${spokenDuration(learned.askedSeconds)}.`,
    hint: `Sessions show the time left, warn five minutes ahead and offer Reconnect. For longer sessions, ask your administrator to allow ec2-instance-connect:maxTunnelDuration up to ${learned.askedSeconds}.`,
  };
}
