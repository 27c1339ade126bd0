import * as EC2Sdk from '@aws-sdk/client-ec2';
import type { Schema } from '@smithy/types';
import { AwsError } from '../world/awsError';
import type { World } from '../world/world';
import { EC2_OPERATIONS, impliedActions, resourcesOf } from './ec2Operations';
import type { ServiceRequest, ServiceResponse } from './httpService';
import { decodeQuery, encodeXml } from './queryCodec';
import { verifySigV4, type SigV4Failure } from './sigv4';

const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
/** EC2 accepts requests up to 15 minutes off (its RequestExpired documentation). */
const EC2_MAX_SKEW_MS = 15 * 60_000;

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** EC2's error document: `<Response><Errors><Error><Code>` with `<RequestID>`. */
export function renderEc2Error(error: AwsError, requestId: string): ServiceResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}

/** EC2's answers to a bad signature (it says AuthFailure for most of them). */
function sigV4Error(failure: SigV4Failure): AwsError {
  switch (failure.kind) {
    case 'missing':
      return new AwsError('MissingAuthenticationToken', 'The request must contain either a valid (registered) AWS access key ID or X.509 certificate.', 401);
    case 'malformed':
      return new AwsError('IncompleteSignature', failure.detail, 400);
    case 'skew':
    case 'expiredUrl':
      return new AwsError('RequestExpired', `Request has expired. ${failure.detail}`, 400);
    case 'tokenExpired':
      return new AwsError('RequestExpired', 'The security token included in the request is expired', 400);
    case 'badScope':
      return new AwsError('AuthFailure', failure.detail, 401);
    default:
      return new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  }
}

type OperationSchema = [number, string, string, unknown, () => Schema, () => Schema];

function operationSchema(action: string): OperationSchema | undefined {
  const value = (EC2Sdk as unknown as Record<string, unknown>)[`${action}$`];
  return Array.isArray(value) && value[0] === 9 ? (value as OperationSchema) : undefined;
}

/** Fields recorded in the audit log: ids and flags, never key material or passwords. */
function auditDetail(input: Record<string, unknown>): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === 'PublicKeyMaterial') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') detail[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) detail[k] = v;
    else if (k === 'Filters' || k === 'IpPermissions' || k === 'TagSpecifications') detail[k] = v;
  }
  return detail;
}

/**
 * The EC2 Query API: a form-encoded POST signed for service `ec2`; the Region is the one in
 * the credential scope. Order of checks as on AWS: signature, Region enabled, throttling,
 * action known, input decoded, IAM (DryRun answers here), then the operation.
 */
export function ec2Handler(world: World): (req: ServiceRequest) => Promise<ServiceResponse> {
  return async (req) => {
    world.advance();
    const form = new URLSearchParams(req.method === 'GET' ? req.rawQuery : req.body.toString('utf8'));
    const action = form.get('Action') ?? '';
    let principalName: string | undefined;
    let region: string | undefined;
    let detail: Record<string, unknown> | undefined;
    try {
      const verified = await verifySigV4(req, { service: 'ec2', lookup: (k) => world.credentials.get(k), maxSkewMs: EC2_MAX_SKEW_MS });
      if (!verified.ok) throw sigV4Error(verified.failure);
      principalName = verified.record.principal.name;
      region = verified.region;
      const regionState = world.region(verified.region);
      const fault = world.faults.regionErrors[verified.region];
      if (fault) throw new AwsError(fault.code, fault.message, fault.status);
      if (regionState.optInStatus === 'not-opted-in') {
        throw world.scenario.disabledRegionError === 'OptInRequired'
          ? new AwsError('OptInRequired', 'You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.', 401)
          : new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      }
      if (world.takeThrottle(action)) throw new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
      const handler = EC2_OPERATIONS[action];
      const schema = operationSchema(action);
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
      if (!handler || !schema) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
      const input = decodeQuery(schema[4](), form, 'ec2');
      detail = auditDetail(input);
      const check = { region: verified.region, resources: resourcesOf(input) };
      for (const iamAction of [`ec2:${action}`, ...impliedActions(action, input)]) {
        const denied = world.deniedReason(verified.record.principal, iamAction, check);
        if (denied) {
          const encoded = Buffer.from(JSON.stringify({ allowed: false, explicitDeny: true, action: iamAction, requestId: req.requestId })).toString('base64');
          throw new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${denied}. Encoded authorization failure message: ${encoded}`, 403);
        }
      }
      if (input['DryRun'] === true) throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      const output = await handler(world, { region: verified.region, principal: verified.record.principal, requestId: req.requestId }, input);
      world.record({ service: 'ec2', action, region, principal: principalName, requestId: req.requestId, ...(detail ? { detail } : {}) });
      return {
        status: 200,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: encodeXml(schema[5](), output, { root: `${action}Response`, namespace: EC2_NAMESPACE, requestId: req.requestId }),
      };
    } catch (error) {
      const awsError = error instanceof AwsError ? error : new AwsError('InternalError', `An internal error has occurred: ${error instanceof Error ? error.message : String(error)}`, 500);
      world.record({ service: 'ec2', action: action || '(none)', ...(region ? { region } : {}), ...(principalName ? { principal: principalName } : {}), requestId: req.requestId, errorCode: awsError.code, ...(detail ? { detail } : {}) });
      return renderEc2Error(awsError, req.requestId);
    }
  };
}
