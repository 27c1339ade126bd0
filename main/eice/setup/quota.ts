import { AppError } from '../../../preload/contract/errors';
import { ENDPOINT_QUOTAS } from '../../../preload/contract/endpoints';
import type { EndpointFacts } from '../endpoints';

/** What the quota check needs of each endpoint of the Region. */
export type QuotaEndpoint = Pick<EndpointFacts, 'id' | 'vpcId' | 'subnetId' | 'state' | 'availabilityZone'>;

export interface QuotaRequest {
  region: string;
  vpcId: string;
  subnetId: string;
  /** An endpoint that will be gone before the new one is made (the one a move replaces). */
  replacingEndpointId?: string;
}

/** Endpoints that hold a quota slot: all but delete-complete (a deleting one still holds its slot). */
export function slotHolders(endpoints: readonly QuotaEndpoint[], replacingEndpointId?: string): QuotaEndpoint[] {
  return endpoints.filter((e) => e.state !== 'delete-complete' && e.id !== replacingEndpointId);
}

const describe = (e: QuotaEndpoint): string => `${e.id} (${e.state}${e.availabilityZone ? `, ${e.availabilityZone}` : ''})`;

const stillDeleting = (e: QuotaEndpoint): string =>
  e.state === 'delete-in-progress' ? ' It is being deleted: its slot frees up within a few minutes, then try again.' : '';

/**
 * Checks AWS's fixed endpoint quotas before any call: one per subnet, one per VPC, five per
 * Region. Resolves with the Region's use after the new endpoint; throws EIC_QUOTA_EXCEEDED
 * naming the endpoint(s) that hold the slot, with what to do instead.
 */
export function checkEndpointQuotas(endpoints: readonly QuotaEndpoint[], request: QuotaRequest): { used: number; limit: number } {
  const holders = slotHolders(endpoints, request.replacingEndpointId);
  const inSubnet = holders.find((e) => e.subnetId === request.subnetId);
  if (inSubnet) {
    throw new AppError('EIC_QUOTA_EXCEEDED', `Subnet ${request.subnetId} already has an EC2 Instance Connect Endpoint, ${describe(inSubnet)}; a subnet can hold only one.${stillDeleting(inSubnet)}`, {
      hint: inSubnet.vpcId === request.vpcId ? `One endpoint serves the whole VPC: use ${inSubnet.id}, or move it to another AZ from the Endpoints view.` : 'Pick another subnet.',
    });
  }
  const inVpc = holders.find((e) => e.vpcId === request.vpcId);
  if (inVpc) {
    throw new AppError('EIC_QUOTA_EXCEEDED', `${request.vpcId} already has an EC2 Instance Connect Endpoint, ${describe(inVpc)} in ${inVpc.subnetId}; a VPC can have only one.${stillDeleting(inVpc)}`, {
      hint: `One endpoint serves every subnet of the VPC: use ${inVpc.id}. To put it in another AZ, use "Move to another AZ" on it.`,
    });
  }
  if (holders.length >= ENDPOINT_QUOTAS.perRegion) {
    throw new AppError(
      'EIC_QUOTA_EXCEEDED',
      `${request.region} already has ${holders.length} EC2 Instance Connect Endpoints, the most a Region allows (${ENDPOINT_QUOTAS.perRegion}): ${holders.map((e) => `${e.id} in ${e.vpcId}`).join(', ')}.`,
      { hint: 'The quota cannot be raised. Delete an endpoint you no longer need (the Endpoints view lists them), or use another Region.' },
    );
  }
  return { used: holders.length + 1, limit: ENDPOINT_QUOTAS.perRegion };
}
