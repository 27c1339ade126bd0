import { mkdirSync } from 'node:fs';
import { contract, type MainHandlers } from '../preload/contract';
import { createAppHandlers, platformOf } from './app/appHandlers';
import { AwsNetwork } from './aws/awsNetwork';
import { AwsClientFactory } from './aws/clients';
import { createInventoryHandlers } from './aws/inventory/inventoryHandlers';
import { InventoryService } from './aws/inventory/inventoryService';
import { Keychain } from './aws/keychain';
import { createProfilesHandlers } from './aws/profilesHandlers';
import { ProfilesService } from './aws/profilesService';
import { PromptBroker } from './aws/prompts';
import { SsoService } from './aws/sso';
import type { DesktopIo } from './desktop';
import { createDiagnoseFeature } from './diagnose/createDiagnoseFeature';
import { durationCapNotice } from './eice/durationCaps';
import { createEndpointsHandlers } from './eice/setup/endpointsHandlers';
import { EndpointSetupService } from './eice/setup/endpointSetupService';
import { sdkSetupEc2 } from './eice/setup/setupEc2';
import { TunnelManager } from './eice/tunnelManager';
import { tunnelOptionsFrom } from './eice/tunnelOptions';
import { EventHub } from './events';
import { createHostsHandlers } from './hosts/hostsHandlers';
import { HostsService } from './hosts/hostsService';
import { createLogger, type LogSink, type Logger, type LogLevel } from './log';
import { createRdpFeature } from './rdp/createRdpFeature';
import { createSshFeature } from './ssh/createSshFeature';

export interface ComposeOptions {
  /** The app's data folder: settings, saved hosts, logs. Created 0700 if missing. */
  dataDir: string;
  version: string;
  platform: NodeJS.Platform;
  desktop: DesktopIo;
  logSink: LogSink;
  logLevel?: LogLevel;
  /** Environment for AWS settings (AWS_PROFILE, AWS_ENDPOINT_URL_*, proxies). */
  env?: NodeJS.ProcessEnv;
  isHarness?: boolean;
}

export interface Composition {
  /** One handler per contract entry: what Electron IPC and the harness dispatch to. */
  api: MainHandlers;
  /** Where features publish events; the window or the harness subscribes. */
  events: EventHub;
  log: Logger;
  /** Closes every session, tunnel and listener, and flushes stores. Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * The composition root: builds every feature with its I/O and wires them by hand. Runs in
 * plain Node (no electron import) so the test harness and the command-line tunnel reuse it.
 */
export async function compose(options: ComposeOptions): Promise<Composition> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const log = createLogger({ sink: options.logSink, minLevel: options.logLevel ?? 'info' });
  const events = new EventHub(contract, log.child('events'));
  const disposers: (() => Promise<void> | void)[] = [];

  // AWS: profiles (secrets in the OS keychain), credentials with MFA/SSO prompts, clients, discovery.
  const env = options.env ?? {};
  const keychain = new Keychain({ platform: options.platform, log: log.child('keychain') });
  const prompts = new PromptBroker({
    onRequested: (prompt) => events.emit('profiles', 'promptRequested', prompt),
    onClosed: (promptId, outcome) => events.emit('profiles', 'promptClosed', { promptId, outcome }),
    log: log.child('prompts'),
  });
  const awsNetwork = new AwsNetwork(env, log.child('aws.network'));
  const sso = new SsoService({
    network: awsNetwork,
    keychain,
    prompts,
    desktop: options.desktop,
    onSignInChanged: (state) => {
      events.emit('profiles', 'signInChanged', state);
      if (state.state === 'signedIn') events.emit('profiles', 'changed', {});
    },
    log: log.child('sso'),
  });
  const profiles = new ProfilesService({
    dataDir: options.dataDir,
    env,
    keychain,
    log: log.child('profiles'),
    ssoStatus: (settings) => sso.status(settings),
    onChanged: () => events.emit('profiles', 'changed', {}),
  });
  const aws = new AwsClientFactory({ env, profiles, keychain, prompts, sso, network: awsNetwork, log: log.child('aws') });
  const inventory = new InventoryService({
    dataDir: options.dataDir,
    forProfile: (profileId, region) => aws.forProfile(profileId, region),
    listProfiles: () => profiles.list(),
    accountOf: (profileId) => aws.accountOf(profileId),
    onProgress: (progress) => events.emit('inventory', 'progressed', progress),
    log: log.child('inventory'),
  });
  const hosts = new HostsService({
    dataDir: options.dataDir,
    keychain,
    knownInstance: (profileId, region, instanceId) => inventory.knownInstance(profileId, region, instanceId),
    notify: (notice) => events.emit('app', 'noticePosted', notice),
    onChanged: () => events.emit('hosts', 'changed', {}),
    log: log.child('hosts'),
  });
  disposers.push(
    () => sso.dispose(),
    () => aws.dispose(),
    () => inventory.dispose(),
    // Disposed first: a scan or test waiting on the person is cancelled before anything awaits it.
    () => prompts.dispose(),
  );

