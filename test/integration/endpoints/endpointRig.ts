import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EndpointSetupService } from '../../../main/eice/setup/endpointSetupService';
import { sdkSetupEc2, type SetupEc2 } from '../../../main/eice/setup/setupEc2';
import { createLogger, MemorySink } from '../../../main/log';
import type { Host, Operation } from '../../../preload/contract';
import type { Sandbox, SandboxPrincipal } from '../../sandbox/index';
import { OperationWatch } from '../../support/operationWatch';

/** Polls fast: the sandbox settles endpoints in about a second. */
export const FAST_POLL = {
  create: { initialMs: 150, factor: 1.5, maxMs: 600, timeoutMs: 60_000 },
  delete: { initialMs: 150, factor: 1.5, maxMs: 600, timeoutMs: 60_000 },
};

/** The real SDK's EC2 client pointed at the sandbox, as one of its principals. */
export function sandboxEc2(sandbox: Sandbox, principal: SandboxPrincipal = sandbox.principals[0] as SandboxPrincipal, region = 'us-east-1'): EC2Client {
  return new EC2Client({
    region,
    endpoint: sandbox.urls.ec2,
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
    maxAttempts: 1,
  });
}

export interface ServiceRig {
  service: EndpointSetupService;
  ec2: EC2Client;
  dataDir: string;
  events: Operation[];
  /** Resolves with the first operation event that matches (past or future). */
  until(predicate: (op: Operation) => boolean): Promise<Operation>;
  dispose(): Promise<void>;
}

/** The endpoint service over the real SDK and the sandbox, with fast polling and its own data folder. */
export function serviceRig(
  sandbox: Sandbox,
  options: { principal?: SandboxPrincipal; hosts?: Host[]; dataDir?: string; wrap?: (ec2: SetupEc2) => SetupEc2 } = {},
): ServiceRig {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'endpoints-it-'));
  const ec2 = sandboxEc2(sandbox, options.principal);
  const watch = new OperationWatch();
  const service = new EndpointSetupService({
    dataDir,
    log: createLogger({ sink: new MemorySink(), minLevel: 'debug' }),
    clientsFor: async () => ({ ec2: options.wrap ? options.wrap(sdkSetupEc2(ec2)) : sdkSetupEc2(ec2), profileName: options.principal?.name ?? 'sandbox-admin' }),
    connectionsInUse: () => 0,
    listHosts: async () => options.hosts ?? [],
    onOperationChanged: watch.onOperationChanged,
    poll: FAST_POLL,
  });
  return {
    service,
    ec2,
    dataDir,
    events: watch.events,
    until: (predicate) => watch.until(predicate),
    dispose: async () => {
      await service.dispose();
      ec2.destroy();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const ended = (operationId: string) => (op: Operation): boolean => op.operationId === operationId && op.status !== 'running';
export const stepActive = (operationId: string, step: string) => (op: Operation): boolean =>
  op.operationId === operationId && op.steps.some((s) => s.id === step && s.state === 'active');
