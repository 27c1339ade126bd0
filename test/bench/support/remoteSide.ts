// The "AWS side" of the tunnel benchmark, in its own process so it gets its own core: the
// sandbox (its TLS openTunnel server, API-only) and a throughput target that an added instance's
// port 22 points at. Prints ONE JSON line, then runs until stdin closes.
import { startSandbox } from '../../sandbox/index';
import { startThroughputTarget } from './throughput';

const sandbox = await startSandbox({ withoutInstanceServers: true });
const target = await startThroughputTarget();
const instance = sandbox.world.addInstance({ name: 'bench-target', targets: { 22: { host: '127.0.0.1', port: target.port } } });
const endpoint = sandbox.world.endpoints().find((e) => e.id === instance.endpointId);
if (!endpoint) throw new Error('the sandbox gave the bench instance no endpoint');
process.stdout.write(
  `${JSON.stringify({
    env: sandbox.env,
    directPort: target.port,
    target: { endpointId: endpoint.id, dnsName: endpoint.dnsName, region: endpoint.region, privateIpAddress: instance.privateIp, remotePort: 22 },
  })}\n`,
);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await target.stop();
  await sandbox.stop();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
