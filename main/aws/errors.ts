import { AppError, type ErrorCode } from '../../preload/contract';
import { redactString } from '../log';

/** What the failed call was doing, for the sentence the person reads. */
export interface AwsErrorContext {
  /** A verb phrase: "list instances", "check the identity", "send the SSH key". */
  action: string;
  region?: string;
  /** The profile's name (never a secret). */
  profile?: string;
}

/** The facts read from an SDK error (or a Node network error) that the table matches on. */
export interface AwsErrorFacts {
  /** The SDK exception name or AWS error code (`UnauthorizedOperation`, `ExpiredToken`). */
  name: string;
  /** The Node/OpenSSL error code of a network failure (`ECONNREFUSED`, `CERT_HAS_EXPIRED`). */
  errno: string;
  status: number | undefined;
  /** AWS's own message, with secrets and encoded blobs removed. */
  text: string;
  requestId: string | undefined;
  fault: 'client' | 'server' | undefined;
}

/** One row of an error table: when it applies, the code, the sentence's reason and the hint. */
export interface AwsErrorRule {
  when: (f: AwsErrorFacts) => boolean;
  code: ErrorCode;
  /** What went wrong, after "Could not <action> in <region> (profile x): ". */
  reason: (f: AwsErrorFacts, c: AwsErrorContext) => string;
  hint: (f: AwsErrorFacts, c: AwsErrorContext) => string;
  retryable?: boolean;
  /** Quote AWS's own words after the sentence (they often name the missing permission). */
  quote?: boolean;
}

const is = (f: AwsErrorFacts, ...names: string[]): boolean => names.some((n) => f.name.toLowerCase() === n.toLowerCase());
const starts = (f: AwsErrorFacts, ...prefixes: string[]): boolean => prefixes.some((p) => f.name.toLowerCase().startsWith(p.toLowerCase()));
const errnoIs = (f: AwsErrorFacts, ...codes: string[]): boolean => codes.includes(f.errno);
const says = (f: AwsErrorFacts, pattern: RegExp): boolean => pattern.test(f.text);

const TLS_CODES = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
];

/**
 * The one table from AWS SDK exceptions, credential-provider failures and network errors to
 * app error codes. Rules are tried in order; the first match wins.
 */
