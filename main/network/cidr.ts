/**
 * IPv4 and IPv6 addresses and CIDR blocks as numeric ranges, for security-group and route
 * analysis. Pure and dependency-free: a host address is a /32 (IPv4) or /128 (IPv6) block.
 */

/** One CIDR block (or a single address) as an inclusive numeric range. */
export interface CidrRange {
  family: 4 | 6;
  /** The block's first address. */
  start: bigint;
  /** The block's last address. */
  end: bigint;
  prefixLength: number;
  /** The normalised text (`10.0.0.0/16`, `2600:1f18::/56`). */
  text: string;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text.toLowerCase();
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hextets.
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(body);
  if (v4?.[1]) {
    const n = parseIpv4(v4[1]);
    if (n === undefined) return undefined;
    body = `${body.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/**
 * Parses `10.0.0.0/16`, `10.0.1.17` (as /32), `2600:1f18::/56` or `fd00::1` (as /128).
 * Host bits set in a block (`10.0.0.5/16`) are cleared, as AWS does. Undefined when the text is
 * not an address or block.
 */
export function parseCidr(text: string): CidrRange | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const family: 4 | 6 = addressText.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (address === undefined) return undefined;
  const bits = BITS[family];
  let prefixLength: number = bits;
  if (slash >= 0) {
    const p = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return undefined;
    prefixLength = Number(p);
  }
  const hostBits = BigInt(bits - prefixLength);
  const hostMask = (1n << hostBits) - 1n;
  const start = address & ~hostMask & ((1n << BigInt(bits)) - 1n);
  const end = start | hostMask;
  return { family, start, end, prefixLength, text: `${formatAddress(family, start)}/${prefixLength}` };
}

/** Whether every address of `inner` lies inside `outer` (false across IPv4 and IPv6). */
export function cidrContains(outer: CidrRange, inner: CidrRange): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

/** Whether the two ranges share at least one address (false across IPv4 and IPv6). */
export function cidrOverlaps(a: CidrRange, b: CidrRange): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/** How many addresses the block holds (2^(bits - prefix)). */
export function cidrSize(range: CidrRange): bigint {
  return range.end - range.start + 1n;
}
