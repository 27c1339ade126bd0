import {
  AppError,
  contract,
  entriesOf,
  EnvelopeError,
  listenerNameOf,
  type EicApi,
  type Envelope,
} from '../../../preload/contract';

declare global {
  interface Window {
    /** Set by the preload script (or the test harness). Read only by this module. */
    readonly eic?: EicApi;
  }
}

type Unwrapped<D> = {
  readonly [K in keyof D]: D[K] extends (...args: infer A) => Promise<Envelope<infer T>> ? (...args: A) => Promise<T> : D[K];
};

/** `window.eic` with envelopes unwrapped: invokes resolve with the value or reject with an AppError. */
export type Api = { readonly [D in keyof EicApi]: Unwrapped<EicApi[D]> };

export function unwrapBridge(bridge: EicApi): Api {
  const raw = bridge as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>;
  const api: Record<string, Record<string, unknown>> = {};
  for (const { domain, name, entry } of entriesOf(contract)) {
    const target = (api[domain] ??= {});
    const source = raw[domain];
    if (!source) throw new Error(`window.eic has no ${domain} domain`);
    if (entry.kind === 'invoke') {
      const call = source[name];
      if (!call) throw new Error(`window.eic.${domain} has no ${name}`);
      target[name] = async (...args: unknown[]) => unwrap(await call(...args));
    } else {
      const key = entry.kind === 'event' ? listenerNameOf(name) : name;
      target[key] = source[key];
    }
  }
  return api as Api;
}

function unwrap(envelope: unknown): unknown {
  if (envelope && typeof envelope === 'object' && (envelope as { ok?: unknown }).ok === true) {
    return (envelope as { value: unknown }).value;
  }
  const failed = EnvelopeError.safeParse(envelope);
  if (failed.success) throw AppError.fromJSON(failed.data.error);
  throw new AppError('INTERNAL', 'The app answered in a form the window does not understand.', {
    hint: 'Reload the window (Ctrl+R). If it keeps happening, restart Bastionless.',
  });
}

let cached: Api | undefined;

/** The app's API. Throws a clear error when the page runs outside Bastionless (no preload). */
export function getApi(): Api {
  if (cached) return cached;
  if (!window.eic) {
    throw new AppError('INTERNAL', 'This page is running outside Bastionless.', {
      hint: 'Start it with `npm start`, or `npm run demo` for the browser version.',
    });
  }
  cached = unwrapBridge(window.eic);
  return cached;
}

export { AppError };
export type { SerializedError } from '../../../preload/contract';
