import { describe, expect, it } from 'vitest';
import { planDial } from '../../../../main/eice/dial';
import { TunnelFailureError } from '../../../../main/eice/errors';
import { isNoProxy, proxyFor } from '../../../../main/eice/proxy';

const EICE = 'eice-0123456789abcdef0.ec2-instance-connect-endpoint.us-east-1.amazonaws.com';

describe('NO_PROXY matching', () => {
  const cases: [string, string, number, boolean][] = [
    ['', EICE, 443, false],
    ['*', EICE, 443, true],
    ['amazonaws.com', EICE, 443, true],
    ['.amazonaws.com', EICE, 443, true],
    ['*.amazonaws.com', EICE, 443, true],
    ['AMAZONAWS.COM', EICE, 443, true],
    ['ec2-instance-connect-endpoint.us-east-1.amazonaws.com', EICE, 443, true],
    ['example.com, amazonaws.com', EICE, 443, true],
    ['example.com amazonaws.com', EICE, 443, true],
    ['zonaws.com', EICE, 443, false],
    ['ws.com', EICE, 443, false],
    ['amazonaws.com:443', EICE, 443, true],
    ['amazonaws.com:8443', EICE, 443, false],
    ['localhost,127.0.0.1', '127.0.0.1', 9443, true],
    ['127.0.0.0/8', '127.0.0.1', 9443, true],
    ['10.0.0.0/8', '127.0.0.1', 9443, false],
    ['::1', '::1', 443, true],
    ['[::1]:443', '::1', 443, true],
    ['fd00::/8', 'fd12::5', 443, true],
    ['127.0.0.1', 'localhost', 443, false],
    [' , ,', EICE, 443, false],
  ];
  it.each(cases)('NO_PROXY=%j, host %s:%i -> exempt %s', (noProxy, host, port, expected) => {
    expect(isNoProxy(host, port, noProxy)).toBe(expected);
  });
});

describe('proxyFor', () => {
  it('reads https_proxy before HTTPS_PROXY, and defaults the scheme to http', () => {
    expect(proxyFor(EICE, 443, { https_proxy: 'http://a:3128', HTTPS_PROXY: 'http://b:3128' })?.display).toBe('a:3128');
    expect(proxyFor(EICE, 443, { HTTPS_PROXY: 'proxy.corp:8080' })?.url.protocol).toBe('http:');
    expect(proxyFor(EICE, 443, { HTTPS_PROXY: 'https://proxy.corp' })?.display).toBe('proxy.corp:443');
  });

  it('keeps credentials out of what it shows', () => {
    const p = proxyFor(EICE, 443, { HTTPS_PROXY: 'http://alice:s3cret@proxy:3128' });
    expect(p?.display).toBe('proxy:3128');
    expect(p?.url.password).toBe('s3cret');
  });

  it('is skipped when NO_PROXY or no_proxy names the host', () => {
    expect(proxyFor(EICE, 443, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.amazonaws.com' })).toBeUndefined();
    expect(proxyFor(EICE, 443, { HTTPS_PROXY: 'http://p:1', no_proxy: 'amazonaws.com' })).toBeUndefined();
    expect(proxyFor(EICE, 443, {})).toBeUndefined();
  });

  it('refuses a proxy scheme it cannot speak instead of silently going direct', () => {
    expect(() => proxyFor(EICE, 443, { HTTPS_PROXY: 'socks5://p:1080' })).toThrow(TunnelFailureError);
  });
});

describe('planDial', () => {
  it('dials the DNS name on 443 by default, with Node\'s own roots', () => {
    expect(planDial(EICE, {})).toEqual({ servername: EICE, dialHost: EICE, dialPort: 443, proxy: undefined, ca: undefined });
  });

  it('dials BASTIONLESS_EICE_ADDRESS but keeps the DNS name as server name', () => {
    const plan = planDial(EICE, { BASTIONLESS_EICE_ADDRESS: '127.0.0.1:9443' });
    expect(plan).toMatchObject({ servername: EICE, dialHost: '127.0.0.1', dialPort: 9443 });
    expect(planDial(EICE, { BASTIONLESS_EICE_ADDRESS: '[::1]:9443' })).toMatchObject({ dialHost: '::1', dialPort: 9443 });
  });

  it('says what is wrong with a malformed override', () => {
    for (const bad of ['localhost', '127.0.0.1:0', '127.0.0.1:99999', 'http://x:1']) {
      expect(() => planDial(EICE, { BASTIONLESS_EICE_ADDRESS: bad })).toThrow(/host:port/);
    }
  });

  it('goes direct when NO_PROXY names either the endpoint or the overriding address', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', BASTIONLESS_EICE_ADDRESS: '127.0.0.1:9443' };
    expect(planDial(EICE, env).proxy?.display).toBe('proxy:3128');
    expect(planDial(EICE, { ...env, NO_PROXY: '127.0.0.1' }).proxy).toBeUndefined();
    expect(planDial(EICE, { ...env, NO_PROXY: 'amazonaws.com' }).proxy).toBeUndefined();
  });

  it('fails clearly when NODE_EXTRA_CA_CERTS cannot be read', () => {
    expect(() => planDial(EICE, { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' })).toThrow(/NODE_EXTRA_CA_CERTS/);
  });
});
