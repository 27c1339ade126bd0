import * as STSSdk from '@aws-sdk/client-sts';
import type { Schema } from '@smithy/types';
import { AwsError } from '../world/awsError';
import { newAccessKeyId } from '../world/ids';
import type { CredentialRecord, PrincipalIdentity, World } from '../world/world';
import type { ServiceRequest, ServiceResponse } from './httpService';
import { decodeQuery, encodeXml } from './queryCodec';
import { verifySigV4, type SigV4Failure } from './sigv4';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const MAX_SKEW_MS = 5 * 60_000;

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** STS (awsQuery) errors: `<ErrorResponse><Error><Type><Code><Message>` and `<RequestId>`. */
export function renderStsError(error: AwsError, requestId: string): ServiceResponse {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${type}</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function sigV4Error(failure: SigV4Failure): AwsError {
  switch (failure.kind) {
    case 'missing':
      return new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    case 'malformed':
      return new AwsError('IncompleteSignature', failure.detail, 400);
    case 'unknownKey':
    case 'tokenInvalid':
      return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    case 'tokenExpired':
      return new AwsError('ExpiredToken', 'The security token included in the request is expired', 400);
    case 'skew':
    case 'expiredUrl':
    case 'badScope':
      return new AwsError('SignatureDoesNotMatch', failure.detail, 403);
    default:
      return new AwsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.', 403);
  }
}

type OperationSchema = [number, string, string, unknown, () => Schema, () => Schema];

function operationSchema(action: string): OperationSchema | undefined {
  const value = (STSSdk as unknown as Record<string, unknown>)[`${action}$`];
  return Array.isArray(value) && value[0] === 9 ? (value as OperationSchema) : undefined;
}

function checkMfa(world: World, input: Record<string, unknown>, required: boolean, caller: PrincipalIdentity, resource: string): void {
  const serial = input['SerialNumber'] as string | undefined;
  const code = input['TokenCode'] as string | undefined;
  if (!serial && !code) {
    if (required) throw new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${resource} (the role requires MFA: aws:MultiFactorAuthPresent is false)`, 403);
    return;
  }
  const mfa = world.scenario.mfa;
  const expectedSerial = mfa ? `arn:aws:iam::${world.accountId}:mfa/${mfa.deviceName}` : undefined;
  if (!serial || !code) throw new AwsError('ValidationError', 'SerialNumber and TokenCode must be given together.', 400);
  if (!/^\d{6}$/.test(code)) throw new AwsError('ValidationError', "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*", 400);
  if (!mfa || serial !== expectedSerial || code !== mfa.code) throw new AwsError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', 403);
}

function credentialsXml(record: CredentialRecord): Record<string, unknown> {
  return { AccessKeyId: record.accessKeyId, SecretAccessKey: record.secretAccessKey, SessionToken: record.sessionToken, Expiration: new Date(record.expiresAt ?? Date.now()) };
}

const OPERATIONS: Record<string, (world: World, caller: CredentialRecord, input: Record<string, unknown>) => Record<string, unknown>> = {
  GetCallerIdentity(_world, caller) {
    return { UserId: caller.principal.userId, Account: caller.principal.accountId, Arn: caller.principal.arn };
  },

  AssumeRole(world, caller, input) {
    const roleArn = String(input['RoleArn'] ?? '');
    const sessionName = String(input['RoleSessionName'] ?? '');
    if (!roleArn) throw new AwsError('ValidationError', "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null", 400);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new AwsError('ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`, 400);
    const match = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
    const role = match && match[1] === world.accountId ? world.scenario.roles.find((r) => r.name === match[2]) : undefined;
    const deniedText = `User: ${caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
    if (!role) throw new AwsError('AccessDenied', deniedText, 403);
    if (role.trustedPrincipals && !role.trustedPrincipals.includes(caller.principal.name)) throw new AwsError('AccessDenied', deniedText, 403);
    const denied = world.deniedReason(caller.principal, 'sts:AssumeRole', { resources: [role.name] });
    if (denied) throw new AwsError('AccessDenied', denied, 403);
    if (role.externalId !== undefined && input['ExternalId'] !== role.externalId) throw new AwsError('AccessDenied', deniedText, 403);
    checkMfa(world, input, role.requireMfa, caller.principal, roleArn);
    const duration = (input['DurationSeconds'] as number | undefined) ?? 3600;
    if (duration < 900) throw new AwsError('ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`, 400);
    if (duration > role.maxSessionDurationSeconds) throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400);
    const roleId = `AROA${newAccessKeyId('AKIA').slice(4)}`;
    const principal: PrincipalIdentity = {
      name: role.name,
      arn: `arn:aws:sts::${world.accountId}:assumed-role/${role.name}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      accountId: world.accountId,
    };
    const record = world.issueTemporary(principal, duration);
    return { Credentials: credentialsXml(record), AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn }, PackedPolicySize: 0 };
  },

  GetSessionToken(world, caller, input) {
    if (caller.sessionToken) throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    checkMfa(world, input, false, caller.principal, '*');
    const duration = (input['DurationSeconds'] as number | undefined) ?? 43200;
    if (duration < 900 || duration > 129600) throw new AwsError('ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600`, 400);
    const record = world.issueTemporary(caller.principal, duration);
    return { Credentials: credentialsXml(record) };
  },
};

/** STS (awsQuery): GetCallerIdentity, AssumeRole (trust, MFA, external id, duration) and GetSessionToken. */
export function stsHandler(world: World): (req: ServiceRequest) => Promise<ServiceResponse> {
  return async (req) => {
    const form = new URLSearchParams(req.method === 'GET' ? req.rawQuery : req.body.toString('utf8'));
    const action = form.get('Action') ?? '';
    let region: string | undefined;
    let principal: string | undefined;
    try {
      const verified = await verifySigV4(req, { service: 'sts', lookup: (k) => world.credentials.get(k), maxSkewMs: MAX_SKEW_MS });
      if (!verified.ok) throw sigV4Error(verified.failure);
      region = verified.region;
      principal = verified.record.principal.name;
      const regionState = world.regions.get(verified.region);
      if (!regionState) throw new AwsError('SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${verified.region}'.`, 403);
      const fault = world.faults.regionErrors[verified.region];
      if (fault) throw new AwsError(fault.code, fault.message, fault.status);
      if (regionState.optInStatus === 'not-opted-in') throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      if (world.takeThrottle(action)) throw new AwsError('Throttling', 'Rate exceeded', 400);
      const handler = OPERATIONS[action];
      const schema = operationSchema(action);
      if (!handler || !schema) throw new AwsError('InvalidAction', `Could not find operation ${action || '(none)'} for version 2011-06-15`, 400);
      const input = decodeQuery(schema[4](), form, 'query');
      const output = handler(world, verified.record, input);
      world.record({ service: 'sts', action, region, principal, requestId: req.requestId, detail: { ...(input['RoleArn'] ? { RoleArn: input['RoleArn'] } : {}), ...(input['SerialNumber'] ? { mfa: true } : {}) } });
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: encodeXml(schema[5](), output, { root: `${action}Response`, nested: `${action}Result`, namespace: STS_NAMESPACE, requestId: req.requestId }),
      };
    } catch (error) {
      const awsError = error instanceof AwsError ? error : new AwsError('InternalFailure', `The sandbox failed: ${error instanceof Error ? error.message : String(error)}`, 500);
      world.record({ service: 'sts', action: action || '(none)', ...(region ? { region } : {}), ...(principal ? { principal } : {}), requestId: req.requestId, errorCode: awsError.code });
      return renderStsError(awsError, req.requestId);
    }
  };
}
