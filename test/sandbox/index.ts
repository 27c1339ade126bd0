/**
 * The local AWS sandbox: one process serving, on 127.0.0.1 only, the EC2 Query API, EC2
 * Instance Connect, STS, SSO-OIDC and the SSO portal (each on its own HTTP port, every request
 * SigV4-verified where AWS verifies it), the EICE openTunnel WebSocket server over TLS (with
 * a CA generated at start), and real OpenSSH / RDP servers as the instances.
 *
 * `startSandbox({ scenario, eicePort })` resolves with:
 * - `env`: the variables that point an AWS SDK, the app and the tunnel CLI at the sandbox:
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_DEFAULT_REGION,
 *   AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT, AWS_ENDPOINT_URL_STS,
 *   AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC, NODE_EXTRA_CA_CERTS (the CA's PEM; Node
 *   reads it only at start-up, so in-process users must load it themselves, as main/eice
 *   does), BASTIONLESS_EICE_ADDRESS (host:port the tunnel client dials for every EICE DNS
 *   name, keeping the real name for SNI, Host and the signature).
 * - `awsConfigFile` / `awsCredentialsFile`: sandbox-only AWS profiles (one per principal with
 *   its keys, one per role with role_arn/source_profile/mfa_serial, one per SSO account role
 *   with an sso-session), for AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE when a test or the
 *   demo wants profile-based sign-in against the sandbox. Not in `env`: callers choose.
 * - `instances`: what each instance is and whether it should be reachable (SandboxInstanceInfo).
 * - `principals`: every scenario principal's credentials (the first one is in `env`).
 * - `caFile`, `controlUrl` (HTTP control API, see controlApi.ts), `urls` of each service.
 * - `world`: the in-process SandboxWorld (state, faults, tunnels, endpoints, addInstance).
 * - `stop()`: stops every server and every process it started, and deletes its temp files.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ec2Handler, renderEc2Error } from './aws/ec2Api';
import { eicHandler, renderJsonError } from './aws/eicApi';
import { startHttpService, type HttpService } from './aws/httpService';
import { renderRestJsonError, SsoService } from './aws/ssoApi';
import { renderStsError, stsHandler } from './aws/stsApi';
import { startControlApi } from './controlApi';
import { trackTempDir } from './instances/managedProcess';
import { startRdpServer, type RdpServer } from './instances/rdp';
import { startSshd, type Sshd } from './instances/sshd';
import { SandboxWorld, type SandboxInstanceInfo } from './sandboxWorld';
import { loadScenarioFile, parseScenario, type Scenario, type ScenarioInput } from './scenario';
import { createCertificates, eiceCertificateNames } from './tunnel/certificates';
import { TunnelServer } from './tunnel/tunnelServer';
import { World, type InstanceRuntime, type InstanceState } from './world/world';

export type { SandboxInstanceInfo } from './sandboxWorld';
export type { Scenario, ScenarioInput } from './scenario';

/** The default world, test/sandbox/scenarios/default.json. */
export const DEFAULT_SCENARIO_FILE = resolve(fileURLToPath(new URL('./scenarios/default.json', import.meta.url)));

export interface SandboxOptions {
  /** A scenario file path, or a scenario object (validated the same way). Default: default.json. */
  scenario?: string | Scenario | ScenarioInput;
  /** Port of the EICE tunnel server (default: any free port). */
  eicePort?: number;
  /** Start no instance servers (sshd, RDP): for API-only tests that must start fast. */
  withoutInstanceServers?: boolean;
  /** Where diagnostics go (instance start failures); nothing by default. */
  log?: (line: string) => void;
}

export interface SandboxPrincipal {
  name: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Sandbox {
  env: Record<string, string>;
  /** A snapshot taken now (each read recomputes it). */
  readonly instances: SandboxInstanceInfo[];
  principals: SandboxPrincipal[];
  caFile: string;
  /** Sandbox-only AWS config and credentials files (profiles per principal, role, SSO role). */
  awsConfigFile: string;
  awsCredentialsFile: string;
  controlUrl: string;
  urls: { ec2: string; ec2InstanceConnect: string; sts: string; sso: string; ssoOidc: string; eice: string };
  world: SandboxWorld;
  /** Milliseconds startSandbox took. */
  startupMs: number;
  stop(): Promise<void>;
}

/** Starts and stops each instance's real server (sshd or RDP) as the world changes. */
class ProcessRuntime implements InstanceRuntime {
  readonly sshd = new Map<string, Sshd>();
  readonly rdp = new Map<string, RdpServer>();
  world!: World;

