import {
  AppError,
  channelOf,
  entriesOf,
  type SerializedError,
  type CallContext,
  type ContractShape,
  type Entry,
  type Envelope,
  type Handlers,
} from '../../preload/contract';
import type { Logger } from '../log';

/**
 * Decides whether a message comes from our own window. Returns the caller's identity, or null
 * for anyone else (a subframe, a navigated page, a process without the harness token).
 */
export interface SenderPolicy<S> {
  identify(sender: S): CallContext | null;
  /** A short description of a rejected sender, for the log line. */
  describe(sender: S): string;
}

export type InvokeCall<S> = (sender: S, input: unknown) => Promise<Envelope<unknown>>;
export type SendCall<S> = (sender: S, input: unknown) => void;

export function toSerializedError(error: unknown, log: Logger, channel: string): SerializedError {
  if (error instanceof AppError) return error.toJSON();
  // An unexpected throw: the person gets a generic message, main keeps the details.
  log.error('handler threw an unexpected error', { channel, error });
  return new AppError('INTERNAL', 'Something went wrong inside Bastionless.', {
    hint: 'Try again. If it keeps happening, copy the details and report it; the log has more.',
  }).toJSON();
}

/**
 * Wraps one invoke handler: sender check, input validation, envelope, output validation.
 * The feature is never called with input that failed its schema. Output is parsed too: it
 * strips any field the contract does not declare, so a secret added to a result by mistake
 * never reaches the renderer.
 */
export function handle<S>(
  channel: string,
  entry: Extract<Entry, { kind: 'invoke' }>,
  fn: (input: unknown, ctx: CallContext) => unknown,
  policy: SenderPolicy<S>,
  log: Logger,
): InvokeCall<S> {
  return async (sender, rawInput) => {
    const ctx = policy.identify(sender);
    if (!ctx) {
      // Security: only our own window's main frame may call main.
      log.warn('rejected a call from an untrusted sender', { channel, sender: policy.describe(sender) });
      return {
        ok: false,
        error: new AppError('IPC_UNTRUSTED_SENDER', 'This request did not come from the Bastionless window.', {
          hint: 'Only the app window can talk to Bastionless.',
        }).toJSON(),
      };
    }
    const parsed = entry.input.safeParse(rawInput);
    if (!parsed.success) {
      return { ok: false, error: invalidInput(parsed.error.issues).toJSON() };
    }
    try {
      const value = await fn(parsed.data, ctx);
      const out = entry.output.safeParse(value);
      if (!out.success) {
        log.error('handler returned a value outside its contract', { channel, issues: out.error.issues.slice(0, 5) });
        throw new Error(`output of ${channel} does not match the contract`);
      }
      return { ok: true, value: out.data };
    } catch (error) {
      return { ok: false, error: toSerializedError(error, log, channel) };
    }
  };
}

/** Wraps one send handler: same checks as `handle`, but nothing is returned to the renderer. */
export function handleSend<S>(
  channel: string,
  entry: Extract<Entry, { kind: 'send' }>,
  fn: (input: unknown, ctx: CallContext) => void,
  policy: SenderPolicy<S>,
  log: Logger,
): SendCall<S> {
  return (sender, rawInput) => {
    const ctx = policy.identify(sender);
    if (!ctx) {
      log.warn('dropped a message from an untrusted sender', { channel, sender: policy.describe(sender) });
      return;
    }
    const parsed = entry.input.safeParse(rawInput);
    if (!parsed.success) {
      log.warn('dropped a message with invalid input', { channel, issues: parsed.error.issues.slice(0, 3) });
      return;
    }
    try {
      fn(parsed.data, ctx);
    } catch (error) {
      toSerializedError(error, log, channel);
    }
  };
}

function invalidInput(issues: readonly { path: PropertyKey[]; message: string }[]): AppError {
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` (${first.path.map(String).join('.')})` : '';
  return new AppError('INVALID_INPUT', `The request was not valid${where}: ${first?.message ?? 'unknown problem'}.`, {
    hint: 'This is a bug in the app window; reload it (Ctrl+R) and try again.',
  });
}

export interface Dispatch<S> {
  readonly invokes: ReadonlyMap<string, InvokeCall<S>>;
  readonly sends: ReadonlyMap<string, SendCall<S>>;
}

/**
 * Builds one wrapped handler per contract entry. Throws at start-up if any invoke or send entry
 * lacks a handler or a handler has no entry: the conformance test runs this same check.
 */
export function createDispatch<C extends ContractShape, S>(
  contract: C,
  handlers: Handlers<C>,
  policy: SenderPolicy<S>,
  log: Logger,
): Dispatch<S> {
  const invokes = new Map<string, InvokeCall<S>>();
  const sends = new Map<string, SendCall<S>>();
  const table = handlers as unknown as Record<string, Record<string, unknown> | undefined>;
  for (const { domain, name, channel, entry } of entriesOf(contract)) {
    if (entry.kind === 'event') continue;
    const fn = table[domain]?.[name];
    if (typeof fn !== 'function') throw new Error(`no handler for ${channel}`);
    const bound = (fn as (input: unknown, ctx: CallContext) => unknown).bind(table[domain]);
    if (entry.kind === 'invoke') invokes.set(channel, handle(channel, entry, bound, policy, log));
    else sends.set(channel, handleSend(channel, entry, bound as (i: unknown, c: CallContext) => void, policy, log));
  }
  for (const [domain, fns] of Object.entries(table)) {
    for (const name of Object.keys(fns ?? {})) {
      const entry = contract[domain]?.[name];
      if (!entry || entry.kind === 'event') throw new Error(`handler ${channelOf(domain, name)} has no contract entry`);
    }
  }
  return { invokes, sends };
}
