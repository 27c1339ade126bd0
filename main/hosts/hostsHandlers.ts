import type { MainHandlers } from '../../preload/contract';
import type { HostsService } from './hostsService';

/** The `hosts` domain of the contract. */
export function createHostsHandlers(hosts: HostsService): MainHandlers['hosts'] {
  return {
    list: () => hosts.list(),
    status: () => hosts.status(),
    save: (input) => hosts.save(input),
    remove: async ({ id }) => {
      await hosts.remove(id);
      return null;
    },
    import: ({ json }) => hosts.importJson(json),
    export: () => hosts.exportJson(),
  };
}