  constructor(private readonly log: (line: string) => void) {}

  async start(inst: InstanceState): Promise<void> {
    await this.stop(inst);
    if (inst.platform === 'windows') {
      const server = await startRdpServer({ user: inst.osUser, password: inst.rdpPassword ?? '' });
      this.rdp.set(inst.id, server);
      inst.targets.set(3389, { host: server.host, port: server.port });
      inst.rdpDisplay = server.display;
      return;
    }
    const key = inst.keyName ? this.world.keyPairs.get(`${inst.region}/${inst.keyName}`) : undefined;
    const sshd = await startSshd({
      mode: inst.eicPackage ? 'eic' : 'keyfile',
      users: [inst.osUser],
      authorizedKeys: key ? { [inst.osUser]: [key.publicKeyLine] } : {},
    });
    this.sshd.set(inst.id, sshd);
    inst.targets.set(22, { host: sshd.host, port: sshd.port });
    inst.hostKeyFingerprint = sshd.hostKeyFingerprint;
  }

  async stop(inst: InstanceState): Promise<void> {
    const sshd = this.sshd.get(inst.id);
    const rdp = this.rdp.get(inst.id);
    this.sshd.delete(inst.id);
    this.rdp.delete(inst.id);
    await Promise.all([sshd?.stop(), rdp?.stop()]);
  }

  pushKey(inst: InstanceState, osUser: string, publicKeyLine: string): void {
    const sshd = this.sshd.get(inst.id);
    if (!sshd) {
      this.log(`SendSSHPublicKey for ${inst.id}: its sshd is not running, the key goes nowhere`);
      return;
    }
    // sshd in keyfile mode (no ec2-instance-connect package) records the push but never asks for it.
    sshd.pushKey(osUser, publicKeyLine);
  }

  async regenerateHostKey(inst: InstanceState): Promise<string> {
    const sshd = this.sshd.get(inst.id);
    if (!sshd) throw new Error(`${inst.id} has no sshd`);
    await sshd.regenerateHostKey();
    inst.targets.set(22, { host: sshd.host, port: sshd.port });
    return sshd.hostKeyFingerprint;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sshd.values(), ...this.rdp.values()].map((s) => s.stop()));
    this.sshd.clear();
    this.rdp.clear();
  }
}

/**
 * The sandbox's own AWS config and credentials files: a profile per principal (static keys),
 * per role (assume-role from a trusted principal, with mfa_serial when the role needs MFA) and
 * per SSO account role (an sso-session on the sandbox's start URL). Fake keys only, 0600.
 */
function writeAwsFiles(dir: string, world: World, region: string): { configFile: string; credentialsFile: string } {
  const scenario = world.scenario;
  const config: string[] = ['[default]', `region = ${region}`, ''];
  const credentials: string[] = [];
  for (const record of world.principalCredentials.values()) {
    config.push(`[profile ${record.principal.name}]`, `region = ${region}`, '');
    credentials.push(`[${record.principal.name}]`, `aws_access_key_id = ${record.accessKeyId}`, `aws_secret_access_key = ${record.secretAccessKey}`, '');
  }
  for (const role of scenario.roles) {
    const source = role.trustedPrincipals?.[0] ?? scenario.principals[0]!.name;
    config.push(`[profile ${role.name}]`, `role_arn = arn:aws:iam::${world.accountId}:role/${role.name}`, `source_profile = ${source}`, 'role_session_name = bastionless');
    if (role.requireMfa && scenario.mfa) config.push(`mfa_serial = arn:aws:iam::${world.accountId}:mfa/${scenario.mfa.deviceName}`);
    config.push(`region = ${region}`, '');
  }
  if (scenario.sso) {
    config.push('[sso-session sandbox]', `sso_start_url = ${scenario.sso.startUrl}`, `sso_region = ${scenario.sso.region}`, 'sso_registration_scopes = sso:account:access', '');
    for (const account of scenario.sso.accounts) {
      for (const role of account.roles) {
        config.push(`[profile sso-${account.accountId}-${role}]`, 'sso_session = sandbox', `sso_account_id = ${account.accountId}`, `sso_role_name = ${role}`, `region = ${region}`, '');
      }
    }
  }
  mkdirSync(join(dir, 'aws'), { mode: 0o700 });
  const configFile = join(dir, 'aws', 'config');
  const credentialsFile = join(dir, 'aws', 'credentials');
  writeFileSync(configFile, config.join('\n'), { mode: 0o600 });
  writeFileSync(credentialsFile, credentials.join('\n'), { mode: 0o600 });
  return { configFile, credentialsFile };
}

