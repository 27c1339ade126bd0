import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static AWS credentials: what SigV4 signs with. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PresignOpenTunnelInput {
  credentials: AwsCredentials;
  /** The endpoint's Region: the signing scope. */
  region: string;
  /** The endpoint's DnsName (or FipsDnsName): the URL's host and the one signed header. */
  dnsName: string;
  endpointId: string;
  privateIpAddress: string;
  remotePort: number;
  /** Seconds (1..3600). Sent whenever given: an IAM policy that caps it denies a URL without it. */
  maxTunnelDuration?: number;
  /** Defaults to now; tests pin it. */
  signingDate?: Date;
}

/** AWS's signing name for EICE, and how long a presigned openTunnel URL stays valid. */
export const EICE_SIGNING_NAME = 'ec2-instance-connect';
export const PRESIGN_EXPIRES_SECONDS = 60;

/** RFC 3986 percent-encoding, as SigV4 and Python's `quote(safe='-_.~')` both do it. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Builds the presigned `wss://{dnsName}/openTunnel?...` URL the EICE service accepts, signed
 * exactly as the AWS CLI's `InstanceConnectEndpointRequestSigner` signs it (botocore's
 * SigV4QueryAuth): GET, path `/openTunnel`, only `host` signed, the empty-body hash, expiry
 * 60 s. The URL lists the operation parameters first, in the CLI's order, then the auth
 * parameters, then the signature, so it is byte-identical to the CLI's for the same inputs.
 * Presign afresh for every connection: the URL is good for 60 s only.
 */
export async function presignOpenTunnelUrl(input: PresignOpenTunnelInput): Promise<string> {
  const { credentials, region, dnsName, endpointId, privateIpAddress, remotePort, maxTunnelDuration } = input;
  // Every value must be a string: smithy silently leaves non-string values out of the
  // canonical query, which yields a signature the service rejects.
  const operation: [string, string][] = [
    ['instanceConnectEndpointId', endpointId],
    ['remotePort', String(remotePort)],
    ['privateIpAddress', privateIpAddress],
  ];
  if (maxTunnelDuration !== undefined) operation.push(['maxTunnelDuration', String(maxTunnelDuration)]);

  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    region,
    service: EICE_SIGNING_NAME,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'wss:',
      hostname: dnsName,
      path: '/openTunnel',
      query: Object.fromEntries(operation),
      headers: { host: dnsName },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, ...(input.signingDate ? { signingDate: input.signingDate } : {}) },
  );

  const query = signed.query as Record<string, string>;
  const auth = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders'];
  if (credentials.sessionToken) auth.push('X-Amz-Security-Token');
  const pairs: [string, string][] = [...operation, ...auth.map((k): [string, string] => [k, required(query, k)]), ['X-Amz-Signature', required(query, 'X-Amz-Signature')]];
  const search = pairs.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
  return `wss://${dnsName}/openTunnel?${search}`;
}

function required(query: Record<string, string>, key: string): string {
  const value = query[key];
  if (typeof value !== 'string') throw new Error(`SigV4 presign did not produce ${key}`);
  return value;
}
