import type { MainHandlers } from '../../../preload/contract';
import type { InventoryService } from './inventoryService';

/** The `inventory` domain of the contract. */
export function createInventoryHandlers(inventory: InventoryService): MainHandlers['inventory'] {
  return {
    refresh: (input) => inventory.refresh(input),
    last: () => inventory.last(),
    instance: ({ profileId, region, instanceId }) => inventory.getInstance(profileId, region, instanceId, { refresh: true }),
  };
}
