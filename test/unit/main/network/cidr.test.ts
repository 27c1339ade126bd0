import { describe, expect, it } from 'vitest';
import { cidrContains, cidrOverlaps, cidrSize, parseCidr } from '../../../../main/network/cidr';

const p = (text: string) => {
  const r = parseCidr(text);
  if (!r) throw new Error(`test data: ${text} does not parse`);
  return r;
};

describe('parseCidr', () => {
  it('reads IPv4 blocks and single addresses', () => {
    expect(p('10.0.0.0/16')).toMatchObject({ family: 4, prefixLength: 16, text: '10.0.0.0/16' });
    expect(p('10.0.1.17')).toMatchObject({ family: 4, prefixLength: 32, text: '10.0.1.17/32' });
    expect(cidrSize(p('10.0.0.0/24'))).toBe(256n);
    expect(cidrSize(p('0.0.0.0/0'))).toBe(2n ** 32n);
  });

  it('clears host bits as AWS does', () => {
    expect(p('10.0.5.9/16').text).toBe('10.0.0.0/16');
  });

  it('reads IPv6 in its compressed, full and IPv4-embedded forms', () => {
    expect(p('2600:1f18:abcd::/56')).toMatchObject({ family: 6, prefixLength: 56, text: '2600:1f18:abcd::/56' });
    expect(p('::/0').text).toBe('::/0');
    expect(p('::1').text).toBe('::1/128');
    expect(p('2001:0db8:0000:0000:0000:0000:0000:0001').text).toBe('2001:db8::1/128');
    expect(p('::ffff:10.0.0.1').text).toBe('::ffff:a00:1/128');
    expect(p('fe80:0:0:1:0:0:0:1').text).toBe('fe80:0:0:1::1/128');
  });

  it('refuses what is not an address or block', () => {
    for (const bad of ['', '10.0.0', '10.0.0.256', '10.0.0.0/33', '10.0.0.0/x', '1::2::3', '1:2:3:4:5:6:7:8:9', 'gggg::', '::/129', 'sg-0123', '1:2:3:4:5:6:7']) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
});

describe('containment and overlap', () => {
  it('holds a subnet inside its VPC and an address inside its subnet', () => {
    expect(cidrContains(p('10.0.0.0/16'), p('10.0.1.0/24'))).toBe(true);
    expect(cidrContains(p('10.0.1.0/24'), p('10.0.1.255'))).toBe(true);
    expect(cidrContains(p('10.0.1.0/24'), p('10.0.2.0'))).toBe(false);
    expect(cidrContains(p('10.0.1.0/24'), p('10.0.0.0/16'))).toBe(false);
  });

  it('tells overlap from containment', () => {
    expect(cidrOverlaps(p('10.0.1.0/25'), p('10.0.1.0/24'))).toBe(true);
    expect(cidrContains(p('10.0.1.0/25'), p('10.0.1.0/24'))).toBe(false);
    expect(cidrOverlaps(p('10.0.2.0/24'), p('10.0.1.0/24'))).toBe(false);
  });

  it('never mixes IPv4 and IPv6', () => {
    expect(cidrContains(p('::/0'), p('10.0.0.1'))).toBe(false);
    expect(cidrOverlaps(p('0.0.0.0/0'), p('::1'))).toBe(false);
    expect(cidrContains(p('2600:1f18::/48'), p('2600:1f18:0:5::10'))).toBe(true);
  });
});
