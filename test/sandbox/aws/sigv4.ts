import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialRecord } from '../world/world';

/** What was wrong with a request's signature; each service turns it into its own error code. */
export type SigV4Failure =
  | { kind: 'missing' }
  | { kind: 'malformed'; detail: string }
  | { kind: 'unknownKey'; accessKeyId: string }
  | { kind: 'badScope'; detail: string }
  | { kind: 'badSignature' }
  | { kind: 'skew'; detail: string }
  | { kind: 'expiredUrl'; detail: string }
  | { kind: 'tokenInvalid' }
  | { kind: 'tokenExpired' };

export interface SigV4Success {
  record: CredentialRecord;
  region: string;
  service: string;
  signedHeaders: string[];
  date: Date;
  /** Presigned URLs only: X-Amz-Expires. */
  expiresIn?: number;
}

export type SigV4Result = ({ ok: true } & SigV4Success) | { ok: false; failure: SigV4Failure };

export interface SignedRequest {
  method: string;
  /** The path as it came on the wire (still percent-encoded), without the query. */
  rawPath: string;
  /** The raw query string (without `?`). */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body?: Buffer;
}

export interface VerifyOptions {
  /** The signing name this server answers for (`ec2`, `sts`, `ec2-instance-connect`, ...). */
  service: string;
  lookup(accessKeyId: string): CredentialRecord | undefined;
  /** Largest allowed distance between the request's date and now (AWS: 5 min; EC2: 15 min). */
  maxSkewMs: number;
  /** Largest X-Amz-Expires accepted on a presigned URL. */
  maxExpiresSeconds?: number;
  now?: number;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Splits a raw query string without URLSearchParams' "+ means space" rule, which SigV4 does not have. */
export function parseRawQuery(raw: string): [string, string][] {
  if (!raw) return [];
  return raw
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const k = eq < 0 ? pair : pair.slice(0, eq);
      const v = eq < 0 ? '' : pair.slice(eq + 1);
      return [safeDecode(k), safeDecode(v)];
    });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function toQueryRecord(pairs: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const existing = out[k];
    if (existing === undefined) out[k] = v;
    else out[k] = Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  return out;
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

interface Parsed {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  token: string | undefined;
  expiresIn?: number;
}

function parseHeaderAuth(req: SignedRequest): Parsed | SigV4Failure {
  const auth = headerValue(req.headers['authorization']);
  if (!auth) return { kind: 'missing' };
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/.exec(auth);
  if (!m) return { kind: 'malformed', detail: 'Authorization header requires Credential, SignedHeaders and Signature (AWS4-HMAC-SHA256).' };
  const scope = m[1]!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') return { kind: 'malformed', detail: `Credential should be scoped with a valid terminator: 'aws4_request', not '${scope[4] ?? ''}'.` };
  const amzDate = headerValue(req.headers['x-amz-date']);
  return {
    accessKeyId: scope[0]!,
    scopeDate: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: m[2]!.split(';'),
    signature: m[3]!,
    amzDate,
    token: headerValue(req.headers['x-amz-security-token']) || undefined,
  };
}

function parseQueryAuth(query: [string, string][]): Parsed | SigV4Failure {
  const get = (k: string): string | undefined => query.find(([key]) => key === k)?.[1];
  const signature = get('X-Amz-Signature');
  if (!signature) return { kind: 'missing' };
  if (get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { kind: 'malformed', detail: 'X-Amz-Algorithm must be AWS4-HMAC-SHA256.' };
  const credential = get('X-Amz-Credential') ?? '';
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') return { kind: 'malformed', detail: 'X-Amz-Credential must be <key>/<date>/<region>/<service>/aws4_request.' };
  const expires = Number(get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1) return { kind: 'malformed', detail: 'X-Amz-Expires must be a positive number of seconds.' };
  const signedHeaders = (get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  if (!signedHeaders.includes('host')) return { kind: 'malformed', detail: 'X-Amz-SignedHeaders must include host.' };
  return {
    accessKeyId: scope[0]!,
    scopeDate: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders,
    signature,
    amzDate: get('X-Amz-Date') ?? '',
    token: get('X-Amz-Security-Token'),
    expiresIn: expires,
  };
}

/**
 * Verifies a SigV4-signed request (Authorization header) or presigned URL (query) the way AWS
 * does: the key must be known, the scope must name this service and a date matching
 * X-Amz-Date, the time must be within the allowed skew (or the URL unexpired), temporary
 * credentials must carry their session token, and the signature recomputed with
 * @smithy/signature-v4 over exactly the signed headers must match.
 */
export async function verifySigV4(req: SignedRequest, options: VerifyOptions): Promise<SigV4Result> {
  const now = options.now ?? Date.now();
  const query = parseRawQuery(req.rawQuery);
  const presigned = query.some(([k]) => k === 'X-Amz-Signature');
  const parsed = presigned ? parseQueryAuth(query) : parseHeaderAuth(req);
  if ('kind' in parsed) return { ok: false, failure: parsed };

  const record = options.lookup(parsed.accessKeyId);
  if (!record) return { ok: false, failure: { kind: 'unknownKey', accessKeyId: parsed.accessKeyId } };
  if (parsed.service !== options.service) return { ok: false, failure: { kind: 'badScope', detail: `Credential should be scoped to correct service: '${options.service}'.` } };
  const date = parseAmzDate(parsed.amzDate);
  if (!date) return { ok: false, failure: { kind: 'malformed', detail: 'The request must carry X-Amz-Date in the form YYYYMMDDTHHMMSSZ.' } };
  if (parsed.amzDate.slice(0, 8) !== parsed.scopeDate) return { ok: false, failure: { kind: 'badScope', detail: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.scopeDate}' != '${parsed.amzDate.slice(0, 8)}'.` } };
  for (const h of parsed.signedHeaders) {
    if (!presigned && req.headers[h] === undefined) return { ok: false, failure: { kind: 'malformed', detail: `Signed header '${h}' is missing from the request.` } };
  }
  if (!parsed.signedHeaders.includes('host')) return { ok: false, failure: { kind: 'malformed', detail: "'Host' must be a signed header." } };

  const signer = new SignatureV4({
    credentials: { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey, ...(parsed.token ? { sessionToken: parsed.token } : {}) },
    region: parsed.region,
    service: parsed.service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const headers: Record<string, string> = {};
  for (const h of parsed.signedHeaders) headers[h] = headerValue(req.headers[h]);
  const host = headers['host'] ?? '';
  const authParams = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']);
  const request = new HttpRequest({
    method: req.method,
    protocol: 'https:',
    hostname: host,
    path: req.rawPath || '/',
    query: toQueryRecord(presigned ? query.filter(([k]) => !authParams.has(k)) : query),
    headers,
    ...(req.body && req.body.length > 0 ? { body: req.body } : {}),
  });
  let expected: string;
  if (presigned) {
    const signed = await signer.presign(request, {
      signingDate: date,
      expiresIn: parsed.expiresIn!,
      signingRegion: parsed.region,
      signingService: parsed.service,
      signableHeaders: new Set(parsed.signedHeaders),
      unhoistableHeaders: new Set(parsed.signedHeaders),
    });
    expected = String(signed.query?.['X-Amz-Signature'] ?? '');
  } else {
    const signed = await signer.sign(request, { signingDate: date, signingRegion: parsed.region, signingService: parsed.service, signableHeaders: new Set(parsed.signedHeaders), unsignableHeaders: new Set() });
    expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers['authorization'] ?? ''))?.[1] ?? '';
  }
  if (!sameHex(expected, parsed.signature)) return { ok: false, failure: { kind: 'badSignature' } };
  // A signed x-amz-content-sha256 stands in for the body in the signature: it must be the body's hash.
  const contentHash = headerValue(req.headers['x-amz-content-sha256']);
  if (!presigned && contentHash && contentHash !== 'UNSIGNED-PAYLOAD' && contentHash !== createHash('sha256').update(req.body ?? Buffer.alloc(0)).digest('hex')) {
    return { ok: false, failure: { kind: 'badSignature' } };
  }

  if (presigned) {
    if (options.maxExpiresSeconds !== undefined && parsed.expiresIn! > options.maxExpiresSeconds) {
      return { ok: false, failure: { kind: 'malformed', detail: `X-Amz-Expires must be at most ${options.maxExpiresSeconds} seconds.` } };
    }
    const expiresAt = date.getTime() + parsed.expiresIn! * 1000;
    if (now > expiresAt) return { ok: false, failure: { kind: 'expiredUrl', detail: `Request has expired: it was signed at ${parsed.amzDate} and was valid for ${parsed.expiresIn} seconds.` } };
    if (date.getTime() - now > options.maxSkewMs) return { ok: false, failure: { kind: 'skew', detail: `Signature not yet current: ${parsed.amzDate} is still later than now.` } };
  } else if (Math.abs(now - date.getTime()) > options.maxSkewMs) {
    const minutes = Math.round(options.maxSkewMs / 60_000);
    return { ok: false, failure: { kind: 'skew', detail: `Signature expired: ${parsed.amzDate} is now earlier or later than the allowed ${minutes} minutes from the server time.` } };
  }

  if (record.sessionToken) {
    if (!parsed.token || parsed.token !== record.sessionToken) return { ok: false, failure: { kind: 'tokenInvalid' } };
    if (record.expiresAt !== undefined && now >= record.expiresAt) return { ok: false, failure: { kind: 'tokenExpired' } };
  } else if (parsed.token) {
    return { ok: false, failure: { kind: 'tokenInvalid' } };
  }
  return { ok: true, record, region: parsed.region, service: parsed.service, signedHeaders: parsed.signedHeaders, date, ...(parsed.expiresIn !== undefined ? { expiresIn: parsed.expiresIn } : {}) };
}
