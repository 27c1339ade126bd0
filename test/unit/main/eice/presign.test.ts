import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { presignOpenTunnelUrl, type PresignOpenTunnelInput } from '../../../../main/eice/presign';

/**
 * SigV4 query signing written from AWS's published algorithm ("Create a signed AWS API request",
 * and botocore's SigV4QueryAuth, which the AWS CLI's open-tunnel uses), with node:crypto only.
 * It builds the whole URL the CLI would build, so comparing strings checks the signature and
 * the byte layout at once.
 */
function referencePresign(input: Required<Omit<PresignOpenTunnelInput, 'maxTunnelDuration'>> & { maxTunnelDuration?: number }): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const iso = input.signingDate.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = iso.slice(0, 8);
  const scope = `${day}/${input.region}/ec2-instance-connect/aws4_request`;
  const op: [string, string][] = [
    ['instanceConnectEndpointId', input.endpointId],
    ['remotePort', String(input.remotePort)],
    ['privateIpAddress', input.privateIpAddress],
  ];
  if (input.maxTunnelDuration !== undefined) op.push(['maxTunnelDuration', String(input.maxTunnelDuration)]);
  const auth: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${input.credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', iso],
    ['X-Amz-Expires', '60'],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  if (input.credentials.sessionToken) auth.push(['X-Amz-Security-Token', input.credentials.sessionToken]);
  const encoded = [...op, ...auth].map(([k, v]) => `${enc(k)}=${enc(v)}`);
  const canonicalQuery = [...encoded].sort((a, b) => {
    const [ka, va] = a.split('=');
    const [kb, vb] = b.split('=');
    return ka! < kb! ? -1 : ka! > kb! ? 1 : va! < vb! ? -1 : va! > vb! ? 1 : 0;
  });
  const emptyHash = createHash('sha256').update('').digest('hex');
  const canonicalRequest = ['GET', '/openTunnel', canonicalQuery.join('&'), `host:${input.dnsName}`, '', 'host', emptyHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', iso, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
  const kDate = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, input.region), 'ec2-instance-connect'), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  return `wss://${input.dnsName}/openTunnel?${encoded.join('&')}&X-Amz-Signature=${signature}`;
}

function anInput(overrides: Partial<PresignOpenTunnelInput> = {}): PresignOpenTunnelInput & { signingDate: Date } {
  return {
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    region: 'us-east-1',
    dnsName: 'eice-0123456789abcdef0.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
    endpointId: 'eice-0123456789abcdef0',
    privateIpAddress: '10.0.1.23',
    remotePort: 22,
    maxTunnelDuration: 3600,
    signingDate: new Date('2024-03-15T12:34:56Z'),
    ...overrides,
  } as PresignOpenTunnelInput & { signingDate: Date };
}

describe('presignOpenTunnelUrl', () => {
  it('matches an independent SigV4 implementation byte for byte', async () => {
    const input = anInput();
    const url = await presignOpenTunnelUrl(input);
    expect(url).toBe(referencePresign({ ...input, credentials: { ...input.credentials, sessionToken: '' } }));
  });

  it('reproduces, byte for byte, the URLs the AWS CLI\'s own signer produced for the same inputs', async () => {
    for (const { input, url } of BOTOCORE_VECTORS) expect(await presignOpenTunnelUrl(input)).toBe(url);
  });

  it('signs the session token into the query, after the other auth parameters', async () => {
    const token = 'IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with+special=chars';
    const input = anInput({ credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: token } });
    const url = await presignOpenTunnelUrl(input);
    expect(url).toBe(referencePresign({ ...input, credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: token } }));
    expect(url).toContain(`&X-Amz-Security-Token=${encodeURIComponent(token)}&X-Amz-Signature=`);
  });

  it('encodes an IPv6 target and other Regions, ports and durations the same way', async () => {
    const input = anInput(PARIS_IPV6_RDP);
    const url = await presignOpenTunnelUrl(input);
    expect(url).toContain('privateIpAddress=2600%3A1f18%3Aabcd%3A%3A1');
    expect(url).toBe(referencePresign({ ...input, credentials: { ...input.credentials, sessionToken: '' } }));
  });

  it('leaves maxTunnelDuration out only when it is not given, as the CLI does', async () => {
    const { maxTunnelDuration: _omit, ...rest } = anInput();
    const url = await presignOpenTunnelUrl(rest);
    expect(url).not.toContain('maxTunnelDuration');
    expect(url).toBe(referencePresign({ ...rest, credentials: { ...rest.credentials, sessionToken: '' } }));
  });

  it('changes the signature when any signed part changes', async () => {
    const base = await presignOpenTunnelUrl(anInput());
    const variants = await Promise.all([
      presignOpenTunnelUrl(anInput({ remotePort: 3389 })),
      presignOpenTunnelUrl(anInput({ privateIpAddress: '10.0.1.24' })),
      presignOpenTunnelUrl(anInput({ maxTunnelDuration: 3599 })),
      presignOpenTunnelUrl(anInput({ signingDate: new Date('2024-03-15T12:34:57Z') })),
      presignOpenTunnelUrl(anInput({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'other' } })),
    ]);
    const sig = (u: string): string => new URL(u.replace('wss:', 'https:')).searchParams.get('X-Amz-Signature')!;
    for (const v of variants) expect(sig(v)).not.toBe(sig(base));
  });
});

