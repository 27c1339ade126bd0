import { isIP } from 'node:net';
import { AppError } from '../../preload/contract/errors';
import { DEFAULT_LISTENER_CONNECTIONS, MAX_LISTENER_CONNECTIONS } from './localListener';

/** What `bastionless-tunnel` was asked to do. */
export type CliCommand = { kind: 'help' } | { kind: 'version' } | ({ kind: 'tunnel' } & TunnelArgs);

export interface TunnelArgs {
  instanceId?: string;
  privateIpAddress?: string;
  endpointId?: string;
  endpointDnsName?: string;
  remotePort: number;
  /** Listener mode when set (0: any free port); stdio mode (ProxyCommand) otherwise. */
  localPort?: number;
  maxTunnelDuration?: number;
  maxConnections: number;
  profile?: string;
  region?: string;
  pushKeyFile?: string;
  osUser?: string;
  debug: boolean;
}

export const CLI_NAME = 'bastionless-tunnel';

export const USAGE = `Usage: ${CLI_NAME} [options]

Opens a TCP tunnel to an EC2 instance through an EC2 Instance Connect Endpoint, like
"aws ec2-instance-connect open-tunnel". Without --local-port it carries stdin/stdout, for
OpenSSH's ProxyCommand:

  ssh -o ProxyCommand='${CLI_NAME} --instance-id %h --push-key ~/.ssh/id_ed25519.pub --os-user %r' ec2-user@i-0123456789abcdef0

Target (one of):
  --instance-id ID                        look up the instance and choose its endpoint
  --private-ip-address IP                 a private IPv4/IPv6 address (needs --instance-connect-endpoint-id)
Endpoint:
  --instance-connect-endpoint-id ID       the endpoint to use (default: the instance's subnet's, else its VPC's)
  --instance-connect-endpoint-dns-name N  its DNS name (skips looking it up; needs the id)
Tunnel:
  --remote-port N                         port on the instance (default 22)
  --local-port N                          listen on 127.0.0.1:N instead of stdin/stdout (0: any free port)
  --max-websocket-connections N           connections at once in listener mode (default ${DEFAULT_LISTENER_CONNECTIONS}, at most ${MAX_LISTENER_CONNECTIONS})
  --max-tunnel-duration SECONDS           1 to 3600 (default 3600; always sent, as IAM may cap it)
Key push (EC2 Instance Connect):
  --push-key PUBLIC_KEY_FILE              push this public key for the instance before each connection
  --os-user USER                          the user the key is for (required with --push-key)
AWS:
  --profile NAME                          a profile from ~/.aws/config (default: AWS_PROFILE or default)
  --region REGION                         default: AWS_REGION, or the profile's region
Other:
  --debug                                 log to stderr (secrets redacted)
  --help, --version

Credentials come from the standard AWS chain (environment, profiles, SSO, roles); AWS_ENDPOINT_URL_*,
HTTPS_PROXY/NO_PROXY and NODE_EXTRA_CA_CERTS are honoured.`;

interface OptionSpec {
  key: keyof TunnelArgs;
  kind: 'string' | 'int' | 'flag';
}

const OPTIONS: Record<string, OptionSpec> = {
  '--instance-id': { key: 'instanceId', kind: 'string' },
  '--private-ip-address': { key: 'privateIpAddress', kind: 'string' },
  '--instance-connect-endpoint-id': { key: 'endpointId', kind: 'string' },
  '--instance-connect-endpoint-dns-name': { key: 'endpointDnsName', kind: 'string' },
  '--remote-port': { key: 'remotePort', kind: 'int' },
  '--local-port': { key: 'localPort', kind: 'int' },
  '--max-tunnel-duration': { key: 'maxTunnelDuration', kind: 'int' },
  '--max-websocket-connections': { key: 'maxConnections', kind: 'int' },
  '--profile': { key: 'profile', kind: 'string' },
  '--region': { key: 'region', kind: 'string' },
  '--push-key': { key: 'pushKeyFile', kind: 'string' },
  '--os-user': { key: 'osUser', kind: 'string' },
  '--debug': { key: 'debug', kind: 'flag' },
};

function usage(message: string, hint = `Run ${CLI_NAME} --help for the options.`): AppError {
  return new AppError('INVALID_INPUT', message, { hint });
}