  // Every tunnel of the app (SSH streams, RDP and forward listeners): one budget per endpoint,
  // and the IAM cap on tunnel duration found once per profile and endpoint.
  const tunnelManager = new TunnelManager({
    log: log.child('tunnels'),
    onDurationCap: (learned) => events.emit('app', 'noticePosted', { ...durationCapNotice(learned), at: new Date().toISOString() }),
  });
  disposers.push(() => tunnelManager.dispose());
  const tunnelOptionsFor = tunnelOptionsFrom((profileId, region) => aws.forProfile(profileId, region));

  // SSH: terminal sessions over tunnel streams (each one of its endpoint's 20 connections).
  const ssh = createSshFeature({
    dataDir: options.dataDir,
    desktop: options.desktop,
    keychain,
    hosts,
    inventory,
    instanceConnectFor: async (profileId, region) => {
      const ctx = await aws.forProfile(profileId, region);
      return { eic: ctx.eic, profileName: ctx.profileName };
    },
    tunnelOptionsFor,
    tunnelManager,
    log: log.child('ssh'),
    emitState: (info) => events.emit('sessions', 'stateChanged', info),
    emitData: (sessionId, chunk) => events.emit('sessions', 'data', { sessionId, chunk }),
    notice: (notice) => events.emit('app', 'noticePosted', { ...notice, at: new Date().toISOString() }),
  });
  disposers.push(() => ssh.dispose());

  // RDP: Windows password, local listener to 3389, the system's RDP client; and the Tunnels view.
  const rdp = createRdpFeature({
    platform: options.platform,
    dataDir: options.dataDir,
    env: options.env ?? {},
    desktop: options.desktop,
    keychain,
    hosts,
    inventory,
    ec2For: (profileId, region) => aws.forProfile(profileId, region),
    tunnelOptionsFor,
    tunnelManager,
    log: log.child('rdp'),
    onSessionChanged: (session) => events.emit('rdp', 'sessionChanged', session),
    onSessionRemoved: (sessionId) => events.emit('rdp', 'sessionRemoved', { sessionId }),
    onTunnelsChanged: (list) => events.emit('tunnels', 'changed', list),
  });
  disposers.push(() => rdp.dispose());

  // Endpoints: the Endpoints view, the setup wizard, delete and move, with a resumable journal.
  const endpointSetup = new EndpointSetupService({
    dataDir: options.dataDir,
    log: log.child('endpoints'),
    clientsFor: async (profileId, region) => {
      const ctx = await aws.forProfile(profileId, region);
      return { ec2: sdkSetupEc2(ctx.ec2), profileName: ctx.profileName };
    },
    connectionsInUse: (endpointId) => tunnelManager.connectionsInUse(endpointId),
    listHosts: () => hosts.list(),
    knownInstanceVpc: async (profileId, region, instanceId) => (await inventory.knownInstance(profileId, region, instanceId))?.vpcId,
    onOperationChanged: (operation) => events.emit('endpoints', 'operationChanged', operation),
    notify: (notice) => events.emit('app', 'noticePosted', notice),
  });
  // Not awaited: the window opens without waiting on the journal, and a journal that cannot be
  // written fails the Endpoints view (every call awaits start) instead of keeping the app closed.
  void endpointSetup.start().catch((error: unknown) => log.child('endpoints').error('could not load the endpoint operations journal', { error }));
  disposers.push(() => endpointSetup.dispose());

  // Troubleshooting: checks that explain a failed connection, with fixes (after sessions: it reads their failures).
  const diagnosis = createDiagnoseFeature({
    aws,
    profiles,
    hosts,
    inventory,
    keychain,
    tunnelManager,
    tunnelOptionsFor,
    sessions: ssh.manager,
    rdp: rdp.service,
    desktop: options.desktop,
    env,
    log: log.child('diagnose'),
    onChanged: (report) => events.emit('diagnose', 'changed', report),
    version: options.version,
  });
  disposers.push(() => diagnosis.dispose());

  const api: MainHandlers = {
    app: createAppHandlers(
      {
        name: 'Bastionless',
        version: options.version,
        platform: platformOf(options.platform),
        dataDir: options.dataDir,
        isHarness: options.isHarness ?? false,
      },
      options.desktop,
    ),
    profiles: createProfilesHandlers({ profiles, aws, prompts, sso }),
    inventory: createInventoryHandlers(inventory),
    hosts: createHostsHandlers(hosts),
    sessions: ssh.handlers,
    rdp: rdp.rdp,
    tunnels: rdp.tunnels,
    endpoints: createEndpointsHandlers(endpointSetup),
    diagnose: diagnosis.handlers,
  };

  let disposed: Promise<void> | undefined;
  return {
    api,
    events,
    log,
    dispose() {
      disposed ??= (async () => {
        // Last built, first disposed: sessions go before the tunnels they run on.
        for (const dispose of disposers.reverse()) {
          try {
            await dispose();
          } catch (error) {
            log.error('dispose failed', { error });
          }
        }
      })();
      return disposed;
    },
  };
}
