import { AppError, type ErrorCode } from '../../preload/contract/errors';

/**
 * What went wrong with a tunnel, as plain facts gathered from the wire. `describeTunnelFailure`
 * turns these into one AppError through TUNNEL_ERROR_TABLE: the one place where the service's
 * refusals, close frames and network failures get their codes, sentences and hints.
 */
export type TunnelFailure =
  | {
      /** The service answered the WebSocket upgrade with an HTTP error. */
      kind: 'refused';
      status: number;
      /** `ErrorCode` from the JSON body (or `__type`/`code`), '' when there was none. */
      errorCode: string;
      /** `Message` from the JSON body, or the raw body text (trimmed, bounded). */
      text: string;
      requestId?: string;
    }
  | {
      /** The WebSocket closed after it was open. */
      kind: 'closed';
      /** The close frame's code; 1006 when the connection dropped without one. */
      closeCode: number;
      reason: string;
      /** The close came at or after the tunnel's maxTunnelDuration. */
      afterExpiry: boolean;
      /** How long the tunnel had been open. */
      elapsedSeconds?: number;
    }
  | {
      /** Never reached the service (name lookup, TCP, TLS) or the proxy failed. */
      kind: 'network';
      stage: 'dns' | 'connect' | 'tls' | 'proxy' | 'timeout';
      /** The system or OpenSSL error code (ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED, ...). */
      errno: string;
      text: string;
      /** The proxy's answer to CONNECT, when stage is 'proxy' and it answered. */
      proxyStatus?: number;
      /** host:port of the proxy, when one was used. */
      proxy?: string;
    }
  | {
      /** The service broke the tunnel protocol (a TEXT frame, an oversized frame). */
      kind: 'protocol';
      text: string;
    };

/** What the table's sentences may name: never credentials, never the presigned URL. */
export interface TunnelErrorContext {
  endpointId: string;
  dnsName: string;
  privateIpAddress: string;
  remotePort: number;
  /** The duration the tunnel asked for, in seconds. */
  maxTunnelDuration: number;
  region: string;
}

interface Rule {
  when: (f: TunnelFailure) => boolean;
  code: ErrorCode;
  message: (f: TunnelFailure, c: TunnelErrorContext) => string;
  hint: (f: TunnelFailure, c: TunnelErrorContext) => string;
  retryable?: boolean;
}

const target = (c: TunnelErrorContext): string =>
  `${c.privateIpAddress.includes(':') ? `[${c.privateIpAddress}]` : c.privateIpAddress}:${c.remotePort}`;

/** The service's own words, quoted, when it said anything. */
const said = (f: TunnelFailure): string => {
  const text = f.kind === 'closed' ? f.reason : f.text;
  return text ? ` AWS said: "${text.replace(/\s+/g, ' ').trim().slice(0, 300)}"` : '';
};

const refused = (f: TunnelFailure): f is Extract<TunnelFailure, { kind: 'refused' }> => f.kind === 'refused';
const closed = (f: TunnelFailure): f is Extract<TunnelFailure, { kind: 'closed' }> => f.kind === 'closed';
const network = (f: TunnelFailure): f is Extract<TunnelFailure, { kind: 'network' }> => f.kind === 'network';

const codeIs = (f: TunnelFailure, ...codes: string[]): boolean =>
  refused(f) && codes.some((c) => f.errorCode.toLowerCase() === c.toLowerCase());

const CONNECTION_LIMIT = /connection limit|too many (concurrent )?connections|maximum (number of )?(concurrent )?connections|20 (concurrent )?connections/i;
const PORT_TEXT = /remote ?port/i;
/** A close reason that says the tunnel reached its maximum duration (tunnel.ts also reads it on a normal close). */
export const EXPIRY_REASON = /max(imum)? ?tunnel ?duration|duration (exceeded|reached|elapsed)|tunnel (has )?expired/i;
/** A close well before the duration asked for: a lower cap (IAM's or the service's) ended it. */
const closedEarly = (f: TunnelFailure, c: TunnelErrorContext): f is Extract<TunnelFailure, { kind: 'closed' }> & { elapsedSeconds: number } =>
  closed(f) && f.elapsedSeconds !== undefined && f.elapsedSeconds < c.maxTunnelDuration - 2;
const NOT_READY = /not (in a )?(usable|available|ready)|create-in-progress|delete-in-progress|create-failed|delete-|state/i;