/**
 * Parses the command line (`--name value` or `--name=value`). Throws INVALID_INPUT with one
 * sentence and a hint for anything it cannot use, before any network call.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const values: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--version' || arg === '-V') return { kind: 'version' };
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS[name];
    if (!spec) {
      throw usage(arg.startsWith('-') ? `Unknown option ${name}.` : `Unexpected argument "${arg}": options start with --.`);
    }
    if (values[spec.key] !== undefined) throw usage(`${name} was given more than once.`);
    if (spec.kind === 'flag') {
      if (eq > 0) throw usage(`${name} takes no value.`);
      values[spec.key] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq > 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) throw usage(`${name} needs a value.`);
      i++;
    }
    if (spec.kind === 'int') {
      if (!/^\d+$/.test(raw)) throw usage(`${name} must be a whole number, not "${raw}".`);
      values[spec.key] = Number(raw);
    } else {
      if (raw.trim() === '') throw usage(`${name} needs a value.`);
      values[spec.key] = raw.trim();
    }
  }

  const args: TunnelArgs = {
    remotePort: 22,
    maxConnections: DEFAULT_LISTENER_CONNECTIONS,
    debug: false,
    ...(values as Partial<TunnelArgs>),
  };
  validate(args);
  return { kind: 'tunnel', ...args };
}

function validate(a: TunnelArgs): void {
  if (!a.instanceId && !a.privateIpAddress) {
    throw usage('Specify an instance with --instance-id, or an address with --private-ip-address and --instance-connect-endpoint-id.');
  }
  if (a.instanceId && !/^i-[0-9a-f]{8,17}$/.test(a.instanceId)) {
    throw usage(`"${a.instanceId}" is not an EC2 instance id.`, 'Instance ids look like i-0123456789abcdef0; with ProxyCommand, connect to the instance id (ssh ec2-user@i-0123456789abcdef0) so %h expands to it.');
  }
  if (a.privateIpAddress && !isIP(a.privateIpAddress)) throw usage(`"${a.privateIpAddress}" is not an IPv4 or IPv6 address.`);
  if (a.privateIpAddress && !a.endpointId) throw usage('--private-ip-address needs --instance-connect-endpoint-id: without an instance there is no VPC to find the endpoint in.');
  if (a.endpointDnsName && !a.endpointId) throw usage('--instance-connect-endpoint-dns-name needs --instance-connect-endpoint-id: the id is part of the signed request.');
  if (a.endpointId && !/^eice-[0-9a-f]+$/.test(a.endpointId)) throw usage(`"${a.endpointId}" is not an EC2 Instance Connect Endpoint id.`, 'Endpoint ids look like eice-0123456789abcdef0.');
  if (a.remotePort < 1 || a.remotePort > 65535) throw usage(`--remote-port ${a.remotePort} is not a TCP port.`);
  if (a.localPort !== undefined && a.localPort > 65535) throw usage(`--local-port ${a.localPort} is not a TCP port.`);
  if (a.maxTunnelDuration !== undefined && (a.maxTunnelDuration < 1 || a.maxTunnelDuration > 3600)) {
    throw usage(`--max-tunnel-duration must be from 1 to 3600 seconds, not ${a.maxTunnelDuration}.`);
  }
  if (a.maxConnections < 1 || a.maxConnections > MAX_LISTENER_CONNECTIONS) {
    throw usage(`--max-websocket-connections must be from 1 to ${MAX_LISTENER_CONNECTIONS}, not ${a.maxConnections}.`, 'EICE allows 20 connections per endpoint at once.');
  }
  if (a.pushKeyFile && !a.osUser) throw usage('--push-key needs --os-user: the key is pushed for one OS user.', 'With ProxyCommand, pass --os-user %r so it follows the ssh user.');
  if (a.osUser && !a.pushKeyFile) throw usage('--os-user only applies with --push-key.');
  if (a.pushKeyFile && !a.instanceId) throw usage('--push-key needs --instance-id: EC2 Instance Connect pushes keys to an instance, not an address.');
  if (a.osUser && !/^[a-z_][a-z0-9_.-]{0,31}$/i.test(a.osUser)) throw usage(`"${a.osUser}" is not a valid OS user name.`);
  if (a.region && !/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(a.region)) throw usage(`"${a.region}" is not an AWS Region.`, 'Regions look like us-east-1 or eu-west-3.');
}