export const AWS_ERROR_TABLE: readonly AwsErrorRule[] = [
  // ---- credentials ----
  {
    when: (f) => is(f, 'ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired') || (is(f, 'RequestExpired') && says(f, /token/i)),
    code: 'AWS_CREDENTIALS_EXPIRED',
    reason: () => 'the AWS session has expired',
    hint: () => 'Get fresh credentials: sign in again for SSO, re-enter temporary keys, or test the profile to renew an assumed role.',
  },
  {
    when: (f) => is(f, 'SignatureDoesNotMatch', 'IncompleteSignature', 'InvalidSignatureException'),
    code: 'AWS_CREDENTIALS_INVALID',
    reason: () => 'AWS rejected the request signature: the secret access key does not match the access key id',
    hint: () => 'Re-enter the secret access key for this profile (copy it again from the IAM console), or create a new access key.',
  },
  {
    when: (f) => is(f, 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'AuthFailure', 'InvalidToken'),
    code: 'AWS_CREDENTIALS_INVALID',
    reason: () => 'AWS does not recognise the access key (it may be deleted, inactive, or from another partition)',
    hint: () => 'Check the access key in the IAM console; create a new one if it was deleted or deactivated, then update the profile.',
  },
  {
    when: (f) => is(f, 'RequestTimeTooSkewed', 'RequestExpired', 'SignatureExpired', 'RequestInTheFuture') || says(f, /signature (not yet current|expired)|time too skewed/i),
    code: 'AWS_CLOCK_SKEW',
    reason: () => "this computer's clock is too far from AWS's time, so the request signature was refused",
    hint: () => 'Turn on automatic time synchronisation (NTP) on this computer, then try again.',
    retryable: true,
  },
  {
    when: (f) => (is(f, 'AccessDenied', 'AccessDeniedException') && says(f, /multifactor|mfa|one time pass ?code/i)) || is(f, 'InvalidMFA'),
    code: 'AWS_MFA_INVALID',
    reason: () => 'AWS did not accept the MFA code',
    hint: () => 'Wait for the next code on your MFA device and try again; check that the MFA serial in the profile matches that device.',
  },
  // ---- permissions ----
  {
    when: (f) => is(f, 'UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'Forbidden', 'ForbiddenException', 'UnauthorizedAccess', 'AuthException', 'NotAuthorized'),
    code: 'AWS_ACCESS_DENIED',
    reason: () => 'the profile is not allowed to do that',
    hint: (_f, c) => `Ask your AWS administrator to allow it for this identity (test the profile to see which identity ${c.profile ? `"${c.profile}"` : 'it'} uses).`,
    quote: true,
  },
  // ---- Regions ----
  {
    when: (f) => is(f, 'OptInRequired', 'RegionDisabledException', 'InvalidRegion', 'UnrecognizedRegion') || says(f, /not (subscribed|opted in)|region .*(is )?(not enabled|disabled)/i),
    code: 'AWS_REGION_DISABLED',
    reason: (_f, c) => `${c.region ? `the Region ${c.region}` : 'this Region'} is not enabled for the account`,
    hint: () => 'Enable the Region in the AWS console (Account > AWS Regions), or leave it out of the scan.',
    quote: true,
  },
  // ---- throttling and service trouble ----
  {
    when: (f) => is(f, 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown', 'PriorRequestNotComplete', 'ProvisionedThroughputExceededException', 'RequestThrottled', 'EC2ThrottledException', 'BandwidthLimitExceeded') || starts(f, 'Throttl'),
    code: 'AWS_THROTTLED',
    reason: () => 'AWS is throttling requests from this account',
    hint: () => 'Wait a minute and try again; scanning fewer Regions at once also helps.',
    retryable: true,
  },
  {
    when: (f) => is(f, 'InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'ServiceException', 'InternalServerException', 'ServiceUnavailableException') || (f.status !== undefined && f.status >= 500),
    code: 'AWS_SERVICE_UNAVAILABLE',
    reason: () => 'AWS had an internal problem answering',
    hint: () => 'Try again in a moment; if it persists, check the AWS Health Dashboard for the Region.',
    retryable: true,
  },
  // ---- not found ----
  {
    when: (f) => /\.NotFound$/i.test(f.name) || is(f, 'EC2InstanceNotFoundException', 'ResourceNotFoundException', 'NoSuchEntity'),
    code: 'NOT_FOUND',
    reason: () => 'AWS has no such resource there',
    hint: (_f, c) => `Check the id, the Region${c.region ? ` (${c.region})` : ''} and the profile: the resource may be in another account or Region, or deleted.`,
    quote: true,
  },
  // ---- network ----
  {
    when: (f) => errnoIs(f, ...TLS_CODES) || says(f, /self[- ]signed certificate|unable to verify the first certificate|certificate has expired|unable to get local issuer/i),
    code: 'AWS_TLS_UNTRUSTED',
    reason: () => "the connection to AWS was not trusted: the server's certificate could not be verified",
    hint: () =>
      'If your network inspects TLS (a corporate proxy), point AWS_CA_BUNDLE (or ca_bundle in the profile) at your organisation’s CA file; otherwise check the date on this computer.',
  },
  {
    when: (f) => errnoIs(f, 'ENOTFOUND', 'EAI_AGAIN'),
    code: 'AWS_NETWORK',
    reason: () => 'the AWS endpoint’s name could not be resolved (no DNS, or offline)',
    hint: () => 'Check your internet connection, VPN and DNS; if you use a proxy, set HTTPS_PROXY.',
    retryable: true,
  },
  {
    when: (f) => errnoIs(f, 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'EPROTO', 'ERR_SOCKET_CONNECTION_TIMEOUT'),
    code: 'AWS_NETWORK',
    reason: (f) => `the connection to AWS failed (${f.errno})`,
    hint: () => 'Check your internet connection, VPN, firewall and proxy settings (HTTPS_PROXY / NO_PROXY), then try again.',
    retryable: true,
  },
  {
    when: (f) => is(f, 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException') || errnoIs(f, 'ETIMEDOUT', 'ESOCKETTIMEDOUT') || says(f, /timed? ?out/i),
    code: 'AWS_NETWORK',
    reason: () => 'AWS did not answer in time',
    hint: () => 'Check your internet connection or proxy, then try again.',
    retryable: true,
  },
  // ---- credential providers (no call reached AWS) ----
  {
    when: (f) => is(f, 'CredentialsProviderError', 'ProviderError') && says(f, /sso|token/i) && says(f, /expired|refresh|not found|invalid|login/i),
    code: 'AWS_SSO_SIGN_IN_REQUIRED',
    reason: () => 'the IAM Identity Center (SSO) sign-in is missing or has expired',
    hint: () => 'Sign in again from the Profiles view (or run `aws sso login`).',
  },
  {
    when: (f) => is(f, 'CredentialsProviderError', 'ProviderError') && says(f, /mfa/i),
    code: 'AWS_MFA_REQUIRED',
    reason: () => 'an MFA code is needed and none was given',
    hint: () => 'Try again and enter the code from your MFA device when asked.',
  },
  {
    when: (f) => is(f, 'CredentialsProviderError', 'ProviderError') && says(f, /credential_process|process/i),
    code: 'AWS_CREDENTIAL_PROCESS_FAILED',
    reason: () => 'the profile’s credential_process command failed',
    hint: () => 'Run that command in a terminal to see why; it must print credentials as JSON (Version 1).',
    quote: true,
  },
  {
    when: (f) => is(f, 'CredentialsProviderError', 'ProviderError'),
    code: 'AWS_CREDENTIALS_MISSING',
    reason: () => 'no credentials could be loaded for the profile',
    hint: () => 'Check the profile in ~/.aws/credentials or ~/.aws/config (or add keys in the Profiles view), then try again.',
    quote: true,
  },
  // ---- the request itself ----
  {
    when: (f) => starts(f, 'Invalid', 'Malformed', 'Missing', 'Unknown') || is(f, 'ValidationError', 'ValidationException', 'InvalidParameterValue', 'InvalidArgsException'),
    code: 'AWS_REQUEST_FAILED',
    reason: () => 'AWS refused the request as invalid',
    hint: () => 'Check the values used (ids, Region); copy the details if it looks like a bug in Bastionless.',
    quote: true,
  },
];

const FALLBACK: AwsErrorRule = {
  when: () => true,
  code: 'AWS_REQUEST_FAILED',
  reason: (f) => `AWS returned an error${f.name && f.name !== 'Error' ? ` (${f.name})` : ''}`,
  hint: () => 'Try again; if it keeps failing, copy the details (they include the AWS request id) for a support ticket.',
  retryable: true,
  quote: true,
};

/** Reads the facts of any thrown value (SDK exception, Node error, wrapped cause). Never keeps secrets. */
export function awsErrorFacts(error: unknown): AwsErrorFacts {
  const e = (error ?? {}) as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown; extendedRequestId?: unknown };
    $fault?: unknown;
    $response?: { statusCode?: unknown };
    cause?: unknown;
    errors?: unknown;
  };
  const name = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : '';
  let errno = typeof e.code === 'string' ? e.code : '';
  // Node wraps some network errors (AggregateError for happy-eyeballs, `cause` chains).
  if (!errno) {
    const inner = (e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined)) as { code?: unknown } | undefined;
    if (inner && typeof inner.code === 'string') errno = inner.code;
  }
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : typeof e.$response?.statusCode === 'number' ? e.$response.statusCode : undefined;
  const requestId = typeof e.$metadata?.requestId === 'string' && e.$metadata.requestId ? e.$metadata.requestId : undefined;
  const fault = e.$fault === 'client' || e.$fault === 'server' ? e.$fault : undefined;
  return { name, errno, status, text: cleanAwsMessage(typeof e.message === 'string' ? e.message : String(error ?? '')), requestId, fault };
}

/**
 * AWS's message without what must not be shown: encoded authorization blobs (long, and
 * decodable only by the account), canonical requests and string-to-sign (they carry the access
 * key id and signature), and anything the log redactor knows is secret.
 */
export function cleanAwsMessage(text: string): string {
  return redactString(
    text
      .replace(/Encoded authorization failure message:\s*\S+/gi, '')
      .replace(/The Canonical String for this request should have been[\s\S]*$/i, '')
      .replace(/The String-to-Sign should have been[\s\S]*$/i, '')
      .replace(/\s+/g, ' ')
      .trim(),
  ).slice(0, 400);
}

/**
 * Turns anything an AWS call threw into one AppError with a stable AWS_* code, a sentence that
 * names the action (and Region and profile), a hint, and AWS's request id. An AppError passes
 * through unchanged. Never includes secrets: signatures, keys and tokens are stripped.
 * `specific`: a feature's own rules (endpoint setup's quotas...), tried before the table.
 */
export function mapAwsError(error: unknown, context: AwsErrorContext, specific: readonly AwsErrorRule[] = []): AppError {
  if (error instanceof AppError) return error;
  const facts = awsErrorFacts(error);
  const rule = specific.find((r) => r.when(facts)) ?? AWS_ERROR_TABLE.find((r) => r.when(facts)) ?? FALLBACK;
  const where = [context.region ? ` in ${context.region}` : '', context.profile ? ` with profile "${context.profile}"` : ''].join('');
  // Only a service answer is "AWS said"; a credential provider's or the network's words are details.
  const fromAws = facts.requestId !== undefined || facts.fault !== undefined;
  const quoted = rule.quote && facts.text && !facts.text.startsWith('UnknownError') ? ` ${fromAws ? 'AWS said' : 'Details'}: "${facts.text.replace(/"/g, "'")}"` : '';
  const message = `Could not ${context.action}${where}: ${rule.reason(facts, context)}.${quoted}`;
  return new AppError(rule.code, message, {
    hint: rule.hint(facts, context),
    cause: error,
    retryable: rule.retryable ?? false,
    ...(facts.requestId ? { requestId: facts.requestId } : {}),
  });
}