const SIGNED_AT = new Date('2024-03-15T12:34:56Z');
/** Another Region, an IPv6 target, RDP and a 15-minute duration. */
const PARIS_IPV6_RDP = {
  region: 'eu-west-3',
  dnsName: 'eice-0fedcba9876543210.ec2-instance-connect-endpoint.eu-west-3.amazonaws.com',
  endpointId: 'eice-0fedcba9876543210',
  privateIpAddress: '2600:1f18:abcd::1',
  remotePort: 3389,
  maxTunnelDuration: 900,
};
const EXAMPLE_KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/**
 * Produced by botocore 1.43.11's RequestSigner (the signer behind `aws ec2-instance-connect
 * open-tunnel`), fed the request dict awscli/customizations/ec2instanceconnect/eicesigner.py
 * builds, with botocore.auth.get_current_datetime patched to SIGNED_AT. Kept literal: this is
 * the compatibility contract with the service, independent of our code.
 */
const BOTOCORE_VECTORS: { input: PresignOpenTunnelInput; url: string }[] = [
  {
    input: anInput({ credentials: EXAMPLE_KEYS, signingDate: SIGNED_AT }),
    url: 'wss://eice-0123456789abcdef0.ec2-instance-connect-endpoint.us-east-1.amazonaws.com/openTunnel?instanceConnectEndpointId=eice-0123456789abcdef0&remotePort=22&privateIpAddress=10.0.1.23&maxTunnelDuration=3600&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240315%2Fus-east-1%2Fec2-instance-connect%2Faws4_request&X-Amz-Date=20240315T123456Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=e06e639f38ed3c6b69cc2ddd42fc8fe22cfad3d8c369b7f082a545365dbbb787',
  },
  {
    input: anInput({
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with+special=chars' },
      signingDate: SIGNED_AT,
    }),
    url: 'wss://eice-0123456789abcdef0.ec2-instance-connect-endpoint.us-east-1.amazonaws.com/openTunnel?instanceConnectEndpointId=eice-0123456789abcdef0&remotePort=22&privateIpAddress=10.0.1.23&maxTunnelDuration=3600&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20240315%2Fus-east-1%2Fec2-instance-connect%2Faws4_request&X-Amz-Date=20240315T123456Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEOr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQ%2Btoken%2Fwith%2Bspecial%3Dchars&X-Amz-Signature=8ad64518dd53336cf256ab1adf9b63afb2a1a175abc56767becc2ba7022c4675',
  },
  {
    input: anInput({ ...PARIS_IPV6_RDP, credentials: EXAMPLE_KEYS, signingDate: SIGNED_AT }),
    url: 'wss://eice-0fedcba9876543210.ec2-instance-connect-endpoint.eu-west-3.amazonaws.com/openTunnel?instanceConnectEndpointId=eice-0fedcba9876543210&remotePort=3389&privateIpAddress=2600%3A1f18%3Aabcd%3A%3A1&maxTunnelDuration=900&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240315%2Feu-west-3%2Fec2-instance-connect%2Faws4_request&X-Amz-Date=20240315T123456Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=37d2721159a6c58ad1df286a0e8077e92651042b8c97957eda6f2a249f58aed9',
  },
  {
    input: { ...anInput({ credentials: EXAMPLE_KEYS, signingDate: SIGNED_AT }), maxTunnelDuration: undefined },
    url: 'wss://eice-0123456789abcdef0.ec2-instance-connect-endpoint.us-east-1.amazonaws.com/openTunnel?instanceConnectEndpointId=eice-0123456789abcdef0&remotePort=22&privateIpAddress=10.0.1.23&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240315%2Fus-east-1%2Fec2-instance-connect%2Faws4_request&X-Amz-Date=20240315T123456Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=3c6d283a3234f12df68d9d905edfbe0d0d4a5f52b733ee51b123a1aa1c0e43f8',
  },
];
