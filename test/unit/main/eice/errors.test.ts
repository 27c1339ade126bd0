import { describe, expect, it } from 'vitest';
import { describeTunnelFailure, networkFailureOf, refusalOf, TUNNEL_ERROR_TABLE, type TunnelErrorContext, type TunnelFailure } from '../../../../main/eice/errors';
import { ERROR_CODES } from '../../../../preload/contract/errors';

const context: TunnelErrorContext = {
  endpointId: 'eice-0abc',
  dnsName: 'eice-0abc.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
  privateIpAddress: '10.0.1.23',
  remotePort: 22,
  maxTunnelDuration: 3600,
  region: 'us-east-1',
};

const refused = (status: number, errorCode: string, text: string, requestId?: string): TunnelFailure => refusalOf(status, JSON.stringify({ ErrorCode: errorCode, Message: text }), requestId);
const closed = (closeCode: number, reason = '', afterExpiry = false): TunnelFailure => ({ kind: 'closed', closeCode, reason, afterExpiry });
const net = (error: object): TunnelFailure => networkFailureOf(error);

describe('the tunnel error table', () => {
  const cases: [string, TunnelFailure, string][] = [
    ['bad signature', refused(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match'), 'AWS_CREDENTIALS_INVALID'],
    ['unknown key', refused(403, 'InvalidClientTokenId', 'The security token included in the request is invalid'), 'AWS_CREDENTIALS_INVALID'],
    ['expired session', refused(403, 'ExpiredToken', 'The security token included in the request is expired'), 'AWS_CREDENTIALS_EXPIRED'],
    ['expired presign', refused(403, 'AccessDenied', 'Signature expired: 20240315T123456Z is now earlier than 20240315T123556Z'), 'EIC_CLOCK_SKEW'],
    ['expired presign (own code)', refused(403, 'RequestExpired', 'Request has expired'), 'EIC_CLOCK_SKEW'],
    ['expired presign (signature code)', refused(400, 'InvalidSignatureException', 'Request has expired: it was signed at 20240315T123456Z and was valid for 60 seconds.'), 'EIC_CLOCK_SKEW'],
    ['clock skew (signature code)', refused(400, 'InvalidSignatureException', 'Signature expired: 20240315T123456Z is now earlier or later than the allowed 5 minutes from the server time.'), 'EIC_CLOCK_SKEW'],
    ['bad signature (signature code)', refused(400, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.'), 'AWS_CREDENTIALS_INVALID'],
    ['unknown key (sandbox style)', refused(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.'), 'AWS_CREDENTIALS_INVALID'],
    ['expired session (exception name)', refused(400, 'ExpiredTokenException', 'The security token included in the request is expired'), 'AWS_CREDENTIALS_EXPIRED'],
    ['IAM deny', refused(403, 'AccessDenied', 'User: arn:aws:iam::1:user/a is not authorized to perform: ec2-instance-connect:OpenTunnel'), 'EIC_TUNNEL_ACCESS_DENIED'],
    ['bare 403', refusalOf(403, '', undefined), 'EIC_TUNNEL_ACCESS_DENIED'],
    ['connection limit', refused(429, 'TooManyConnections', 'The endpoint has reached its limit of 20 concurrent connections'), 'EIC_CONNECTION_LIMIT'],
    ['throttled', refused(429, 'ThrottlingException', 'Rate exceeded'), 'AWS_THROTTLED'],
    ['port', refused(400, 'InvalidParameter', 'The specified RemotePort is not valid. Specify either 22 or 3389 and try again.'), 'EIC_PORT_NOT_ALLOWED'],
    ['no endpoint', refused(404, 'ResourceNotFoundException', 'Instance Connect Endpoint eice-0abc does not exist'), 'EIC_NO_ENDPOINT'],
    ['endpoint not ready', refused(409, 'IncorrectState', 'The endpoint is in state create-in-progress'), 'EIC_ENDPOINT_NOT_READY'],
    ['bad duration', refused(400, 'InvalidParameter', 'maxTunnelDuration must be between 1 and 3600'), 'INVALID_INPUT'],
    ['server error', refused(503, 'ServiceUnavailable', 'try later'), 'EIC_TUNNEL_REFUSED'],
    ['other refusal', refused(400, 'Weird', 'something'), 'EIC_TUNNEL_REFUSED'],
    ['target unreachable', closed(1011, 'Unable to connect to target'), 'EIC_TUNNEL_TARGET_UNREACHABLE'],
    ['expired by time', closed(1000, '', true), 'EIC_TUNNEL_EXPIRED'],
    ['expired by reason', closed(1008, 'Max tunnel duration reached'), 'EIC_TUNNEL_EXPIRED'],
    ['limit at close', closed(1008, 'Connection limit reached for endpoint'), 'EIC_CONNECTION_LIMIT'],
    ['too big', closed(1009, ''), 'EIC_TUNNEL_PROTOCOL'],
    ['dropped', closed(1006, ''), 'EIC_TUNNEL_CLOSED'],
    ['server closed oddly', closed(1011, 'Internal error'), 'EIC_TUNNEL_CLOSED'],
    ['text frame', { kind: 'protocol', text: 'TEXT frame' }, 'EIC_TUNNEL_PROTOCOL'],
    ['dns', net({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x' }), 'EIC_DNS_FAILED'],
    ['tls untrusted', net({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }), 'EIC_TLS_FAILED'],
    ['tls name', net({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }), 'EIC_TLS_FAILED'],
    ['tls self-signed', net({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }), 'EIC_TLS_FAILED'],
    ['refused', net({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }), 'EIC_NETWORK'],
    ['timeout', net({ message: 'Opening handshake has timed out' }), 'EIC_NETWORK'],
    ['proxy 407', { kind: 'network', stage: 'proxy', errno: 'HTTP_407', text: '', proxyStatus: 407, proxy: 'p:3128' }, 'EIC_PROXY_FAILED'],
    ['proxy 403', { kind: 'network', stage: 'proxy', errno: 'HTTP_403', text: '', proxyStatus: 403, proxy: 'p:3128' }, 'EIC_PROXY_FAILED'],
    ['proxy down', { kind: 'network', stage: 'proxy', errno: 'ECONNREFUSED', text: 'could not reach it', proxy: 'p:3128' }, 'EIC_PROXY_FAILED'],
  ];

  it.each(cases)('%s -> its code', (_name, failure, code) => {
    const error = describeTunnelFailure(failure, context);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    expect(error.hint.length).toBeGreaterThan(10);
  });

  it('only uses codes the contract declares', () => {
    for (const rule of TUNNEL_ERROR_TABLE) expect(ERROR_CODES).toContain(rule.code);
  });

  it('names the action, the endpoint and the target when IAM denies, and the duration when the policy caps it', () => {
    const plain = describeTunnelFailure(refused(403, 'AccessDenied', 'not authorized', 'req-9'), context);
    expect(plain.message).toContain('ec2-instance-connect:OpenTunnel');
    expect(plain.message).toContain('eice-0abc');
    expect(plain.message).toContain('10.0.1.23:22');
    expect(plain.requestId).toBe('req-9');
    expect(plain.hint).toContain('remotePort');
    const capped = describeTunnelFailure(refused(403, 'AccessDenied', 'denied by a condition on ec2-instance-connect:maxTunnelDuration'), { ...context, maxTunnelDuration: 3600 });
    expect(capped.hint).toMatch(/maxTunnelDuration/);
    expect(capped.hint).toContain('3600');
  });

  it('shows the service\'s own words when it refuses a port', () => {
    const error = describeTunnelFailure(refused(400, 'InvalidParameter', 'The specified RemotePort is not valid. Specify either 22 or 3389 and try again.'), { ...context, remotePort: 8080 });
    expect(error.message).toContain('port 8080');
    expect(error.message).toContain('Specify either 22 or 3389');
  });

  it('says when the service ended a tunnel before the duration it asked for', () => {
    const early = describeTunnelFailure({ kind: 'closed', closeCode: 1000, reason: 'Maximum tunnel duration reached', afterExpiry: false, elapsedSeconds: 900 }, context);
    expect(early.code).toBe('EIC_TUNNEL_EXPIRED');
    expect(early.message).toContain('after 900 seconds');
    expect(early.hint).toMatch(/maxTunnelDuration/);
    const onTime = describeTunnelFailure({ kind: 'closed', closeCode: 1000, reason: '', afterExpiry: true, elapsedSeconds: 3600 }, context);
    expect(onTime.message).toContain('maximum duration of 3600 seconds');
  });

  it('gives an RDP-specific hint when port 3389 is unreachable, and IPv6 targets in brackets', () => {
    const error = describeTunnelFailure(closed(1011, 'Unable to connect to target'), { ...context, remotePort: 3389, privateIpAddress: 'fd00::5' });
    expect(error.hint).toContain('Remote Desktop');
    expect(error.message).toContain('[fd00::5]:3389');
  });
});

describe('refusalOf', () => {
  it('reads AWS\'s {ErrorCode, Message} and other JSON shapes', () => {
    expect(refusalOf(403, '{"ErrorCode":"AccessDenied","Message":"no"}', 'r1')).toEqual({ kind: 'refused', status: 403, errorCode: 'AccessDenied', text: 'no', requestId: 'r1' });
    expect(refusalOf(400, '{"__type":"com.amazon#ValidationException","message":"bad"}', undefined)).toMatchObject({ errorCode: 'ValidationException', text: 'bad' });
  });

  it('keeps a non-JSON body as short plain text', () => {
    const html = refusalOf(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', undefined);
    expect(html.text).toBe('502 Bad Gateway');
    expect(html.errorCode).toBe('');
    expect(refusalOf(500, 'x'.repeat(5000), undefined).text.length).toBeLessThanOrEqual(1000);
  });
});
