import type { MainHandlers } from '../../../preload/contract';
import type { EndpointSetupService } from './endpointSetupService';

/** The `endpoints` domain of the contract. */
export function createEndpointsHandlers(service: EndpointSetupService): MainHandlers['endpoints'] {
  return {
    list: ({ profileId, region }) => service.list(profileId, region),
    subnets: ({ profileId, region, vpcId }) => service.subnets(profileId, region, vpcId),
    securityGroups: ({ profileId, region, vpcId }) => service.securityGroups(profileId, region, vpcId),
    review: (input) => service.review(input),
    checkPermissions: (input) => service.checkPermissions(input),
    create: (input) => service.create(input),
    delete: ({ profileId, region, endpointId }) => service.delete(profileId, region, endpointId),
    moveOptions: ({ profileId, region, endpointId }) => service.moveOptions(profileId, region, endpointId),
    move: ({ profileId, region, endpointId, subnetId }) => service.move(profileId, region, endpointId, subnetId),
    operations: () => service.operations.list(),
    cancel: ({ operationId }) => service.operations.cancel(operationId),
    resume: ({ operationId }) => service.operations.resume(operationId),
    settleGroup: ({ operationId, action }) => service.operations.settleGroup(operationId, action),
    dismiss: async ({ operationId }) => {
      await service.operations.dismiss(operationId);
      return null;
    },
    pathPlan: ({ profileId, region, endpointId }) => service.pathPlan(profileId, region, endpointId),
    addRules: ({ profileId, region, endpointId, rules }) => service.addRules(profileId, region, endpointId, rules),
  };
}
