import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { mapAwsError } from '../../../../main/aws/errors';

/** An error shaped like the SDK's ServiceException. */
function sdkError(name: string, message: string, status = 400, requestId = 'req-1234'): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, requestId } });
}
function netError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code });
}

const ctx = { action: 'list instances', region: 'eu-west-1', profile: 'dev' };

describe('mapAwsError', () => {
  it.each([
    ['UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: AbCdEf123', 'AWS_ACCESS_DENIED'],
    ['AccessDenied', 'User: arn:aws:iam::123456789012:user/x is not authorized to perform: sts:AssumeRole', 'AWS_ACCESS_DENIED'],
    ['AccessDeniedException', 'no', 'AWS_ACCESS_DENIED'],
    ['AuthFailure', 'AWS was not able to validate the provided access credentials', 'AWS_CREDENTIALS_INVALID'],
    ['InvalidClientTokenId', 'The security token included in the request is invalid.', 'AWS_CREDENTIALS_INVALID'],
    ['ExpiredToken', 'The security token included in the request is expired', 'AWS_CREDENTIALS_EXPIRED'],
    ['ExpiredTokenException', 'expired', 'AWS_CREDENTIALS_EXPIRED'],
    ['OptInRequired', 'You are not subscribed to this service.', 'AWS_REGION_DISABLED'],
    ['RequestLimitExceeded', 'Request limit exceeded.', 'AWS_THROTTLED'],
    ['ThrottlingException', 'Rate exceeded', 'AWS_THROTTLED'],
    ['Throttling', 'Rate exceeded', 'AWS_THROTTLED'],
    ['RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 'AWS_CLOCK_SKEW'],
    ['InvalidInstanceID.NotFound', "The instance ID 'i-0123' does not exist", 'NOT_FOUND'],
    ['InvalidParameterValue', 'Value (x) for parameter y is invalid.', 'AWS_REQUEST_FAILED'],
    ['InternalError', 'An internal error has occurred', 'AWS_SERVICE_UNAVAILABLE'],
  ])('maps %s to its code', (name, message, code) => {
    const e = mapAwsError(sdkError(name, message, name === 'InternalError' ? 500 : 400), ctx);
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/^Could not list instances in eu-west-1 with profile "dev": /);
    expect(e.hint.length).toBeGreaterThan(10);
    expect(e.requestId).toBe('req-1234');
  });

  it('tells a wrong MFA code apart from a missing permission', () => {
    const e = mapAwsError(sdkError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.'), { action: 'assume role Admin' });
    expect(e.code).toBe('AWS_MFA_INVALID');
  });

  it('quotes AWS for access denied but drops the encoded authorization blob', () => {
    const e = mapAwsError(sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: SECRETBLOB_abcdef'), ctx);
    expect(e.message).toContain('AWS said: "You are not authorized to perform this operation."');
    expect(e.message).not.toContain('SECRETBLOB');
  });

  it('never repeats the canonical request or access key of a signature mismatch', () => {
    const message =
      'The request signature we calculated does not match the signature you provided. The Canonical String for this request should have been\n\'POST\n/\n\nhost:sts.amazonaws.com\' The String-to-Sign should have been \'AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/sts/aws4_request\nabc\' Credential=AKIAIOSFODNN7EXAMPLE/20240101';
    const e = mapAwsError(sdkError('SignatureDoesNotMatch', message), ctx);
    expect(e.code).toBe('AWS_CREDENTIALS_INVALID');
    expect(JSON.stringify(e.toJSON())).not.toMatch(/AKIAIOSFODNN7EXAMPLE|Canonical|String-to-Sign/);
  });

  it.each([
    ['ECONNREFUSED', 'AWS_NETWORK', true],
    ['ENOTFOUND', 'AWS_NETWORK', true],
    ['ETIMEDOUT', 'AWS_NETWORK', true],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'AWS_TLS_UNTRUSTED', false],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'AWS_TLS_UNTRUSTED', false],
  ])('maps the network error %s', (code, expected, retryable) => {
    const e = mapAwsError(netError(code), ctx);
    expect(e.code).toBe(expected);
    expect(e.retryable).toBe(retryable);
    expect(e.requestId).toBeUndefined();
  });

  it('reads the code of a wrapped network error', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } });
    expect(mapAwsError(wrapped, ctx).code).toBe('AWS_NETWORK');
  });

  it('maps the SDK timeout error', () => {
    const e = Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' });
    expect(mapAwsError(e, ctx).code).toBe('AWS_NETWORK');
  });

  it('maps credential-provider failures', () => {
    const provider = (message: string) => Object.assign(new Error(message), { name: 'CredentialsProviderError' });
    expect(mapAwsError(provider('Could not load credentials from any providers'), ctx).code).toBe('AWS_CREDENTIALS_MISSING');
    expect(mapAwsError(provider('The SSO session token associated with profile=dev was not found or is invalid'), ctx).code).toBe('AWS_SSO_SIGN_IN_REQUIRED');
    expect(mapAwsError(provider('Profile dev requires multi-factor authentication, but no MFA code callback was provided.'), ctx).code).toBe('AWS_MFA_REQUIRED');
    expect(mapAwsError(provider('Error: credential_process exited with code 1'), ctx).code).toBe('AWS_CREDENTIAL_PROCESS_FAILED');
  });

  it('passes an AppError through unchanged', () => {
    const original = new AppError('KEYCHAIN_UNAVAILABLE', 'No keychain.', { hint: 'Install one.' });
    expect(mapAwsError(original, ctx)).toBe(original);
  });

  it('falls back to AWS_REQUEST_FAILED with the exception name and keeps the request id', () => {
    const e = mapAwsError(sdkError('SomethingNew', 'A new kind of failure'), { action: 'describe Regions' });
    expect(e.code).toBe('AWS_REQUEST_FAILED');
    expect(e.message).toContain('(SomethingNew)');
    expect(e.message).toContain('A new kind of failure');
    expect(e.requestId).toBe('req-1234');
  });

  it('scrubs access key ids from quoted AWS messages', () => {
    const e = mapAwsError(sdkError('AccessDenied', 'Key AKIAIOSFODNN7EXAMPLE is not allowed'), ctx);
    expect(e.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});
