import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { parseRawQuery, verifySigV4, type SignedRequest } from '../../sandbox/aws/sigv4';
import type { CredentialRecord } from '../../sandbox/world/world';

const record: CredentialRecord = {
  accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  principal: { name: 'tester', arn: 'arn:aws:iam::123456789012:user/tester', userId: 'AIDAEXAMPLE', accountId: '123456789012' },
};
const temporary: CredentialRecord = { ...record, accessKeyId: 'ASIAI44QH8DHBEXAMPLE', sessionToken: 'token-EXAMPLE', expiresAt: Date.now() + 3_600_000 };
const lookup = (key: string): CredentialRecord | undefined => [record, temporary].find((r) => r.accessKeyId === key);

function signer(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = record, service = 'ec2'): SignatureV4 {
  return new SignatureV4({ credentials, region: 'us-east-1', service, sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
}

/** Signs a form POST with smithy, as the SDK does, and turns it into what the server sees. */
async function signedPost(body: string, options: { credentials?: typeof record; date?: Date; service?: string } = {}): Promise<SignedRequest> {
  const request = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4566, path: '/', headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }, body });
  const signed = await signer(options.credentials ?? record, options.service ?? 'ec2').sign(request, options.date ? { signingDate: options.date } : {});
  return { method: 'POST', rawPath: '/', rawQuery: '', headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])), body: Buffer.from(body) };
}

async function presigned(options: { date?: Date; expiresIn?: number; credentials?: typeof record } = {}): Promise<SignedRequest> {
  const host = 'eice-0123456789abcdef0.0123abcd.ec2-instance-connect-endpoint.us-east-1.amazonaws.com';
  const request = new HttpRequest({ method: 'GET', protocol: 'wss:', hostname: host, path: '/openTunnel', query: { instanceConnectEndpointId: 'eice-0123456789abcdef0', remotePort: '22', privateIpAddress: '10.0.0.5' }, headers: { host } });
  const signed = await signer(options.credentials ?? record, 'ec2-instance-connect').presign(request, { expiresIn: options.expiresIn ?? 60, ...(options.date ? { signingDate: options.date } : {}) });
  const rawQuery = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return { method: 'GET', rawPath: '/openTunnel', rawQuery, headers: { host } };
}

const ec2 = { service: 'ec2', lookup, maxSkewMs: 15 * 60_000 };
const eice = { service: 'ec2-instance-connect', lookup, maxSkewMs: 5 * 60_000, maxExpiresSeconds: 60 };

describe('SigV4 verification', () => {
  it('accepts what the SDK\u2019s signer produced, and reads the Region from the scope', async () => {
    const result = await verifySigV4(await signedPost('Action=DescribeVpcs&Version=2016-11-15'), ec2);
    expect(result).toMatchObject({ ok: true, region: 'us-east-1', service: 'ec2', record: { accessKeyId: record.accessKeyId } });
  });

  it('rejects a changed body, an unknown key, another service and a missing header', async () => {
    const request = await signedPost('Action=DescribeVpcs&Version=2016-11-15');
    expect(await verifySigV4({ ...request, body: Buffer.from('Action=DeleteVpc&Version=2016-11-15') }, ec2)).toEqual({ ok: false, failure: { kind: 'badSignature' } });
    const stranger = { ...record, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' };
    expect(await verifySigV4(await signedPost('Action=X', { credentials: stranger }), ec2)).toMatchObject({ ok: false, failure: { kind: 'unknownKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } });
    expect(await verifySigV4(await signedPost('Action=X', { service: 'sts' }), ec2)).toMatchObject({ ok: false, failure: { kind: 'badScope' } });
    const { ['content-type']: _dropped, ...headers } = request.headers;
    expect(await verifySigV4({ ...request, headers }, ec2)).toMatchObject({ ok: false, failure: { kind: 'malformed' } });
    expect(await verifySigV4({ ...request, headers: {} }, ec2)).toEqual({ ok: false, failure: { kind: 'missing' } });
  });

  it('refuses a request signed too far from now', async () => {
    const old = await signedPost('Action=X', { date: new Date(Date.now() - 20 * 60_000) });
    expect(await verifySigV4(old, ec2)).toMatchObject({ ok: false, failure: { kind: 'skew' } });
    expect(await verifySigV4(old, { ...ec2, maxSkewMs: 30 * 60_000 })).toMatchObject({ ok: true });
  });

  it('needs the session token with temporary credentials, and refuses them once expired', async () => {
    const withToken = await signedPost('Action=X', { credentials: temporary });
    expect(await verifySigV4(withToken, ec2)).toMatchObject({ ok: true });
    const { ['x-amz-security-token']: _token, ...headers } = withToken.headers;
    expect(await verifySigV4({ ...withToken, headers }, ec2)).toMatchObject({ ok: false });
    const expired = { ...temporary, expiresAt: Date.now() - 1000 };
    expect(await verifySigV4(withToken, { ...ec2, lookup: () => expired })).toEqual({ ok: false, failure: { kind: 'tokenExpired' } });
  });

  it('verifies presigned openTunnel URLs: signature, 60-second expiry, at most 60 seconds', async () => {
    const fresh = await presigned();
    expect(await verifySigV4(fresh, eice)).toMatchObject({ ok: true, service: 'ec2-instance-connect', signedHeaders: ['host'], expiresIn: 60 });
    expect(await verifySigV4({ ...fresh, rawQuery: fresh.rawQuery.replace('remotePort=22', 'remotePort=3389') }, eice)).toEqual({ ok: false, failure: { kind: 'badSignature' } });
    expect(await verifySigV4({ ...fresh, headers: { host: 'eice-0fffffffffffffff0.0123abcd.ec2-instance-connect-endpoint.us-east-1.amazonaws.com' } }, eice)).toEqual({ ok: false, failure: { kind: 'badSignature' } });
    expect(await verifySigV4(await presigned({ date: new Date(Date.now() - 90_000) }), eice)).toMatchObject({ ok: false, failure: { kind: 'expiredUrl' } });
    expect(await verifySigV4(await presigned({ expiresIn: 3600 }), eice)).toMatchObject({ ok: false, failure: { kind: 'malformed' } });
  });

  it('splits query strings without turning + into a space', () => {
    expect(parseRawQuery('a=1%2B2&b=x+y&c')).toEqual([
      ['a', '1+2'],
      ['b', 'x+y'],
      ['c', ''],
    ]);
  });
});
