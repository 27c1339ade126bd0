import { AwsError } from '../world/awsError';
import type { World } from '../world/world';
import type { ServiceRequest, ServiceResponse } from './httpService';
import { verifySigV4, type SigV4Failure } from './sigv4';

const TARGET_PREFIX = 'AWSEC2InstanceConnectService.';
const MAX_SKEW_MS = 5 * 60_000;
// The service model's patterns (ec2-instance-connect 2018-04-02).
const OS_USER = /(^[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?$)|(^(?=.{2,32}$)[0-9]{1,32}[A-Za-z@._-][A-Za-z0-9@._-]*[A-Za-z0-9$_-]?$)/;
const INSTANCE_ID = /^i-[a-f0-9]+$/;
const KEY_LINE = /^(ssh-rsa|ssh-ed25519) [A-Za-z0-9+/]+={0,2}( [^\r\n]*)?$/;

/** awsJson1_1 errors: `__type` in the body and x-amzn-errortype in the headers. */
export function renderJsonError(error: AwsError, requestId: string): ServiceResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': `${error.code}:`, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: error.code, Message: error.message, message: error.message }),
  };
}

function sigV4Error(failure: SigV4Failure): AwsError {
  switch (failure.kind) {
    case 'missing':
      return new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
    case 'malformed':
      return new AwsError('IncompleteSignatureException', failure.detail, 400);
    case 'unknownKey':
    case 'tokenInvalid':
      return new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
    case 'tokenExpired':
      return new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400);
    case 'skew':
    case 'expiredUrl':
      return new AwsError('InvalidSignatureException', failure.detail, 400);
    case 'badScope':
      return new AwsError('InvalidSignatureException', failure.detail, 400);
    default:
      return new AwsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        400,
      );
  }
}

/**
 * EC2 Instance Connect (awsJson1_1): SendSSHPublicKey pushes the key to the instance's sshd
 * for 60 s. Errors use the service's exception names: EC2InstanceNotFoundException,
 * EC2InstanceStateInvalidException, InvalidArgsException, ThrottlingException, AccessDenied.
 */
export function eicHandler(world: World): (req: ServiceRequest) => Promise<ServiceResponse> {
  return async (req) => {
    world.advance();
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let region: string | undefined;
    let principal: string | undefined;
    let detail: Record<string, unknown> | undefined;
    try {
      const verified = await verifySigV4(req, { service: 'ec2-instance-connect', lookup: (k) => world.credentials.get(k), maxSkewMs: MAX_SKEW_MS });
      if (!verified.ok) throw sigV4Error(verified.failure);
      region = verified.region;
      principal = verified.record.principal.name;
      const regionState = world.regions.get(verified.region);
      if (!regionState) throw new AwsError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${verified.region}'.`, 400);
      const fault = world.faults.regionErrors[verified.region];
      if (fault) throw new AwsError(fault.code, fault.message, fault.status);
      if (regionState.optInStatus === 'not-opted-in') throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
      if (world.takeThrottle(action)) throw new AwsError('ThrottlingException', 'Rate exceeded', 400);
      if (action !== 'SendSSHPublicKey') throw new AwsError('UnknownOperationException', `The operation ${action || '(none)'} is not supported by the sandbox.`, 400);

      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new AwsError('SerializationException', 'The request body is not valid JSON.', 400);
      }
      const instanceId = typeof body['InstanceId'] === 'string' ? body['InstanceId'] : '';
      const osUser = typeof body['InstanceOSUser'] === 'string' ? body['InstanceOSUser'] : '';
      const publicKey = typeof body['SSHPublicKey'] === 'string' ? body['SSHPublicKey'] : '';
      const az = typeof body['AvailabilityZone'] === 'string' ? body['AvailabilityZone'] : undefined;
      detail = { InstanceId: instanceId, InstanceOSUser: osUser, ...(az ? { AvailabilityZone: az } : {}), keyType: publicKey.split(' ')[0] };
      if (!INSTANCE_ID.test(instanceId) || instanceId.length < 10 || instanceId.length > 32) throw new AwsError('InvalidArgsException', `Invalid instance ID: ${instanceId || '(empty)'}`, 400);
      if (!OS_USER.test(osUser) || osUser.length > 32) throw new AwsError('InvalidArgsException', `Invalid OS user: ${osUser || '(empty)'}`, 400);
      if (publicKey.length < 80 || publicKey.length > 4096 || !KEY_LINE.test(publicKey.trim())) {
        throw new AwsError('InvalidArgsException', 'The SSH public key is not valid: it must be an OpenSSH ssh-rsa or ssh-ed25519 public key.', 400);
      }
      const denied = world.deniedReason(verified.record.principal, 'ec2-instance-connect:SendSSHPublicKey', { region: verified.region, resources: [instanceId] });
      if (denied) throw new AwsError('AccessDeniedException', denied, 400);

      const inst = world.instances.get(instanceId);
      if (!inst || inst.region !== verified.region) throw new AwsError('EC2InstanceNotFoundException', 'Instance not found', 400);
      if (az && az !== inst.az) throw new AwsError('InvalidArgsException', `The instance ${instanceId} is not in Availability Zone ${az}.`, 400);
      if (inst.state !== 'running') throw new AwsError('EC2InstanceStateInvalidException', 'Instance is not in a valid state. Connecting to a stopped or terminated instance is not supported.', 400);
      if (inst.platform === 'windows') throw new AwsError('InvalidArgsException', 'EC2 Instance Connect is not supported on Windows instances.', 400);
      world.pushKey(inst, osUser, publicKey.trim());
      world.record({ service: 'ec2-instance-connect', action, region, principal, requestId: req.requestId, detail });
      return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ RequestId: req.requestId, Success: true }) };
    } catch (error) {
      const awsError = error instanceof AwsError ? error : new AwsError('ServiceException', `The sandbox failed: ${error instanceof Error ? error.message : String(error)}`, 500);
      world.record({ service: 'ec2-instance-connect', action: action || '(none)', ...(region ? { region } : {}), ...(principal ? { principal } : {}), requestId: req.requestId, errorCode: awsError.code, ...(detail ? { detail } : {}) });
      return renderJsonError(awsError, req.requestId);
    }
  };
}