function resolveScenario(option: SandboxOptions['scenario']): { scenario: Scenario; source: string } {
  if (option === undefined) return { scenario: loadScenarioFile(DEFAULT_SCENARIO_FILE), source: DEFAULT_SCENARIO_FILE };
  if (typeof option === 'string') return { scenario: loadScenarioFile(option), source: option };
  return { scenario: parseScenario(option), source: '(inline object)' };
}

/** Starts a sandbox; see the file header. Throws (having stopped what it started) if any part fails. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const started = Date.now();
  const { scenario } = resolveScenario(options.scenario);
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'bastionless-sandbox-'));
  const removeDir = trackTempDir(dir);
  const runtime = new ProcessRuntime(log);
  const services: HttpService[] = [];
  let tunnelServer: TunnelServer | undefined;
  let stopControl: (() => Promise<void>) | undefined;

  const cleanup = async (): Promise<void> => {
    await Promise.allSettled([...services.map((s) => s.close()), tunnelServer?.close(), stopControl?.()]);
    await runtime.stopAll();
    removeDir();
  };

  try {
    // The CA and the key pairs take the longest: make them side by side.
    const certificatesPromise = createCertificates(
      dir,
      eiceCertificateNames(
        scenario.account.id,
        scenario.regions.map((r) => r.name),
      ),
    );
    // Settled even if the world fails to build, so no rejection goes unhandled.
    certificatesPromise.catch(() => undefined);
    const world = await World.create(scenario, { runtime, keyDir: join(dir, 'keys') });
    runtime.world = world;
    const instancesPromise = options.withoutInstanceServers
      ? Promise.resolve()
      : Promise.all([...world.instances.values()].filter((i) => i.state === 'running').map((inst) => world.startServers(inst)));

    const sso = new SsoService(world);
    const [ec2, eic, sts, portal, oidc] = await Promise.all([
      startHttpService(world, ec2Handler(world), renderEc2Error),
      startHttpService(world, eicHandler(world), renderJsonError),
      startHttpService(world, stsHandler(world), renderStsError),
      startHttpService(world, sso.portalHandler(), renderRestJsonError),
      startHttpService(world, sso.oidcHandler(), renderRestJsonError),
    ]);
    services.push(ec2, eic, sts, portal, oidc);
    sso.oidcUrl = oidc.url;
    const certificates = await certificatesPromise;
    tunnelServer = await TunnelServer.start({ world, certificates, ...(options.eicePort !== undefined ? { port: options.eicePort } : {}) });
    const sandboxWorld = new SandboxWorld(world, tunnelServer, sso, (id) => runtime.sshd.get(id));
    const control = await startControlApi(sandboxWorld);
    stopControl = control.close;
    await instancesPromise;

    const region = scenario.defaultRegion ?? scenario.regions.find((r) => r.optInStatus !== 'not-opted-in')?.name ?? scenario.regions[0]!.name;
    const credentials = world.defaultCredentials;
    const awsFiles = writeAwsFiles(dir, world, region);
    const env: Record<string, string> = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL_EC2: ec2.url,
      AWS_ENDPOINT_URL_EC2_INSTANCE_CONNECT: eic.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL_SSO: portal.url,
      AWS_ENDPOINT_URL_SSO_OIDC: oidc.url,
      NODE_EXTRA_CA_CERTS: certificates.caFile,
      BASTIONLESS_EICE_ADDRESS: `127.0.0.1:${tunnelServer.port}`,
    };
    let stopped: Promise<void> | undefined;
    return {
      env,
      get instances() {
        return sandboxWorld.instances();
      },
      principals: [...world.principalCredentials.values()].map((c) => ({ name: c.principal.name, arn: c.principal.arn, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey })),
      caFile: certificates.caFile,
      awsConfigFile: awsFiles.configFile,
      awsCredentialsFile: awsFiles.credentialsFile,
      controlUrl: control.url,
      urls: { ec2: ec2.url, ec2InstanceConnect: eic.url, sts: sts.url, sso: portal.url, ssoOidc: oidc.url, eice: `wss://127.0.0.1:${tunnelServer.port}` },
      world: sandboxWorld,
      startupMs: Date.now() - started,
      stop: () => (stopped ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
