import type { z } from 'zod';
import type { Envelope } from './errors';

/** Request -> response, from the renderer to main. */
export interface InvokeEntry<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'invoke';
  readonly input: I;
  readonly output: O;
}

/** Fire-and-forget from the renderer to main (keystrokes, acks): no response, no envelope. */
export interface SendEntry<I extends z.ZodType = z.ZodType> {
  readonly kind: 'send';
  readonly input: I;
}

/** Main -> renderer notification. */
export interface EventEntry<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly payload: P;
}

export type Entry = InvokeEntry | SendEntry | EventEntry;
export type DomainShape = { readonly [name: string]: Entry };
export type ContractShape = { readonly [domain: string]: DomainShape };

export function invoke<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): InvokeEntry<I, O> {
  return { kind: 'invoke', input, output };
}

export function send<I extends z.ZodType>(input: I): SendEntry<I> {
  return { kind: 'send', input };
}

export function event<P extends z.ZodType>(payload: P): EventEntry<P> {
  return { kind: 'event', payload };
}

/** `domain:name`: the one place a channel string is made. */
export function channelOf(domain: string, name: string): string {
  return `${domain}:${name}`;
}

/** The bridge exposes event `stateChanged` as `onStateChanged(listener)`. */
export function listenerNameOf(eventName: string): string {
  return `on${eventName.charAt(0).toUpperCase()}${eventName.slice(1)}`;
}

// An input with no required fields (`{}`, all-optional) may be omitted: `eic.app.info()`.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type EmptyInputArgs<I> = {} extends I ? [input?: I] : [input: I];

/** Renderer-side view of one domain, as the bridge builds it. */
export type BridgeDomain<D extends DomainShape> = {
  readonly [K in keyof D & string as D[K] extends EventEntry ? `on${Capitalize<K>}` : K]: D[K] extends InvokeEntry<
    infer I,
    infer O
  >
    ? (...args: EmptyInputArgs<z.input<I>>) => Promise<Envelope<z.output<O>>>
    : D[K] extends SendEntry<infer I>
      ? (input: z.input<I>) => void
      : D[K] extends EventEntry<infer P>
        ? (listener: (payload: z.output<P>) => void) => () => void
        : never;
};

export type Bridge<C extends ContractShape> = { readonly [D in keyof C]: BridgeDomain<C[D]> };

/** Who is calling: set by the transport (Electron IPC or the test harness), never by the caller. */
export interface CallContext {
  readonly senderId: string;
}

/** Main-side implementation of one domain: one function per invoke and send entry. */
export type HandlerDomain<D extends DomainShape> = {
  readonly [K in keyof D as D[K] extends EventEntry ? never : K]: D[K] extends InvokeEntry<infer I, infer O>
    ? (input: z.output<I>, ctx: CallContext) => Promise<z.input<O>> | z.input<O>
    : D[K] extends SendEntry<infer I>
      ? (input: z.output<I>, ctx: CallContext) => void
      : never;
};

export type Handlers<C extends ContractShape> = { readonly [D in keyof C]: HandlerDomain<C[D]> };

/** Payload types of every event, for the main-side emitter. */
export type EventPayloads<C extends ContractShape> = {
  readonly [D in keyof C]: {
    readonly [K in keyof C[D] as C[D][K] extends EventEntry ? K : never]: C[D][K] extends EventEntry<infer P>
      ? z.input<P>
      : never;
  };
};

/** Walks a contract: every entry with its domain, name and channel. */
export function entriesOf(contract: ContractShape): { domain: string; name: string; channel: string; entry: Entry }[] {
  const out: { domain: string; name: string; channel: string; entry: Entry }[] = [];
  for (const [domain, entries] of Object.entries(contract)) {
    for (const [name, entry] of Object.entries(entries)) {
      out.push({ domain, name, channel: channelOf(domain, name), entry });
    }
  }
  return out;
}
