// Child process for the hosts crash test: saves hosts through HostsService as fast as it can until killed.
import { HostsService } from '../../../main/hosts/hostsService';
import { createLogger } from '../../../main/log';
import { MemorySecretStore } from '../../support/memorySecretStore';

const dataDir = process.argv[2]!;
const hosts = new HostsService({ dataDir, keychain: new MemorySecretStore(), log: createLogger({ sink: { write: () => undefined } }) });
let n = (await hosts.list()).length;
process.stdout.write('ready\n');
for (;;) {
  n += 1;
  // Long tags make each write big enough that kills land in the middle of one.
  await hosts.save({
    label: `host-${n}`,
    folder: 'crash/test',
    tags: Array.from({ length: 40 }, (_, i) => `tag-${i}-${'x'.repeat(40)}`),
    profileId: 'env',
    region: 'eu-west-1',
    instanceId: 'i-0123456789abcdef0',
  });
}
