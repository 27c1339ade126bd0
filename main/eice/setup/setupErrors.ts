import { AppError } from '../../../preload/contract/errors';
import { awsErrorFacts, mapAwsError, type AwsErrorContext, type AwsErrorFacts, type AwsErrorRule } from '../../aws/errors';

/** What the failed call was doing, plus the IAM action it needs (for a refusal's hint). */
export interface EndpointErrorContext extends AwsErrorContext {
  /** `ec2:CreateInstanceConnectEndpoint`: named in the hint when AWS refuses the call. */
  iamAction?: string;
}

const named = (f: AwsErrorFacts, ...names: string[]): boolean => names.some((n) => f.name.toLowerCase() === n.toLowerCase());

/**
 * AWS errors that mean something specific for endpoints and their security groups, tried
 * before the app's general AWS table (main/aws/errors.ts).
 */
export const ENDPOINT_ERROR_TABLE: readonly AwsErrorRule[] = [
  {
    // RequestLimitExceeded and BandwidthLimitExceeded are throttling, not quotas.
    when: (f) =>
      !named(f, 'RequestLimitExceeded', 'BandwidthLimitExceeded') &&
      (/LimitExceeded$|QuotaExceeded/i.test(f.name) || (/endpoint/i.test(f.text) && /quota|maximum number|limit/i.test(f.text) && !/rate/i.test(f.text))),
    code: 'EIC_QUOTA_EXCEEDED',
    quote: true,
    reason: () => 'an EC2 Instance Connect Endpoint quota is reached (5 per Region, 1 per VPC, 1 per subnet)',
    hint: () => 'Refresh the Endpoints view to see which endpoint holds the slot (one may have been created elsewhere meanwhile); the quotas cannot be raised.',
  },
  {
    when: (f) => named(f, 'InsufficientFreeAddressesInSubnet') || /not have enough free addresses/i.test(f.text),
    code: 'EIC_SUBNET_FULL',
    quote: true,
    reason: () => 'the subnet has no free IP address for the endpoint’s network interface',
    hint: () => 'Pick another subnet of the VPC (the wizard shows free addresses per subnet), or free an address in this one.',
  },
  {
    when: (f) => named(f, 'DependencyViolation'),
    code: 'EIC_GROUP_IN_USE',
    quote: true,
    reason: () => 'the security group is still in use (by a network interface, or referenced by another group’s rule)',
    hint: () => 'Wait a minute if an endpoint using it was just deleted (its network interface goes last), or remove the rules that reference it, then try again.',
    retryable: true,
  },
  {
    when: (f) => named(f, 'IdempotentParameterMismatch'),
    code: 'AWS_REQUEST_FAILED',
    quote: true,
    reason: () => 'AWS already received this request with different settings (the same ClientToken)',
    hint: () => 'Start the setup again from the wizard: it uses a fresh token.',
  },
];

/**
 * Maps an error of an endpoint or security-group call to an AppError: the endpoint table
 * above first, then the app's AWS table. A refusal names the IAM action that is missing.
 */
export function mapEndpointError(error: unknown, context: EndpointErrorContext): AppError {
  if (error instanceof AppError) return error;
  const mapped = mapAwsError(error, context, ENDPOINT_ERROR_TABLE);
  if (mapped.code === 'AWS_ACCESS_DENIED' && context.iamAction) {
    return new AppError(mapped.code, mapped.message, {
      hint: `Ask your AWS administrator to allow ${context.iamAction} for this identity${context.profile ? ` (profile "${context.profile}")` : ''}.`,
      cause: error,
      ...(mapped.requestId ? { requestId: mapped.requestId } : {}),
    });
  }
  return mapped;
}

/** The SDK error's name (`InvalidPermission.Duplicate`), for the few outcomes that are not failures. */
export function awsErrorName(error: unknown): string {
  return awsErrorFacts(error).name;
}
