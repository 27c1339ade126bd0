import { XmlShapeSerializer } from '@aws-sdk/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';
import type { Schema } from '@smithy/types';

/**
 * The inverse of the SDK's own query serializer, driven by the SDK's schemas: it turns the
 * form fields a real client sent (`Filter.1.Name=vpc-id&Filter.1.Value.1=...`) back into the
 * SDK's input object, and the sandbox's output object into the XML the SDK's parser expects.
 * Using the SDK's schemas means every element name and list wrapper matches what
 * @aws-sdk/client-ec2 and client-sts read, with no hand-written names to drift.
 *
 * `ec2` flavour: keys are the `ec2QueryName` trait (else the capitalised member name) and
 * lists are flattened (`Key.1`). `query` flavour (STS): keys are `xmlName` or the member
 * name, lists are `Key.member.1` unless flattened.
 */
export type QueryFlavour = 'ec2' | 'query';

type Params = Map<string, string>;

function hasPrefix(params: Params, key: string): boolean {
  if (params.has(key)) return true;
  const dotted = `${key}.`;
  for (const k of params.keys()) if (k.startsWith(dotted)) return true;
  return false;
}

function memberKey(name: string, traits: Record<string, unknown>, flavour: QueryFlavour): string {
  if (flavour === 'ec2') {
    if (typeof traits['ec2QueryName'] === 'string') return traits['ec2QueryName'];
    const base = typeof traits['xmlName'] === 'string' ? traits['xmlName'] : name;
    return base[0]!.toUpperCase() + base.slice(1);
  }
  return typeof traits['xmlName'] === 'string' ? traits['xmlName'] : name;
}

function decode(ns: NormalizedSchema, params: Params, key: string, flavour: QueryFlavour): unknown {
  if (ns.isStructSchema()) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const k = memberKey(name, member.getMergedTraits() as Record<string, unknown>, flavour);
      const full = key ? `${key}.${k}` : k;
      if (!hasPrefix(params, full)) continue;
      const value = decode(member, params, full, flavour);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  if (ns.isListSchema()) {
    const item = ns.getValueSchema();
    const traits = item.getMergedTraits() as Record<string, unknown>;
    const flat = flavour === 'ec2' || Boolean(ns.getMergedTraits().xmlFlattened);
    const itemName = typeof traits['xmlName'] === 'string' ? traits['xmlName'] : 'member';
    const out: unknown[] = [];
    // An empty list is sent as `Key=` by some clients.
    for (let i = 1; ; i++) {
      const k = flat ? `${key}.${i}` : `${key}.${itemName}.${i}`;
      if (!hasPrefix(params, k)) break;
      out.push(decode(item, params, k, flavour));
    }
    return out;
  }
  if (ns.isMapSchema()) {
    const out: Record<string, unknown> = {};
    for (let i = 1; ; i++) {
      const entry = `${key}.entry.${i}`;
      const flatEntry = `${key}.${i}`;
      const base = hasPrefix(params, entry) ? entry : hasPrefix(params, flatEntry) ? flatEntry : null;
      if (!base) break;
      const k = params.get(`${base}.key`);
      if (k !== undefined) out[k] = decode(ns.getValueSchema(), params, `${base}.value`, flavour);
    }
    return out;
  }
  const raw = params.get(key);
  if (raw === undefined) return undefined;
  if (ns.isBooleanSchema()) return raw === 'true';
  if (ns.isNumericSchema() || ns.isBigIntegerSchema()) return Number(raw);
  if (ns.isTimestampSchema()) return new Date(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : raw);
  if (ns.isBlobSchema()) return new Uint8Array(Buffer.from(raw, 'base64'));
  return raw;
}

/** Decodes form parameters into the SDK input object for `inputSchema`. */
export function decodeQuery(inputSchema: Schema, params: URLSearchParams, flavour: QueryFlavour): Record<string, unknown> {
  const map: Params = new Map();
  for (const [k, v] of params) if (k !== 'Action' && k !== 'Version') map.set(k, v);
  return decode(NormalizedSchema.of(inputSchema), map, '', flavour) as Record<string, unknown>;
}

export interface XmlEnvelope {
  /** Root element, e.g. `DescribeInstancesResponse`. */
  root: string;
  namespace: string;
  requestId: string;
  /** STS-style: output inside `<XResult>` and the id in `<ResponseMetadata><RequestId>`. */
  nested?: string;
}

/** Serialises an SDK output object with its schema into an AWS XML response body. */
export function encodeXml(outputSchema: Schema, value: Record<string, unknown>, envelope: XmlEnvelope): string {
  const serializer = new XmlShapeSerializer({ xmlNamespace: envelope.namespace, serviceNamespace: envelope.namespace, timestampFormat: { useTrait: true, default: 5 } });
  // writeStruct is the serializer's own recursive writer; the public write() insists on a payload member.
  const write = (serializer as unknown as { writeStruct(ns: NormalizedSchema, v: unknown, xmlns: string | undefined): XmlNodeLike }).writeStruct.bind(serializer);
  const body = write(NormalizedSchema.of(outputSchema), value, undefined);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (envelope.nested) {
    body.withName(envelope.nested);
    const inner = body.toString();
    return `<${envelope.root} xmlns="${envelope.namespace}">${inner}<ResponseMetadata><RequestId>${esc(envelope.requestId)}</RequestId></ResponseMetadata></${envelope.root}>`;
  }
  body.withName('__body');
  const inner = body.toString().replace(/^<__body>/, '').replace(/<\/__body>$/, '').replace(/^<__body\/>$/, '');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${envelope.root} xmlns="${envelope.namespace}"><requestId>${esc(envelope.requestId)}</requestId>${inner}</${envelope.root}>`;
}

interface XmlNodeLike {
  withName(name: string): XmlNodeLike;
  toString(): string;
}
