import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AwsNetwork, bypassesProxy } from '../../../../main/aws/awsNetwork';
import { memoryLogger } from '../../../support/fakes';

const net = (env: Record<string, string>) => new AwsNetwork(env, memoryLogger().log);

describe('AwsNetwork', () => {
  it('picks endpoint overrides in the SDK order: service env, global env, [services], endpoint_url', () => {
    const settings = { endpointUrl: 'https://profile.example', servicesSection: { 'ec2.endpoint_url': 'https://services.example' } };
    expect(net({ AWS_ENDPOINT_URL_EC2: 'https://env-ec2.example', AWS_ENDPOINT_URL: 'https://env.example' }).endpointFor('ec2', settings)).toBe('https://env-ec2.example');
    expect(net({ AWS_ENDPOINT_URL: 'https://env.example' }).endpointFor('ec2', settings)).toBe('https://env.example');
    expect(net({}).endpointFor('ec2', settings)).toBe('https://services.example');
    expect(net({}).endpointFor('sts', settings)).toBe('https://profile.example');
    expect(net({}).endpointFor('sts')).toBeUndefined();
    expect(net({ AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT: 'https://eic.example' }).endpointFor('eic')).toBe('https://eic.example');
    expect(net({ AWS_ENDPOINT_URL_SSO_OIDC: 'https://oidc.example', AWS_ENDPOINT_URL_SSO: 'https://sso.example' }).endpointFor('ssoOidc')).toBe('https://oidc.example');
    expect(net({ AWS_ENDPOINT_URL_EC2: 'https://x', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).endpointFor('ec2')).toBeUndefined();
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(() => net({ AWS_ENDPOINT_URL_EC2: 'ftp://nope' }).endpointFor('ec2')).toThrow(expect.objectContaining({ code: 'AWS_PROFILE_INVALID' }));
  });

  it('computes the host of AWS endpoints, FIPS and China included', () => {
    expect(net({}).hostFor('ec2', 'eu-west-1')).toEqual({ host: 'ec2.eu-west-1.amazonaws.com', protocol: 'https:' });
    expect(net({ AWS_USE_FIPS_ENDPOINT: 'true' }).hostFor('ec2', 'us-east-1').host).toBe('ec2-fips.us-east-1.amazonaws.com');
    expect(net({}).hostFor('sts', 'cn-north-1').host).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(net({ AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4566' }).hostFor('ec2', 'eu-west-1')).toEqual({ host: '127.0.0.1', protocol: 'http:' });
  });

  it('uses HTTPS_PROXY unless NO_PROXY matches', () => {
    const n = net({ HTTPS_PROXY: 'proxy.corp:3128', NO_PROXY: '.internal.corp, 10.0.0.1,localhost:8080' });
    expect(n.proxyFor('ec2.eu-west-1.amazonaws.com', 'https:')).toBe('http://proxy.corp:3128');
    expect(n.proxyFor('api.internal.corp', 'https:')).toBeUndefined();
    expect(n.proxyFor('10.0.0.1', 'https:')).toBeUndefined();
    expect(n.proxyFor('localhost', 'https:')).toBeUndefined();
    expect(net({ https_proxy: 'http://p:1' }).proxyFor('sts.amazonaws.com', 'https:')).toBe('http://p:1');
    expect(net({}).proxyFor('sts.amazonaws.com', 'https:')).toBeUndefined();
  });

  it('reads NO_PROXY the way curl does', () => {
    expect(bypassesProxy('anything.example', '*')).toBe(true);
    expect(bypassesProxy('ec2.amazonaws.com', 'amazonaws.com')).toBe(true);
    expect(bypassesProxy('ec2.amazonaws.com', '.amazonaws.com')).toBe(true);
    expect(bypassesProxy('notamazonaws.com', 'amazonaws.com')).toBe(false);
    expect(bypassesProxy('::1', '[::1]')).toBe(true);
    expect(bypassesProxy('example.org', '')).toBe(false);
  });

  it('adds AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS to the trusted CAs, failing clearly on a bad bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bl-ca-'));
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
    writeFileSync(join(dir, 'a.pem'), pem + pem);
    writeFileSync(join(dir, 'b.pem'), pem);
    expect(net({ AWS_CA_BUNDLE: join(dir, 'a.pem'), NODE_EXTRA_CA_CERTS: join(dir, 'b.pem') }).extraCas()).toHaveLength(3);
    expect(net({}).extraCas({ caBundle: join(dir, 'b.pem') })).toHaveLength(1);
    expect(() => net({ AWS_CA_BUNDLE: join(dir, 'missing.pem') }).extraCas()).toThrow(expect.objectContaining({ code: 'AWS_TLS_UNTRUSTED' }));
    // Node only warns about a bad NODE_EXTRA_CA_CERTS; so do we.
    expect(net({ NODE_EXTRA_CA_CERTS: join(dir, 'missing.pem') }).extraCas()).toEqual([]);
  });
});