/**
 * The one table. Rules are tried in order; the first match wins, so specific rules come before
 * the catch-alls at the end of each kind.
 */
export const TUNNEL_ERROR_TABLE: readonly Rule[] = [
  // ---- refused upgrades: the service read the request and said no ----
  // An expired presigned URL comes back as a signature error: its text decides, before the code.
  {
    when: (f) => refused(f) && (codeIs(f, 'SignatureExpired', 'ExpiredSignature', 'RequestExpired', 'RequestTimeTooSkewed') || /signature (has )?expired|request (has )?expired|presigned url (has )?expired|time too skewed/i.test(f.text)),
    code: 'EIC_CLOCK_SKEW',
    message: (f) => `AWS says the tunnel request's signature has expired, so this computer's clock is probably off.${said(f)}`,
    hint: () => 'A presigned tunnel URL is valid for 60 seconds from the time on this computer: turn on automatic time synchronisation and retry.',
    retryable: true,
  },
  {
    when: (f) => codeIs(f, 'SignatureDoesNotMatch', 'IncompleteSignature', 'InvalidSignatureException'),
    code: 'AWS_CREDENTIALS_INVALID',
    message: (f) => `AWS rejected the tunnel request's signature: the secret access key does not match the access key id.${said(f)}`,
    hint: () => 'Check the secret access key of this profile (re-enter it), or refresh the session if it comes from SSO or an assumed role.',
  },
  {
    when: (f) => codeIs(f, 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'AuthFailure'),
    code: 'AWS_CREDENTIALS_INVALID',
    message: (f) => `AWS does not recognise the access key used to sign the tunnel request.${said(f)}`,
    hint: () => 'The access key may have been deleted or deactivated, or belong to another partition: create a new one or pick another profile.',
  },
  {
    when: (f) => codeIs(f, 'ExpiredToken', 'ExpiredTokenException') && !/signature|presign|url/i.test(refused(f) ? f.text : ''),
    code: 'AWS_CREDENTIALS_EXPIRED',
    message: (f) => `The AWS session used to sign the tunnel request has expired.${said(f)}`,
    hint: () => 'Refresh the credentials (for SSO run the sign-in again; for temporary keys get new ones) and retry.',
  },
  {
    when: (f) => refused(f) && (codeIs(f, 'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation') || (f.status === 403 && f.errorCode === '')),
    code: 'EIC_TUNNEL_ACCESS_DENIED',
    message: (f, c) => `You are not allowed to open a tunnel through ${c.endpointId} to ${target(c)} (ec2-instance-connect:OpenTunnel was denied).${said(f)}`,
    hint: (f, c) =>
      /maxTunnelDuration/i.test(refused(f) ? f.text : '')
        ? `Your IAM policy limits ec2-instance-connect:maxTunnelDuration and this tunnel asked for ${c.maxTunnelDuration} s: ask for a shorter tunnel duration (at most what the policy allows) or have the condition raised.`
        : `Ask your administrator for ec2-instance-connect:OpenTunnel on ${c.endpointId}; if the policy has conditions on ec2-instance-connect:remotePort or :privateIpAddress, they must allow ${target(c)}.`,
  },
  {
    when: (f) => refused(f) && (f.status === 429 || codeIs(f, 'TooManyConnections', 'ConnectionLimitExceeded', 'LimitExceeded', 'LimitExceededException')) && (CONNECTION_LIMIT.test(f.text) || codeIs(f, 'TooManyConnections', 'ConnectionLimitExceeded')),
    code: 'EIC_CONNECTION_LIMIT',
    message: (f, c) => `${c.endpointId} refused the tunnel because all 20 of its concurrent connections are in use.${said(f)}`,
    hint: () => 'Close SSH tabs, RDP sessions or port forwards you no longer need; other people or tools using the same endpoint count too.',
    retryable: true,
  },
  {
    when: (f) => refused(f) && (f.status === 429 || codeIs(f, 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded')),
    code: 'AWS_THROTTLED',
    message: (f, c) => `AWS is throttling tunnel requests to ${c.endpointId}.${said(f)}`,
    hint: () => 'Wait a few seconds and retry; open fewer tunnels at once.',
    retryable: true,
  },
  {
    when: (f) => refused(f) && (PORT_TEXT.test(f.text) || codeIs(f, 'InvalidRemotePort')),
    code: 'EIC_PORT_NOT_ALLOWED',
    message: (f, c) => `${c.endpointId} refused to open a tunnel to port ${c.remotePort}.${said(f)}`,
    hint: () => 'EC2 Instance Connect Endpoints have accepted only ports 22 (SSH) and 3389 (RDP); run the service on one of those ports or reach it through an SSH port forward.',
  },
  {
    when: (f) => refused(f) && (codeIs(f, 'InstanceConnectEndpointNotFound', 'InvalidInstanceConnectEndpointId.NotFound', 'ResourceNotFoundException', 'NotFound') || (f.status === 404 && /endpoint/i.test(f.text))),
    code: 'EIC_NO_ENDPOINT',
    message: (f, c) => `The EC2 Instance Connect Endpoint ${c.endpointId} does not exist in ${c.region}.${said(f)}`,
    hint: () => 'It may have been deleted: refresh the endpoint list, or create one for this VPC with the endpoint setup wizard.',
  },
  {
    when: (f) => refused(f) && (codeIs(f, 'InstanceConnectEndpointNotReady', 'IncorrectState', 'InvalidState', 'InvalidInstanceConnectEndpointState') || ((f.status === 409 || /endpoint/i.test(f.text)) && NOT_READY.test(f.text))),
    code: 'EIC_ENDPOINT_NOT_READY',
    message: (f, c) => `The EC2 Instance Connect Endpoint ${c.endpointId} cannot open tunnels in its current state.${said(f)}`,
    hint: () => 'A new endpoint takes a few minutes (sometimes up to ten) to reach create-complete; a failed or deleted one must be recreated.',
    retryable: true,
  },
  {
    when: (f) => refused(f) && (codeIs(f, 'InvalidParameter', 'InvalidParameterValue', 'ValidationException', 'InvalidArgsException') || f.status === 400) && /maxTunnelDuration/i.test(f.text),
    code: 'INVALID_INPUT',
    message: (f, c) => `EICE rejected the tunnel duration of ${c.maxTunnelDuration} seconds.${said(f)}`,
    hint: () => 'Use a tunnel duration between 1 and 3600 seconds.',
  },
  {
    when: (f) => refused(f) && f.status >= 500,
    code: 'EIC_TUNNEL_REFUSED',
    message: (f, c) => `${c.endpointId} failed to open the tunnel (HTTP ${refused(f) ? f.status : ''}).${said(f)}`,
    hint: () => 'This is on the AWS side and is often temporary: retry in a moment.',
    retryable: true,
  },
  {
    when: refused,
    code: 'EIC_TUNNEL_REFUSED',
    message: (f, c) => `${c.endpointId} refused to open a tunnel to ${target(c)} (HTTP ${refused(f) ? f.status : ''}${refused(f) && f.errorCode ? `, ${f.errorCode}` : ''}).${said(f)}`,
    hint: () => 'Check the endpoint, the target address and port, and your permissions; copy the details (with the request id) for AWS Support if it persists.',
  },

  // ---- the tunnel was open, then closed ----
  {
    when: (f) => closed(f) && /unable to connect to target|connection refused|target (is )?unreachable|could not connect/i.test(f.reason),
    code: 'EIC_TUNNEL_TARGET_UNREACHABLE',
    message: (f, c) => `${c.endpointId} could not open a TCP connection to ${target(c)}.${said(f)}`,
    hint: (_f, c) =>
      `Check that the instance is running, that its security group allows TCP ${c.remotePort} from the endpoint's security group (or the VPC CIDR), that the endpoint's security group allows outbound TCP ${c.remotePort}, that no network ACL blocks it, and that ${c.remotePort === 3389 ? 'Remote Desktop' : c.remotePort === 22 ? 'sshd' : 'the service'} is listening.`,
    retryable: true,
  },
  {
    when: (f) => closed(f) && (f.afterExpiry || EXPIRY_REASON.test(f.reason) || /expired/i.test(f.reason)),
    code: 'EIC_TUNNEL_EXPIRED',
    message: (f, c) =>
      closedEarly(f, c)
        ? `EICE closed the tunnel to ${target(c)} after ${f.elapsedSeconds} seconds: it reached the maximum duration the service allows it (${c.maxTunnelDuration} seconds were asked for).${said(f)}`
        : `The tunnel to ${target(c)} reached its maximum duration of ${c.maxTunnelDuration} seconds and EICE closed it.${said(f)}`,
    hint: (f, c) =>
      closedEarly(f, c)
        ? 'Your IAM policy (ec2-instance-connect:maxTunnelDuration) or the service caps how long a tunnel may stay open: reconnect to continue, or ask for a longer cap.'
        : 'EICE ends every connection after its maximum duration (at most one hour, or less if your IAM policy caps it): reconnect to continue.',
    retryable: true,
  },
  {
    when: (f) => closed(f) && CONNECTION_LIMIT.test(f.reason),
    code: 'EIC_CONNECTION_LIMIT',
    message: (f, c) => `${c.endpointId} closed the tunnel because all 20 of its concurrent connections are in use.${said(f)}`,
    hint: () => 'Close SSH tabs, RDP sessions or port forwards you no longer need; other people or tools using the same endpoint count too.',
    retryable: true,
  },
  {
    when: (f) => closed(f) && [1002, 1003, 1007, 1009, 1010].includes(f.closeCode),
    code: 'EIC_TUNNEL_PROTOCOL',
    message: (f, c) => `The tunnel through ${c.endpointId} was closed for a protocol error (WebSocket close code ${closed(f) ? f.closeCode : ''}).${said(f)}`,
    hint: () => 'Reconnect; if it keeps happening, a proxy or security product may be altering the WebSocket traffic.',
    retryable: true,
  },
  {
    when: (f) => closed(f) && f.closeCode === 1006,
    code: 'EIC_TUNNEL_CLOSED',
    message: (_f, c) => `The tunnel to ${target(c)} through ${c.endpointId} was cut without a close message.`,
    hint: () => 'The network dropped or the endpoint went away: check your connection (VPN, Wi-Fi, proxy) and reconnect.',
    retryable: true,
  },
  {
    when: closed,
    code: 'EIC_TUNNEL_CLOSED',
    message: (f, c) => `${c.endpointId} closed the tunnel to ${target(c)} (WebSocket close code ${closed(f) ? f.closeCode : ''}).${said(f)}`,
    hint: () => 'Reconnect; if it keeps closing, check the instance and the endpoint state.',
    retryable: true,
  },

  // ---- the service broke the protocol ----
  {
    when: (f) => f.kind === 'protocol',
    code: 'EIC_TUNNEL_PROTOCOL',
    message: (f, c) => `${c.endpointId} sent data the tunnel protocol does not allow, so the tunnel was closed: ${f.kind === 'protocol' ? f.text : ''}`,
    hint: () => 'Reconnect; if it keeps happening, a proxy or security product may be answering in place of AWS.',
    retryable: true,
  },

  // ---- never reached the service ----
  {
    when: (f) => network(f) && f.stage === 'proxy' && f.proxyStatus === 407,
    code: 'EIC_PROXY_FAILED',
    message: (f) => `The proxy ${network(f) && f.proxy ? `at ${f.proxy} ` : ''}asked for authentication (HTTP 407).`,
    hint: () => 'Put the proxy user name and password in HTTPS_PROXY (http://user:password@proxy:port), or ask for the endpoint host to be allowed without authentication.',
  },
  {
    when: (f) => network(f) && f.stage === 'proxy',
    code: 'EIC_PROXY_FAILED',
    message: (f, c) =>
      network(f) && f.proxyStatus
        ? `The proxy at ${f.proxy ?? '?'} refused to connect to ${c.dnsName}:443 (HTTP ${f.proxyStatus}).`
        : `Could not go through the proxy${network(f) && f.proxy ? ` at ${f.proxy}` : ''}: ${network(f) ? f.text : ''}`,
    hint: (_f, c) => `Check HTTPS_PROXY, and that the proxy allows CONNECT to *.ec2-instance-connect-endpoint.${c.region}.amazonaws.com:443 (or add that domain to NO_PROXY if it is reachable directly).`,
    retryable: true,
  },
  {
    when: (f) => network(f) && f.stage === 'dns',
    code: 'EIC_DNS_FAILED',
    message: (f, c) => `Could not look up ${c.dnsName} (${network(f) ? f.errno : ''}).`,
    hint: () => 'Check your internet connection and DNS (a VPN or corporate DNS may block amazonaws.com names); if you must use a proxy, set HTTPS_PROXY.',
    retryable: true,
  },
  {
    when: (f) => network(f) && f.stage === 'tls',
    code: 'EIC_TLS_FAILED',
    message: (f, c) => `The secure connection to ${c.dnsName} could not be verified (${network(f) ? f.errno : ''}).`,
    hint: () =>
      'If your network inspects TLS traffic (a corporate proxy or security product), point NODE_EXTRA_CA_CERTS at its root certificate (a PEM file); otherwise check the computer\'s date and time.',
  },
  {
    when: (f) => network(f) && f.stage === 'timeout',
    code: 'EIC_NETWORK',
    message: (_f, c) => `Timed out connecting to ${c.dnsName}.`,
    hint: () => 'Check your internet connection, firewall and proxy settings (HTTPS_PROXY, NO_PROXY), then retry.',
    retryable: true,
  },
  {
    when: network,
    code: 'EIC_NETWORK',
    message: (f, c) => `Could not connect to ${c.dnsName} (${network(f) ? f.errno : ''}).`,
    hint: () => 'Check your internet connection, firewall and proxy settings (HTTPS_PROXY, NO_PROXY), then retry.',
    retryable: true,
  },
];

/** Turns wire facts into the AppError a person sees: code, one sentence (or two), a hint. */
export function describeTunnelFailure(failure: TunnelFailure, context: TunnelErrorContext, cause?: unknown): AppError {
  const rule = TUNNEL_ERROR_TABLE.find((r) => r.when(failure));
  // The table ends with a catch-all for every kind, so this fallback only guards refactors.
  if (!rule) return new AppError('INTERNAL', 'The tunnel failed for an unrecognised reason.', { cause });
  return new AppError(rule.code, rule.message(failure, context), {
    hint: rule.hint(failure, context),
    retryable: rule.retryable ?? false,
    ...(failure.kind === 'refused' && failure.requestId ? { requestId: failure.requestId } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

const TLS_ERRNO = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|EPROTO$|ERR_OSSL_|HOSTNAME_MISMATCH)/;

/** Classifies a Node socket/TLS error raised before the upgrade completed. */
export function networkFailureOf(error: unknown): Extract<TunnelFailure, { kind: 'network' }> {
  const e = error as { code?: unknown; message?: unknown };
  const errno = typeof e?.code === 'string' ? e.code : 'UNKNOWN';
  const text = typeof e?.message === 'string' ? e.message : String(error);
  let stage: 'dns' | 'connect' | 'tls' | 'timeout' = 'connect';
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN' || errno === 'EAI_FAIL' || errno === 'EAI_NONAME') stage = 'dns';
  else if (TLS_ERRNO.test(errno) || /certificate|ssl|tls/i.test(text)) stage = 'tls';
  else if (errno === 'ETIMEDOUT' || /timed out/i.test(text)) stage = 'timeout';
  return { kind: 'network', stage, errno, text };
}

/**
 * Reads a refused upgrade's body: AWS sends `{"ErrorCode": .., "Message": ..}`; other shapes
 * (`__type`/`message`, plain text from a proxy or load balancer) are kept as text.
 */
export function refusalOf(status: number, body: string, requestId: string | undefined): Extract<TunnelFailure, { kind: 'refused' }> {
  let errorCode = '';
  let text = body.trim().slice(0, 1000);
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object') {
      const code = parsed['ErrorCode'] ?? parsed['errorCode'] ?? parsed['__type'] ?? parsed['code'] ?? parsed['Code'];
      const message = parsed['Message'] ?? parsed['message'] ?? parsed['errorMessage'];
      if (typeof code === 'string') errorCode = code.split('#').pop() ?? code;
      if (typeof message === 'string') text = message;
      else if (errorCode) text = '';
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): keep the text.
  }
  if (/^\s*</.test(text)) text = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
  return { kind: 'refused', status, errorCode, text, ...(requestId ? { requestId } : {}) };
}

/** Carries wire facts from deep inside the dialer up to the place that knows the context. */
export class TunnelFailureError extends Error {
  readonly failure: TunnelFailure;
  constructor(failure: TunnelFailure, options?: { cause?: unknown }) {
    super(failure.kind === 'closed' ? failure.reason : failure.text, options);
    this.name = 'TunnelFailureError';
    this.failure = failure;
  }
}
